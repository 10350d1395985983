"""Referrals of a case to another organization, and advocates' time-limited access.

A referral belongs to the sending organization; until a coordinator of the receiving one
accepts it, nothing of the case is copied anywhere, and the receiver sees only its kind and
the sender. On acceptance the chosen parts are unsealed with the sender's rows and sealed
into new rows of the receiving organization (``services/accept.py``). What was chosen is
kept as field *names* and item codes; the consent, the note and any reason are sealed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.core.models import OrganizationOwned


class Mode(models.TextChoices):
    TRANSFER = "transfer", _("Transfer (the case closes here)")
    SHARE = "share", _("Share (both keep working)")


class State(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiver")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CopyState(models.TextChoices):
    NONE = "", _("Nothing to copy")
    QUEUED = "queued", _("Waiting to copy")
    RUNNING = "running", _("Copying")
    DONE = "done", _("Copied")
    FAILED = "failed", _("Copying failed")


class ConsentHow(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    SIGNED = "signed", _("Signed form")
    MESSENGER = "messenger", _("In a messenger")
    PHONE = "phone", _("By phone")
    OTHER = "other", _("Other")


class Referral(OrganizationOwned):
    """A case offered to ``receiver``; ``organization`` is the sender."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="outgoing_referrals"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="incoming_referrals"
    )
    mode = models.CharField(_("kind"), max_length=10, choices=Mode.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # What goes, by name and code only: {"identity": [field, ...], "service_record": bool,
    # "evidence": [item code, ...], "outreach": bool, "vetting": bool,
    # "testimony": [testimony code, ...], "vetting_dossier": bool}
    parts = models.JSONField(default=dict)
    # {"note", "consent_on", "consent_how", "consent_for"}: sealed with the sender's key.
    sealed = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # Who decided (a coordinator of the receiver) or withdrew (the sender), and when.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # A decline's reason, sealed with the sender's key: the sender reads it.
    sealed_reason = models.BinaryField(null=True, blank=True)
    copy_state = models.CharField(max_length=10, choices=CopyState.choices, blank=True)
    copy_done = models.PositiveBigIntegerField(default=0)
    copy_total = models.PositiveBigIntegerField(default=0)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["receiver", "state"]),
        ]

    def __str__(self) -> str:
        return f"referral {self.code}"


class Receipt(OrganizationOwned):
    """The receiving side of an accepted referral: its new case, and the sender's note,
    consent and what came, sealed with the receiver's key."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="receipt")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"receipt {self.code}"


class CopiedItem(models.Model):
    """One evidence item of a referral and its copy in the receiver's case (once made)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="items")
    source = models.ForeignKey("evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+")
    copy = models.OneToOneField(
        "evidence.EvidenceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The copy's code, chosen at acceptance: interviews that came with the referral cite
    # their recordings by it before the background copy has made them.
    copy_code = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "source"], name="one_copy_per_item")
        ]

    def __str__(self) -> str:
        return f"copy of {self.source_id}"


class AdvocateGrant(OrganizationOwned):
    """An advocate's access to one case, until ``expires_at`` or revocation."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="advocate_grants")
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advocate_grants"
    )
    # The public summary the coordinator writes for the advocate, sealed.
    sealed_summary = models.BinaryField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["advocate", "revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return f"advocate grant {self.code}"
