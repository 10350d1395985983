"""Testimony objects of another organization for the URL-walking isolation test."""

from __future__ import annotations

from typing import Any

from tropa.accounts.models import Role
from tropa.accounts.services import create_user
from tropa.cases import services as cases
from tropa.testimony import services


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    org = world.other_org
    lawyer, _ = create_user(
        actor=None,
        organization=org,
        username="isolation-lawyer",
        role=Role.LAWYER,
        password="correct-horse-battery-staple-42",
    )
    case = cases.create_case(actor=world.outsider, organization=org, pseudonym="Elsewhere")
    other = cases.create_case(actor=world.outsider, organization=org, pseudonym="Ararat")
    unit = services.save_unit(actor=None, organization=org, names=["Elsewhere brigade"])
    made = []
    for c in (case, other):
        testimony = services.record_interview(
            actor=world.outsider, case=c, data={"interviewer": "x", "narrative": "foreign"}
        )
        event = services.add_event(
            actor=world.outsider, testimony=testimony, data={"when": "2022", "settlement": "Ararat"}
        )
        act = services.add_act(actor=world.outsider, event=event, data=_act(str(unit.code)))
        made.append((testimony, event, act))
    from tropa.testimony.models import Corroboration

    pair = Corroboration.objects.filter(organization=org).first()
    assert pair is not None
    testimony, event, act = made[0]
    export = _export(lawyer, testimony, world.outsider)
    by_t, by_e, by_a = {"code": testimony.code}, {"code": event.code}, {"code": act.code}
    return {
        "testimony:new": {"code": case.code},
        "testimony:detail": by_t,
        "testimony:edit": by_t,
        "testimony:diff": by_t,
        "testimony:consent": by_t,
        "testimony:flag": by_t,
        "testimony:event_new": by_t,
        "testimony:export_new": by_t,
        "testimony:event": by_e,
        "testimony:act_new": by_e,
        "testimony:claimed": by_a,
        "testimony:potential": by_a,
        "testimony:corroboration_decide": {"code": pair.code},
        "testimony:export": {"code": export.code},
        "testimony:export_decide": {"code": export.code},
        "testimony:export_download": {"code": export.code},
    }


def _act(unit: str) -> dict[str, Any]:
    return {
        "kind": "killing",
        "how_known": "saw",
        "reliability": "b",
        "victims": [{"kind": "civilians", "count": 2}],
        "perpetrators": [{"unit": unit, "involvement": "did"}],
    }


def _export(lawyer: Any, testimony: Any, actor: Any) -> Any:
    from datetime import date

    services.record_consent(
        actor=actor,
        case=testimony.case,
        kind="icc",
        status="given",
        on=date(2024, 1, 1),
        how="signed",
    )
    return services.request_export(actor=lawyer, testimony=testimony, kind="icc", language="en")


POST_DATA: dict[str, dict[str, Any]] = {
    "testimony:new": {"interviewer": "a", "narrative": "b"},
    "testimony:edit": {"interviewer": "a", "narrative": "b"},
    "testimony:consent": {"kind": "icc", "status": "given", "on": "2024-01-01", "how": "signed"},
    "testimony:event_new": {"when": "2022", "settlement": "x"},
    "testimony:claimed": {"words": "x"},
    "testimony:potential": {"article": "8(2)(a)(i)"},
    "testimony:corroboration_decide": {"decision": "confirm"},
    "testimony:export_new": {"kind": "icc", "language": "en"},
    "testimony:export_decide": {"decision": "approve"},
}
