"""Insider alerts for admins, and the audit log page (codes and counts, keyset-paged)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from conftest import CANARY
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.outreach.services.exports import export_logged
from tropa.retention import auditlog, insider


@pytest.fixture
def low(settings: Any) -> None:
    settings.TROPA_INSIDER_REVEALS = 3
    settings.TROPA_INSIDER_PROBES = 3
    settings.TROPA_INSIDER_UNASSIGNED = 2


def _kinds(org: Organization) -> dict[str, int]:
    return {a.kind: a.count for a in insider.alerts_for(org)}


def test_many_reveals_raise_an_alert(
    canary_case: Case, coordinator: User, astana: Organization, low: None
) -> None:
    for _ in range(2):
        cases.reveal_identity(actor=coordinator, person=canary_case.person)
    assert "reveals" not in _kinds(astana)  # below the threshold: the test can fail
    cases.reveal_identity(actor=coordinator, person=canary_case.person)
    assert _kinds(astana)["reveals"] == 3


def test_probing_case_codes_raises_an_alert(
    coordinator: User, astana: Organization, low: None, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    for _ in range(3):
        assert client.get(reverse("cases:detail", args=[uuid.uuid4()])).status_code == 404
    [alert] = [a for a in insider.alerts_for(astana) if a.kind == "probing"]
    assert alert.count == 3 and alert.actor_code == str(coordinator.code)


def test_reading_cases_assigned_to_others_raises_an_alert(
    coordinator: User, verifier: User, astana: Organization, low: None
) -> None:
    for name in ("A", "B"):
        case = cases.create_case(actor=coordinator, organization=astana, pseudonym=name)
        cases.log_case_viewed(actor=verifier, case=case, sections=[])
    mine = cases.create_case(actor=coordinator, organization=astana, pseudonym="C")
    cases.log_case_viewed(actor=coordinator, case=mine, sections=[])
    alerts = [a for a in insider.alerts_for(astana) if a.kind == "unassigned"]
    assert [(a.actor_code, a.count) for a in alerts] == [(str(verifier.code), 2)]


def test_exports_outside_working_hours_raise_an_alert(
    coordinator: User, astana: Organization
) -> None:
    with freeze_time(datetime(2026, 12, 1, 14, tzinfo=UTC)):
        export_logged(actor=coordinator, organization=astana, what="requests", fmt="csv")
        assert "after_hours" not in _kinds(astana)
    with freeze_time(datetime(2026, 12, 1, 23, tzinfo=UTC)):
        export_logged(actor=coordinator, organization=astana, what="requests", fmt="csv")
        assert _kinds(astana)["after_hours"] == 1


def test_the_audit_log_page_filters_and_pages_without_values(
    canary_case: Case,
    coordinator: User,
    admin_user: User,
    outsider: User,
    astana: Organization,
    signed_in: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases.reveal_identity(actor=coordinator, person=canary_case.person)
    client = signed_in(admin_user)
    page = client.get(reverse("retention:audit_log")).content.decode()
    assert "identity.revealed" in page and CANARY not in page
    assert str(outsider.code) not in page  # another organization's entries are not shown
    filtered = client.get(
        reverse("retention:audit_log"),
        {"user": str(coordinator.code), "action": "identity.revealed"},
    ).content.decode()
    assert filtered.count("<code>identity.revealed</code>") == 1
    assert "<code>case.created</code>" not in filtered
    viewed = AuditEntry.objects.filter(action="audit.log_viewed").last()
    assert viewed is not None and viewed.detail["by_action"] == "identity.revealed"
    # Keyset pages: the next page starts below the last sequence number shown.
    monkeypatch.setattr(auditlog, "PAGE", 2)
    first = auditlog.read_log(actor=admin_user, organization=astana, filters=auditlog.Filters())
    assert first.next_before == first.entries[-1].seq
    second = auditlog.read_log(
        actor=admin_user, organization=astana, filters=auditlog.Filters(before=first.next_before)
    )
    assert all(e.seq < first.next_before for e in second.entries)
    assert signed_in(coordinator).get(reverse("retention:audit_log")).status_code == 403


def test_admins_see_the_alerts_on_the_oversight_page(
    canary_case: Case,
    coordinator: User,
    admin_user: User,
    low: None,
    signed_in: Callable[[User], Client],
) -> None:
    for _ in range(3):
        cases.reveal_identity(actor=coordinator, person=canary_case.person)
    page = signed_in(admin_user).get(reverse("retention:requests")).content.decode()
    assert "Many identity reveals" in page
    assert f"user={coordinator.code}&amp;action=identity.revealed" in page
