"""The evidence vault: encrypted originals, derived objects, custody and exports.

An item's original bytes are its evidentiary copy (E1): stored once, encrypted with its
case's streaming key, identified by its SHA-256 taken at ingestion and never rewritten.
Everything Tropa makes from it (thumbnail, poster, stripped copy) is a ``DerivedObject``
with its own hash and a link back. Names, collection details and the metadata a file
carries (GPS, device) can locate people, so they are sealed with the organization key;
only codes, sizes, hashes and content types are plain columns.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.core.models import OrganizationOwned


class CaseKey(models.Model):
    """A case's streaming-AEAD keyset, wrapped by the master keyset.

    Deleting this row (and its backups) is crypto-erasure of every file of the case.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="evidence_key")
    wrapped = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"evidence key of case {self.case_id}"


class SigningKey(models.Model):
    """An organization's Ed25519 key for signing bundle manifests; the private half sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="evidence_signing_key"
    )
    public_key = models.CharField(max_length=64)
    sealed_private = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"signing key {self.public_key[:12]}"


class StorageQuota(models.Model):
    """An organization's own evidence quota, set by the server's operator with
    ``tropa evidence quota``; without one, ``TROPA_EVIDENCE_QUOTA_BYTES`` applies."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="evidence_quota"
    )
    quota_bytes = models.PositiveBigIntegerField()
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"evidence quota of {self.organization_id}"


class Method(models.TextChoices):
    PHONE = "phone", _("From a phone")
    MESSENGER = "messenger", _("Messenger export")
    USB = "usb", _("USB stick or disk")
    EMAIL = "email", _("E-mail")
    PAPER = "paper", _("Scanned or photographed paper")
    OTHER = "other", _("Other")


class MetadataStatus(models.TextChoices):
    PENDING = "pending", _("Not read yet")
    DONE = "done", _("Read")
    PARTIAL = "partial", _("Partly read (a tool is missing)")
    FAILED = "failed", _("The tools could not read this file")


class EvidenceItem(OrganizationOwned):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence_items")
    # The original: a storage object named by a random id, never by content or name.
    blob = models.CharField(max_length=64, unique=True, editable=False)
    sha256 = models.CharField(max_length=64, editable=False, db_index=True)
    size = models.PositiveBigIntegerField(editable=False)
    mime = models.CharField(max_length=120, editable=False)
    extension = models.CharField(max_length=16, blank=True, editable=False)
    method = models.CharField(_("received how"), max_length=20, choices=Method.choices)
    received_at = models.DateTimeField(_("received on"))
    # Original name and times, source pseudonym, note: the collection record (E8).
    sealed_record = models.BinaryField()
    sealed_metadata = models.BinaryField(null=True, blank=True)
    # The original name and whether the file records a position (E8, E7), sealed apart so
    # the case page opens one small value per item, not the record and the metadata.
    # Written at ingest and when the metadata is read; null only on a row neither reached.
    sealed_summary = models.BinaryField(null=True, blank=True)
    metadata_status = models.CharField(
        max_length=10, choices=MetadataStatus.choices, default=MetadataStatus.PENDING
    )
    missing_tools = models.JSONField(default=list, blank=True)
    # Set when making the metadata, thumbnail and stripped copy was given up (the worker
    # died on it again and again, or the step failed); the item page offers to try again.
    processing_failed_at = models.DateTimeField(null=True, blank=True)
    # A copy without metadata is still to be made by the worker (queued after ingest, out
    # of the ingest's critical path); cleared when that step ends, with or without a copy.
    stripped_pending = models.BooleanField(default=False)
    # Likewise the video poster: ffmpeg decoding a frame is left to the worker by
    # ``tropa evidence add`` (issue 19: the command's tree stays ≤ 150 MB).
    poster_pending = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verified_ok = models.BooleanField(null=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "case", "-created_at"])]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return f"evidence {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:item", args=[self.code])

    @property
    def generic_name(self) -> str:
        """The only file name Tropa ever gives out: the item code and the detected type."""
        return f"{self.code}{'.' + self.extension if self.extension else ''}"


class DerivedKind(models.TextChoices):
    THUMBNAIL = "thumbnail", _("Thumbnail")
    POSTER = "poster", _("Video poster")
    STRIPPED = "stripped", _("Copy without metadata")


class DerivedObject(OrganizationOwned):
    """A working copy made from an original; never a replacement for it (E1)."""

    derived_from = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="derived")
    kind = models.CharField(max_length=20, choices=DerivedKind.choices)
    blob = models.CharField(max_length=64, unique=True, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    mime = models.CharField(max_length=120, editable=False)
    tool = models.CharField(max_length=80)
    created_at = models.DateTimeField()

    class Meta(OrganizationOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["derived_from", "kind"], name="one_derived_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.derived_from_id}"


class CustodyAction(models.TextChoices):
    INGEST = "ingest", _("Received and stored")
    VIEW = "view", _("Viewed")
    DOWNLOAD = "download", _("Downloaded")
    DERIVE = "derive", _("Derived copy made")
    EXPORT = "export", _("Exported in a bundle")
    EXPORT_ABORTED = "export_aborted", _("Bundle not built; nothing left")
    VERIFY = "verify", _("Fixity verified")
    VERIFY_FAILED = "verify_failed", _("Fixity check FAILED")
    DELETE_REQUEST = "delete_request", _("Deletion requested")
    # sharing (tropa/sharing): copied to or from another organization's case by a referral
    TRANSFERRED = "transferred", _("Transferred by a referral")


class CustodyEntry(models.Model):
    """One link of an item's append-only, hash-chained custody log (E5).

    The user and a UTC time, never an address. The database refuses UPDATE and DELETE
    (migration 0002), and ``hash`` covers every field and the previous entry's hash.
    """

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=CustodyAction.choices)
    actor_code = models.CharField(max_length=36, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    object_sha256 = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["item", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="custody_item_seq")]

    def __str__(self) -> str:
        return f"custody #{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("custody entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("custody entries are append-only")


class UploadSession(OrganizationOwned):
    """A resumable browser upload: each chunk is encrypted and stored as it arrives."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    method = models.CharField(max_length=20, choices=Method.choices)
    received_at = models.DateTimeField()
    sealed_record = models.BinaryField()
    created_at = models.DateTimeField()
    item = models.OneToOneField(
        EvidenceItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"upload {self.code}"


class UploadPart(models.Model):
    session = models.ForeignKey(UploadSession, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    offset = models.PositiveBigIntegerField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    blob = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["session", "index"]
        constraints = [
            models.UniqueConstraint(fields=["session", "index"], name="upload_part_index")
        ]

    def __str__(self) -> str:
        return f"part {self.index} of {self.session_id}"


class DeletionRequest(models.Model):
    """Someone asked for an item to be deleted, and why (the reason sealed: it may name
    people). Deleting evidence is a later decision; the request stays on the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    item = models.ForeignKey(
        EvidenceItem, on_delete=models.PROTECT, related_name="deletion_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    sealed_reason = models.BinaryField()

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"deletion request for {self.item_id}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Building failed")
    EXPIRED = "expired", _("Expired")


class ExportFailure(models.TextChoices):
    """Why building an approved bundle failed; shown on the export page."""

    MISSING = "missing", _("A chosen item's stored file is missing.")
    CORRUPT = "corrupt", _("A chosen item's stored file does not match its recorded SHA-256.")
    KEY = "key", _("The case's encryption key was destroyed; its files can no longer be read.")
    NO_STRIPPED = "no_stripped", _("An item chosen as a stripped copy has none.")
    ERROR = "error", _("An unexpected error (for example a full disk) stopped the build.")


class ExportRequest(OrganizationOwned):
    """A request to export a case's evidence as a signed bundle (E6).

    A non-admin's request waits for a second person's approval; a built bundle is kept
    encrypted with the case key and is purged when the request expires.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    # {item code: "original" | "stripped"}
    selection = models.JSONField(default=dict)
    recipient = models.CharField(_("recipient's age key"), max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    blob = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    failure = models.CharField(max_length=12, choices=ExportFailure.choices, blank=True)
    failed_item = models.CharField(max_length=36, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"export {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:export", args=[self.code])
