"""The organization's copy of countries, pathways and facts: loaded from the starter set,
edited by coordinators, every change kept in the history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.lib.stay import StayError, parse_rule

from ..errors import PathwayError
from ..models import (
    BRIEFING_TOPICS,
    CountryProfile,
    EditRecord,
    Fact,
    Pathway,
    PathwayState,
    Topic,
)

STARTER = Path(__file__).resolve().parent.parent / "data" / "starter.json"
FACT_FIELDS = (
    "source_precision",
    "event_precision",
    "text_en",
    "text_ru",
    "source",
    "source_url",
    "source_date",
    "checked_on",
    "event_on",
    "uncertain",
    "topic",
)
PATHWAY_FIELDS = (
    "name_en",
    "name_ru",
    "summary_en",
    "summary_ru",
    "for_whom",
    "requirements",
    "state",
    "state_since",
    "in_country_only",
)
COUNTRY_FIELDS = ("transit", "destination", "stay_rule", "risk")


def starter_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STARTER.read_text(encoding="utf-8"))
    return data


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _fact_values(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "topic": raw.get("topic", Topic.FACT),
        "text_en": raw.get("text_en", ""),
        "text_ru": raw.get("text_ru", ""),
        "source": raw["source"],
        "source_url": raw.get("source_url", ""),
        "source_date": _day(raw["source_date"]),
        "checked_on": _day(raw["checked_on"]),
        "event_on": _day(raw.get("event_on")),
        "uncertain": bool(raw.get("uncertain", False)),
        "source_precision": raw.get("source_precision", "day"),
        "event_precision": raw.get("event_precision", "day"),
    }


def load_starter(*, actor: User | None, organization: Organization) -> dict[str, int]:
    """Add what the organization's copy lacks from the starter set; never overwrite an edit.

    Countries and pathways are matched by country code and key; a pathway's facts and the
    countries' facts are added only with a pathway or country that is new to the copy.
    """
    data = starter_data()
    added = {"countries": 0, "pathways": 0, "facts": 0}
    with transaction.atomic():
        have = set(
            CountryProfile.objects.for_organization(organization).values_list("country", flat=True)
        )
        new_countries = set()
        for raw in data["countries"]:
            if raw["country"] in have:
                continue
            validate_stay_rule(raw.get("stay_rule", ""))
            CountryProfile.objects.create(
                organization=organization,
                country=raw["country"],
                transit=raw.get("transit", False),
                destination=raw.get("destination", False),
                stay_rule=raw.get("stay_rule", ""),
                risk=raw.get("risk", "medium"),
            )
            new_countries.add(raw["country"])
            added["countries"] += 1
        keys = set(Pathway.objects.for_organization(organization).values_list("key", flat=True))
        for raw in data["pathways"]:
            if raw["key"] in keys:
                continue
            pathway = Pathway.objects.create(
                organization=organization,
                key=raw["key"],
                country=raw["country"],
                **{
                    f: _day(raw.get(f)) if f == "state_since" else raw.get(f, _default(f))
                    for f in PATHWAY_FIELDS
                },
            )
            added["pathways"] += 1
            for fact in raw.get("facts", []):
                Fact.objects.create(
                    organization=organization,
                    country=raw["country"],
                    pathway=pathway,
                    **_fact_values(fact),
                )
                added["facts"] += 1
        for raw in data["facts"]:
            if raw["country"] in new_countries:
                Fact.objects.create(
                    organization=organization, country=raw["country"], **_fact_values(raw)
                )
                added["facts"] += 1
        log_action(
            actor,
            Action.PATHWAYS_STARTER_LOADED,
            organization=organization,
            version=data["version"],
            countries=added["countries"],
            pathways=added["pathways"],
            facts=added["facts"],
        )
    return added


def _default(field: str) -> Any:
    return {
        "for_whom": [],
        "requirements": [],
        "state": PathwayState.OPEN,
        "in_country_only": False,
    }.get(field, "")


def validate_stay_rule(text: str) -> str:
    if not text.strip():
        return ""
    try:
        return str(parse_rule(text))
    except StayError as error:
        problem = _rule_problem(error)
        message = _("The stay rule is not valid: %(error)s") % {"error": problem}
        raise PathwayError(message) from None


def _rule_problem(error: StayError) -> str:
    """What ``tropa.lib.stay`` found wrong, in the user's language (the library's own
    message is English; it names the problem by ``code``)."""
    if error.code == "rule_days_window":
        return _("the days allowed must be more than 0 and fewer than the window.")
    if error.code == "rule_days_range":
        return _("the days allowed must be between 1 and %(limit)s.") % {
            "limit": error.params.get("limit")
        }
    return _(
        "write it as rolling:DAYS/WINDOW (e.g. rolling:90/180), per-entry:DAYS or "
        "calendar-year:DAYS."
    )


def _changes(obj: Any, values: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    changes = {}
    for field in fields:
        if field not in values:
            continue
        old, new = getattr(obj, field), values[field]
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(obj, field, new)
    return changes


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _record(actor: User | None, obj: Any, target: str, changes: dict[str, Any]) -> None:
    EditRecord.objects.create(
        organization_id=obj.organization_id,
        target=target,
        target_code=obj.code,
        by=actor,
        changes=changes,
    )


def edit_pathway(*, actor: User | None, pathway: Pathway, values: dict[str, Any]) -> list[str]:
    if values.get("state") in (PathwayState.SUSPENDED, PathwayState.CLOSED) and not values.get(
        "state_since"
    ):
        raise PathwayError(_("Say since when the pathway is suspended or closed."))
    if not (values.get("name_en") or values.get("name_ru") or pathway.name_en):
        raise PathwayError(_("A pathway needs a name."))
    with transaction.atomic():
        changes = _changes(pathway, values, PATHWAY_FIELDS)
        if changes:
            pathway.save()
            _record(actor, pathway, "pathway", changes)
            log_action(actor, Action.PATHWAY_EDITED, pathway, fields=sorted(changes))
    return sorted(changes)


def edit_country(
    *, actor: User | None, profile: CountryProfile, values: dict[str, Any]
) -> list[str]:
    values = {**values, "stay_rule": validate_stay_rule(values.get("stay_rule", ""))}
    from .clocks import recompute_country

    with transaction.atomic():
        changes = _changes(profile, values, COUNTRY_FIELDS)
        if changes:
            profile.save()
            _record(actor, profile, "country", changes)
            log_action(actor, Action.PATHWAY_COUNTRY_EDITED, profile, fields=sorted(changes))
            if "stay_rule" in changes:
                recompute_country(profile)
    return sorted(changes)


def _check_fact(values: dict[str, Any]) -> None:
    if not (values.get("source") or "").strip():
        raise PathwayError(_("A fact needs its source."))
    if not values.get("source_date"):
        raise PathwayError(_("A fact needs the date of its source."))
    if not values.get("checked_on"):
        raise PathwayError(_("Say when the fact was last checked."))
    if not ((values.get("text_en") or "").strip() or (values.get("text_ru") or "").strip()):
        raise PathwayError(_("A fact needs its text, in English or in Russian."))
    today = timezone.localdate()
    if values["source_date"] > today or values["checked_on"] > today:
        raise PathwayError(_("A source date or a check date cannot be in the future."))


def add_fact(
    *,
    actor: User | None,
    organization: Organization,
    country: str,
    pathway: Pathway | None,
    values: dict[str, Any],
) -> Fact:
    _check_fact(values)
    with transaction.atomic():
        fact = Fact(organization=organization, country=country, pathway=pathway)
        for field in FACT_FIELDS:
            if field in values:
                setattr(fact, field, values[field])
        fact.save(force_insert=True)
        _record(actor, fact, "fact", {"created": [None, fact.topic]})
        log_action(actor, Action.PATHWAY_FACT_ADDED, fact, topic=fact.topic)
    return fact


def edit_fact(*, actor: User | None, fact: Fact, values: dict[str, Any]) -> list[str]:
    _check_fact({**{f: getattr(fact, f) for f in FACT_FIELDS}, **values})
    with transaction.atomic():
        changes = _changes(fact, values, FACT_FIELDS)
        if changes:
            fact.save()
            _record(actor, fact, "fact", changes)
            log_action(actor, Action.PATHWAY_FACT_EDITED, fact, fields=sorted(changes))
    return sorted(changes)


def retire_fact(*, actor: User | None, fact: Fact) -> None:
    """A fact no longer true is retired, never deleted: the history says what was shown."""
    with transaction.atomic():
        if fact.retired_at is not None:
            raise PathwayError(_("This fact was already retired."))
        fact.retired_at = timezone.now()
        fact.save(update_fields=["retired_at"])
        _record(actor, fact, "fact", {"retired": [False, True]})
        log_action(actor, Action.PATHWAY_FACT_RETIRED, fact)


def current_facts(
    organization: Organization, country: str, *, topics: tuple[str, ...] = ()
) -> list[Fact]:
    facts = Fact.objects.for_organization(organization).filter(country=country, retired_at=None)
    if topics:
        facts = facts.filter(topic__in=topics)
    return list(facts)


def briefing_facts(organization: Organization, country: str) -> list[tuple[str, list[Fact]]]:
    facts = current_facts(organization, country, topics=BRIEFING_TOPICS)
    labels = dict(Topic.choices)
    return [
        (str(labels[topic]), [f for f in facts if f.topic == topic])
        for topic in BRIEFING_TOPICS
        if any(f.topic == topic for f in facts)
    ]


def history(obj: Any) -> list[EditRecord]:
    return list(
        EditRecord.objects.filter(
            organization_id=obj.organization_id, target_code=obj.code
        ).select_related("by")[:50]
    )


def transit_risks(organization: Organization) -> list[tuple[CountryProfile, str, Fact | None]]:
    """Each transit country with its risk and its latest incident, where a move is planned."""
    from ..countries import country_name

    profiles = list(CountryProfile.objects.for_organization(organization).filter(transit=True))
    latest: dict[str, Fact] = {}
    incidents = Fact.objects.for_organization(organization).filter(
        topic=Topic.INCIDENT, retired_at=None
    )
    for fact in incidents.order_by("-event_on"):
        latest.setdefault(fact.country, fact)
    return [(p, country_name(p.country), latest.get(p.country)) for p in profiles]
