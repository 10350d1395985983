"""Retention objects of another organization for the URL-walking isolation test (R1)."""

from __future__ import annotations

from typing import Any

from tropa.cases import services as cases
from tropa.retention import dual_control, holds


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    case = cases.create_case(actor=world.outsider, organization=world.other_org, pseudonym="Dual")
    request = dual_control.request_reveal(actor=world.outsider, case=case, reason="r")
    held = holds.ask(actor=world.outsider, what=holds.SEARCH, payload={"who": "x1"}, reason="r")
    return {
        "retention:held_run": {"code": held.code},
        "retention:held_decide": {"code": held.code},
        "retention:held_reviewed": {"code": held.code},
        "retention:reveal_request": {"code": case.code},
        "retention:break_glass": {"code": case.code},
        "retention:erase_request": {"code": case.code},
        "retention:decide": {"code": request.code},
        "retention:reviewed": {"code": request.code},
    }


POST_DATA: dict[str, dict[str, Any]] = {
    "retention:reveal_request": {"reason": "x"},
    "retention:break_glass": {"reason": "x"},
    "retention:erase_request": {"reason": "x"},
    "retention:decide": {"decision": "approve"},
    "retention:held_decide": {"decision": "approve"},
}
