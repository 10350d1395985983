from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Operations: serving, demo data, health. Owns no models."""

    name = "tropa.core"
    label = "core"
    verbose_name = _("Operations")
