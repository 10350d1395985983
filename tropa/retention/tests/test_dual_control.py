"""R18: with dual control on, a reveal stays held until a second person approves it; self-
approval and approval after expiry are refused; an emergency reveal is reviewed afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from conftest import CANARY
from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case, Stage
from tropa.crypto import keystore
from tropa.retention import dual_control as dc
from tropa.retention.models import Status


@pytest.fixture
def second(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "boris", Role.COORDINATOR)


@pytest.fixture
def dual(astana: Organization, coordinator: User) -> None:
    dc.set_policy(actor=coordinator, organization=astana, dual_control=True, approval_hours=24)


def test_without_dual_control_a_reveal_is_one_person_s_act(
    canary_case: Case, coordinator: User
) -> None:
    assert cases.reveal_identity(actor=coordinator, person=canary_case.person)["surname"] == CANARY


def test_a_reveal_is_held_until_a_second_coordinator_approves(
    canary_case: Case, coordinator: User, second: User, dual: None
) -> None:
    with pytest.raises(dc.RevealHeld):
        cases.reveal_identity(actor=coordinator, person=canary_case.person)
    assert AuditEntry.objects.filter(action="identity.reveal_held").count() == 1
    assert not AuditEntry.objects.filter(action="identity.revealed").exists()
    request = dc.request_reveal(actor=coordinator, case=canary_case, reason="lawyer needs it")
    assert dc.reason_of(request) == "lawyer needs it"
    with pytest.raises(dc.RevealHeld):  # still pending
        cases.reveal_identity(actor=coordinator, person=canary_case.person)
    dc.decide_request(actor=second, request=request, approve=True)
    assert cases.reveal_identity(actor=coordinator, person=canary_case.person)["surname"] == CANARY
    # The approval is the requester's, not the approver's.
    with pytest.raises(dc.RevealHeld):
        cases.reveal_identity(actor=second, person=canary_case.person)
    assert AuditEntry.objects.get(action="control.approved").actor_code == str(second.code)


def test_the_approved_window_closes(
    canary_case: Case, coordinator: User, second: User, dual: None
) -> None:
    request = dc.request_reveal(actor=coordinator, case=canary_case, reason="r")
    dc.decide_request(actor=second, request=request, approve=True)
    with freeze_time(timezone.now() + timedelta(minutes=61)), pytest.raises(dc.RevealHeld):
        cases.reveal_identity(actor=coordinator, person=canary_case.person)


def test_self_approval_is_refused_and_recorded(
    canary_case: Case, coordinator: User, dual: None
) -> None:
    request = dc.request_reveal(actor=coordinator, case=canary_case, reason="r")
    with pytest.raises(dc.ControlError, match="own request"):
        dc.decide_request(actor=coordinator, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == Status.PENDING
    entry = AuditEntry.objects.get(action="control.approval_refused")
    assert entry.actor_code == str(coordinator.code)
    with pytest.raises(dc.RevealHeld):
        cases.reveal_identity(actor=coordinator, person=canary_case.person)


def test_approval_after_expiry_is_refused(
    canary_case: Case, coordinator: User, second: User, dual: None
) -> None:
    request = dc.request_reveal(actor=coordinator, case=canary_case, reason="r")
    late = freeze_time(timezone.now() + timedelta(hours=24, seconds=1))
    with late, pytest.raises(dc.ControlError, match="expired"):
        dc.decide_request(actor=second, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == Status.PENDING and request.decided_by is None
    with pytest.raises(dc.RevealHeld):
        cases.reveal_identity(actor=coordinator, person=canary_case.person)


def test_only_a_coordinator_of_the_organization_approves(
    canary_case: Case, coordinator: User, verifier: User, outsider: User, dual: None
) -> None:
    request = dc.request_reveal(actor=verifier, case=canary_case, reason="r")
    for who in (outsider, verifier):
        with pytest.raises(dc.ControlError):
            dc.decide_request(actor=who, request=request, approve=True)
    dc.decide_request(actor=coordinator, request=request, approve=False)
    assert AuditEntry.objects.filter(action="control.refused").count() == 1
    with pytest.raises(dc.RevealHeld):
        cases.reveal_identity(actor=verifier, person=canary_case.person)


def test_break_glass_reveals_at_once_and_waits_for_review(
    canary_case: Case, coordinator: User, second: User, verifier: User, dual: None
) -> None:
    with pytest.raises(dc.ControlError):
        dc.break_glass(actor=verifier, case=canary_case, reason="now")
    with pytest.raises(dc.ControlError, match="Say why"):
        dc.break_glass(actor=coordinator, case=canary_case, reason=" ")
    request = dc.break_glass(actor=coordinator, case=canary_case, reason="detained tonight")
    assert cases.reveal_identity(actor=coordinator, person=canary_case.person)["surname"] == CANARY
    assert AuditEntry.objects.filter(action="control.break_glass").count() == 1
    assert list(dc.unreviewed(canary_case.organization)) == [request]
    with pytest.raises(dc.ControlError):
        dc.mark_reviewed(actor=coordinator, request=request)  # not by himself
    dc.mark_reviewed(actor=second, request=request)
    assert list(dc.unreviewed(canary_case.organization)) == []
    assert AuditEntry.objects.filter(action="control.reviewed").count() == 1


def test_erasure_by_two_coordinators(canary_case: Case, coordinator: User, second: User) -> None:
    with pytest.raises(dc.ControlError, match="protected or closed"):
        dc.request_erasure(actor=coordinator, case=canary_case, reason="he asked")
    cases.move_stage(actor=coordinator, case=canary_case, to_stage=Stage.PROTECTED)
    request = dc.request_erasure(actor=coordinator, case=canary_case, reason="he asked")
    with pytest.raises(dc.ControlError, match="own request"):
        dc.decide_request(actor=coordinator, request=request, approve=True)
    assert not keystore.is_erased(str(canary_case.person_id))
    dc.decide_request(actor=second, request=request, approve=True)
    assert keystore.is_erased(str(canary_case.person_id))
    assert AuditEntry.objects.get(action="case.erased").detail["trigger"] == "decision"
    request.refresh_from_db()
    assert request.sealed_reason == b""  # the reason died with the case


def test_the_policy_is_audited_and_bounded(astana: Organization, coordinator: User) -> None:
    with pytest.raises(dc.ControlError):
        dc.set_policy(actor=coordinator, organization=astana, dual_control=True, approval_hours=0)
    dc.set_policy(actor=coordinator, organization=astana, dual_control=True, approval_hours=4)
    entry = AuditEntry.objects.get(action="control.policy_changed")
    assert entry.detail == {"dual_control": True, "approval_hours": 4}
