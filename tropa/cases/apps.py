from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tropa.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from .search_index import after_migrate

        # SQLite loses the search index's triggers when a migration rebuilds cases_case.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="tropa-case-search")
