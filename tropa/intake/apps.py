from django.apps import AppConfig

# What dies with a case: sealed under its case key (docs/retention.md). A submission
# without a case yet (the public link, an invitation for a new case) stays under the
# organization's key until accept or merge re-seals it (services/triage.py).
CASE_SCOPED = (
    ("intake.submission", "case"),
    ("intake.message", "submission.case"),
    ("intake.heldattachment", "submission.case"),
)


class IntakeConfig(AppConfig):
    name = "tropa.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        for label, via in CASE_SCOPED:
            case_scoped(label, via)
