"""Vetting: the checks before anyone vouches for a man, decided by two people.

Every text a verifier writes (a finding, a claim, a decision's reasons, an override, a reopen
reason) and every link from a check to the material it rests on is sealed with the
organization's key. What stays plain are codes: statuses, grades, outcomes, who and when.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.core.models import OrganizationOwned


class CheckKind(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    SERVICE = "service", _("Service record")
    DEPARTURE = "departure", _("How he left")
    SCREENING = "screening", _("Screening")
    EXCLUSION = "exclusion", _("Exclusion (Art. 1F / Art. 12(2))")
    INFILTRATION = "infiltration", _("Infiltration risk")
    INTERVIEWS = "interviews", _("Interviews held")
    OTHER = "other", pgettext_lazy("check kind", "Other")


# What each default item asks (shown under its name on the vetting page).
CHECK_GUIDANCE = {
    CheckKind.IDENTITY: _("Documents seen (which ones), photo compared."),
    CheckKind.SERVICE: _("Unit, rank, dates, deployments: plausible and consistent."),
    CheckKind.DEPARTURE: _("Order, criminal case, wanted listing, desertion date."),
    CheckKind.SCREENING: _("Every current list version screened; no open hit."),
    CheckKind.EXCLUSION: _(
        "Refugee Convention Art. 1F / Qualification Directive Art. 12(2): his unit's documented "
        "conduct at the places and times he served, his own account, any “may be implicated” "
        "testimony."
    ),
    CheckKind.INFILTRATION: _(
        "Contradictions between interviews, unexplained contacts, pressure on family."
    ),
    CheckKind.INTERVIEWS: _("Who, when, in which language, with which interpreter."),
    CheckKind.OTHER: "",
}

DEFAULT_KINDS = [k for k in CheckKind if k != CheckKind.OTHER]


class ChecklistItem(OrganizationOwned):
    """One item of an organization's default checklist; an administrator edits the list.

    A default item has an empty ``name`` and shows its kind's translated name until it is
    renamed. Items are retired, never deleted: vettings that used one keep their check.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="checklist_items"
    )
    kind = models.CharField(max_length=20, choices=CheckKind.choices, default=CheckKind.OTHER)
    name = models.CharField(pgettext_lazy("checklist item", "name"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["position", "created_at"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return str(self.name or self.get_kind_display())

    @property
    def title(self) -> str:
        return str(self)

    @property
    def guidance(self) -> str:
        return "" if self.name else str(CHECK_GUIDANCE.get(CheckKind(self.kind), ""))


class VettingState(models.TextChoices):
    OPEN = "open", pgettext_lazy("vetting", "Open")
    PROPOSED = "proposed", _("Decision awaiting a second sign-off")
    DECIDED = "decided", pgettext_lazy("vetting", "Decided")


class Vetting(OrganizationOwned):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="vetting")
    state = models.CharField(max_length=10, choices=VettingState.choices, default=VettingState.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)

    class Meta(OrganizationOwned.Meta):
        indexes = [models.Index(fields=["organization", "state", "opened_at"])]
        verbose_name = _("vetting")
        verbose_name_plural = _("vettings")

    def get_outcome_display(self) -> str:
        """The decision in effect, in words (the column holds its code, or nothing)."""
        return str(dict(Outcome.choices).get(self.outcome, self.outcome))

    def __str__(self) -> str:
        return f"vetting {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("vetting:detail", args=[self.code])


class CheckStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SATISFIED = "satisfied", _("Satisfied")
    CONCERN = "concern", _("Concern")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


UNFINISHED = (CheckStatus.NOT_STARTED, CheckStatus.IN_PROGRESS)
BLOCKING = (*UNFINISHED, CheckStatus.FAILED)


class Check(OrganizationOwned):
    """One checklist item worked for one vetting. ``sealed`` holds the finding and the codes
    of the evidence items, screening reviews and interview notes it rests on."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    vetting = models.ForeignKey(Vetting, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="checks")
    status = models.CharField(
        max_length=20, choices=CheckStatus.choices, default=CheckStatus.NOT_STARTED
    )
    sealed = models.BinaryField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["item__position", "item__created_at"]
        constraints = [
            models.UniqueConstraint(fields=["vetting", "item"], name="one_check_per_item")
        ]

    def __str__(self) -> str:
        return f"check {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("vetting:check", args=[self.code])


class CheckRevision(models.Model):
    """A check as it was after each change: its history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    check_row = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="revisions")
    status = models.CharField(max_length=20, choices=CheckStatus.choices)
    sealed = models.BinaryField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"revision of {self.check_row_id}"


class Basis(models.TextChoices):
    DOCUMENTED = "documented", _("Documented")
    CORROBORATED = "corroborated", _("Corroborated by an independent source")
    SELF_REPORTED = "self_reported", _("Self-reported only")
    CONTRADICTED = "contradicted", _("Contradicted")


class Reliability(models.TextChoices):
    """The Admiralty code's source reliability."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class Credibility(models.TextChoices):
    """The Admiralty code's information credibility."""

    C1 = "1", _("1: confirmed by other sources")
    C2 = "2", _("2: probably true")
    C3 = "3", _("3: possibly true")
    C4 = "4", _("4: doubtful")
    C5 = "5", _("5: improbable")
    C6 = "6", _("6: truth cannot be judged")


class Claim(OrganizationOwned):
    """One claim of the man's story, graded. ``sealed`` holds the claim and its basis text."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    vetting = models.ForeignKey(Vetting, on_delete=models.CASCADE, related_name="claims")
    sealed = models.BinaryField()
    basis = models.CharField(max_length=20, choices=Basis.choices, blank=True)
    reliability = models.CharField(max_length=1, choices=Reliability.choices, blank=True)
    credibility = models.CharField(max_length=1, choices=Credibility.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"claim {self.code}"

    @property
    def admiralty(self) -> str:
        return f"{self.reliability}{self.credibility}" if self.reliability else ""

    def get_absolute_url(self) -> str:
        return reverse("vetting:claim", args=[self.code])


class Outcome(models.TextChoices):
    RECOMMEND = "recommend", _("Recommend")
    NOT_RECOMMEND = "not_recommend", _("Do not recommend")
    DEFER = "defer", _("Defer")


class DecisionState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting a second sign-off")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REOPENED = "reopened", _("Reopened")


class Decision(OrganizationOwned):
    """A decision on a vetting; it takes effect with its second sign-off. Reopened or
    withdrawn decisions stay, as the vetting's history."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    vetting = models.ForeignKey(Vetting, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    state = models.CharField(
        max_length=10, choices=DecisionState.choices, default=DecisionState.PROPOSED
    )
    sealed_reasons = models.BinaryField()
    proposed_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    sealed_reopen_reason = models.BinaryField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["organization", "state", "decided_at"])]

    def __str__(self) -> str:
        return f"decision {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("vetting:detail", args=[self.vetting.code])


class SignOff(models.Model):
    """One person's sign-off on a decision; the first is the proposer's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="signoffs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    # The override reason, when a recommend is signed while something blocks it.
    sealed_override = models.BinaryField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "user"], name="one_signoff_per_person")
        ]

    def __str__(self) -> str:
        return f"sign-off on {self.decision_id}"


class Recipient(models.TextChoices):
    EMBASSY = "embassy", _("Embassy or consulate")
    UNHCR = "unhcr", _("UNHCR")
    NGO = "ngo", _("Non-governmental organization")
    LAWYER = "lawyer", pgettext_lazy("recipient", "Lawyer")


class DossierLanguage(models.TextChoices):
    EN = "en", "English"
    DE = "de", "Deutsch"
    FR = "fr", "Français"
    RU = "ru", "Русский"


class DossierStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    REFUSED = "refused", _("Refused")
    BUILDING = "building", _("Being built")
    FAILED = "failed", _("Could not be built")
    READY = "ready", _("Ready to download")
    EXPIRED = "expired", _("Expired")


# The identity fields a user may choose to include for one recipient.
DOSSIER_IDENTITY_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "birth_date",
    "birthplace",
    "documents",
)


class Dossier(OrganizationOwned):
    """A dossier for one recipient: requested, approved by a second person, built, fetched.

    The built file (a tar holding the PDF and the signed manifest) is stored encrypted with
    the case key, like an evidence bundle. The recipient's name is sealed.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    vetting = models.ForeignKey(Vetting, on_delete=models.CASCADE, related_name="dossiers")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    recipient_kind = models.CharField(max_length=10, choices=Recipient.choices)
    sealed_recipient = models.BinaryField()
    language = models.CharField(max_length=2, choices=DossierLanguage.choices)
    identity_fields = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=DossierStatus.choices, default=DossierStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    blob = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(default=0)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"dossier {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("vetting:dossier", args=[self.code])
