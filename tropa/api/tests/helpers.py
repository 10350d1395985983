"""Tokens for tests: made through the real service, with a real TOTP code."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.accounts.models import User
from tropa.api import services
from tropa.api.scopes import Scope

ALL = list(Scope.values)


def current_code(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    # A code not used before: django-otp refuses a code of a time step already used.
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (
        totp.time + 30 * (device.last_t + 1 - totp.t()) if device.last_t >= totp.t() else totp.time
    )
    return f"{totp.token():06d}"


def token_for(user: User, scopes: list[str] | None = None, days: int = 30) -> str:
    new = services.create_token(
        actor=user,
        name="test",
        days=days,
        scopes=ALL if scopes is None else scopes,
        totp_code=current_code(user),
    )
    return new.secret


def api_client(user: User, scopes: list[str] | None = None) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scopes)}")


def body(response: Any) -> Any:
    return response.json()
