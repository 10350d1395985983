"""The outreach tracker: a directory of institutions, every request sent to them and its answers.

Institutions and contact persons are public-facing directory data shared inside one
organization and stored in plain text. What a request says (subject, letter, reasons given in
answers, attachments) may concern a case, so it is sealed with the organization's key; those
rows use UUID primary keys made in Python because the key is part of the associated data.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.core.models import OrganizationOwned

DEFAULT_FOLLOWUP_DAYS = 14


class Kind(models.TextChoices):
    EMBASSY = "embassy", _("Embassy")
    CONSULATE = "consulate", _("Consulate")
    MINISTRY = "ministry", _("Ministry")
    MIGRATION = "migration", _("Migration office")
    UN = "un", _("UN body")
    NGO = "ngo", _("NGO")
    FOUNDATION = "foundation", _("Foundation")
    PARLIAMENT = "parliament", _("Member of parliament")
    OMBUDSMAN = "ombudsman", _("Ombudsman")
    JOURNALIST = "journalist", _("Journalist")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Web form")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    MESSENGER = "messenger", _("Messenger (Telegram, Signal…)")
    FAX = "fax", _("Fax")


class Status(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    NO_ANSWER = "no_answer", _("No answer")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASKED_MORE = "asked_more", _("Asked for more")
    REFERRED = "referred", _("Referred elsewhere")
    REFUSED = "refused", _("Refused")
    MEETING = "meeting", _("Meeting")
    GRANTED = "granted", _("Visa or admission granted")


# Statuses that mean the institution reacted at all; the others are silence.
ANSWERED = frozenset(
    {
        Status.ACKNOWLEDGED,
        Status.ASKED_MORE,
        Status.REFERRED,
        Status.REFUSED,
        Status.MEETING,
        Status.GRANTED,
    }
)


class LetterLanguage(models.TextChoices):
    RU = "ru", "Русский"
    EN = "en", "English"
    DE = "de", "Deutsch"
    FR = "fr", "Français"


class Institution(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="institutions"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("Two-letter code of the country the institution belongs to, e.g. DE."),
    )
    city = models.CharField(_("city"), max_length=80, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    email = models.CharField(_("e-mail"), max_length=200, blank=True)
    website = models.CharField(_("website or web form"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["organization", "kind"]),
            models.Index(fields=["organization", "country"]),
        ]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:institution", args=[self.code])

    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(c, c)) for c in self.channels]


class Contact(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=160)
    position = models.CharField(_("position"), max_length=160, blank=True)
    email = models.CharField(_("e-mail"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name


class FollowupPolicy(models.Model):
    """Days without an answer after which a request of this institution type is "no answer"."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    days = models.PositiveSmallIntegerField(default=DEFAULT_FOLLOWUP_DAYS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="one_policy_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.days}"


class Request(OrganizationOwned):
    """One attempt to reach an institution: for one case, for a group, or in general.

    ``sealed`` holds ``{"subject", "body"}`` as every outreach reader may see it. A letter
    that names the person (composed with the identity, or typed with the legal name) is
    identity: then ``sealed`` holds it with the identity masked, and ``identity_sealed`` the
    letter as written, opened only on an audited reveal (``services.reveal_letter``).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="outreach_requests"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="requests")
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("contact person"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outreach_requests",
        verbose_name=_("case"),
    )
    group = models.CharField(
        _("group"),
        max_length=120,
        blank=True,
        help_text=_("For a request about several people: a label for the group, no names."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=LetterLanguage.choices, blank=True
    )
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_requests",
        verbose_name=_("sent by"),
    )
    sealed = models.BinaryField()
    identity_sealed = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    status_on = models.DateField(_("status since"))
    answer_due_on = models.DateField(_("answer expected by"))
    first_answer_on = models.DateField(null=True, blank=True, editable=False)
    # Days from sending to the first answer of any kind: kept so that medians need no join.
    days_to_answer = models.PositiveIntegerField(null=True, blank=True, editable=False)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    followup_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    followup_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    # From a spreadsheet: history, sent by the person the sheet names (kept sealed in the
    # letter as ``sender``), never due for a follow-up unless the importer asked for it.
    imported = models.BooleanField(default=False, editable=False)
    # The row's keyed fingerprint (``blind_index``), so a second import of it is recognised.
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-sent_on", "-created_at"]
        indexes = [
            models.Index(fields=["organization", "-sent_on"]),
            models.Index(fields=["status", "answer_due_on"], name="outreach_followup_due"),
            models.Index(fields=["organization", "institution", "status"], name="outreach_stats"),
            models.Index(
                fields=["organization", "institution", "days_to_answer"], name="outreach_days"
            ),
            models.Index(fields=["organization", "sent_on", "status"], name="outreach_months"),
            models.Index(
                fields=["organization", "status", "followup_done_at", "answer_due_on", "sent_by"],
                name="outreach_due",
            ),
            # Not partial: SQLite would not use it for ``import_fingerprint IN (...)``.
            models.Index(
                fields=["organization", "import_fingerprint"], name="outreach_import_seen"
            ),
        ]
        verbose_name = _("request")
        verbose_name_plural = _("requests")

    def __str__(self) -> str:
        return f"request {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:request", args=[self.code])

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED

    @property
    def names_person(self) -> bool:
        """Whether the letter carries the identity (kept sealed apart, shown masked)."""
        return self.identity_sealed is not None


class StatusChange(models.Model):
    """One change of a request's status, with its date; ``sealed`` holds a reason or note.

    Sending is the first state of every request and is dated by ``Request.sent_on``, so it
    has no row here: an import of 100,000 rows writes half as many rows.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=20, choices=Status.choices)
    on = models.DateField()
    referred_to = models.CharField(max_length=200, blank=True)
    sealed = models.BinaryField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "at"]

    def __str__(self) -> str:
        return f"{self.status} on {self.on}"


class Attachment(OrganizationOwned):
    """A file kept with its request, sealed in the database (see ``MAX_ATTACHMENT_BYTES``)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveIntegerField()
    sealed = models.BinaryField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"attachment {self.code}"


# The starter set's template names are kept as loaded (a stable key) and shown translated.
STARTER_TEMPLATE_NAMES = {
    "Humanitarian visa": _("Humanitarian visa"),
    "Follow-up": _("Follow-up"),
}


class LetterTemplate(models.Model):
    """A letter in one language with ``{placeholders}``; data of the organization, editable."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=LetterLanguage.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name", "language"], name="one_template_per_language"
            )
        ]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def title(self) -> str:
        """The name as shown: the starter set's names in the reader's language."""
        return str(STARTER_TEMPLATE_NAMES.get(self.name, self.name))


class StatsVersion(models.Model):
    """Bumped by every write that changes the statistics, so cached figures know they are old."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"statistics version {self.version}"


class ImportStaging(OrganizationOwned):
    """An uploaded spreadsheet between upload and confirmation; sealed, deleted after use."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True)
    sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"import {self.code}"
