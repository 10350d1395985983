"""Objects of another organization for the URL walk (R1), for the token pages and every API
route. API calls carry a token (``client_headers``) and JSON bodies (``JSON_POSTS``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tropa.accounts.models import User
from tropa.cases import services as cases
from tropa.outreach import services as outreach

from .helpers import token_for


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    actor, org = world.outsider, world.other_org
    case = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere")
    task = cases.add_task(actor=actor, case=case, title="t", due_on=None)
    institution = outreach.create_institution(
        actor=actor, organization=org, name="Elsewhere Embassy", kind="embassy"
    )
    request = outreach.record_request(
        actor=actor,
        organization=org,
        institution=institution,
        channel="email",
        sent_on=date(2026, 1, 5),
        subject="Elsewhere",
        body="Elsewhere",
        case=case,
    )
    token_for(actor)
    from tropa.api.models import ApiToken

    token = ApiToken.objects.filter(organization=org, user=actor).first()
    assert token is not None
    by_case = {"code": case.code}
    return {
        "api:revoke": {"code": token.code},
        **{
            f"api_v1:{name}": by_case
            for name in (
                "case_detail",
                "case_stage",
                "note_add",
                "task_add",
                "need_add",
                "support_add",
                "alert_raise",
                "hits",
            )
        },
        "api_v1:task_done": {"code": task.code},
        "api_v1:request_answer": {"code": request.code},
    }


# Valid bodies, so that a 404 proves isolation and not a validation error.
POST_DATA: dict[str, dict[str, Any]] = {
    "api_v1:case_stage": {"stage": "vetting"},
    "api_v1:note_add": {"text": "x"},
    "api_v1:task_add": {"title": "x"},
    "api_v1:need_add": {"kind": "lodging"},
    "api_v1:support_add": {"kind": "money_out", "given_on": "2026-01-05"},
    "api_v1:alert_raise": {"kind": "detained"},
    "api_v1:request_answer": {"status": "granted", "on": "2026-01-06"},
}
JSON_POSTS = {name for name in POST_DATA} | {
    "api_v1:case_detail",
    "api_v1:task_done",
    "api_v1:hits",
}


def client_headers(user: User) -> dict[str, str]:
    """Every request of the walk carries a token of ``user`` with every scope."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
