"""Pathways objects of another organization for the URL-walking isolation test (R1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tropa.cases import services as cases
from tropa.pathways import services
from tropa.pathways.models import CountryProfile, Pathway


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    actor, org = world.outsider, world.other_org
    services.load_starter(actor=actor, organization=org)
    pathway = Pathway.objects.filter(organization=org).first()
    profile = CountryProfile.objects.filter(organization=org, country="KZ").get()
    assert pathway is not None
    fact = pathway.facts.first()
    assert fact is not None
    case = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere")
    trip = services.add_trip(
        actor=actor, case=case, country="KZ", entry=date(2026, 1, 5), exit=None
    )
    deadline = services.add_deadline(
        actor=actor, case=case, kind="passport", due_on=date(2027, 1, 1)
    )
    pursued = services.pursue(actor=actor, case=case, pathway=pathway)
    by_case = {"code": case.code}
    return {
        "pathways:pathway": {"code": pathway.code},
        "pathways:pathway_fact_add": {"code": pathway.code},
        "pathways:country": {"code": profile.code},
        "pathways:country_fact_add": {"code": profile.code},
        "pathways:briefing": {"code": profile.code},
        "pathways:fact": {"code": fact.code},
        "pathways:trip_add": by_case,
        "pathways:trip": {"code": trip.code},
        "pathways:deadline_add": by_case,
        "pathways:deadline_done": {"code": deadline.code},
        "pathways:pursue": {"code": case.code, "pathway": pathway.code},
        "pathways:drop": {"code": pursued.code},
        "pathways:requirement": by_case,
        "pathways:briefing_given": by_case,
    }


# A valid body for each POST view, so that a 404 proves isolation and not a form error.
POST_DATA: dict[str, dict[str, Any]] = {
    "pathways:trip_add": {"trip-country": "KZ", "trip-entry": "2026-02-01"},
    "pathways:trip": {"entry": "2026-01-05", "exit": "2026-01-20"},
    "pathways:deadline_add": {"deadline-kind": "passport", "deadline-due_on": "2027-01-01"},
    "pathways:deadline_done": {"done": "1"},
    "pathways:requirement": {"requirement": "call_up", "met": "1"},
    "pathways:briefing_given": {"briefing-country": "KZ", "briefing-given_on": "2026-01-05"},
    "pathways:pathway_fact_add": {
        "topic": "fact",
        "text_en": "x",
        "source": "s",
        "source_date": "2026-01-01",
        "checked_on": "2026-01-01",
    },
    "pathways:country_fact_add": {
        "topic": "fact",
        "text_en": "x",
        "source": "s",
        "source_date": "2026-01-01",
        "checked_on": "2026-01-01",
    },
}
