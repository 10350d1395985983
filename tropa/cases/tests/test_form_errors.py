"""Issue 19, point 2: a form error stands next to its field and what was typed is kept.

Every form on the case page comes back on the same page, its collapsed section open, the
error beside the field (``aria-describedby``), the first field in error focused; nothing is
written.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from tropa.audit.models import AuditEntry
from tropa.cases.models import Case, Stage


def _details_of(html: str, form_id: str) -> str:
    """The <details> (or section) opening tag around the form ``form_id``."""
    start = html.index(f'id="{form_id}"')
    return html[html.rindex("<details", 0, start) : start].split(">", 1)[0]


def _field_tag(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', html)
    assert match, field_id
    return match.group(0)


def test_support_without_currency_keeps_the_amount_and_shows_the_error_at_the_field(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    before = canary_case.support.count()
    response = signed_in(coordinator).post(
        reverse("cases:support_add", args=[canary_case.code]),
        {"kind": "money_out", "given_on": "2026-11-30", "amount": "25000", "currency": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert " open" in _details_of(html, "support-form")
    amount = _field_tag(html, "support_amount")
    assert 'value="25000"' in amount
    currency = _field_tag(html, "support_currency")
    assert 'aria-invalid="true"' in currency and "autofocus" in currency
    assert 'aria-describedby="support_currency_error"' in currency
    error = re.search(r'<ul class="errorlist" id="support_currency_error">(.*?)</ul>', html, re.S)
    assert error and "Choose the currency of the amount." in error.group(1)
    # Beside its field, not 2,000 px away in the messages at the top.
    assert html.index('id="support_currency_error"') - html.index('id="support_currency"') < 0
    assert html.index('id="support-form"') < html.index('id="support_currency_error"')
    assert '<ul class="messages">' not in html
    assert canary_case.support.count() == before


def test_closing_without_a_reason_shows_the_error_at_the_reason(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    response = signed_in(coordinator).post(
        reverse("cases:stage", args=[canary_case.code]), {"stage": "closed", "reason": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    reason = _field_tag(html, "stage_reason")
    assert 'aria-describedby="stage_reason_error"' in reason and "autofocus" in reason
    assert "Choose why the case is closed." in html
    stage = re.search(r'<select name="stage".*?</select>', html, re.S)
    assert stage and '<option value="closed" selected>' in stage.group(0)
    canary_case.refresh_from_db()
    assert canary_case.stage == Stage.INTAKE
    assert response.context["language_next"] == canary_case.get_absolute_url()


def test_a_services_refusal_is_shown_on_the_form_too(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    response = signed_in(coordinator).post(
        reverse("cases:stage", args=[canary_case.code]), {"stage": "intake"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    box = re.search(r'<div class="form-errors" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert box and "The case is already in this stage." in box.group(1)
    assert "autofocus" in box.group(0)


CASES = [
    (
        "cases:task_add",
        "task-form",
        {"title": "", "due_on": "2026-12-01"},
        "task_title",
        "2026-12-01",
    ),
    ("cases:need_add", "need-form", {"kind": "?", "details": "две ночи"}, "need_kind", "две ночи"),
    (
        "cases:family_add",
        "family-form",
        {"relation": "child", "birth_year": "2019"},
        "family_name",
        "2019",
    ),
    (
        "cases:alert_raise",
        "alert-form",
        {"kind": "", "details": "у вокзала"},
        "alert_kind",
        "у вокзала",
    ),
    ("cases:note_add", "note-form", {"text": ""}, "note_text", ""),
    (
        "cases:deployment_add",
        "deployment-form",
        {"place": "Бахмут", "start": "2023-05-01", "end": "2023-01-01"},
        "deployment_end",
        "Бахмут",
    ),
]


@pytest.mark.parametrize(("url", "form_id", "data", "field", "kept"), CASES)
def test_every_form_on_the_case_page_comes_back_with_its_error_at_the_field(
    coordinator: Any,
    canary_case: Case,
    signed_in: Any,
    url: str,
    form_id: str,
    data: dict[str, str],
    field: str,
    kept: str,
) -> None:
    client = signed_in(coordinator)
    # Reads of the page (the case sheet, the sealed parts of a panel) are logged; no write.
    reads = AuditEntry.objects.exclude(action__endswith="viewed")
    entries = reads.count()
    response = client.post(reverse(url, args=[canary_case.code]), data)
    assert response.status_code == 200
    html = response.content.decode()
    if form_id != "note-form":  # the note form is not folded away
        assert " open" in _details_of(html, form_id)
    tag = _field_tag(html, field)
    assert f'aria-describedby="{field}_error"' in tag or f"{field}_error" in tag
    assert "autofocus" in tag and f'id="{field}_error"' in html
    assert kept in html
    new = reads.order_by("seq")[entries:]
    assert [e.action for e in new] == []  # nothing written
