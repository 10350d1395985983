"""What happened (E10): the unit reference list, events with their period and place, acts
with victims, perpetrators and sources, and the two classifications (E11)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal, unseal
from tropa.lib import textsearch
from tropa.lib.periods import PeriodError, parse_period

from ..errors import TestimonyError
from ..models import Act, Event, Testimony, Unit
from ..vocabulary import (
    ARTICLES,
    ActKind,
    HowKnown,
    Involvement,
    Oblast,
    Reliability,
    VictimKind,
)

# Units --------------------------------------------------------------------------------


def unit_data(unit: Unit) -> dict[str, Any]:
    data: dict[str, Any] = unseal(unit, "sealed", unit.sealed)
    return data


def units_of(organization: Organization | int) -> list[tuple[Unit, dict[str, Any]]]:
    return [(u, unit_data(u)) for u in Unit.objects.filter(organization=organization)]


def save_unit(
    *,
    actor: User | None,
    organization: Organization,
    names: list[str],
    number: str = "",
    unit: Unit | None = None,
) -> Unit:
    """Add a unit to the reference list, or change one: its names in any script and its
    military unit number (five digits; "в/ч 12345" is read as 12345)."""
    names = [n.strip() for n in names if n.strip()]
    digits = textsearch.unit_number(number) if number.strip() else ""
    if number.strip() and not digits:
        raise TestimonyError(_("A military unit number has five digits (в/ч 12345)."))
    if not names and not digits:
        raise TestimonyError(_("Give the unit a name or a military unit number."))
    with transaction.atomic():
        if unit is None:
            unit = Unit(organization=organization, created_at=timezone.now())
        unit.sealed = seal(unit, "sealed", {"names": names, "number": digits})
        unit.save()
        log_action(
            actor, Action.TESTIMONY_UNIT_SAVED, organization=organization, unit=str(unit.code)
        )
    return unit


def unit_label(data: dict[str, Any]) -> str:
    label = " / ".join(data.get("names") or [])
    if data.get("number"):
        label = f"{label} (в/ч {data['number']})" if label else f"в/ч {data['number']}"
    return label


def match_units(organization: Organization | int, text: str) -> list[Unit]:
    """Reference units that ``text`` names, in any spelling or by number."""
    number = textsearch.unit_number(text)
    found = []
    for unit, data in units_of(organization):
        names = data.get("names") or []
        if (number and data.get("number") == number) or any(
            textsearch.same_name(text, name) for name in names
        ):
            found.append(unit)
    return found


# Events -------------------------------------------------------------------------------


def _event_data(data: dict[str, Any]) -> dict[str, Any]:
    when = str(data.get("when") or "").strip()
    try:
        period = parse_period(when)
    except PeriodError:
        raise TestimonyError(
            _("The date is not one Tropa can read (for example 29.06.2022, июнь 2022).")
        ) from None
    settlement = str(data.get("settlement") or "").strip()
    if not settlement:
        raise TestimonyError(_("Name the settlement."))
    oblast = str(data.get("oblast") or "")
    if oblast and oblast not in Oblast.values:
        raise TestimonyError(_("Choose an oblast from the list."))
    lat, lon = data.get("lat"), data.get("lon")
    if (lat is None) != (lon is None) or (
        lat is not None
        and lon is not None
        and not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180)
    ):
        raise TestimonyError(_("Give both coordinates, as decimal degrees."))
    return {
        "when": when,
        "period": period.as_dict(),
        "settlement": settlement,
        "oblast": oblast,
        "lat": float(lat) if lat is not None else None,
        "lon": float(lon) if lon is not None else None,
        "summary": str(data.get("summary") or "").strip(),
    }


def add_event(*, actor: User | None, testimony: Testimony, data: dict[str, Any]) -> Event:
    cleaned = _event_data(data)
    with transaction.atomic():
        event = Event(
            organization_id=testimony.organization_id,
            case=testimony.case,
            testimony=testimony,
            created_at=timezone.now(),
        )
        event.sealed = seal(event, "sealed", cleaned)
        event.save()
        log_action(actor, Action.TESTIMONY_EVENT_ADDED, testimony.case, event=str(event.code))
        from .corroboration import suggest_for_event
        from .search import index_testimony

        suggest_for_event(event)
        index_testimony(testimony)
    return event


def event_data(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = unseal(event, "sealed", event.sealed)
    return data


# Acts ---------------------------------------------------------------------------------


def _victims(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    victims = []
    for row in rows:
        kind = str(row.get("kind") or "")
        if kind not in VictimKind.values:
            raise TestimonyError(_("Say who the victims were."))
        count = row.get("count")
        victims.append(
            {
                "kind": kind,
                "description": str(row.get("description") or "").strip(),
                "count": int(count) if count not in (None, "") else None,
            }
        )
    return victims


def _perpetrators(organization_id: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    units = {str(u.code) for u in Unit.objects.filter(organization=organization_id)}
    found = []
    for row in rows:
        unit, who = str(row.get("unit") or ""), str(row.get("who") or "").strip()
        if unit and unit not in units:
            raise TestimonyError(_("Choose a unit from the reference list."))
        if not unit and not who:
            raise TestimonyError(_("Name a perpetrator by role or name, or choose a unit."))
        involvement = str(row.get("involvement") or "")
        if involvement not in Involvement.values:
            raise TestimonyError(_("Say how the perpetrator was involved."))
        found.append({"unit": unit, "who": who, "involvement": involvement})
    return found


def add_act(*, actor: User | None, event: Event, data: dict[str, Any]) -> Act:
    kind = str(data.get("kind") or "")
    how, grade = str(data.get("how_known") or ""), str(data.get("reliability") or "")
    if kind not in ActKind.values:
        raise TestimonyError(_("Choose what kind of act it was."))
    if how not in HowKnown.values or grade not in Reliability.values:
        raise TestimonyError(_("Say how the witness knows, and how reliable that is."))
    record = {
        "kind": kind,
        "description": str(data.get("description") or "").strip(),
        "victims": _victims(list(data.get("victims") or [])),
        "perpetrators": _perpetrators(event.organization_id, list(data.get("perpetrators") or [])),
        "source": {"testimony": str(event.testimony.code), "how_known": how, "reliability": grade},
    }
    with transaction.atomic():
        act = Act(organization_id=event.organization_id, event=event, created_at=timezone.now())
        act.sealed = seal(act, "sealed", record)
        act.save()
        log_action(actor, Action.TESTIMONY_ACT_ADDED, event.case, act=str(act.code), kind=kind)
        from .corroboration import suggest_for_event
        from .search import index_testimony

        suggest_for_event(event)
        index_testimony(event.testimony)
    return act


def act_data(act: Act) -> dict[str, Any]:
    data: dict[str, Any] = unseal(act, "sealed", act.sealed)
    data["claimed"] = unseal(act, "sealed_claimed", act.sealed_claimed)
    data["potential"] = unseal(act, "sealed_potential", act.sealed_potential)
    return data


# Classification (E11): two layers, two services, two columns ----------------------------


def set_claimed(*, actor: User | None, act: Act, words: str) -> None:
    """What the witness himself called it, in his words."""
    with transaction.atomic():
        locked = (
            Act.objects.filter(organization=act.organization_id).select_for_update().get(pk=act.pk)
        )
        locked.sealed_claimed = seal(
            locked, "sealed_claimed", {"words": words.strip(), "at": timezone.now().isoformat()}
        )
        locked.save(update_fields=["sealed_claimed"])
        log_action(actor, Action.TESTIMONY_CLAIMED_SAVED, act.event.case, act=str(act.code))


def set_potential(
    *, actor: User, act: Act, article: str, elements: list[int], note: str = ""
) -> None:
    """An analyst's coding to a Rome Statute provision, with the elements the facts meet."""
    from tropa.accounts.permissions import Cap, can

    if not can(actor, Cap.CLASSIFY_TESTIMONY):
        raise TestimonyError(_("Only a lawyer or a verifier classifies acts."))
    if article not in ARTICLES:
        raise TestimonyError(_("Choose a provision of the Rome Statute."))
    count = len(ARTICLES[article]["elements"])
    if any(not 0 <= i < count for i in elements):
        raise TestimonyError(_("The checklist does not match this provision."))
    value = {
        "article": article,
        "elements": sorted(set(elements)),
        "note": note.strip(),
        "by": str(actor.code),
        "at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        locked = (
            Act.objects.filter(organization=act.organization_id).select_for_update().get(pk=act.pk)
        )
        locked.sealed_potential = seal(locked, "sealed_potential", value)
        locked.save(update_fields=["sealed_potential"])
        log_action(
            actor,
            Action.TESTIMONY_POTENTIAL_SAVED,
            act.event.case,
            act=str(act.code),
            article=article,
        )
        from .search import index_testimony

        index_testimony(act.event.testimony)


def period_of(data: dict[str, Any]) -> tuple[date, date]:
    period = data["period"]
    return date.fromisoformat(period["start"]), date.fromisoformat(period["end"])


# Carried by a referral ------------------------------------------------------------------


def carry_structure(
    *, source: Testimony, target: Testimony, provenance: dict[str, Any]
) -> dict[str, int]:
    """The events and acts an analyst extracted from ``source`` (another organization's
    interview), recreated for ``target`` (the copy of it at the receiving organization):
    each value read with the sender's key and sealed with the receiver's, marked as come
    by referral. Units named as perpetrators become units of the receiver's reference
    list (the same name or number, else a new one). Runs inside the acceptance's
    transaction; the receiver's audit log gets one entry with the counts."""
    events = acts = 0
    units: dict[str, str] = {}
    for event in Event.objects.filter(organization=source.organization_id, testimony=source):
        copy = Event(
            organization_id=target.organization_id,
            case=target.case,
            testimony=target,
            created_at=timezone.now(),
        )
        copy.sealed = seal(copy, "sealed", {**event_data(event), "referral": provenance})
        copy.save()
        events += 1
        for act in Act.objects.filter(organization=source.organization_id, event=event):
            _carry_act(act, copy, target, units)
            acts += 1
    if events:
        from .search import index_testimony

        index_testimony(target)
    log_action(
        None,
        Action.TESTIMONY_STRUCTURE_CARRIED,
        target.case,
        testimony=str(target.code),
        events=events,
        acts=acts,
    )
    return {"events": events, "acts": acts}


def _carry_act(act: Act, event: Event, target: Testimony, units: dict[str, str]) -> None:
    data = act_data(act)
    claimed, potential = data.pop("claimed"), data.pop("potential")
    for row in data.get("perpetrators") or []:
        if row.get("unit"):
            row["unit"] = _carried_unit(act.organization_id, row["unit"], target, units)
    data["source"] = {**data.get("source", {}), "testimony": str(target.code)}
    copy = Act(organization_id=target.organization_id, event=event, created_at=timezone.now())
    copy.sealed = seal(copy, "sealed", data)
    if claimed is not None:
        copy.sealed_claimed = seal(copy, "sealed_claimed", claimed)
    if potential is not None:
        # The analyst's coding names a user of the sender's: kept as "by referral".
        copy.sealed_potential = seal(copy, "sealed_potential", {**potential, "by": ""})
    copy.save()


def _carried_unit(sender: int, code: str, target: Testimony, units: dict[str, str]) -> str:
    if code in units:
        return units[code]
    unit = Unit.objects.filter(organization=sender, code=code).first()
    if unit is None:
        return ""
    data = unit_data(unit)
    label = unit_label(data)
    known = match_units(target.organization_id, label) if label else []
    if not known:
        made = Unit(organization_id=target.organization_id, created_at=timezone.now())
        made.sealed = seal(
            made, "sealed", {"names": data.get("names") or [], "number": data.get("number") or ""}
        )
        made.save()
        known = [made]
    units[code] = str(known[0].code)
    return units[code]
