"""Issue 10 for accounts: a GET writes nothing, the second factor is enforced, every
account action is audited, and the pages' query counts stay fixed."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from tropa.accounts import services
from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry


def test_the_setup_page_creates_nothing_on_get(coordinator: User) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    # The password step (a POST) made the device, once, audited with the user as actor.
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1
    entry = AuditEntry.objects.get(action="user.two_factor_setup_started")
    assert entry.actor_code == str(coordinator.code)
    before = TOTPDevice.objects.count()
    for _ in range(2):
        assert client.get(reverse("accounts:setup")).status_code == 200
    assert TOTPDevice.objects.count() == before
    assert AuditEntry.objects.filter(action="user.two_factor_setup_started").count() == 1


def test_a_session_with_the_password_but_not_the_second_factor_is_refused(
    coordinator: User,
) -> None:
    client = Client()
    client.force_login(coordinator)  # signed in by password, no device verified
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_deactivating_and_activating_are_audited(
    admin_user: User, verifier: User, signed_in: Any
) -> None:
    client = signed_in(admin_user)
    url = reverse("accounts:user_active", args=[verifier.code])
    client.post(url)
    verifier.refresh_from_db()
    assert not verifier.is_active
    assert AuditEntry.objects.filter(action="user.deactivated").count() == 1
    client.post(url)
    verifier.refresh_from_db()
    assert verifier.is_active
    assert AuditEntry.objects.filter(action="user.activated").count() == 1


def test_a_language_choice_is_kept_and_audited(coordinator: User, signed_in: Any) -> None:
    client = signed_in(coordinator)
    client.post(reverse("switch_language"), {"language": "de", "next": "/"})
    coordinator.refresh_from_db()
    assert coordinator.language == "de"
    entry = AuditEntry.objects.get(action="user.language_changed")
    assert entry.detail["language"] == "de"


def test_the_users_page_has_a_fixed_number_of_queries(
    admin_user: User,
    astana: Organization,
    make_user: Any,
    signed_in: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = signed_in(admin_user)
    for n in range(6):
        make_user(astana, f"user{n}", Role.VERIFIER)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:users")).status_code == 200


def test_the_approvals_page_has_a_fixed_number_of_queries(
    coordinator: User,
    admin_user: User,
    astana: Organization,
    make_user: Any,
    signed_in: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(6):
        user = make_user(astana, f"user{n}", Role.VOLUNTEER)
        services.request_role_change(actor=admin_user, user=user, role=Role.CASEWORKER)
    client = signed_in(coordinator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:approvals"))
    assert page.status_code == 200 and "user5" in page.content.decode()
