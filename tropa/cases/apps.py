from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Every sealed model of this app belongs to a case (a person has one case).
CASE_SCOPED = (
    ("cases.identity", "person"),
    ("cases.note", "case"),
    ("cases.need", "case"),
    ("cases.support", "case"),
    ("cases.familymember", "case"),
    ("cases.alert", "case"),
)


class CasesConfig(AppConfig):
    name = "tropa.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        from .search_index import after_migrate

        # What dies with a case: sealed under its key in the key store (docs/retention.md).
        for label, via in CASE_SCOPED:
            case_scoped(label, via)

        # SQLite loses the search index's triggers when a migration rebuilds cases_case.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="tropa-case-search")
