"""Tasks, needs, support in six currencies, family, notes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse

from conftest import CANARY, user_today
from tropa.cases import services
from tropa.cases.models import Case, Note, Support


def test_my_tasks_lists_overdue_ones_first(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    today = user_today(coordinator)
    services.add_task(
        actor=coordinator,
        case=canary_case,
        title="Late one",
        due_on=today - timedelta(days=1),
        assignee=coordinator,
    )
    services.add_task(
        actor=coordinator,
        case=canary_case,
        title="Later one",
        due_on=today + timedelta(days=3),
        assignee=coordinator,
    )
    response = signed_in(coordinator).get(reverse("cases:my_tasks"))
    assert [t.title for t in response.context["overdue"]] == ["Late one"]
    assert [t.title for t in response.context["upcoming"]] == ["Later one"]


def test_a_task_is_ticked_off_and_reopened(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    task = services.add_task(
        actor=coordinator, case=canary_case, title="Call", due_on=None, assignee=coordinator
    )
    client = signed_in(coordinator)
    client.post(reverse("cases:task_toggle", args=[task.code]))
    task.refresh_from_db()
    assert task.done_at is not None
    client.post(reverse("cases:task_toggle", args=[task.code]))
    task.refresh_from_db()
    assert task.done_at is None


def test_a_volunteer_works_logistics_on_their_case(
    coordinator: Any, volunteer: Any, canary_case: Case, signed_in: Any
) -> None:
    services.add_task(
        actor=coordinator, case=canary_case, title="Bring food", due_on=None, assignee=volunteer
    )
    client = signed_in(volunteer)
    assert client.get(canary_case.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("cases:support_add", args=[canary_case.code]),
        {
            "kind": "money_out",
            "given_on": user_today(volunteer).isoformat(),
            "amount": "25000",
            "currency": "KZT",
            "details": "rent",
        },
    )
    assert response.status_code == 302
    assert Support.objects.filter(
        case=canary_case, currency="KZT", amount=Decimal("25000")
    ).exists()
    # ...but no notes, no service record, no identity.
    assert (
        client.post(reverse("cases:note_add", args=[canary_case.code]), {"text": "x"}).status_code
        == 403
    )
    assert client.get(reverse("cases:service_edit", args=[canary_case.code])).status_code == 403


def test_support_in_every_currency_and_an_amount_needs_one(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    url = reverse("cases:support_add", args=[canary_case.code])
    for currency in ("KZT", "AMD", "GEL", "RUB", "EUR", "USD"):
        client.post(
            url,
            {"kind": "money_in", "given_on": "2026-01-05", "amount": "10", "currency": currency},
        )
    missing = client.post(
        url, {"kind": "money_in", "given_on": "2026-01-05", "amount": "10"}, follow=True
    )
    assert "Choose the currency of the amount." in missing.content.decode()
    negative = client.post(
        url,
        {"kind": "money_in", "given_on": "2026-01-05", "amount": "-5", "currency": "EUR"},
        follow=True,
    )
    assert "greater than or equal to 0" in negative.content.decode()
    currencies = set(Support.objects.filter(kind="money_in").values_list("currency", flat=True))
    assert currencies == {"KZT", "AMD", "GEL", "RUB", "EUR", "USD"}


def test_needs_are_met_and_reopened(coordinator: Any, canary_case: Case, signed_in: Any) -> None:
    need = canary_case.needs.get()
    client = signed_in(coordinator)
    client.post(reverse("cases:need_toggle", args=[need.code]))
    need.refresh_from_db()
    assert need.met_at is not None


def test_notes_are_sealed_and_shown_to_staff(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    note = Note.objects.get(case=canary_case)
    assert CANARY.encode() not in bytes(note.sealed)
    page = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    assert f"Брат {CANARY} звонил" in page


def test_a_family_member_is_added_and_removed(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    client.post(
        reverse("cases:family_add", args=[canary_case.code]),
        {"relation": "child", "name": "Лев", "birth_year": "2021"},
    )
    assert canary_case.family.count() == 2
    child = canary_case.family.get(relation="child")
    client.post(reverse("cases:family_remove", args=[child.code]))
    assert canary_case.family.count() == 1


def test_deployments_must_not_end_before_they_start(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    response = signed_in(coordinator).post(
        reverse("cases:deployment_add", args=[canary_case.code]),
        {"place": "Kyiv oblast", "start": "2022-03-30", "end": "2022-02-24"},
        follow=True,
    )
    assert "cannot end before it started" in response.content.decode()
