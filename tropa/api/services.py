"""Creating, checking, counting and revoking personal API tokens; every write audited.

A token is ``tropa_<prefix>_<secret>``: the prefix (8 hex digits, not secret) finds the row,
the SHA-256 of the whole token proves it. The token itself is returned once, by
``create_token``, and is never stored, logged or put in an audit entry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.accounts import throttle
from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.core.errors import ServiceError

from .models import ApiToken
from .scopes import Scope

PREFIX = "tropa_"
DEFAULT_DAYS = 30
MAX_DAYS = 365
_WINDOW = timedelta(minutes=1)


class TokenError(ServiceError):
    """A token that cannot be created or revoked; the message is for the user."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _totp_key(user: User) -> str:
    return f"api-token:{user.code}"


def check_fresh_code(user: User, code: str) -> None:
    """The user's current TOTP code, as at sign-in: single use, failures throttled."""
    key = _totp_key(user)
    if throttle.is_locked(key):
        raise TokenError(_("Too many failed attempts. Wait 15 minutes and try again."))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(code.strip()):
        throttle.register_failure(key)
        log_action(user, Action.AUTH_SECOND_FACTOR_FAILED)
        raise TokenError(_("This code is wrong or was already used. Wait for the next one."))
    throttle.reset(key)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def create_token(
    *, actor: User, name: str, days: int, scopes: list[str], totp_code: str
) -> NewToken:
    organization = actor.organization
    if organization is None:
        raise TokenError(_("Only a member of an organization can create a token."))
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("A token lasts from 1 to 365 days."))
    if not scopes or set(scopes) - set(Scope.values):
        raise TokenError(_("Choose at least one scope."))
    if not name.strip():
        raise TokenError(_("Give the token a name."))
    check_fresh_code(actor, totp_code)
    prefix = secrets.token_hex(4)
    secret = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=organization,
            user=actor,
            name=name.strip(),
            prefix=prefix,
            digest=_digest(secret),
            scopes=sorted(set(scopes)),
            expires_at=timezone.now() + timedelta(days=days),
        )
        log_action(actor, Action.API_TOKEN_CREATED, token, scopes=token.scopes, days=days)
    return NewToken(token=token, secret=secret)


def may_revoke(actor: User, token: ApiToken) -> bool:
    from tropa.accounts.permissions import Cap, can

    if token.organization_id != getattr(actor.organization, "pk", None):
        return False
    return token.user_id == actor.pk or can(actor, Cap.MANAGE_USERS)


def revoke_token(*, actor: User, token: ApiToken) -> None:
    if not may_revoke(actor, token):
        raise TokenError(_("You may not revoke this token."))
    if token.revoked_at is not None:
        raise TokenError(_("This token is already revoked."))
    with transaction.atomic():
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        log_action(actor, Action.API_TOKEN_REVOKED, token, own=token.user_id == actor.pk)


def tokens_of(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(organization=user.organization, user=user))


def organization_tokens(admin: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(organization=admin.organization).select_related("user"))


def _refuse(prefix: str, why: str) -> None:
    # Only a prefix of our own alphabet reaches the log, never other text that was sent.
    shown = prefix if len(prefix) == 8 and all(c in "0123456789abcdef" for c in prefix) else ""
    log_action(None, Action.API_TOKEN_REFUSED, prefix=shown, why=why)


def authenticate(presented: str) -> ApiToken | None:
    """The live token ``presented`` is, with its active user; None (audited) otherwise.

    A deactivated user, a user without an organization, a revoked or expired token: refused
    at once, on every call (nothing is cached).
    """
    prefix, _sep, secret = presented.removeprefix(PREFIX).partition("_")
    if not presented.startswith(PREFIX) or len(prefix) != 8 or len(secret) < 40:
        _refuse("", "malformed")
        return None
    token: ApiToken | None = (
        ApiToken.objects.unscoped()
        .select_related("user", "organization")
        .filter(prefix=prefix)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(presented)):
        _refuse(prefix, "unknown")
        return None
    user = token.user
    member = user.membership_or_none
    if not token.is_live or not user.is_active or member is None:
        _refuse(prefix, "not_live")
        return None
    if member.organization_id != token.organization_id:
        _refuse(prefix, "organization")
        return None
    return token


def count_call(token: ApiToken) -> int:
    """Count one call against the token's rate; 0 if allowed, else seconds to wait.

    The counter is a conditional UPDATE on the token's row: every worker and every server
    sharing the database counts into the same window.
    """
    limit = settings.TROPA_API_RATE_PER_MINUTE
    now = timezone.now()
    rows = ApiToken.objects.unscoped().filter(pk=token.pk)
    started = rows.filter(window_start__gt=now - _WINDOW)
    if started.filter(window_calls__lt=limit).update(
        window_calls=F("window_calls") + 1, last_used_at=now
    ):
        return 0
    if started.exists():
        start = rows.values_list("window_start", flat=True).get()
        return max(1, int((start + _WINDOW - now).total_seconds()) + 1)
    # A new window; of two workers starting it at once, the second counts into the first's.
    stale = Q(window_start__isnull=True) | Q(window_start__lte=now - _WINDOW)
    if not rows.filter(stale).update(window_start=now, window_calls=1, last_used_at=now):
        rows.update(window_calls=F("window_calls") + 1, last_used_at=now)
    return 0
