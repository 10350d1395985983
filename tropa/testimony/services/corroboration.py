"""Corroboration: events of different witnesses that share a unit, a place and a time are
offered as "possibly the same event" for review (confirmed or dismissed), never merged.

Everything is compared in memory over the organization's unsealed events: nothing about
what an event holds is written to disk to make the comparison possible.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal, unseal
from tropa.lib import textsearch

from ..errors import TestimonyError
from ..models import Act, Corroboration, CorroborationStatus, Event

# Two places are one when their names meet in some spelling, or their coordinates are
# within this distance.
NEAR_KM = 10.0
# Periods overlap when they meet within this slack (a night told as the 29th or the 28th).
SLACK_DAYS = 1


@dataclass(frozen=True)
class Facts:
    event_id: Any
    case_id: Any
    units: frozenset[str]
    settlement: str
    lat: float | None
    lon: float | None
    start: date
    end: date


def _opened(
    model: type[Any], organization_id: Any, person: str, *fields: str
) -> list[tuple[Any, ...]]:
    """(pk, other fields..., opened ``sealed``) of every row of the organization: read as
    plain tuples and opened with their case keys, without building model rows. Rows of an
    erased case are left out."""
    from tropa.crypto.fields import unseal_values

    rows = list(
        model.objects.filter(organization=organization_id).values_list(
            "pk", *fields, person, "sealed"
        )
    )
    opened = unseal_values(
        model, int(organization_id), [(r[0], r[-2], r[-1]) for r in rows], "sealed"
    )
    return [(*row[:-2], opened[row[0]]) for row in rows if row[0] in opened]


def facts_of_organization(organization_id: Any) -> list[Facts]:
    """Every event of the organization, opened in memory, with the units of its acts."""
    units: dict[Any, set[str]] = defaultdict(set)
    for _pk, event_id, record in _opened(
        Act, organization_id, "event__case__person_id", "event_id"
    ):
        units[event_id] |= {p["unit"] for p in record["perpetrators"] if p.get("unit")}
    return [
        _facts(pk, case_id, data, units[pk])
        for pk, case_id, data in _opened(Event, organization_id, "case__person_id", "case_id")
    ]


def _facts(event_id: Any, case_id: Any, data: dict[str, Any], units: set[str]) -> Facts:
    period = data["period"]
    return Facts(
        event_id=event_id,
        case_id=case_id,
        units=frozenset(units),
        settlement=data["settlement"],
        lat=data.get("lat"),
        lon=data.get("lon"),
        start=date.fromisoformat(period["start"]),
        end=date.fromisoformat(period["end"]),
    )


def _km(a: Facts, b: Facts) -> float | None:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def basis(a: Facts, b: Facts) -> dict[str, Any] | None:
    """What two events of different witnesses share, or None if not a unit, a place and a
    time together."""
    if a.case_id == b.case_id or not (a.units & b.units):
        return None
    slack = SLACK_DAYS
    if (
        a.start.toordinal() - slack > b.end.toordinal()
        or b.start.toordinal() - slack > a.end.toordinal()
    ):
        return None
    distance = _km(a, b)
    if distance is not None and distance <= NEAR_KM:
        place = {"km": round(distance, 1)}
    elif textsearch.same_name(a.settlement, b.settlement):
        place = {"same_settlement": True}
    else:
        return None
    return {"units": len(a.units & b.units), "place": place, "time": True}


def find_pairs(
    facts: list[Facts], only: Facts | None = None
) -> list[tuple[Facts, Facts, dict[str, Any]]]:
    """Pairs that share a unit, a place and a time; with ``only``, its pairs alone.

    Events are grouped by unit first, so the work grows with the events of each unit,
    not with the square of all events.
    """
    by_unit: dict[str, list[Facts]] = defaultdict(list)
    for fact in facts:
        for unit in fact.units:
            by_unit[unit].append(fact)
    units = sorted(only.units) if only is not None else sorted(by_unit)
    seen: set[frozenset[Any]] = set()
    pairs = []
    for unit in units:
        group = sorted(by_unit[unit], key=lambda f: f.start)
        for i, a in enumerate([only] if only is not None else group):
            for b in group if only is not None else _overlapping_after(group, i):
                key = frozenset((a.event_id, b.event_id))
                if a.event_id == b.event_id or key in seen:
                    continue
                found = basis(a, b)
                if found is not None:
                    seen.add(key)
                    pairs.append((a, b, found))
    return pairs


def _overlapping_after(group: list[Facts], i: int) -> list[Facts]:
    """The events after ``group[i]`` (sorted by start) that start before it ends."""
    limit = group[i].end.toordinal() + SLACK_DAYS
    found = []
    for b in group[i + 1 :]:
        if b.start.toordinal() > limit:
            break
        found.append(b)
    return found


def suggest_for_event(event: Event) -> int:
    """Offer every event that may be this one as a corroboration; returns how many new."""
    facts = facts_of_organization(event.organization_id)
    mine = next(f for f in facts if f.event_id == event.id)
    return _store(event.organization_id, find_pairs(facts, only=mine), event)


def suggest_all(organization_id: Any) -> int:
    """The whole organization at once (the benchmark; a re-check after an import)."""
    return _store(organization_id, find_pairs(facts_of_organization(organization_id)), None)


def _store(
    organization_id: Any, pairs: list[tuple[Facts, Facts, dict[str, Any]]], event: Event | None
) -> int:
    if not pairs:
        return 0
    known = {
        (str(a), str(b))
        for a, b in Corroboration.objects.filter(organization=organization_id).values_list(
            "event_a_id", "event_b_id"
        )
    }
    made = 0
    for a, b, found in pairs:
        first, second = sorted((str(a.event_id), str(b.event_id)))
        if (first, second) in known:
            continue
        pair = Corroboration(
            organization_id=organization_id,
            event_a_id=first,
            event_b_id=second,
            created_at=timezone.now(),
        )
        pair.sealed_basis = seal(pair, "sealed_basis", found)
        pair.save()
        known.add((first, second))
        made += 1
    if made and event is not None:
        log_action(None, Action.TESTIMONY_CORROBORATION_SUGGESTED, event.case, count=made)
    return made


def pairs_of_event(event: Event) -> list[Corroboration]:
    return list(
        Corroboration.objects.filter(organization=event.organization_id)
        .filter(Q(event_a=event) | Q(event_b=event))
        .exclude(status=CorroborationStatus.DISMISSED)
        .select_related("event_a__case", "event_b__case")
    )


def basis_of(pair: Corroboration) -> dict[str, Any]:
    data: dict[str, Any] = unseal(pair, "sealed_basis", pair.sealed_basis)
    return data


def decide_corroboration(*, actor: User, pair: Corroboration, confirm: bool, reason: str) -> None:
    """Confirm (the same event: shown on both cases, raising each act's corroboration) or
    dismiss; once, by a lawyer or verifier, with a sealed reason. Nothing is merged."""
    from tropa.accounts.permissions import Cap, can

    if not can(actor, Cap.CLASSIFY_TESTIMONY):
        raise TestimonyError(_("Only a lawyer or a verifier decides on corroboration."))
    status = CorroborationStatus.CONFIRMED if confirm else CorroborationStatus.DISMISSED
    with transaction.atomic():
        locked = (
            Corroboration.objects.select_for_update()
            .filter(organization=pair.organization_id, pk=pair.pk)
            .first()
        )
        if locked is None or locked.status != CorroborationStatus.SUGGESTED:
            raise TestimonyError(_("This suggestion has already been decided."))
        locked.status, locked.decided_by, locked.decided_at = status, actor, timezone.now()
        locked.sealed_reason = seal(locked, "sealed_reason", reason.strip())
        locked.save(update_fields=["status", "decided_by", "decided_at", "sealed_reason"])
        action = (
            Action.TESTIMONY_CORROBORATION_CONFIRMED
            if confirm
            else Action.TESTIMONY_CORROBORATION_DISMISSED
        )
        for event in (pair.event_a, pair.event_b):
            log_action(actor, action, event.case, pair=str(pair.code))


def corroboration_count(event: Event) -> int:
    """How many other witnesses' events are confirmed to be this one."""
    return (
        Corroboration.objects.filter(
            organization=event.organization_id, status=CorroborationStatus.CONFIRMED
        )
        .filter(Q(event_a=event) | Q(event_b=event))
        .count()
    )
