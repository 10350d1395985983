from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core.currency import Currency


class Organization(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120, unique=True)
    # Preselected wherever an amount is recorded (support given and received).
    default_currency = models.CharField(
        _("default currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    CASEWORKER = "caseworker", _("Caseworker")
    LAWYER = "lawyer", _("Lawyer")
    VERIFIER = "verifier", _("Verifier")
    VOLUNTEER = "volunteer", _("Volunteer")
    # sharing (tropa/sharing): an outside supporter, journalist or lawyer, bound to the cases
    # granted to them for a limited time; sees the pseudonym, a public summary and outreach.
    ADVOCATE = "advocate", _("Advocate")


class User(AbstractUser):
    """A staff account. One account belongs to one organization (see Membership)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # How letters and pages name the user ("Anna, Tropa Astana"): never the login.
    display_name = models.CharField(_("display name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def shown_name(self) -> str:
        """The display name, or the full name; empty rather than the login."""
        return self.display_name.strip() or self.get_full_name()

    @property
    def membership_or_none(self) -> Membership | None:
        try:
            return self.membership
        except Membership.DoesNotExist:
            return None

    @property
    def organization(self) -> Organization | None:
        membership = self.membership_or_none
        return membership.organization if membership else None

    @property
    def role(self) -> str | None:
        membership = self.membership_or_none
        return membership.role if membership else None


class Membership(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    # Blank while a new or re-enrolled account waits for a coordinator to approve its role:
    # a blank role has no capabilities (see permissions.ROLE_CAPS).
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id} as {self.role}"


class LoginThrottle(models.Model):
    """Failed sign-in attempts per (user name, device class), keyed by an HMAC.

    Neither the user name nor any client address is stored: ``key`` is a keyed digest.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"throttle {self.key[:8]}"


# Every role but the administrator's sees case content.
CONTENT_ROLES = frozenset(Role.values) - {Role.ADMIN.value}


class EnrolmentReason(models.TextChoices):
    NEW = "new", _("new account")
    RESET = "reset", _("two-factor reset")


class Enrolment(models.Model):
    """A one-time link with which a user chooses their own password and sets up TOTP.

    Only a SHA-256 digest of the random token is stored; the link itself is shown once to
    whoever created it, to pass on. It expires (``TROPA_ENROLMENT_HOURS``) and works once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=10, choices=EnrolmentReason.choices)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"enrolment of {self.user_id}"


class RoleRequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn or replaced by a later request")


class RoleRequest(models.Model):
    """A change of role that a second person, a coordinator, must approve before it applies.

    ``from_role`` is blank for an account that has no role yet (new, or re-enrolled after a
    two-factor reset).
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="role_requests"
    )
    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests")
    from_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    to_role = models.CharField(max_length=20, choices=Role.choices)
    reason = models.CharField(max_length=10, default="change")
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=RoleRequestStatus.choices, default=RoleRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(status="pending"),
                name="one_pending_role_request_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"role request {self.code}"
