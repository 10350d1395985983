from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tropa.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from tropa.cases.registry import DashboardPanel, register_dashboard_panel

        from .dashboard import role_requests_panel

        register_dashboard_panel(
            DashboardPanel(
                key="role_requests",
                template="accounts/_role_requests_panel.html",
                context=role_requests_panel,
                order=5,
            )
        )
