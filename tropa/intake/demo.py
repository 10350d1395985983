"""Demo intake: a few submissions in Astana's queue (one with a follow-up question), the
public link open with a neutral title. No real names: the demo people are invented."""

from __future__ import annotations

from tropa.accounts.models import Organization
from tropa.intake import services
from tropa.intake.models import Submission

PEOPLE = [
    {
        "surname": "Соколов",
        "given_name": "Илья",
        "country": "KZ",
        "city": "Алматы",
        "served": "yes",
        "left_how": "deserted",
        "needs": "Жильё на две недели и консультация юриста.",
    },
    {
        "surname": "Петренко",
        "given_name": "Олег",
        "country": "GE",
        "served": "no",
        "left_how": "avoided",
        "family_came": "yes",
        "needs": "Нужна помощь с документами для сына.",
    },
    {
        "surname": "Морозов",
        "given_name": "Денис",
        "country": "AM",
        "served": "yes",
        "needs": "Хочу рассказать, что видел.",
    },
]


def load_intake_demo(organization: Organization) -> None:
    if Submission.objects.filter(organization=organization).exists():
        return
    coordinator = organization.memberships.filter(role="coordinator").first()
    actor = coordinator.user if coordinator is not None else None
    services.update_settings(
        actor=actor, organization=organization, public_enabled=True, neutral_title="Анкета"
    )
    made = [
        services.create_submission(organization=organization, answers=answers, language="ru")
        for answers in PEOPLE
    ]
    if actor is not None:
        services.start_review(actor=actor, submission=made[0].submission)
        services.send_to_person(
            actor=actor,
            submission=made[0].submission,
            text="В каком городе вы сейчас ночуете?",
            question=True,
        )
