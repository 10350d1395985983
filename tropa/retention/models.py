"""Retention rules, erasures, and requests a second person approves (dual control, R18).

Nothing here holds case content: an erasure records that it happened (which case, when, why
by code), never what was erased; a request's reason is sealed under the organization's key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization
from tropa.cases.models import Case, Stage
from tropa.core.models import OrganizationOwned


class Policy(models.Model):
    """An organization's dual-control setting (R18)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="retention_policy"
    )
    dual_control = models.BooleanField(
        _("identity reveals need a second person's approval"), default=False
    )
    approval_hours = models.PositiveSmallIntegerField(
        _("hours a request waits for its approval"), default=24
    )

    def __str__(self) -> str:
        return f"policy of organization {self.organization_id}"


class RetentionRule(OrganizationOwned):
    """After ``months`` in ``stage``, a case's identity, contacts, addresses and notes go."""

    stage = models.CharField(
        _("stage"),
        max_length=20,
        choices=[(Stage.PROTECTED, _("Protected")), (Stage.CLOSED, _("Closed"))],
    )
    months = models.PositiveSmallIntegerField(_("months in that stage"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["stage", "months"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "stage"], name="one_rule_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.stage} after {self.months} months"


class Trigger(models.TextChoices):
    RETENTION = "retention", _("Retention rule")
    DECISION = "decision", _("Decision of two people")


class Erasure(OrganizationOwned):
    """That a case was erased: its case keys destroyed, its sealed columns emptied."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="erasure")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    rule = models.ForeignKey(RetentionRule, on_delete=models.SET_NULL, null=True, blank=True)
    erased_at = models.DateTimeField()

    class Meta(OrganizationOwned.Meta):
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"erasure of case {self.case_id}"


class Kind(models.TextChoices):
    REVEAL = "reveal", _("Identity reveal")
    ERASE = "erase", _("Erasure of a case")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    USED = "used", _("Used")
    BREAK_GLASS = "break_glass", _("Emergency reveal")


class Request(OrganizationOwned):
    """A reveal or an erasure that waits for a second person (the two-person rule)."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="control_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sealed_reason = models.BinaryField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Emergency reveals: who of the admins and coordinators looked at it afterwards.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} request {self.code}"


class HeldKind(models.TextChoices):
    SEARCH = "identity_search", _("Finding a case by identity")
    EXPORT = "export", _("Bulk export")


class HeldAction(OrganizationOwned):
    """A bulk read that dual control holds back (R18): finding a case by a document number or
    a legal name (which tells that a person is in the database), or a bulk export. A second
    coordinator approves it before it expires; its requester then runs it once.

    ``sealed_payload`` (what was typed, or the export's filters) is sealed under the
    organization's key and emptied once the action has run or was refused.
    """

    kind = models.CharField(max_length=20, choices=HeldKind.choices)
    what = models.CharField(max_length=60)  # "identity_search", "outreach.requests"…: a code
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sealed_reason = models.BinaryField()
    sealed_payload = models.BinaryField(default=b"", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"held {self.kind} {self.code}"
