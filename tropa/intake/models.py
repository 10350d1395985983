"""Intake: invitations, the public link, submissions, their messages and held attachments.

Nothing here names the person in plaintext: answers, messages and attachments are sealed with
the organization's key; the invitation token is kept only as its SHA-256; the codename only as
a keyed blind index (for lookup) and an Argon2id hash (for verification). No client address or
user agent is stored anywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.core.models import OrganizationOwned


class IntakeSettings(models.Model):
    """An organization's intake settings: its standing public link and neutral wording."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="intake_settings"
    )
    # The standing public link's random path part; published on purpose, so not a secret.
    public_slug = models.CharField(max_length=43, unique=True)
    public_enabled = models.BooleanField(_("public intake link open"), default=False)
    public_language = models.CharField(_("language of the public link"), max_length=5, default="ru")
    neutral_title = models.CharField(
        _("page title shown to the person"), max_length=80, default="", blank=True
    )
    neutral_intro = models.TextField(
        _("first screen shown to the person"), max_length=600, default="", blank=True
    )
    invitation_hours = models.PositiveSmallIntegerField(
        _("invitations expire after (hours)"), default=0
    )

    def __str__(self) -> str:
        return f"intake settings of {self.organization_id}"


class InvitationState(models.TextChoices):
    UNUSED = "unused", _("Unused")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(OrganizationOwned):
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="intake_invitations"
    )
    language = models.CharField(max_length=5, default="ru")
    form = models.CharField(max_length=40, default="default")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="intake_invitations")
        ]

    @property
    def state(self) -> str:
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.submitted_at:
            return InvitationState.SUBMITTED
        if self.started_at:
            return InvitationState.IN_PROGRESS
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.UNUSED

    def get_state_display(self) -> str:
        return str(InvitationState(self.state).label)


class Definition(OrganizationOwned):
    """An interview definition an organization's admin uploaded (shipped ones are files)."""

    language = models.CharField(max_length=5)
    form = models.CharField(max_length=40, default="default")
    version = models.CharField(max_length=40)
    content = models.JSONField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "form", "language", "version"],
                name="intake_definition_version_once",
            )
        ]


class Status(models.TextChoices):
    DRAFT = "draft", _("Being filled in")
    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("In review")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged into a case")
    REJECTED = "rejected", _("Rejected")


class RejectReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    UNSAFE = "unsafe", _("Unsafe (possible provocation)")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    PUBLIC = "public", _("Public link")
    BOT = "bot", _("Trusted bot")


class DocumentNeeded(models.TextChoices):
    PASSPORT = "passport", _("Internal passport")
    FOREIGN_PASSPORT = "foreign_passport", _("Foreign passport")
    MILITARY_ID = "military_id", _("Military ID")
    SUMMONS = "summons", _("Summons")
    CONTRACT = "contract", _("Military contract")
    MEDICAL = "medical", _("Medical papers")
    PHOTO = "photo", _("Photo of the person")


class Submission(OrganizationOwned):
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    # The existing case an invitation was for, or the case it was accepted as or merged into.
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="intake_submissions"
    )
    language = models.CharField(max_length=5)
    form = models.CharField(max_length=40, default="default")
    definition_version = models.CharField(max_length=40)
    sealed_answers = models.BinaryField()
    page = models.PositiveSmallIntegerField(default=0)
    codename_index = models.CharField(max_length=64, unique=True, editable=False)
    codename_hash = models.CharField(max_length=200, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    reject_reason = models.CharField(max_length=10, choices=RejectReason.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    documents_needed = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    # The last page he saved (seconds): a draft untouched for TROPA_INTAKE_DRAFT_DAYS is swept.
    touched_at = models.DateTimeField(null=True, blank=True)
    # Null while being filled in; the queue orders by it.
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(OrganizationOwned.Meta):
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "status", "-submitted_at", "-id"],
                name="intake_queue_by_status",
            ),
            models.Index(fields=["organization", "-submitted_at", "-id"], name="intake_queue"),
        ]


class Direction(models.TextChoices):
    TO_PERSON = "to_person", _("To the person")
    FROM_PERSON = "from_person", _("From the person")


class Message(OrganizationOwned):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=12, choices=Direction.choices)
    is_question = models.BooleanField(default=False)
    sealed = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["created_at", "id"]


class HeldAttachment(OrganizationOwned):
    """A file sent before there is a case: sealed here until the submission is accepted or
    merged, then ingested into the evidence vault and its sealed bytes dropped."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="held_attachments"
    )
    sealed = models.BinaryField()
    size = models.PositiveIntegerField()
    received_at = models.DateTimeField()


class PublicRate(models.Model):
    """How many interviews the public links started in one minute, across all of them.

    Keyed by the minute only: nothing about who asked. A conditional UPDATE counts, so every
    server process shares the one budget.
    """

    minute = models.DateTimeField(unique=True)
    count = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M}: {self.count}"
