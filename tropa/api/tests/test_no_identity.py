"""No identity in any API answer, for any role: every route of the OpenAPI document is called
with the canary case's code (its surname, names, documents, phone, notes with the surname,
alert and support details with it), and the canary values appear in no answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tropa.accounts.models import Role
from tropa.api.api import api
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.core.tests.test_whole_site import IDENTITY_VALUES

from .helpers import token_for
from .isolation import POST_DATA

pytestmark = pytest.mark.django_db

BODIES = {name.removeprefix("api_v1:"): data for name, data in POST_DATA.items()}


def _calls(case: Case, task_code: Any) -> list[tuple[str, str, dict[str, Any]]]:
    calls = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            url = path.replace("{code}", str(task_code if "/tasks/" in path else case.code))
            name = operation["operationId"]
            body = BODIES.get(name, {}) if method == "post" else {}
            calls.append((method, url, body))
    return calls


@pytest.mark.parametrize(
    "role",
    [Role.COORDINATOR, Role.CASEWORKER, Role.LAWYER, Role.VERIFIER, Role.VOLUNTEER, Role.ADMIN],
)
def test_no_answer_of_any_route_carries_identity(
    role: str, coordinator: Any, canary_case: Case, astana: Any, make_user: Any
) -> None:
    user = make_user(astana, f"user-{role}", role)
    cases.update_case(actor=coordinator, case=canary_case, assignee=user)
    task = cases.add_task(
        actor=coordinator, case=canary_case, title="t", due_on=None, assignee=user
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    answered = 0
    for method, url, body in _calls(canary_case, task.code):
        if method == "get":
            answer = client.get(url)
        else:
            answer = client.post(url, json.dumps(body), content_type="application/json")
        # As decoded JSON: the renderer escapes Cyrillic (\u041a…), which a plain search of
        # the bytes would never find.
        text = json.dumps(answer.json(), ensure_ascii=False)
        answered += answer.status_code < 300
        for value in IDENTITY_VALUES:
            assert value not in text, (role, method, url, value)
    assert answered >= {Role.ADMIN: 3, Role.VOLUNTEER: 6}.get(role, 8), role
