"""Bulk-extraction cap on identity reveals (R17): a setting, default 20 per user and hour;
the next one is refused, audited and shown to the organization's administrators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from freezegun import freeze_time

from tropa.audit.models import AuditEntry
from tropa.cases import services
from tropa.cases.models import Case

SECRET = "75 1234567"  # the passport number: only a reveal shows it
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _reveal(client: Any, case: Case) -> Any:
    return client.post(reverse("cases:identity_reveal", args=[case.code]), follow=True)


def test_the_default_is_twenty_an_hour() -> None:
    assert settings.TROPA_REVEAL_LIMIT_PER_HOUR == 20


def test_the_twenty_first_reveal_in_an_hour_is_refused(
    coordinator: Any, canary_case: Case, signed_in: Any, admin_user: Any
) -> None:
    client = signed_in(coordinator)
    with freeze_time(T0) as frozen:
        for _ in range(20):
            assert SECRET in _reveal(client, canary_case).content.decode()
            frozen.tick(timedelta(minutes=2))
        refused = _reveal(client, canary_case)
        html = refused.content.decode()
        assert SECRET not in html
        assert "reached the limit of 20 identity reveals per hour" in html
        assert refused.redirect_chain[-1][0] == canary_case.get_absolute_url()
        # The edit form decrypts the identity too, and is refused alike.
        edit = client.get(reverse("cases:identity_edit", args=[canary_case.code]), follow=True)
        assert SECRET not in edit.content.decode()
        assert "identity reveals per hour" in edit.content.decode()
    entries = AuditEntry.objects.filter(action="identity.reveal_refused")
    assert entries.count() == 2
    assert entries.first() is not None and entries.first().actor_code == str(coordinator.code)
    assert AuditEntry.objects.filter(action="identity.revealed").count() == 20

    # The organization's administrator is told who and when.
    with freeze_time(T0 + timedelta(days=6)):
        page = signed_in(admin_user).get(reverse("accounts:users")).content.decode()
    assert "alice reached the identity reveal limit at" in page and "(2 reveals refused)" in page
    with freeze_time(T0 + timedelta(days=8)):
        page = signed_in(admin_user).get(reverse("accounts:users")).content.decode()
    assert "reveal limit" not in page

    # An hour after the first reveal, one is allowed again.
    with freeze_time(T0 + timedelta(minutes=60, seconds=1)):
        assert SECRET in _reveal(client, canary_case).content.decode()


def test_the_limit_is_per_user(
    coordinator: Any, verifier: Any, canary_case: Case, signed_in: Any, settings: Any
) -> None:
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = 2
    first, second = signed_in(coordinator), signed_in(verifier)
    with freeze_time(T0):
        for _ in range(2):
            _reveal(first, canary_case)
        assert SECRET not in _reveal(first, canary_case).content.decode()
        assert SECRET in _reveal(second, canary_case).content.decode()


def test_the_service_refuses_too(coordinator: Any, canary_case: Case, settings: Any) -> None:
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = 1
    with freeze_time(T0):
        services.reveal_identity(actor=coordinator, person=canary_case.person)
        with pytest.raises(services.RevealLimitReached):
            services.reveal_identity(actor=coordinator, person=canary_case.person)
        # Machine comparisons (screening) are not reveals to a person and are not capped.
        services.reveal_identity(actor=coordinator, person=canary_case.person, purpose="screening")
