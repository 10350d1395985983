"""Imported history is never due for a follow-up unless the user says so (issue 19, 3):
"remind me to follow up" on an imported request's page arms it from today with the
organization's usual period; turned off, it is history again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case, Task
from tropa.outreach import services
from tropa.outreach.models import Request, Status

from .test_import import HEADER, _import, _write

pytestmark = pytest.mark.django_db

ROWS = [
    "03.10.2022;Посольство Канады;Канада;;e-mail;нет ответа;;",
    "05.10.2022;Посольство Швеции;Швеция;;e-mail;нет ответа;;",
]


def _imported(tmp_path: Path, case: Case) -> list[Request]:
    with freeze_time("2023-04-01 09:00"):
        _import(_write(tmp_path, [HEADER, *ROWS]), "--case", str(case.code))
    return list(Request.objects.unscoped().filter(case=case).order_by("sent_on"))


def _due(client: Client) -> bytes:
    """The dashboard's "Follow-ups due" section only (the recent list names every row)."""
    response = client.get(reverse("outreach:index"))
    assert response.status_code == 200, response
    page = response.content
    start = page.index(b'id="due"')
    return page[start : page.index(b"</section>", start)]


def test_the_switch_arms_a_follow_up_from_today_and_turns_it_off(
    astana: Organization,
    coordinator: User,
    canary_case: Case,
    tmp_path: Path,
    signed_in: Callable[[User], Client],
) -> None:
    armed, left = _imported(tmp_path, canary_case)
    client = signed_in(coordinator)
    page = client.get(armed.get_absolute_url()).content.decode()
    assert "Remind me to follow up" in page and "never due for a follow-up" in page
    with freeze_time("2026-03-02 10:00"):
        client.post(reverse("outreach:followup_reminder", args=[armed.code]), {"on": "1"})
        armed.refresh_from_db()
        # The Canadian embassy's usual period: 14 days from today.
        assert armed.answer_due_on == date(2026, 3, 16)
        assert services.reminder_on(armed)
        page = client.get(armed.get_absolute_url()).content.decode()
        assert "Turn the reminder off" in page
        assert "Follow-up due" not in page  # armed, not yet due: no "time to follow up" box
        assert "Посольство Канады" not in _due(client).decode()  # not yet due
    with freeze_time("2026-03-16 23:00"):
        assert services.run_followups() == 0
    with freeze_time("2026-03-17 08:00"):
        assert services.run_followups() == 1  # the armed one; the other stays history
        due = _due(signed_in(coordinator)).decode()  # a new day, a new sign-in
        assert "Посольство Канады" in due and "Посольство Швеции" not in due
        assert "Follow-up due" in signed_in(coordinator).get(armed.get_absolute_url()).text
    armed.refresh_from_db()
    assert (armed.status, armed.status_on) == (Status.NO_ANSWER, date(2026, 3, 17))
    assert Task.objects.unscoped().filter(case=canary_case).count() == 1
    left.refresh_from_db()
    assert not services.reminder_on(left) and left.answer_due_on < date(2026, 3, 1)
    entry = AuditEntry.objects.get(action="outreach.followup_switched")
    assert entry.detail["on"] is True and entry.actor_code == str(coordinator.code)


def test_turned_off_an_imported_request_is_never_due_again(
    astana: Organization,
    coordinator: User,
    canary_case: Case,
    tmp_path: Path,
    signed_in: Callable[[User], Client],
) -> None:
    armed, _left = _imported(tmp_path, canary_case)
    client = signed_in(coordinator)
    with freeze_time("2026-03-02 10:00"):
        client.post(reverse("outreach:followup_reminder", args=[armed.code]), {"on": "1"})
        client.post(reverse("outreach:followup_reminder", args=[armed.code]), {"on": "0"})
    armed.refresh_from_db()
    assert not services.reminder_on(armed)
    with freeze_time("2026-06-01 08:00"):
        assert services.run_followups() == 0
        assert "Посольство Канады" not in _due(signed_in(coordinator)).decode()
    assert not Task.objects.unscoped().filter(case=canary_case).exists()
    switched = AuditEntry.objects.filter(action="outreach.followup_switched")
    assert [e.detail["on"] for e in switched.order_by("seq")] == [True, False]


def test_a_request_written_here_has_no_switch(
    astana: Organization, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    institution = services.create_institution(
        actor=coordinator, organization=astana, name="Embassy", kind="embassy"
    )
    request = services.record_request(
        actor=coordinator,
        organization=astana,
        institution=institution,
        channel="email",
        sent_on=date(2026, 3, 2),
        subject="Visa",
    )
    page = signed_in(coordinator).get(request.get_absolute_url()).content.decode()
    assert "Remind me to follow up" not in page
    with pytest.raises(services.OutreachError):
        services.set_followup_reminder(actor=coordinator, request=request, on=True)
