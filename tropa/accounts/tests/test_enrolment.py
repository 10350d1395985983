"""Enrolment by a one-time link (issue 9, finding 4): the administrator never knows a
working password; the user chooses it and sets up TOTP; a two-factor reset does the same."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from conftest import PASSWORD
from tropa.accounts.models import Enrolment, Role, RoleRequest, RoleRequestStatus, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.models import AuditEntry

CHOSEN = "lantern-quietly-orbit-saddle-nimbus"


def _create(client: Client, username: str, role: str) -> tuple[str, str]:
    """Create an account as an administrator; return the page and the link on it."""
    html = client.post(
        reverse("accounts:user_new"), {"username": username, "role": role, "language": "en"}
    ).content.decode()
    match = re.search(r'id="enrol-link">([^<]+)<', html)
    assert match is not None, html
    return html, match.group(1)


def _enrol(link: str, password: str = CHOSEN) -> Client:
    """Open the link, choose ``password``, set up TOTP; return the signed-in client."""
    client = Client()
    start = client.get(link)
    assert start.status_code == 302 and start["Location"] == reverse("accounts:enrol")
    done = client.post(
        reverse("accounts:enrol"), {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:setup"), done
    client.get(reverse("accounts:setup"))
    device = TOTPDevice.objects.get(user__username=_username_of(client), confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("accounts:setup"), {"token": code}).status_code == 302
    return client


def _username_of(client: Client) -> str:
    pending = client.session["tropa_pending_login"]
    return str(User.objects.get(code=pending["user"]).username)


def test_a_new_account_gets_a_link_and_no_password(admin_user: Any, signed_in: Any) -> None:
    html, link = _create(signed_in(admin_user), "nina", Role.VOLUNTEER)
    assert "password" not in html.lower().split("<main", 1)[1].split("one-time link")[0]
    user = User.objects.get(username="nina")
    assert not user.has_usable_password()
    token = link.rstrip("/").rsplit("/", 1)[1]
    enrolment = Enrolment.objects.get(user=user)
    # Only a digest of the token is stored.
    assert token not in enrolment.digest and len(token) >= 40
    # Until enrolled, no password signs in.
    for guess in (PASSWORD, "", token):
        assert authenticate(username="nina", password=guess) is None


def test_the_user_chooses_the_password_and_sets_up_totp(
    admin_user: Any, coordinator: Any, signed_in: Any
) -> None:
    _html, link = _create(signed_in(admin_user), "nina", Role.VOLUNTEER)
    client = Client()
    client.get(link)
    page = client.get(reverse("accounts:enrol")).content.decode()
    suggestion = re.search(r'id="suggested-passphrase">([^<]+)<', page)
    assert suggestion is not None and len(suggestion.group(1).split("-")) == 6
    assert f'value="{suggestion.group(1)}"' in page  # pre-filled
    # A weak password is refused with the reason.
    weak = client.post(
        reverse("accounts:enrol"),
        {"new_password1": "qwertyuiopas", "new_password2": "qwertyuiopas"},
    )
    assert weak.status_code == 200 and "too easy to guess" in weak.content.decode()

    client = _enrol(link)
    assert client.get(reverse("cases:dashboard")).status_code == 200
    assert authenticate(username="nina", password=CHOSEN) is not None
    assert AuditEntry.objects.filter(action="user.enrolled").count() == 1
    # A volunteer needs a coordinator's approval: until then, no access to cases.
    nina = User.objects.get(username="nina")
    assert nina.role == "" and not can(nina, Cap.VIEW_CASES)
    request = RoleRequest.objects.get(subject=nina, status=RoleRequestStatus.PENDING)
    assert (request.from_role, request.to_role, request.reason) == ("", Role.VOLUNTEER, "new")
    signed_in(coordinator).post(reverse("accounts:approval_approve", args=[request.code]))
    nina.membership.refresh_from_db()
    assert can(User.objects.get(username="nina"), Cap.VIEW_CASES)


def test_a_link_works_once(admin_user: Any, signed_in: Any) -> None:
    _html, link = _create(signed_in(admin_user), "nina", Role.VOLUNTEER)
    _enrol(link)
    again = Client().get(link)
    assert again.status_code == 404 and "This link does not work" in again.content.decode()


def test_a_link_expires_after_72_hours(admin_user: Any, signed_in: Any) -> None:
    _html, link = _create(signed_in(admin_user), "nina", Role.VOLUNTEER)
    with freeze_time(timezone.now() + timedelta(hours=71)):
        assert Client().get(link).status_code == 302
    with freeze_time(timezone.now() + timedelta(hours=72, minutes=1)):
        assert Client().get(link).status_code == 404


def test_an_unknown_token_is_refused(db: Any) -> None:
    response = Client().get(reverse("accounts:enrol_start", args=["x" * 43]))
    assert response.status_code == 404
    assert Client().get(reverse("accounts:enrol")).status_code == 404


def test_an_admin_account_needs_no_approval(admin_user: Any, signed_in: Any) -> None:
    _create(signed_in(admin_user), "ada", Role.ADMIN)
    assert User.objects.get(username="ada").role == Role.ADMIN
    assert not RoleRequest.objects.exists()


def test_a_two_factor_reset_forces_a_new_password_and_ends_sessions(
    admin_user: Any, verifier: Any, coordinator: Any, signed_in: Any
) -> None:
    old_session = signed_in(verifier)
    assert old_session.get(reverse("cases:dashboard")).status_code == 200
    html = (
        signed_in(admin_user)
        .post(reverse("accounts:user_reset_2fa", args=[verifier.code]), {"confirmed": "yes"})
        .content.decode()
    )
    link = re.search(r'id="enrol-link">([^<]+)<', html)
    assert link is not None
    # Signed out everywhere; the old password and device are gone.
    assert old_session.get(reverse("cases:dashboard")).status_code == 302
    assert authenticate(username="vera", password=PASSWORD) is None
    assert not TOTPDevice.objects.filter(user=verifier).exists()
    # Whoever opens the link gets the account back, so its role waits for a coordinator.
    verifier.refresh_from_db()
    assert verifier.role == ""
    request = RoleRequest.objects.get(subject=verifier, status=RoleRequestStatus.PENDING)
    assert (request.to_role, request.reason) == (Role.VERIFIER, "reset")
    client = _enrol(link.group(1), "harbor-velvet-mosaic-thistle-ember")
    assert authenticate(username="vera", password="harbor-velvet-mosaic-thistle-ember")
    signed_in(coordinator).post(reverse("accounts:approval_approve", args=[request.code]))
    assert client.get(reverse("cases:list")).context["page"] is not None
    verifier.refresh_from_db()
    assert verifier.role == Role.VERIFIER


def test_the_first_coordinator_is_made_from_the_shell(db: Any) -> None:
    out = StringIO()
    call_command(
        "users",
        "add",
        "first",
        "--org",
        "New Org",
        "--role",
        "coordinator",
        "--create-org",
        stdout=out,
    )
    text = out.getvalue()
    assert "Created organization 'New Org'" in text
    path = re.search(r"(/accounts/enrol/\S+/)", text)
    assert path is not None
    user = User.objects.get(username="first")
    assert user.role == Role.COORDINATOR and not user.has_usable_password()
    client = _enrol(path.group(1))
    assert client.get(reverse("cases:dashboard")).status_code == 200
    assert can(User.objects.get(username="first"), Cap.APPROVE_ROLES)
    out = StringIO()
    call_command("users", "set-role", "first", "caseworker", stdout=out)
    assert User.objects.get(username="first").role == Role.CASEWORKER


def test_the_operator_makes_a_new_link_from_the_shell_keeping_the_role(
    verifier: Any,
) -> None:
    out = StringIO()
    call_command("users", "link", "vera", stdout=out)
    path = re.search(r"(/accounts/enrol/\S+/)", out.getvalue())
    assert path is not None
    assert authenticate(username="vera", password=PASSWORD) is None
    verifier.refresh_from_db()
    assert verifier.role == Role.VERIFIER and not RoleRequest.objects.exists()
    _enrol(path.group(1))
    assert authenticate(username="vera", password=CHOSEN) is not None
