"""R18 for bulk reads: with dual control on, finding a case by identity and a bulk export are
requests a second coordinator approves; self-approval and approval after expiry are refused;
an approval serves its requester once, for exactly what was asked; an emergency search runs
at once and waits for review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from conftest import CANARY
from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.retention import dual_control as dc
from tropa.retention import holds
from tropa.retention.models import HeldAction, Status


@pytest.fixture
def second(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "boris", Role.COORDINATOR)


@pytest.fixture
def dual(astana: Organization, coordinator: User) -> None:
    dc.set_policy(actor=coordinator, organization=astana, dual_control=True, approval_hours=24)


def _find(client: Client, who: str) -> str:
    return client.post(reverse("cases:identity_find"), {"who": who}, follow=True).content.decode()


def test_without_dual_control_the_search_runs_at_once(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    assert "Funker" in _find(signed_in(coordinator), CANARY)


def test_a_search_by_identity_is_held_asked_for_approved_and_run_once(
    canary_case: Case,
    coordinator: User,
    second: User,
    dual: None,
    signed_in: Callable[[User], Client],
) -> None:
    asker = signed_in(coordinator)
    page = _find(asker, CANARY)
    assert "Funker" not in page and "second coordinator" in page
    assert AuditEntry.objects.filter(action="control.held", detail__what="identity_search")
    assert not AuditEntry.objects.filter(action="identity.searched_by_name").exists()
    asker.post(
        reverse("retention:held_new"),
        {"what": "identity_search", "who": CANARY, "reason": "his lawyer asks"},
    )
    held = HeldAction.objects.filter(organization=canary_case.organization_id).get()
    assert CANARY.encode() not in bytes(held.sealed_payload)  # sealed
    # Not yet approved: nothing to run.
    assert (
        "Funker"
        not in asker.post(
            reverse("retention:held_run", args=[held.code]), follow=True
        ).content.decode()
    )
    listing = signed_in(second).get(reverse("retention:requests")).content.decode()
    assert "his lawyer asks" in listing and CANARY not in listing
    signed_in(second).post(
        reverse("retention:held_decide", args=[held.code]), {"decision": "approve"}
    )
    found = asker.post(reverse("retention:held_run", args=[held.code])).content.decode()
    assert "Funker" in found
    held.refresh_from_db()
    assert held.status == Status.USED and bytes(held.sealed_payload) == b""
    assert AuditEntry.objects.filter(action="control.held_run").count() == 1
    assert AuditEntry.objects.filter(action="identity.searched_by_name").count() == 1
    # Once only.
    again = asker.post(
        reverse("retention:held_run", args=[held.code]), follow=True
    ).content.decode()
    assert "Funker" not in again and "used already" in again


def test_self_approval_and_approval_after_expiry_are_refused(
    canary_case: Case, coordinator: User, second: User, dual: None
) -> None:
    held = holds.ask(actor=coordinator, what=holds.SEARCH, payload={"who": CANARY}, reason="r")
    with pytest.raises(dc.ControlError, match="own request"):
        holds.decide(actor=coordinator, held=held, approve=True)
    later = freeze_time(timezone.now() + timedelta(hours=25))
    with later, pytest.raises(dc.ControlError, match="expired"):
        holds.decide(actor=second, held=held, approve=True)
    held.refresh_from_db()
    assert held.status == Status.PENDING
    assert AuditEntry.objects.filter(action="control.approval_refused").count() == 2


def test_an_approval_serves_only_its_requester_and_what_was_asked(
    canary_case: Case, coordinator: User, second: User, dual: None
) -> None:
    org = canary_case.organization
    held = holds.ask(actor=coordinator, what=holds.SEARCH, payload={"who": CANARY}, reason="r")
    holds.decide(actor=second, held=held, approve=True)
    with pytest.raises(holds.ActionHeld):  # another name
        cases.find_by_identity(
            actor=coordinator, organization=org, text="Ivanov", approval=str(held.code)
        )
    with pytest.raises(holds.ActionHeld):  # another person
        cases.find_by_identity(actor=second, organization=org, text=CANARY, approval=str(held.code))
    found = cases.find_by_identity(
        actor=coordinator, organization=org, text=CANARY, approval=str(held.code)
    )
    assert [p.pk for p in found] == [canary_case.person_id]
    with freeze_time(timezone.now() + timedelta(minutes=61)):  # the window after approval
        late = holds.ask(actor=coordinator, what=holds.SEARCH, payload={"who": "x1"}, reason="r")
    holds.decide(actor=second, held=late, approve=True)
    with freeze_time(timezone.now() + timedelta(minutes=61)), pytest.raises(holds.ActionHeld):
        cases.find_by_identity(
            actor=coordinator, organization=org, text="x1", approval=str(late.code)
        )


def test_an_emergency_search_runs_at_once_and_is_reviewed(
    canary_case: Case,
    coordinator: User,
    second: User,
    dual: None,
    signed_in: Callable[[User], Client],
) -> None:
    page = (
        signed_in(coordinator)
        .post(
            reverse("retention:held_new"),
            {
                "what": "identity_search",
                "who": CANARY,
                "reason": "he is detained",
                "break_glass": "1",
            },
        )
        .content.decode()
    )
    assert "Funker" in page
    held = HeldAction.objects.filter(organization=canary_case.organization_id).get()
    assert held.status == Status.BREAK_GLASS and held.used_at is not None
    assert AuditEntry.objects.filter(action="control.break_glass").exists()
    listing = signed_in(second).get(reverse("retention:requests")).content.decode()
    assert "he is detained" in listing
    with pytest.raises(dc.ControlError):
        holds.mark_reviewed(actor=coordinator, held=held)  # not by the one who broke the glass
    signed_in(second).post(reverse("retention:held_reviewed", args=[held.code]))
    held.refresh_from_db()
    assert held.reviewed_by == second
    assert not holds.unreviewed(canary_case.organization).exists()


def test_a_caseworker_cannot_break_the_glass(
    canary_case: Case, dual: None, make_user: Callable[..., User], astana: Organization
) -> None:
    worker = make_user(astana, "wanda", Role.CASEWORKER)
    with pytest.raises(dc.ControlError, match="Only a coordinator"):
        holds.break_glass(actor=worker, payload={"who": CANARY}, reason="r")


def test_a_bulk_export_is_held_until_a_second_coordinator_approves(
    canary_case: Case,
    coordinator: User,
    second: User,
    dual: None,
    signed_in: Callable[[User], Client],
) -> None:
    asker = signed_in(coordinator)
    url = reverse("outreach:export_csv") + "?status=sent"
    held_page = asker.get(url)
    assert held_page.status_code == 302 and "/held/new" in held_page["Location"]
    assert AuditEntry.objects.filter(action="control.held", detail__what="outreach.requests")
    assert not AuditEntry.objects.filter(action="outreach.exported").exists()
    form = asker.get(held_page["Location"]).content.decode()
    assert 'name="q" value="status=sent"' in form
    asker.post(
        reverse("retention:held_new"),
        {"what": "outreach.requests", "fmt": "csv", "q": "status=sent", "reason": "the report"},
    )
    held = HeldAction.objects.filter(organization=canary_case.organization_id).get()
    signed_in(second).post(
        reverse("retention:held_decide", args=[held.code]), {"decision": "approve"}
    )
    run = asker.post(reverse("retention:held_run", args=[held.code]))
    assert run.status_code == 302 and f"approval={held.code}" in run["Location"]
    download = asker.get(run["Location"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert AuditEntry.objects.filter(action="outreach.exported").count() == 1
    # The approval is spent: the same address is held again.
    assert asker.get(run["Location"]).status_code == 302
    # A different filter is another export: not covered by an approval of this one.
    other = holds.ask(
        actor=coordinator,
        what="outreach.requests",
        payload={"fmt": "csv", "q": "status=sent"},
        reason="r",
    )
    holds.decide(actor=second, held=other, approve=True)
    wrong = reverse("outreach:export_csv") + f"?status=draft&approval={other.code}"
    assert asker.get(wrong).status_code == 302


def test_a_refused_request_forgets_what_was_typed(
    canary_case: Case, coordinator: User, second: User, dual: None
) -> None:
    held = holds.ask(actor=coordinator, what=holds.SEARCH, payload={"who": CANARY}, reason="r")
    holds.decide(actor=second, held=held, approve=False)
    held.refresh_from_db()
    assert held.status == Status.REFUSED and bytes(held.sealed_payload) == b""
    assert AuditEntry.objects.filter(action="control.refused").exists()
