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


def test_a_two_factor_reset_asks_first_and_says_the_role_waits(
    admin_user: User, verifier: User, signed_in: Any
) -> None:
    client = signed_in(admin_user)
    url = reverse("accounts:user_reset_2fa", args=[verifier.code])
    users = client.get(reverse("accounts:users")).content.decode()
    assert f'<a href="{url}"' in users  # a link to the confirmation, not a button that acts
    page = client.get(url).content.decode()
    assert "waits for a coordinator" in page and 'name="confirmed"' in page
    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 200 and "enrol-link" not in unconfirmed.content.decode()
    assert not AuditEntry.objects.filter(action="user.two_factor_reset").exists()
    done = client.post(url, {"confirmed": "yes"}).content.decode()
    assert "enrol-link" in done and "switching leaves this page" in done
    assert AuditEntry.objects.filter(action="user.two_factor_reset").count() == 1


def test_an_admin_cannot_reset_their_own_two_factor(admin_user: User, signed_in: Any) -> None:
    client = signed_in(admin_user)
    url = reverse("accounts:user_reset_2fa", args=[admin_user.code])
    assert url not in client.get(reverse("accounts:users")).content.decode()
    response = client.post(url, {"confirmed": "yes"}, follow=True)
    assert "cannot reset your own two-factor" in response.content.decode()
    assert not AuditEntry.objects.filter(action="user.two_factor_reset").exists()


def test_the_approvals_page_does_not_say_re_enrolled_before_it_happened(
    admin_user: User, verifier: User, coordinator: User, signed_in: Any
) -> None:
    services.reset_two_factor(actor=admin_user, user=verifier)
    page = signed_in(coordinator).get(reverse("accounts:approvals")).content.decode()
    assert "after a two-factor reset" in page and "re-enrolled" not in page


def test_decisions_name_the_user(
    admin_user: User, volunteer: User, coordinator: User, signed_in: Any
) -> None:
    first = services.request_role_change(actor=admin_user, user=volunteer, role=Role.CASEWORKER)
    assert first is not None
    approver = signed_in(coordinator)
    approved = approver.post(reverse("accounts:approval_approve", args=[first.code]), follow=True)
    assert "Approved: victor is now Caseworker" in approved.content.decode()
    second = services.request_role_change(actor=admin_user, user=volunteer, role=Role.LAWYER)
    assert second is not None
    refused = approver.post(reverse("accounts:approval_refuse", args=[second.code]), follow=True)
    assert "Refused: the role of victor stays as it was" in refused.content.decode()


def test_an_admin_withdraws_a_request_they_made(
    admin_user: User, volunteer: User, astana: Organization, make_user: Any, signed_in: Any
) -> None:
    request = services.request_role_change(actor=admin_user, user=volunteer, role=Role.LAWYER)
    assert request is not None
    url = reverse("accounts:role_request_withdraw", args=[request.code])
    other = make_user(astana, "otto", Role.ADMIN)
    assert url not in signed_in(other).get(reverse("accounts:users")).content.decode()
    refused = signed_in(other).post(url, follow=True).content.decode()
    assert "Only who asked for this change" in refused
    client = signed_in(admin_user)
    assert url in client.get(reverse("accounts:users")).content.decode()
    done = client.post(url, follow=True).content.decode()
    assert "Request withdrawn: the role of victor stays as it was" in done
    request.refresh_from_db()
    assert request.status == "withdrawn"
    entry = AuditEntry.objects.get(action="user.role_request_withdrawn")
    assert entry.actor_code == str(admin_user.code) and entry.detail["request"] == str(request.code)


def test_a_weak_password_error_is_under_the_password(admin_user: User) -> None:
    from tropa.accounts.forms import EnrolmentForm

    form = EnrolmentForm(admin_user, {"new_password1": "qwerty123", "new_password2": "qwerty123"})
    assert not form.is_valid()
    assert "new_password2" not in form.errors
    (error,) = [e for e in form.errors["new_password1"] if "too easy to guess" in e]
    assert "too easy to guess. " in error  # a sentence of its own, not "guess: This is"


def test_the_enrolment_page_speaks_the_accounts_language(
    admin_user: User, astana: Organization
) -> None:
    _user, token, _request = services.invite_user(
        actor=admin_user, organization=astana, username="ivan", role=Role.ADMIN, language="ru"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.get(reverse("accounts:enrol_start", args=[token]))
    page = client.get(reverse("accounts:enrol"))
    assert '<html lang="ru">' in page.content.decode()
