"""Shared test base: organizations and personas, built in code.

Coordinator and volunteer of "Astana", coordinator of "Yerevan" (the outsider), plus the
other roles where a test needs them. ``sign_in`` gives a client a session that completed
both factors, the way the login view leaves it.
"""

from __future__ import annotations

import os
import socket
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db.models.signals import post_save
from django.test import Client
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.accounts import services as accounts
from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.crypto.fields import forget_cached_keys

# Every audit action written during this test run, for tropa/audit/tests/test_every_action.py.
AUDIT_ACTIONS_PRODUCED: set[str] = set()


def _record_audit_action(sender: Any, instance: AuditEntry, created: bool, **kwargs: Any) -> None:
    if created:
        AUDIT_ACTIONS_PRODUCED.add(instance.action)


post_save.connect(
    _record_audit_action, sender=AuditEntry, weak=False, dispatch_uid="tropa-audit-registry"
)

LAST = "tropa/audit/tests/test_every_action.py::test_every_audit_action_is_produced_by_a_test"


# Fixtures that give a test the database; a test without one (and without the `database`
# marker) never reaches it, so it proves nothing more on PostgreSQL than on SQLite.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def _reaches_the_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("database"):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The audit registry check runs after every other test.

    On PostgreSQL (``scripts/test-postgres``) only the tests that reach a database run: the
    others (the name engine, parsers, tools, servers on a SQLite data dir of their own) ran
    on the SQLite pass already.
    """
    if os.environ.get("TROPA_DATABASE_URL", "").startswith("postgres"):
        skipped = [item for item in items if not _reaches_the_database(item)]
        if skipped:
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if _reaches_the_database(item)]
    items.sort(key=lambda item: item.nodeid == LAST)


def user_today(user: User | None = None) -> date:
    """Today where the user is: the date his pages count from.

    The login middleware activates the user's zone (else TROPA_DEFAULT_USER_TIMEZONE,
    Asia/Almaty), so from 19:00 UTC on his today is the server's tomorrow.
    """
    zone = (user.time_zone if user else "") or settings.TROPA_DEFAULT_USER_TIMEZONE
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(zone))


CANARY = "Канарейкин"
CANARY_LATIN = "Kanareikin"
PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    # Row ids repeat across rolled-back tests; a cached key must never outlive its row.
    forget_cached_keys()
    yield
    forget_cached_keys()


@pytest.fixture(autouse=True)
def _server_language_and_zone() -> Iterator[None]:
    """Each test starts in the server's language and zone. A request leaves its language
    active on the thread (LocaleMiddleware never resets it), so a Russian page in one test
    made the next test's service messages Russian."""
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    yield
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to this machine only: loopback and Unix sockets."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host not in ("127.0.0.1", "::1", "localhost"):
                raise RuntimeError(f"network access to {host} in a test")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def astana(db: Any) -> Organization:
    return accounts.create_organization(actor=None, name="Astana")


@pytest.fixture
def yerevan(db: Any) -> Organization:
    return accounts.create_organization(actor=None, name="Yerevan")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(org: Organization, username: str, role: str) -> User:
        user, _ = accounts.create_user(
            actor=None, organization=org, username=username, role=role, password=PASSWORD
        )
        return user

    return make


@pytest.fixture
def coordinator(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "alice", Role.COORDINATOR)


@pytest.fixture
def volunteer(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "victor", Role.VOLUNTEER)


@pytest.fixture
def verifier(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "vera", Role.VERIFIER)


@pytest.fixture
def admin_user(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "adam", Role.ADMIN)


@pytest.fixture
def outsider(yerevan: Organization, make_user: Callable[..., User]) -> User:
    return make_user(yerevan, "charlie", Role.COORDINATOR)


def sign_in(client: Client, user: User) -> Client:
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    return lambda user: sign_in(Client(), user)


@pytest.fixture
def canary_case(astana: Organization, coordinator: User) -> Case:
    """A case whose person's legal surname is the canary, with every sealed part filled."""
    case = cases.create_case(
        actor=coordinator, organization=astana, pseudonym="Funker", city="Astana"
    )
    cases.save_identity(
        actor=coordinator,
        person=case.person,
        data={
            "surname": CANARY,
            "given_name": "Алексей",
            "patronymic": "Викторович",
            "surname_latin": CANARY_LATIN.upper(),
            "given_name_latin": "ALEKSEI",
            "documents": [{"kind": "passport", "number": "75 1234567"}],
            "phone": "+7 700 123 4567",
            "messengers": [{"app": "Signal", "handle": "@funker"}],
        },
    )
    cases.add_note(actor=coordinator, case=case, text=f"Брат {CANARY} звонил")
    cases.add_family_member(
        actor=coordinator, case=case, relation="spouse", name=f"{CANARY}а Мария"
    )
    # Need details are the logistics text volunteers work with: no names there (the form
    # says so), so the canary is not put into them.
    cases.add_need(actor=coordinator, case=case, kind="lodging", details="for a family of 3")
    cases.record_support(
        actor=coordinator,
        case=case,
        kind="lodging",
        given_on=case.created_at.date(),
        details=f"у {CANARY}",
    )
    alert = cases.raise_alert(
        actor=coordinator, case=case, kind="detained", details=f"{CANARY} задержан"
    )
    cases.tick_alert_item(actor=coordinator, alert=alert, item="lawyer_informed")
    from tropa.pathways import services as pathways

    pathways.add_trip(
        actor=coordinator,
        case=case,
        country="KZ",
        entry=date(2026, 1, 5),
        exit=None,
        border_point=f"с {CANARY} через Жана-Жол",
    )
    pathways.add_deadline(
        actor=coordinator,
        case=case,
        kind="passport",
        due_on=date(2027, 1, 5),
        note=f"паспорт на имя {CANARY}",
    )
    return case


@pytest.fixture
def outsider_case(yerevan: Organization, outsider: User) -> Case:
    case = cases.create_case(actor=outsider, organization=yerevan, pseudonym="Ararat")
    cases.save_identity(actor=outsider, person=case.person, data={"surname": "Воронов"})
    return case
