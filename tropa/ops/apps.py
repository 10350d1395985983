from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operating the server: encrypted backups with a tested restore, deployment files."""

    name = "tropa.ops"
    label = "ops"
    verbose_name = _("Operations")
