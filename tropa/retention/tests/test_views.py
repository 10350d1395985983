"""The pages of dual control and retention, through the browser's requests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.retention import dual_control as dc
from tropa.retention.models import Request, RetentionRule


@pytest.fixture
def second(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "boris", Role.COORDINATOR)


def test_a_reveal_asked_for_and_approved_in_the_browser(
    canary_case: Case,
    coordinator: User,
    second: User,
    astana: Organization,
    signed_in: Callable[[User], Client],
) -> None:
    dc.set_policy(actor=coordinator, organization=astana, dual_control=True, approval_hours=24)
    asker = signed_in(coordinator)
    page = asker.post(reverse("cases:identity_reveal", args=[canary_case.code]), follow=True)
    assert "Викторович" not in page.content.decode()  # the identity only; alerts name him
    assert "second person" in page.content.decode()
    asker.post(reverse("retention:reveal_request", args=[canary_case.code]), {"reason": "lawyer"})
    request = Request.objects.filter(organization=astana).get()
    approver = signed_in(second)
    listing = approver.get(reverse("retention:requests")).content.decode()
    assert "lawyer" in listing and "Approve" in listing
    assert AuditEntry.objects.filter(action="control.requests_viewed").exists()
    # The requester sees no button on his own request.
    assert "Approve" not in asker.get(reverse("retention:requests")).content.decode()
    approver.post(reverse("retention:decide", args=[request.code]), {"decision": "approve"})
    page = asker.post(reverse("cases:identity_reveal", args=[canary_case.code]))
    assert "Викторович" in page.content.decode()


def test_admins_see_emergencies_without_their_reasons(
    canary_case: Case, coordinator: User, admin_user: User, signed_in: Callable[[User], Client]
) -> None:
    request = dc.break_glass(actor=coordinator, case=canary_case, reason="secret reason")
    admin = signed_in(admin_user)
    page = admin.get(reverse("retention:requests")).content.decode()
    assert "Funker" in page and "secret reason" not in page
    admin.post(reverse("retention:reviewed", args=[request.code]))
    request.refresh_from_db()
    assert request.reviewed_by == admin_user


def test_rules_page_saves_policy_and_rules(
    coordinator: User, volunteer: User, astana: Organization, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    assert client.get(reverse("retention:rules")).status_code == 200
    client.post(
        reverse("retention:rules"),
        {"dual_control": "on", "approval_hours": "12", "months_protected": "6"},
    )
    assert dc.policy_of(astana.pk).dual_control
    assert RetentionRule.objects.filter(organization=astana).get().months == 6
    client.post(reverse("retention:rules"), {"approval_hours": "12", "months_protected": "0"})
    assert not RetentionRule.objects.filter(organization=astana).exists()
    assert signed_in(volunteer).get(reverse("retention:rules")).status_code == 403
    assert signed_in(volunteer).get(reverse("retention:requests")).status_code == 403
