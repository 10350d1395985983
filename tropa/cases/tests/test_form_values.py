"""Forms name users by their random code, never by the sequential id (issue 9, finding 7)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from tropa.cases.models import Case


def _assignee_values(html: str) -> list[str]:
    values = []
    for select in re.findall(r'<select name="assignee".*?</select>', html, re.S):
        values += re.findall(r'value="([^"]*)"', select)
    return values


def test_the_case_form_lists_assignees_by_code(
    coordinator: Any, volunteer: Any, signed_in: Any
) -> None:
    html = signed_in(coordinator).get(reverse("cases:new")).content.decode()
    values = _assignee_values(html)
    assert str(volunteer.code) in values and str(coordinator.code) in values
    assert not [v for v in values if v.isdigit()]
    assert (
        f'value="{volunteer.pk}"' not in html.split('name="assignee"', 1)[1].split("</select>")[0]
    )


def test_the_task_form_on_the_case_page_lists_assignees_by_code(
    coordinator: Any, volunteer: Any, canary_case: Case, signed_in: Any
) -> None:
    html = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    values = _assignee_values(html)
    assert str(volunteer.code) in values
    assert not [v for v in values if v.isdigit()]


def test_posting_a_code_assigns_the_case(
    coordinator: Any, volunteer: Any, canary_case: Case, signed_in: Any
) -> None:
    response = signed_in(coordinator).post(
        reverse("cases:edit", args=[canary_case.code]),
        {"pseudonym": "Funker", "country": "KZ", "risk": "medium", "assignee": str(volunteer.code)},
    )
    assert response.status_code == 302
    canary_case.refresh_from_db()
    assert canary_case.assignee == volunteer


def test_another_organizations_user_is_a_form_error(
    coordinator: Any, outsider: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    for value in (str(outsider.code), str(outsider.pk)):
        response = client.post(
            reverse("cases:edit", args=[canary_case.code]),
            {"pseudonym": "Funker", "country": "KZ", "risk": "medium", "assignee": value},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["assignee"]
    canary_case.refresh_from_db()
    assert canary_case.assignee is None


def test_a_task_for_another_organizations_user_is_refused(
    coordinator: Any, outsider: Any, canary_case: Case, signed_in: Any
) -> None:
    signed_in(coordinator).post(
        reverse("cases:task_add", args=[canary_case.code]),
        {"title": "Call", "assignee": str(outsider.code)},
    )
    assert not canary_case.tasks.filter(title="Call").exists()
