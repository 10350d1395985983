"""Role changes need a second person (issue 9, finding 4): nobody changes their own role,
and a change to or from a role that sees case content waits for a coordinator's approval."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from tropa.accounts.models import Role, RoleRequest, RoleRequestStatus
from tropa.accounts.permissions import Cap, can
from tropa.audit.models import AuditEntry


def _ask(client: Client, user: Any, role: str) -> Any:
    return client.post(reverse("accounts:user_role", args=[user.code]), {"role": role}, follow=True)


def _role(user: Any) -> str:
    user.membership.refresh_from_db()
    return str(user.membership.role)


def test_an_admin_cannot_change_their_own_role(admin_user: Any, signed_in: Any) -> None:
    response = _ask(signed_in(admin_user), admin_user, Role.COORDINATOR)
    assert "You cannot change your own role." in response.content.decode()
    assert _role(admin_user) == Role.ADMIN
    assert not RoleRequest.objects.exists()
    admin_user.refresh_from_db()
    assert not can(admin_user, Cap.VIEW_IDENTITY)


def test_a_change_waits_for_a_coordinators_approval(
    admin_user: Any, volunteer: Any, coordinator: Any, signed_in: Any
) -> None:
    response = _ask(signed_in(admin_user), volunteer, Role.COORDINATOR)
    assert "takes effect when a coordinator" in response.content.decode()
    assert _role(volunteer) == Role.VOLUNTEER  # not yet
    request = RoleRequest.objects.get(subject=volunteer, status=RoleRequestStatus.PENDING)
    assert (request.from_role, request.to_role) == (Role.VOLUNTEER, Role.COORDINATOR)
    assert AuditEntry.objects.filter(action="user.role_change_requested").count() == 1
    # The admin's users page says it is waiting.
    users_page = signed_in(admin_user).get(reverse("accounts:users")).content.decode()
    assert "waiting for a coordinator" in users_page

    approver = signed_in(coordinator)
    dashboard = approver.get(reverse("cases:dashboard")).content.decode()
    assert "1 role change waits for a coordinator" in dashboard
    page = approver.get(reverse("accounts:approvals")).content.decode()
    assert "victor" in page and reverse("accounts:approval_approve", args=[request.code]) in page
    approved = approver.post(reverse("accounts:approval_approve", args=[request.code]), follow=True)
    assert "the new role applies now" in approved.content.decode()
    assert _role(volunteer) == Role.COORDINATOR
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.APPROVED and request.decided_by == coordinator
    entry = AuditEntry.objects.get(action="user.role_change_approved")
    assert entry.actor_code == str(coordinator.code) and entry.object_code == str(volunteer.code)
    # Decided once only.
    again = approver.post(reverse("accounts:approval_refuse", args=[request.code]), follow=True)
    assert "already decided" in again.content.decode()
    assert _role(volunteer) == Role.COORDINATOR


def test_a_refused_change_leaves_the_role(
    admin_user: Any, volunteer: Any, coordinator: Any, signed_in: Any
) -> None:
    _ask(signed_in(admin_user), volunteer, Role.CASEWORKER)
    request = RoleRequest.objects.get(subject=volunteer)
    signed_in(coordinator).post(reverse("accounts:approval_refuse", args=[request.code]))
    assert _role(volunteer) == Role.VOLUNTEER
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.REFUSED
    assert AuditEntry.objects.filter(action="user.role_change_refused").count() == 1


def test_a_downgrade_to_admin_needs_approval_too(
    admin_user: Any, coordinator: Any, make_user: Any, astana: Any, signed_in: Any
) -> None:
    _ask(signed_in(admin_user), coordinator, Role.ADMIN)
    assert _role(coordinator) == Role.COORDINATOR
    request = RoleRequest.objects.get(subject=coordinator)
    # The subject may not decide about their own account...
    refused = signed_in(coordinator).post(
        reverse("accounts:approval_approve", args=[request.code]), follow=True
    )
    assert "your own account" in refused.content.decode()
    assert _role(coordinator) == Role.COORDINATOR
    # ...another coordinator may.
    other = make_user(astana, "olga", Role.COORDINATOR)
    signed_in(other).post(reverse("accounts:approval_approve", args=[request.code]))
    assert _role(coordinator) == Role.ADMIN


def test_two_admins_cannot_approve_for_each_other(
    admin_user: Any, make_user: Any, astana: Any, signed_in: Any
) -> None:
    second_admin = make_user(astana, "ada", Role.ADMIN)
    _ask(signed_in(second_admin), admin_user, Role.COORDINATOR)
    request = RoleRequest.objects.get(subject=admin_user)
    # An administrator has no approvals page and cannot approve.
    client = signed_in(admin_user)
    assert client.get(reverse("accounts:approvals")).status_code == 404
    assert client.post(reverse("accounts:approval_approve", args=[request.code])).status_code == 404
    assert _role(admin_user) == Role.ADMIN


def test_a_coordinator_of_another_organization_gets_a_404(
    admin_user: Any, volunteer: Any, outsider: Any, signed_in: Any
) -> None:
    _ask(signed_in(admin_user), volunteer, Role.COORDINATOR)
    request = RoleRequest.objects.get(subject=volunteer)
    client = signed_in(outsider)
    assert "victor" not in client.get(reverse("accounts:approvals")).content.decode()
    assert client.post(reverse("accounts:approval_approve", args=[request.code])).status_code == 404
    assert _role(volunteer) == Role.VOLUNTEER


def test_a_later_request_replaces_a_pending_one(
    admin_user: Any, volunteer: Any, coordinator: Any, signed_in: Any
) -> None:
    client = signed_in(admin_user)
    _ask(client, volunteer, Role.COORDINATOR)
    _ask(client, volunteer, Role.CASEWORKER)
    first, second = RoleRequest.objects.order_by("requested_at", "pk")
    assert first.status == RoleRequestStatus.WITHDRAWN
    assert second.status == RoleRequestStatus.PENDING
    gone = signed_in(coordinator).post(
        reverse("accounts:approval_approve", args=[first.code]), follow=True
    )
    assert "already decided or replaced" in gone.content.decode()
    assert _role(volunteer) == Role.VOLUNTEER
