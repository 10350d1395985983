"""Every write to organizations, accounts and second factors, each audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.core.currency import Currency
from tropa.core.errors import ServiceError
from tropa.crypto.fields import create_organization_keys

from .models import (
    CONTENT_ROLES,
    Enrolment,
    EnrolmentReason,
    Membership,
    Organization,
    Role,
    RoleRequest,
    RoleRequestStatus,
    User,
)
from .passwords import generate_passphrase


def generate_password() -> str:
    """A passphrase of six random words from the EFF list (≈ 77 bits), easy to type."""
    return generate_passphrase()


def create_organization(*, actor: User | None, name: str) -> Organization:
    with transaction.atomic():
        org = Organization.objects.create(name=name)
        create_organization_keys(org.pk)
        log_action(actor, Action.ORGANIZATION_CREATED, org, organization=org)
    return org


def create_user(
    *,
    actor: User | None,
    organization: Organization,
    username: str,
    role: str,
    password: str | None = None,
    language: str = "",
) -> tuple[User, str]:
    """Create an account; returns it with its initial password (shown once, never stored)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    password = password or generate_password()
    with transaction.atomic():
        user = User(username=username, language=language)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, organization=organization, role=role)
        log_action(actor, Action.USER_CREATED, user, organization=organization, role=role)
    return user, password


class AccountError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user."""


def set_role(*, actor: User | None, user: User, role: str) -> None:
    """Set a role at once, without approval: for the shell (bootstrap) and approvals only."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        Membership.objects.filter(user=user).update(role=role)
        log_action(actor, Action.USER_ROLE_CHANGED, user, role=role)


# Roles that need a second person --------------------------------------------------------


def _membership(user: User) -> Membership:
    return Membership.objects.select_related("organization").get(user=user)


def request_role_change(
    *, actor: User, user: User, role: str, reason: str = "change"
) -> RoleRequest | None:
    """Ask for ``user``'s role to become ``role``; a coordinator must approve it.

    Returns None when nothing changes. Nobody changes their own role. A change to or from a
    role that sees case content (every role but admin) waits for a coordinator of the same
    organization who is neither the requester nor the subject. A later request for the same
    user replaces a pending one.
    """
    if role not in Role.values:
        raise AccountError(_("Unknown role."))
    if user.pk == actor.pk:
        raise AccountError(
            _("You cannot change your own role. Another administrator can request it.")
        )
    with transaction.atomic():
        membership = _membership(user)
        pending = RoleRequest.objects.select_for_update().filter(
            subject=user, status=RoleRequestStatus.PENDING
        )
        for earlier in pending:
            earlier.status, earlier.decided_at = RoleRequestStatus.WITHDRAWN, timezone.now()
            earlier.save(update_fields=["status", "decided_at"])
            log_action(actor, Action.USER_ROLE_REQUEST_WITHDRAWN, user, request=str(earlier.code))
        if membership.role == role:
            return None
        if role not in CONTENT_ROLES and membership.role not in CONTENT_ROLES:
            # Neither side sees case content (an account with no role yet made admin).
            set_role(actor=actor, user=user, role=role)
            return None
        request = RoleRequest.objects.create(
            organization=membership.organization,
            subject=user,
            from_role=membership.role,
            to_role=role,
            reason=reason,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        log_action(
            actor,
            Action.USER_ROLE_CHANGE_REQUESTED,
            user,
            request=str(request.code),
            from_role=membership.role,
            to_role=role,
        )
    return request


def may_decide(actor: User | None, request: RoleRequest) -> bool:
    """A coordinator of the request's organization, neither its requester nor its subject."""
    return (
        actor is not None
        and actor.role == Role.COORDINATOR
        and actor.is_active
        and actor.organization is not None
        and actor.organization.pk == request.organization_id  # no query per request row
        and actor.pk not in (request.requested_by_id, request.subject_id)
    )


def _decide(actor: User, request: RoleRequest, status: str) -> RoleRequest:
    locked = RoleRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RoleRequestStatus.PENDING:
        raise AccountError(_("This request was already decided or replaced."))
    if actor.pk == locked.requested_by_id:
        raise AccountError(_("You asked for this change: another coordinator must decide it."))
    if actor.pk == locked.subject_id:
        raise AccountError(
            _("This change is about your own account: another coordinator must decide it.")
        )
    if not may_decide(actor, locked):
        raise AccountError(_("Only a coordinator of this organization can decide this."))
    locked.status, locked.decided_by, locked.decided_at = status, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def approve_role_request(*, actor: User, request: RoleRequest) -> RoleRequest:
    """The second person's approval: only now does the role change."""
    with transaction.atomic():
        current = _membership(request.subject).role
        if current != request.from_role:
            raise AccountError(
                _("The role of this account changed since the request. Refuse it and ask again.")
            )
        decided = _decide(actor, request, RoleRequestStatus.APPROVED)
        log_action(
            actor,
            Action.USER_ROLE_CHANGE_APPROVED,
            request.subject,
            request=str(request.code),
            requested_by=str(request.requested_by.code) if request.requested_by else "",
        )
        set_role(actor=actor, user=request.subject, role=request.to_role)
    return decided


def refuse_role_request(*, actor: User, request: RoleRequest) -> RoleRequest:
    with transaction.atomic():
        decided = _decide(actor, request, RoleRequestStatus.REFUSED)
        log_action(
            actor, Action.USER_ROLE_CHANGE_REFUSED, request.subject, request=str(request.code)
        )
    return decided


def withdraw_role_request(*, actor: User, request: RoleRequest) -> None:
    """Take back a pending request; only whoever asked for it may."""
    with transaction.atomic():
        locked = RoleRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RoleRequestStatus.PENDING:
            raise AccountError(_("This request was already decided or replaced."))
        if locked.requested_by_id != actor.pk:
            raise AccountError(_("Only who asked for this change can withdraw it."))
        locked.status, locked.decided_at = RoleRequestStatus.WITHDRAWN, timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        log_action(
            actor, Action.USER_ROLE_REQUEST_WITHDRAWN, locked.subject, request=str(locked.code)
        )


def pending_role_requests(organization: Organization) -> Any:
    return RoleRequest.objects.filter(
        organization=organization, status=RoleRequestStatus.PENDING
    ).select_related("subject", "requested_by")


# Enrolment by a one-time link -----------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_enrolment(*, actor: User | None, user: User, reason: str) -> str:
    """A new one-time link token for ``user`` (earlier unused ones stop working).

    Only its digest is stored; the token is returned once, to be passed on.
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Enrolment.objects.filter(user=user, used_at__isnull=True).delete()
        Enrolment.objects.create(
            user=user,
            digest=_digest(token),
            reason=reason,
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=settings.TROPA_ENROLMENT_HOURS),
        )
        log_action(actor, Action.USER_ENROLMENT_ISSUED, user, reason=reason)
    return token


def find_enrolment(token: str) -> Enrolment | None:
    """The usable enrolment for ``token``: unused, unexpired, of an active account."""
    return (
        Enrolment.objects.filter(
            digest=_digest(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )


def complete_enrolment(*, enrolment: Enrolment, password: str) -> User:
    """The user's own password; the link is spent. The second factor is set up next."""
    with transaction.atomic():
        locked = (
            Enrolment.objects.select_for_update()
            .filter(pk=enrolment.pk, used_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("user")
            .first()
        )
        if locked is None:
            raise AccountError(_("This link was already used or has expired."))
        user = locked.user
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).delete()
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        log_action(user, Action.USER_ENROLLED, user, reason=locked.reason)
        start_totp_setup(actor=user, user=user)
    return user


def invite_user(
    *, actor: User, organization: Organization, username: str, role: str, language: str = ""
) -> tuple[User, str, RoleRequest | None]:
    """An account its user enrols in by a one-time link; returns it, the token, the request.

    The account has no usable password until the user chooses one. A role that sees case
    content waits for a coordinator's approval; until then the account has no role.
    """
    if role not in Role.values:
        raise AccountError(_("Unknown role."))
    with transaction.atomic():
        user = User(username=username, language=language)
        user.set_unusable_password()
        user.save()
        immediate = "" if role in CONTENT_ROLES else role
        Membership.objects.create(user=user, organization=organization, role=immediate)
        log_action(actor, Action.USER_CREATED, user, organization=organization, role=immediate)
        request = None
        if role in CONTENT_ROLES:
            request = request_role_change(actor=actor, user=user, role=role, reason="new")
        token = issue_enrolment(actor=actor, user=user, reason=EnrolmentReason.NEW)
    return user, token, request


def enrol_from_shell(
    *, organization: Organization, username: str, role: str, language: str = ""
) -> tuple[User, str]:
    """The operator's way to add an account (the first coordinator of an organization):
    the role applies at once, the user still chooses their own password by the link."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        user = User(username=username, language=language)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organization=organization, role=role)
        log_action(
            None, Action.USER_CREATED, user, organization=organization, role=role, from_shell=True
        )
        token = issue_enrolment(actor=None, user=user, reason=EnrolmentReason.NEW)
    return user, token


def set_active(*, actor: User | None, user: User, active: bool) -> None:
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        # Django's ModelBackend refuses inactive users, so open sessions end at once.
        log_action(actor, Action.USER_ACTIVATED if active else Action.USER_DEACTIVATED, user)


def reset_two_factor(*, actor: User | None, user: User) -> tuple[str, RoleRequest | None]:
    """Remove the second factor and the password; returns a one-time enrolment token.

    Open sessions end (the session hash follows the password). Whoever opens the link gets
    the account back, so a role that sees case content is suspended until a coordinator
    approves it again (a user who lost their phone asks a colleague to confirm them).
    From the shell (``actor`` None) the role is kept.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        user.set_unusable_password()
        user.save(update_fields=["password"])
        log_action(actor, Action.USER_TWO_FACTOR_RESET, user)
        request = None
        role = _membership(user).role
        if role in CONTENT_ROLES and actor is not None:
            RoleRequest.objects.filter(subject=user, status=RoleRequestStatus.PENDING).update(
                status=RoleRequestStatus.WITHDRAWN, decided_at=timezone.now()
            )
            Membership.objects.filter(user=user).update(role="")
            log_action(actor, Action.USER_ROLE_SUSPENDED, user, role=role)
            request = request_role_change(actor=actor, user=user, role=role, reason="reset")
        token = issue_enrolment(actor=actor, user=user, reason=EnrolmentReason.RESET)
    return token, request


def change_password(*, actor: User | None, user: User, new_password: str) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        log_action(actor, Action.USER_PASSWORD_CHANGED, user)


def set_language(*, actor: User | None, user: User, language: str) -> None:
    with transaction.atomic():
        user.language = language
        user.save(update_fields=["language"])
        log_action(actor, Action.USER_LANGUAGE_CHANGED, user, language=language)


def set_organization_settings(
    *, actor: User | None, organization: Organization, default_currency: str
) -> list[str]:
    """An administrator's settings of their organization; returns the names that changed."""
    if default_currency not in Currency.values:
        raise AccountError(_("Choose a currency from the list."))
    with transaction.atomic():
        changed = []
        if organization.default_currency != default_currency:
            organization.default_currency = default_currency
            organization.save(update_fields=["default_currency"])
            changed.append("default_currency")
        if changed:
            log_action(
                actor,
                Action.ORGANIZATION_SETTINGS_CHANGED,
                organization,
                organization=organization,
                fields=changed,
                default_currency=default_currency,
            )
    return changed


def set_time_zone(*, actor: User | None, user: User, time_zone: str) -> None:
    from .zones import offered

    if time_zone not in offered():
        raise AccountError(_("Choose a time zone from the list."))
    with transaction.atomic():
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
        log_action(actor, Action.USER_TIME_ZONE_CHANGED, user)


def set_display_name(*, actor: User | None, user: User, display_name: str) -> None:
    """The name letters are signed with and colleagues see (never the login)."""
    with transaction.atomic():
        user.display_name = " ".join(display_name.split())[:120]
        user.save(update_fields=["display_name"])
        log_action(actor, Action.USER_DISPLAY_NAME_CHANGED, user)


def start_totp_setup(*, actor: User | None, user: User) -> TOTPDevice:
    """The unconfirmed device the set-up page shows, made once when the password step
    passes (sign-in or enrolment, both POSTs) and reused until it is confirmed; the set-up
    page only reads it."""
    with transaction.atomic():
        device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Tropa", confirmed=False)
            log_action(actor, Action.USER_TWO_FACTOR_SETUP_STARTED, user)
    return device


def totp_setup_device(user: User) -> TOTPDevice | None:
    """The device ``start_totp_setup`` made, for the set-up page (reads only)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def confirm_totp(*, user: User, device: TOTPDevice) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        log_action(user, Action.USER_TWO_FACTOR_ENABLED, user)
