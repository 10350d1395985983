"""Sign-in with a mandatory second factor (R11, R12, R13)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from conftest import PASSWORD, sign_in
from tropa.audit.models import AuditEntry

LOGIN = reverse("accounts:login")


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:06d}"


def _password_step(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def test_it_requires_setting_up_a_second_factor_at_first_sign_in(coordinator: Any) -> None:
    client = Client()
    response = _password_step(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:setup")
    page = client.get(reverse("accounts:setup")).content.decode()
    svg = re.search(r"<svg[^>]*>", page)  # the QR code is drawn by Tropa itself
    assert svg is not None and "viewBox" in svg.group(0)
    assert "width=" not in svg.group(0)  # a fixed size would be cropped by the CSS box
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    # Not signed in before the code is confirmed.
    assert client.get(reverse("cases:dashboard")).status_code == 302
    done = client.post(reverse("accounts:setup"), {"token": _code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("cases:dashboard")
    assert client.get(reverse("cases:dashboard")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True


def test_it_signs_in_with_password_and_code(coordinator: Any) -> None:
    device = TOTPDevice.objects.create(user=coordinator, name="t", confirmed=True)
    client = Client()
    assert _password_step(client, "alice")["Location"] == reverse("accounts:verify")
    response = client.post(reverse("accounts:verify"), {"token": _code(device)})
    assert response["Location"] == reverse("cases:dashboard")
    assert AuditEntry.objects.filter(action="auth.login", actor_code=str(coordinator.code)).exists()


def test_it_rejects_a_replayed_code(coordinator: Any) -> None:
    device = TOTPDevice.objects.create(user=coordinator, name="t", confirmed=True)
    code = _code(device)
    first = Client()
    _password_step(first, "alice")
    assert first.post(reverse("accounts:verify"), {"token": code}).status_code == 302
    second = Client()
    _password_step(second, "alice")
    replay = second.post(reverse("accounts:verify"), {"token": code})
    assert replay.status_code == 200
    assert "already used" in replay.content.decode()
    assert second.get(reverse("cases:dashboard")).status_code == 302


def test_it_treats_unknown_and_known_names_alike(coordinator: Any) -> None:
    wrong = _password_step(Client(), "alice", "not-the-password-1")
    unknown = _password_step(Client(), "nobody-here", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 200

    def page(response: Any, name: str) -> str:
        html = response.content.decode().replace(name, "")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    # The same page apart from the echoed name, including the same error message.
    assert page(wrong, "alice") == page(unknown, "nobody-here")
    assert "User name or password is wrong." in page(wrong, "alice")
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 2


def test_it_throttles_a_user_after_six_failures_but_not_another(
    coordinator: Any, make_user: Any, astana: Any
) -> None:
    make_user(astana, "yuri", "caseworker")
    attacker = Client()
    for _ in range(settings.TROPA_LOGIN_FAILURE_LIMIT):
        _password_step(attacker, "alice", "wrong-password-123")
    # Now even the right password is refused from untrusted clients...
    locked = _password_step(Client(), "alice")
    assert locked.status_code == 200
    assert "Too many failed attempts" in locked.content.decode()
    # ...while another user is unaffected.
    assert _password_step(Client(), "yuri").status_code == 302


def test_it_lets_a_known_device_in_while_strangers_are_locked_out(coordinator: Any) -> None:
    device = TOTPDevice.objects.create(user=coordinator, name="t", confirmed=True)
    own_browser = Client()
    _password_step(own_browser, "alice")
    own_browser.post(reverse("accounts:verify"), {"token": _code(device)})
    own_browser.post(reverse("accounts:logout"))
    assert "tropa_device" in own_browser.cookies
    attacker = Client()
    for _ in range(settings.TROPA_LOGIN_FAILURE_LIMIT + 2):
        _password_step(attacker, "alice", "wrong-password-123")
    assert "Too many" in _password_step(Client(), "alice").content.decode()
    assert _password_step(own_browser, "alice").status_code == 302


def test_it_throttles_wrong_codes(coordinator: Any) -> None:
    TOTPDevice.objects.create(user=coordinator, name="t", confirmed=True)
    client = Client()
    _password_step(client, "alice")
    for _ in range(settings.TROPA_LOGIN_FAILURE_LIMIT):
        client.post(reverse("accounts:verify"), {"token": "000000"})
    response = client.post(reverse("accounts:verify"), {"token": "000000"})
    assert "Too many failed attempts" in response.content.decode()


def test_it_ends_the_session_after_thirty_idle_minutes(coordinator: Any) -> None:
    client = sign_in(Client(), coordinator)
    assert client.get(reverse("cases:dashboard")).status_code == 200
    with freeze_time(timezone.now() + timedelta(minutes=29)):
        assert client.get(reverse("cases:dashboard")).status_code == 200
    with freeze_time(timezone.now() + timedelta(minutes=29 + 31)):
        response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_it_signs_out_by_post_only(coordinator: Any) -> None:
    client = sign_in(Client(), coordinator)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("cases:dashboard")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "storage" in response["Clear-Site-Data"]
    assert client.get(reverse("cases:dashboard")).status_code == 302


def test_a_password_change_ends_other_sessions(coordinator: Any) -> None:
    here, elsewhere = sign_in(Client(), coordinator), sign_in(Client(), coordinator)
    response = here.post(
        reverse("accounts:settings"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-77",
            "new_password2": "a-new-long-passphrase-77",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("cases:dashboard")).status_code == 200
    assert elsewhere.get(reverse("cases:dashboard")).status_code == 302


def test_it_refuses_short_and_common_passwords(coordinator: Any) -> None:
    client = sign_in(Client(), coordinator)
    for weak in ("short1!", "password1234"):
        response = client.post(
            reverse("accounts:settings"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()


def test_argon2id_is_the_password_hasher() -> None:
    import importlib

    production = importlib.import_module("tropa.settings")
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x"])
def test_it_never_redirects_to_another_host_after_sign_in(coordinator: Any, target: str) -> None:
    device = TOTPDevice.objects.create(user=coordinator, name="t", confirmed=True)
    client = Client()
    client.post(LOGIN, {"username": "alice", "password": PASSWORD, "next": target})
    response = client.post(reverse("accounts:verify"), {"token": _code(device)})
    assert response["Location"] == reverse("cases:dashboard")


def test_a_session_id_is_dead_after_sign_out(coordinator: Any) -> None:
    client = sign_in(Client(), coordinator)
    old_session = client.cookies["tropa_session"].value
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["tropa_session"] = old_session
    response = replay.get(reverse("cases:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_session_id_changes_at_sign_in(coordinator: Any) -> None:
    device = TOTPDevice.objects.create(user=coordinator, name="t", confirmed=True)
    client = Client()
    client.get(LOGIN)
    client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    before = client.cookies["tropa_session"].value
    client.post(reverse("accounts:verify"), {"token": _code(device)})
    assert client.cookies["tropa_session"].value != before
