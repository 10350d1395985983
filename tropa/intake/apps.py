from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tropa.intake"
    label = "intake"
    verbose_name = "Intake"
