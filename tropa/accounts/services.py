"""Every write to organizations, accounts and second factors, each audited."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.audit.services import log_action
from tropa.crypto.fields import create_organization_keys

from .passwords import generate_passphrase
from .models import Membership, Organization, Role, User



def generate_password() -> str:
    """A passphrase of six random words from the EFF list (≈ 77 bits), easy to type."""
    return generate_passphrase()


def create_organization(*, actor: Any, name: str) -> Organization:
    with transaction.atomic():
        org = Organization.objects.create(name=name)
        create_organization_keys(org.pk)
        log_action(actor, "organization.created", org, organization=org)
    return org


def create_user(
    *,
    actor: Any,
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
        log_action(actor, "user.created", user, organization=organization, role=role)
    return user, password


def set_role(*, actor: Any, user: User, role: str) -> None:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        Membership.objects.filter(user=user).update(role=role)
        log_action(actor, "user.role_changed", user, role=role)


def set_active(*, actor: Any, user: User, active: bool) -> None:
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        # Django's ModelBackend refuses inactive users, so open sessions end at once.
        log_action(actor, "user.activated" if active else "user.deactivated", user)


def reset_two_factor(*, actor: Any, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        log_action(actor, "user.two_factor_reset", user)


def change_password(*, actor: Any, user: User, new_password: str) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        log_action(actor, "user.password_changed", user)


def set_language(*, actor: Any, user: User, language: str) -> None:
    with transaction.atomic():
        user.language = language
        user.save(update_fields=["language"])
        log_action(actor, "user.language_changed", user, language=language)


def set_time_zone(*, actor: Any, user: User, time_zone: str) -> None:
    with transaction.atomic():
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
        log_action(actor, "user.time_zone_changed", user)


def start_totp_setup(user: User) -> TOTPDevice:
    """The unconfirmed device shown at first sign-in; reused until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Tropa", confirmed=False)
    return device


def confirm_totp(*, user: User, device: TOTPDevice) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        log_action(user, "user.two_factor_enabled", user)
