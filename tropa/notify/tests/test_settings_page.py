"""The user's own notification page: choices saved and audited, the address sealed and never
shown, the test message, and a page that says when mail is not set up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.notify.models import Preference

from .conftest import Mailbox

pytestmark = pytest.mark.django_db

ADDRESS = "quiet.sparrow@example.org"


def test_choices_are_saved_and_the_address_is_sealed(
    mail_off: None, coordinator: User, signed_in: Callable[[User], Any]
) -> None:
    client = signed_in(coordinator)
    page = client.get("/notify/").content.decode()
    assert 'id="notify-off"' in page  # not configured: the page says so
    assert "every coordinator of the organization" in page
    response = client.post(
        "/notify/", {"address": ADDRESS, "new_alerts": "on", "daily_digest": "on"}, follow=True
    )
    assert "Notification settings saved." in response.content.decode()
    pref = Preference.all_organizations.get(user=coordinator)
    assert pref.new_alerts and pref.daily_digest and pref.has_address
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_address FROM notify_preference")
        (raw,) = cursor.fetchone()
    assert ADDRESS.encode() not in bytes(raw)
    assert ADDRESS not in response.content.decode()  # saved, never shown again
    assert 'id="address-saved"' in response.content.decode()
    entry = AuditEntry.objects.get(action="notify.settings_changed")
    assert entry.detail == {"fields": ["address", "daily_digest", "new_alerts"]}
    assert ADDRESS not in str(entry.detail)

    # Unticking keeps the address; removing it is its own choice.
    client.post("/notify/", {"remove_address": "on"})
    pref.refresh_from_db()
    assert not pref.has_address and not pref.new_alerts


def test_a_bad_address_is_refused_next_to_nothing_saved(
    coordinator: User, signed_in: Callable[[User], Any]
) -> None:
    response = signed_in(coordinator).post("/notify/", {"address": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert 'value="not an address"' in response.content.decode()  # kept to correct
    assert not Preference.all_organizations.exists()


def test_volunteers_are_not_offered_alerts(
    astana: Organization, make_user: Callable[..., User], signed_in: Callable[[User], Any]
) -> None:
    volunteer = make_user(astana, "vic", Role.VOLUNTEER)
    client = signed_in(volunteer)
    assert 'name="new_alerts"' not in client.get("/notify/").content.decode()
    client.post("/notify/", {"address": ADDRESS, "new_alerts": "on"})
    assert not Preference.all_organizations.get(user=volunteer).new_alerts


def test_the_test_message_reaches_the_saved_address(
    smtp: Mailbox, coordinator: User, signed_in: Callable[[User], Any]
) -> None:
    client = signed_in(coordinator)
    client.post("/notify/", {"address": ADDRESS})
    response = client.post("/notify/test/", follow=True)
    assert "A test message was sent" in response.content.decode()
    (got,) = smtp.received
    assert got.recipients == [ADDRESS]
    assert "test message" in got.body
    assert AuditEntry.objects.filter(action="notify.sent", detail__kind="test").exists()
    assert "test message" in response.content.decode()  # the last messages list


def test_the_test_message_when_mail_is_off_or_down(
    mail_off: None, settings: Any, coordinator: User, signed_in: Callable[[User], Any]
) -> None:
    client = signed_in(coordinator)
    client.post("/notify/", {"address": ADDRESS})
    response = client.post("/notify/test/", follow=True)
    assert "nothing is sent" in response.content.decode()
    from .conftest import configure, free_port

    configure(settings, free_port())  # configured, nobody listening
    response = client.post("/notify/test/", follow=True)
    assert "could not be sent" in response.content.decode()
    assert AuditEntry.objects.filter(action="notify.failed", detail__kind="test").exists()


def test_the_settings_page_links_to_it(coordinator: User, signed_in: Callable[[User], Any]) -> None:
    page = signed_in(coordinator).get("/accounts/settings/").content.decode()
    assert 'href="/notify/"' in page
