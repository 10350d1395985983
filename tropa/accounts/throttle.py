"""Per-user login throttling that an attacker cannot use to lock a colleague out.

Failures are counted per user name *and device class*: a browser that has completed a full
sign-in for that name before carries a signed device cookie and has its own counter; every
other client shares the "untrusted" counter of that name (OWASP's device-cookie scheme).
Someone guessing a coordinator's password locks out only untrusted clients, while the
coordinator's own browser still gets in. Unknown user names are throttled exactly like
known ones, so the lock-out reveals nothing. No IP address or user agent is used or stored,
which is why django-axes (which stores both) is not used here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import LoginThrottle

DEVICE_COOKIE = "tropa_device"
_DEVICE_SALT = "tropa.accounts.device"
_DEVICE_MAX_AGE = 365 * 24 * 3600


def _name_digest(username: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(),
        b"login-name\x00" + username.strip().lower().encode(),
        hashlib.sha256,
    ).hexdigest()


def _device_of(request: HttpRequest, username: str) -> str:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if raw:
        try:
            data = signing.loads(raw, salt=_DEVICE_SALT, max_age=_DEVICE_MAX_AGE)
        except signing.BadSignature:
            return "untrusted"
        if isinstance(data, dict) and data.get("n") == _name_digest(username)[:32]:
            return str(data.get("d", "untrusted"))
    return "untrusted"


def throttle_key(request: HttpRequest, username: str) -> str:
    device = _device_of(request, username)
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"{_name_digest(username)}|{device}".encode(),
        hashlib.sha256,
    ).hexdigest()


def is_locked(key: str) -> bool:
    row = LoginThrottle.objects.filter(key=key).first()
    return bool(row and row.locked_until and row.locked_until > timezone.now())


def register_failure(key: str) -> bool:
    """Count one failure; return True if the key is now locked."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            key=key, defaults={"updated_at": now}
        )
        window = timedelta(seconds=settings.TROPA_LOGIN_LOCKOUT_SECONDS)
        if row.locked_until and row.locked_until <= now:
            row.failures, row.locked_until = 0, None
        elif now - row.updated_at > window:
            row.failures = 0
        row.failures += 1
        if row.failures >= settings.TROPA_LOGIN_FAILURE_LIMIT:
            row.locked_until = now + window
        row.updated_at = now
        row.save()
        return row.locked_until is not None


def reset(key: str) -> None:
    LoginThrottle.objects.filter(key=key).delete()


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a full sign-in, mark this browser as a known device for ``username``."""
    device = _device_of(request, username)
    if device == "untrusted":
        device = secrets.token_urlsafe(16)
    value = signing.dumps({"n": _name_digest(username)[:32], "d": device}, salt=_DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=_DEVICE_MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )
