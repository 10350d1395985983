from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "tropa.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from tropa.cases.models import Alert

        from .signals import alert_saved

        post_save.connect(alert_saved, sender=Alert, dispatch_uid="tropa-notify-alert-raised")
