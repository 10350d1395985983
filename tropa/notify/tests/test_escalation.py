"""An alert nobody acted on within N minutes goes to every coordinator with an address.

The clock is freezegun's: the alert is raised at a fixed instant and the check runs at
chosen minutes after it, no sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from conftest import CANARY
from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Alert
from tropa.notify import services

from .conftest import Mailbox
from .helpers import opt_in

pytestmark = pytest.mark.django_db

RAISED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def team(astana: Organization, make_user: Callable[..., User], coordinator: User) -> list[User]:
    second = make_user(astana, "dana", Role.COORDINATOR)
    worker = make_user(astana, "bob", Role.CASEWORKER)
    silent = make_user(astana, "sam", Role.COORDINATOR)  # a coordinator with no address
    opt_in(coordinator, "alice@example.org", alerts=False)  # escalations whatever she chose
    opt_in(second, "dana@example.org", alerts=True)
    opt_in(worker, "bob@example.org", alerts=True)
    return [coordinator, second, worker, silent]


def _alert(actor: User, pseudonym: str = "Skvorets") -> Alert:
    org = actor.organization
    assert org is not None
    case = cases.create_case(actor=actor, organization=org, pseudonym=pseudonym)
    with freeze_time(RAISED):
        return cases.raise_alert(actor=actor, case=case, kind="missing", details=CANARY)


def _escalated(smtp: Mailbox) -> list[str]:
    return sorted(r.recipients[0] for r in smtp.received if "had no step taken" in r.body)


def test_an_alert_nobody_acted_on_goes_to_every_coordinator_with_an_address(
    smtp: Mailbox, team: list[User], outsider: User
) -> None:
    opt_in(outsider, "charlie@example.org")
    worker = team[2]
    _alert(worker)
    smtp.received.clear()  # the new-alert messages are another test's subject
    with freeze_time(RAISED + timedelta(minutes=14)):
        assert services.escalate() == 0
    assert _escalated(smtp) == []
    with freeze_time(RAISED + timedelta(minutes=15, seconds=1)):
        assert services.escalate() == 2
    assert _escalated(smtp) == ["alice@example.org", "dana@example.org"]
    body = smtp.received[0].message.as_string()
    assert "15 minutes" in body
    for secret in ("Skvorets", CANARY, "missing"):
        assert secret not in body
    # Once per alert and coordinator: the next runs send nothing more.
    with freeze_time(RAISED + timedelta(minutes=40)):
        assert services.tick()["escalations"] == 0
    assert len(_escalated(smtp)) == 2
    sent = AuditEntry.objects.filter(action="notify.sent", detail__kind="escalation")
    assert sent.count() == 2


def test_a_ticked_step_or_a_resolution_means_someone_acted(smtp: Mailbox, team: list[User]) -> None:
    coordinator = team[0]
    ticked = _alert(coordinator, "Ticked")
    resolved = _alert(coordinator, "Resolved")
    cases.tick_alert_item(actor=coordinator, alert=ticked, item="lawyer_informed")
    cases.resolve_alert(actor=coordinator, alert=resolved, outcome="safe")
    with freeze_time(RAISED + timedelta(hours=2)):
        assert services.escalate() == 0
    assert _escalated(smtp) == []


def test_the_organization_chooses_the_minutes(
    smtp: Mailbox, team: list[User], signed_in: Callable[[User], Any]
) -> None:
    coordinator, worker = team[0], team[2]
    response = signed_in(coordinator).post("/notify/policy/", {"escalation_minutes": "30"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="notify.policy_changed")
    assert entry.detail == {"from": 15, "to": 30}
    # A caseworker may not change it: an audited 403.
    assert signed_in(worker).post("/notify/policy/", {"escalation_minutes": "5"}).status_code == 403
    assert AuditEntry.objects.filter(action="access.forbidden").exists()

    _alert(worker)
    with freeze_time(RAISED + timedelta(minutes=20)):
        assert services.escalate() == 0
    with freeze_time(RAISED + timedelta(minutes=31)):
        assert services.escalate() == 2
    assert "30 minutes" in smtp.received[-1].body


def test_alerts_waiting_together_share_one_message(smtp: Mailbox, team: list[User]) -> None:
    _alert(team[2], "One")
    _alert(team[2], "Two")
    smtp.received.clear()
    with freeze_time(RAISED + timedelta(minutes=16)):
        assert services.escalate() == 2  # two coordinators, one message each
    assert _escalated(smtp) == ["alice@example.org", "dana@example.org"]
    entry = AuditEntry.objects.filter(action="notify.sent", detail__kind="escalation").first()
    assert entry is not None and entry.detail["deliveries"] == 2
