"""Objects of another organization for the URL-walking isolation test (R1).

Every app with URLs that take a code has a ``tests/isolation.py`` like this one: it builds
objects in the *other* organization and returns, per URL name, the kwargs that point at them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tropa.cases import services


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    actor, org = world.outsider, world.other_org
    case = services.create_case(actor=actor, organization=org, pseudonym="Elsewhere")
    services.save_identity(actor=actor, person=case.person, data={"surname": "Чужой"})
    deployment = services.add_deployment(
        actor=actor, person=case.person, place="X", start=None, end=None
    )
    task = services.add_task(actor=actor, case=case, title="t", due_on=None)
    need = services.add_need(actor=actor, case=case, kind="lodging")
    member = services.add_family_member(actor=actor, case=case, relation="child", name="n")
    alert = services.raise_alert(actor=actor, case=case, kind="detained")
    by_case = {"code": case.code}
    return {
        **{
            f"cases:{name}": by_case
            for name in (
                "detail",
                "edit",
                "stage",
                "identity_reveal",
                "identity_edit",
                "service_edit",
                "deployment_add",
                "note_add",
                "task_add",
                "need_add",
                "support_add",
                "family_add",
                "alert_raise",
            )
        },
        "cases:deployment_remove": {"code": case.code, "item": deployment.code},
        "cases:task_toggle": {"code": task.code},
        "cases:need_toggle": {"code": need.code},
        "cases:family_remove": {"code": member.code},
        "cases:alert_item": {"code": alert.code},
        "cases:alert_resolve": {"code": alert.code},
    }


# A valid body for each POST view, so that a 404 proves isolation and not a form error.
POST_DATA: dict[str, dict[str, Any]] = {
    "cases:stage": {"stage": "vetting"},
    "cases:note_add": {"text": "x"},
    "cases:task_add": {"title": "x"},
    "cases:need_add": {"kind": "lodging"},
    "cases:support_add": {"kind": "other", "given_on": date(2026, 1, 1).isoformat()},
    "cases:family_add": {"relation": "child", "name": "x"},
    "cases:alert_raise": {"kind": "missing"},
    "cases:alert_item": {"item": "lawyer_informed"},
    "cases:deployment_add": {"place": "x"},
}
