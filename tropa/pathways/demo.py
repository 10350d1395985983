"""Pathways in the demo: the starter set for each organization, and clocks in Astana."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.cases.models import Case

from . import services


def enrich(organization: Organization, by_name: dict[str, Case], coordinator: User) -> None:
    services.load_starter(actor=coordinator, organization=organization)
    today = timezone.localdate()
    funker = by_name.get("Funker")
    if funker is not None:
        # Two stays in Kazakhstan: 30 days half a year ago, and since 60 days ago. With 90 of 180
        # days, the last legal day falls within a few weeks: a clock worth watching.
        services.add_trip(
            actor=coordinator,
            case=funker,
            country="KZ",
            entry=today - timedelta(days=200),
            exit=today - timedelta(days=171),
            border_point="Жана-Жол (демо)",
        )
        services.add_trip(
            actor=coordinator,
            case=funker,
            country="KZ",
            entry=today - timedelta(days=60),
            exit=None,
        )
        services.add_deadline(
            actor=coordinator,
            case=funker,
            kind="passport",
            due_on=today + timedelta(days=5),
            country="KZ",
            note="Загранпаспорт просрочен; внутренний действует (демо)",
        )
        services.record_briefing(actor=coordinator, case=funker, country="KZ", given_on=today)
    volk = by_name.get("Volk")
    if volk is not None:
        services.add_trip(
            actor=coordinator, case=volk, country="KZ", entry=today - timedelta(days=1), exit=None
        )
