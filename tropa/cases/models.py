"""People (by pseudonym), their encrypted identities, service records and cases.

Every sensitive model carries its ``organization`` directly, so that isolation is one
``filter(organization=...)`` away and encryption can find the organization's key. Rows that
hold ciphertext use UUID primary keys made in Python: the key is part of the associated data.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization
from tropa.core.currency import Currency
from tropa.core.models import OrganizationOwned, ScopedManager, ScopedQuerySet

from . import places

__all__ = ["Currency"]  # re-exported: it used to live here


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    VETTING = "vetting", _("Vetting")
    PATHWAY = "pathway", _("Pathway")
    OUTREACH = "outreach", _("Outreach")
    IN_TRANSIT = "in_transit", _("In transit")
    PROTECTED = "protected", _("Protected")
    CLOSED = "closed", _("Closed")


class ClosedReason(models.TextChoices):
    PROTECTED_ELSEWHERE = "protected_elsewhere", _("Protected with help from others")
    RETURNED = "returned", _("Returned to Russia")
    DEPORTED = "deported", _("Deported or extradited")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    WITHDREW = "withdrew", _("Withdrew from our help")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible after vetting")
    DUPLICATE = "duplicate", _("Duplicate case")
    OTHER = "other", _("Other")
    # sharing (tropa/sharing): transferred to another organization with the man's consent
    REFERRED = "referred", _("Referred to another organization")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


RISK_ORDER = {Risk.LOW: 0, Risk.MEDIUM: 1, Risk.HIGH: 2, Risk.CRITICAL: 3}


class Country(models.TextChoices):
    KZ = "KZ", _("Kazakhstan")
    AM = "AM", _("Armenia")
    GE = "GE", _("Georgia")
    KG = "KG", _("Kyrgyzstan")
    UZ = "UZ", _("Uzbekistan")
    RS = "RS", _("Serbia")
    TR = "TR", _("Turkey")
    UA = "UA", _("Ukraine")
    MN = "MN", _("Mongolia")
    IL = "IL", _("Israel")
    DE = "DE", _("Germany")
    FR = "FR", _("France")
    OTHER = "XX", _("Other")


class Person(OrganizationOwned):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people")
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=80,
        help_text=_("The name used everywhere instead of the real one."),
    )
    # The pseudonym case-folded, to tell a user that it is already used ("Funker" = "FUNKER").
    pseudonym_folded = models.CharField(max_length=80, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        indexes = [
            models.Index(fields=["organization", "pseudonym"]),
            models.Index(fields=["organization", "pseudonym_folded"]),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.pseudonym


class Identity(models.Model):
    """Legal names, birth data, documents and contacts: one encrypted JSON document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity")
    sealed = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"identity of {self.person_id}"


class DocumentIndex(models.Model):
    """Blind index of document numbers: a keyed digest, never the number itself."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="doc_index")
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organization", "digest"])]

    def __str__(self) -> str:
        return f"document index {self.digest[:8]}"


class NameIndex(models.Model):
    """Keyed index of a legal name's tokens, for finding a case by a name.

    Each row is a keyed digest (the organization's key) of one spelling-independent key of
    one name token, cut to a few bits on purpose: many names share a row's value, so a
    seized database does not tell which people share a name. A search reads the candidates
    and compares the sealed names themselves (``tropa/cases/name_index.py``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="name_index")
    digest = models.CharField(max_length=8)

    class Meta:
        indexes = [models.Index(fields=["organization", "digest"])]

    def __str__(self) -> str:
        return "name index"


class Branch(models.TextChoices):
    GROUND = "ground", _("Ground forces")
    AIRBORNE = "airborne", _("Airborne forces (VDV)")
    NAVY = "navy", _("Navy and naval infantry")
    AEROSPACE = "aerospace", _("Aerospace forces")
    STRATEGIC = "strategic", _("Strategic missile forces")
    SPECIAL = "special", _("Special forces (GRU)")
    ROSGVARDIA = "rosgvardia", _("National Guard (Rosgvardia)")
    PMC = "pmc", _("Private military company")
    OTHER = "other", _("Other")


class ServiceType(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    MOBILIZED = "mobilized", _("Mobilized")
    CONSCRIPT = "conscript", _("Conscript")
    OFFICER = "officer", _("Career officer")
    VOLUNTEER = "volunteer", _("Volunteer formation")
    DRAFT_EVADER = "draft_evader", _("Never served (evaded the draft)")


class LeftHow(models.TextChoices):
    DESERTED = "deserted", _("Deserted from the unit")
    AWOL = "awol", _("Left the unit without leave (SOCh)")
    FROM_LEAVE = "from_leave", _("Did not return from leave")
    AVOIDED = "avoided", _("Avoided mobilization or the draft")
    SURRENDERED = "surrendered", _("Surrendered / crossed the front line")
    DISCHARGED = "discharged", _("Discharged")
    OTHER = "other", _("Other")


class WantedStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    NOT_WANTED = "not_wanted", _("Not known to be wanted")
    CASE_OPENED = "case_opened", _("Criminal case opened in Russia")
    WANTED_RU = "wanted_ru", _("On the Russian federal wanted list")
    INTERSTATE = "interstate", _("Interstate (CIS) search")
    INTERPOL = "interpol", _("Interpol notice requested")
    CONVICTED = "convicted", _("Convicted in absentia")


class Article(models.TextChoices):
    A337 = "337", _("Art. 337 (leaving the unit)")
    A338 = "338", _("Art. 338 (desertion)")
    A339 = "339", _("Art. 339 (evading service by deception or self-harm)")
    A352_1 = "352.1", _("Art. 352.1 (voluntary surrender)")


class ServiceRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="service_record")
    branch = models.CharField(_("branch"), max_length=20, choices=Branch.choices, blank=True)
    unit = models.CharField(_("unit"), max_length=160, blank=True)
    rank = models.CharField(_("rank"), max_length=80, blank=True)
    service_type = models.CharField(
        _("service"), max_length=20, choices=ServiceType.choices, blank=True
    )
    service_start = models.DateField(_("service from"), null=True, blank=True)
    service_end = models.DateField(_("service until"), null=True, blank=True)
    left_how = models.CharField(
        _("how he left"), max_length=20, choices=LeftHow.choices, blank=True
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    articles = models.JSONField(_("criminal exposure"), default=list, blank=True)
    wanted_status = models.CharField(
        _("wanted status"),
        max_length=20,
        choices=WantedStatus.choices,
        default=WantedStatus.UNKNOWN,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "unit"])]

    def __str__(self) -> str:
        return f"service record of {self.person_id}"

    def article_labels(self) -> list[str]:
        labels = dict(Article.choices)
        return [str(labels.get(a, a)) for a in self.articles]


class Deployment(OrganizationOwned):
    service_record = models.ForeignKey(
        ServiceRecord, on_delete=models.CASCADE, related_name="deployments"
    )
    place = models.CharField(_("place"), max_length=160)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["start"]

    def __str__(self) -> str:
        return self.place


class CaseQuerySet(ScopedQuerySet):
    """Cases, scoped like every organization-owned row (``for_organization``), plus
    ``open()``."""

    def open(self) -> Self:
        return self.exclude(stage=Stage.CLOSED)


class CaseManager(ScopedManager):
    def get_queryset(self) -> CaseQuerySet:
        queryset = CaseQuerySet(self.model, using=self._db)
        queryset._scoped = super().get_queryset()._scoped  # a related manager is scoped
        return queryset

    def for_organization(self, organization: Organization) -> CaseQuerySet:
        return self.get_queryset().for_organization(organization)

    def unscoped(self) -> CaseQuerySet:
        return self.get_queryset().unscoped()

    def open(self) -> CaseQuerySet:
        return self.get_queryset().open()


class Case(OrganizationOwned):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    closed_reason = models.CharField(
        _("reason for closing"), max_length=30, choices=ClosedReason.choices, blank=True
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    risk_rank = models.PositiveSmallIntegerField(default=1, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    country = models.CharField(
        _("transit country"), max_length=2, choices=Country.choices, default=Country.KZ
    )
    # A city of the reference list (tropa/cases/places.py) by its code, or, for a place not on
    # it, its name as typed (``city``).
    city_code = models.CharField(_("city"), max_length=40, blank=True)
    city = models.CharField(_("city (not on the list)"), max_length=80, blank=True)
    arrived_on = models.DateField(_("arrived in the transit country"), null=True, blank=True)
    next_action = models.CharField(_("next action"), max_length=200, blank=True)
    next_action_on = models.DateField(_("next action by"), null=True, blank=True)
    has_active_alert = models.BooleanField(default=False, editable=False)
    # Pseudonym, city and unit, case-folded: one column to search, and case-insensitive for
    # Cyrillic too (SQLite's LIKE folds ASCII only). Kept current by the services.
    search_text = models.TextField(default="", editable=False)
    # Pseudonym and city only, for users who may not see the service record (volunteers):
    # a search must not tell them which unit a case's man served in.
    logistics_search_text = models.TextField(default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CaseManager] = CaseManager()

    class Meta(OrganizationOwned.Meta):
        indexes = [
            models.Index(fields=["organization", "stage", "-updated_at"]),
            models.Index(
                # The list's sort key; the code makes it unique, for keyset pagination.
                fields=["organization", "-has_active_alert", "-risk_rank", "-updated_at", "-code"],
                name="case_list_order",
            ),
            models.Index(fields=["organization", "city"]),
            # The case list's risk and country filters.
            models.Index(fields=["organization", "risk"], name="case_org_risk"),
            models.Index(fields=["organization", "country"], name="case_org_country"),
            models.Index(fields=["organization", "assignee"]),
            models.Index(fields=["organization", "next_action_on"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"case {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.code])

    @property
    def city_name(self) -> str:
        """The city in the user's language, or as typed when it is not on the list."""
        return places.city_name(self.city_code) or self.city

    def days_in_limbo(self, today: date | None = None) -> int | None:
        if self.arrived_on is None or self.stage in (Stage.PROTECTED, Stage.CLOSED):
            return None
        return ((today or timezone.localdate()) - self.arrived_on).days


class StageChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = models.CharField(max_length=30, choices=ClosedReason.choices, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class Task(OrganizationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["done_at", "due_on", "created_at"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date | None = None) -> bool:
        return bool(
            self.done_at is None and self.due_on and self.due_on < (today or timezone.localdate())
        )


class NeedKind(models.TextChoices):
    LODGING = "lodging", _("Lodging")
    MONEY = "money", _("Money")
    LEGAL = "legal", _("Legal help")
    MEDICAL = "medical", _("Medical care")
    DOCUMENTS = "documents", _("Documents")
    SAFETY = "safety", _("Safety")


class Need(OrganizationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("need"), max_length=20, choices=NeedKind.choices)
    sealed = models.BinaryField(blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["met_at", "created_at"]

    def __str__(self) -> str:
        return self.kind


class SupportKind(models.TextChoices):
    LODGING = "lodging", _("Lodging provided")
    MONEY_OUT = "money_out", _("Money handed out")
    MONEY_IN = "money_in", _("Money received (donation)")
    LEGAL = "legal", _("Legal help given")
    MEDICAL = "medical", _("Medical help given")
    OTHER = "other", _("Other support")


class Support(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support")
    kind = models.CharField(_("support"), max_length=20, choices=SupportKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    given_on = models.DateField(_("date"))
    # Addresses of lodging and names of donors are sealed.
    sealed = models.BinaryField(blank=True, null=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-created_at"]

    def __str__(self) -> str:
        return self.kind


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Wife or husband")
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER = "other", _("Other relative")


class FamilyMember(OrganizationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return self.relation


class AlertKind(models.TextChoices):
    DETAINED = "detained", _("Detained")
    MISSING = "missing", _("Missing")
    THREATENED = "threatened", _("Threatened")
    DEPORTATION = "deportation", _("Deportation risk")


class ChecklistItem(models.TextChoices):
    LAWYER = "lawyer_informed", _("Lawyer informed")
    CONSULATE = "consulate_contacted", _("Consulate or embassy contacted")
    CARE = "care_package", _("Care package arranged")
    FAMILY = "family_told", _("Family told")


class AlertOutcome(models.TextChoices):
    SAFE = "safe", _("He is safe")
    RELEASED = "released", _("Released from detention")
    STILL_DETAINED = "detained", _("Still detained, in a lawyer's hands")
    DEPORTED = "deported", _("Deported or extradited")
    LEFT = "left", _("Left for another country")
    FALSE_ALARM = "false_alarm", _("False alarm")
    OTHER = "other", _("Other (say what in the note)")


class Alert(OrganizationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("alert"), max_length=20, choices=AlertKind.choices)
    sealed = models.BinaryField(blank=True, null=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AlertOutcome.choices, blank=True
    )
    # What the resolver wrote about the outcome: may name places or people, so sealed.
    sealed_outcome = models.BinaryField(blank=True, null=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["organization", "resolved_at"])]

    def __str__(self) -> str:
        return self.kind

    @property
    def is_active(self) -> bool:
        return self.resolved_at is None


class AlertAction(models.Model):
    """One checklist item ticked for an alert, with who did it and when; and, if it was
    ticked by mistake, who unticked it and when. An unticked row stays (the history); ticking
    the item again adds a new row."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    item = models.CharField(max_length=30, choices=ChecklistItem.choices)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    done_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "item"],
                condition=models.Q(undone_at__isnull=True),
                name="one_ticked_action_per_item",
            )
        ]

    def __str__(self) -> str:
        return self.item
