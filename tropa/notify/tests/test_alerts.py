"""A new alert reaches those who chose it, by a real SMTP server, and carries no case content."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from conftest import CANARY
from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Alert, Case
from tropa.notify import services
from tropa.notify.models import Delivery, Status

from .conftest import SITE, Mailbox, configure, free_port
from .helpers import opt_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(
    astana: Organization, make_user: Callable[..., User], coordinator: User
) -> dict[str, User]:
    return {
        "alice": coordinator,
        "bob": make_user(astana, "bob", Role.CASEWORKER),
        "carol": make_user(astana, "carol", Role.LAWYER),
        "victor": make_user(astana, "victor", Role.VOLUNTEER),
    }


def _raise(case: Case, actor: User, capture: Any) -> Alert:
    with capture(execute=True):
        return cases.raise_alert(
            actor=actor, case=case, kind="detained", details=f"{CANARY} задержан в Шереметьево"
        )


def _case(actor: User) -> Case:
    org = actor.organization
    assert org is not None
    case = cases.create_case(actor=actor, organization=org, pseudonym="Skvorets")
    cases.save_identity(actor=actor, person=case.person, data={"surname": CANARY})
    return case


def test_a_new_alert_reaches_only_those_who_chose_it(
    smtp: Mailbox,
    desk: dict[str, User],
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alice, bob, carol, victor = desk["alice"], desk["bob"], desk["carol"], desk["victor"]
    opt_in(alice, "alice@example.org", alerts=True)  # she raises it: she knows
    opt_in(bob, "bob@example.org", alerts=True)
    opt_in(carol, "carol@example.org", alerts=False)
    opt_in(victor, "victor@example.org", alerts=True)  # volunteers are not offered alerts
    opt_in(outsider, "charlie@example.org", alerts=True)  # another organization
    case = _case(alice)

    alert = _raise(case, alice, django_capture_on_commit_callbacks)

    assert [r.recipients for r in smtp.received] == [["bob@example.org"]]
    got = smtp.received[0]
    assert got.subject == "Tropa: a notification"
    assert got.sender == "tropa@example.org"
    assert "A new alert was raised in your organization." in got.body
    assert SITE in got.body
    whole = got.message.as_string()
    for secret in ("Skvorets", str(case.code), str(alert.code), CANARY, "detained", "Шереметьево"):
        assert secret not in whole
    assert "bob@example.org" not in str(list(AuditEntry.objects.values_list("detail", flat=True)))
    entry = AuditEntry.objects.get(action="notify.sent")
    assert entry.object_code == str(bob.code)
    assert entry.detail == {"kind": "alert", "deliveries": 1}
    assert Delivery.all_organizations.get(user=bob).status == Status.SENT


def test_the_message_is_in_the_recipients_language(
    smtp: Mailbox, desk: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    bob = desk["bob"]
    bob.language = "ru"
    bob.save(update_fields=["language"])
    opt_in(bob, "bob@example.org", alerts=True)
    _raise(_case(desk["alice"]), desk["alice"], django_capture_on_commit_callbacks)
    (got,) = smtp.received
    assert got.subject == "Tropa: уведомление"
    assert "В вашей организации поднята новая тревога." in got.body


def test_opting_out_stops_the_messages(
    smtp: Mailbox, desk: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    bob = desk["bob"]
    opt_in(bob, "bob@example.org", alerts=True)
    services.save_preferences(actor=bob, address=None, new_alerts=False, daily_digest=False)
    _raise(_case(desk["alice"]), desk["alice"], django_capture_on_commit_callbacks)
    assert smtp.received == []


def test_nothing_is_sent_when_mail_is_not_configured(
    mail_off: None, desk: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    # A server listens, but the settings do not name it: nothing may reach it.
    from aiosmtpd.controller import Controller

    from .conftest import Mailbox as Box

    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        opt_in(desk["bob"], "bob@example.org", alerts=True)
        _raise(_case(desk["alice"]), desk["alice"], django_capture_on_commit_callbacks)
        assert services.tick() == {"escalations": 0, "digests": 0, "retries": 0}
        call_command("notify", "tick")
    finally:
        controller.stop()
    assert box.received == []
    assert not Delivery.all_organizations.exists()


def test_smtp_down_is_recorded_and_the_alert_still_stands(
    smtp_down: int,
    settings: Any,
    desk: dict[str, User],
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bob = desk["bob"]
    opt_in(bob, "bob@example.org", alerts=True)
    case = _case(desk["alice"])
    with caplog.at_level(logging.WARNING):
        alert = _raise(case, desk["alice"], django_capture_on_commit_callbacks)
    assert Alert.objects.unscoped().filter(pk=alert.pk, resolved_at__isnull=True).exists()
    case.refresh_from_db()
    assert case.has_active_alert
    row = Delivery.all_organizations.get(user=bob)
    assert (row.status, row.error, row.attempts) == (Status.FAILED, "ConnectionRefusedError", 1)
    failed = AuditEntry.objects.get(action="notify.failed")
    assert failed.detail == {"kind": "alert", "error": "ConnectionRefusedError", "deliveries": 1}
    assert "bob@example.org" not in caplog.text
    assert "ConnectionRefusedError" in caplog.text

    # The server comes back: the periodic run sends what failed, once.
    from aiosmtpd.controller import Controller

    from .conftest import Mailbox as Box

    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        configure(settings, controller.port)
        assert services.retry_failed() == 1
        assert services.retry_failed() == 0
    finally:
        controller.stop()
    assert [r.recipients for r in box.received] == [["bob@example.org"]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_retries_stop_after_three_attempts(
    smtp_down: int, desk: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    bob = desk["bob"]
    opt_in(bob, "bob@example.org", alerts=True)
    _raise(_case(desk["alice"]), desk["alice"], django_capture_on_commit_callbacks)
    services.retry_failed()
    services.retry_failed()
    services.retry_failed()
    row = Delivery.all_organizations.get(user=bob)
    assert (row.status, row.attempts) == (Status.FAILED, 3)
