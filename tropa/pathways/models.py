"""Routes to safety and the clocks of a stay, as dated and sourced data.

An organization holds its own copy of countries, pathways and facts (loaded from the starter
set Tropa ships, then edited by its coordinators with history). A case holds its trips,
deadlines, pursued pathways and the requirements it already meets.

What is public knowledge (a country's rules, a pathway, a fact with its source) is stored as
it is. What is about a man is his case's: a trip's border point and a deadline's note are
sealed; the dates stay plain like ``Case.arrived_on``, so that the deadlines panel can sort.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tropa.cases.models import Case
from tropa.core.models import OrganizationOwned


class Category(models.TextChoices):
    DESERTER = "deserter", _("Deserter")
    MOBILISED = "mobilised", _("Mobilised")
    DRAFT_EVADER = "draft_evader", _("Draft evader")
    FAMILY = "family", _("Family")


class Requirement(models.TextChoices):
    CALL_UP = "call_up", _("Call-up paper or mobilisation order")
    CRIMINAL_CASE = "criminal_case", _("Criminal case or wanted listing")
    ANTI_WAR = "anti_war", _("Proof of public anti-war activity")
    COUNTRY_LINK = "country_link", _("A link to the country (family, work, study)")
    VETTING = "vetting", _("A vetting decision that recommends him")
    FOREIGN_PASSPORT = "foreign_passport", _("Foreign passport")
    LETTER = "letter", _("A letter sent to the country's embassy")


# Requirements a case meets by what other apps hold, not by a document the coordinator marks.
DERIVED_REQUIREMENTS = {Requirement.VETTING, Requirement.LETTER}


class PathwayState(models.TextChoices):
    OPEN = "open", pgettext_lazy("pathway state", "Open")
    SUSPENDED = "suspended", pgettext_lazy("pathway state", "Suspended")
    CLOSED = "closed", pgettext_lazy("pathway state", "Closed")


class CountryRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Precision(models.TextChoices):
    """How much of a date the source gives: a fact known to the month is never printed as
    the 1st of that month."""

    DAY = "day", pgettext_lazy("date precision", "to the day")
    MONTH = "month", pgettext_lazy("date precision", "to the month")
    YEAR = "year", pgettext_lazy("date precision", "to the year")


class Topic(models.TextChoices):
    FACT = "fact", _("Fact")
    INCIDENT = "incident", _("Incident")
    STAY = "stay", _("Entry and stay")
    SIM = "sim", _("SIM cards and phones")
    BORDER = "border", _("Airports and border crossings")
    DETAINED = "detained", _("If he is detained")
    CONTACTS = "contacts", _("Lawyers and UNHCR")
    RIGHTS = "rights", _("Rights in the refugee procedure")


BRIEFING_TOPICS = (
    Topic.STAY,
    Topic.SIM,
    Topic.BORDER,
    Topic.DETAINED,
    Topic.CONTACTS,
    Topic.RIGHTS,
)


def _in_language(english: str, russian: str) -> str:
    """The Russian or Ukrainian text for readers of those, else the English one."""
    if (get_language() or "en")[:2] in ("ru", "uk") and russian:
        return russian
    return english or russian


class CountryProfile(OrganizationOwned):
    country = models.CharField(_("country"), max_length=2)
    transit = models.BooleanField(_("transit country"), default=False)
    destination = models.BooleanField(_("destination"), default=False)
    stay_rule = models.CharField(
        _("stay rule"),
        max_length=30,
        blank=True,
        help_text=_("rolling:90/180, per-entry:365 or calendar-year:180; empty if none applies"),
    )
    risk = models.CharField(
        _("risk"), max_length=10, choices=CountryRisk.choices, default=CountryRisk.MEDIUM
    )

    class Meta(OrganizationOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "country"], name="one_profile_per_country"
            )
        ]
        ordering = ["country"]

    def __str__(self) -> str:
        return self.country

    @property
    def stay_rule_in_words(self) -> str:
        from .rules import rule_in_words

        return rule_in_words(self.stay_rule) if self.stay_rule else ""


class Pathway(OrganizationOwned):
    key = models.SlugField(max_length=60)
    country = models.CharField(_("country"), max_length=2)
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_ru = models.CharField(_("name (Russian)"), max_length=160, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ru = models.TextField(_("summary (Russian)"), blank=True)
    for_whom = models.JSONField(_("for whom"), default=list)
    requirements = models.JSONField(_("requirements"), default=list)
    # A pathway within a transit country (residence, refugee status there) fits only a man
    # who is in that country; the others fit wherever he is.
    in_country_only = models.BooleanField(_("only for those already in the country"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=PathwayState.choices, default=PathwayState.OPEN
    )
    state_since = models.DateField(_("state since"), null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="one_pathway_per_key")
        ]
        ordering = ["country", "key"]

    def __str__(self) -> str:
        return self.key

    @property
    def name(self) -> str:
        return _in_language(self.name_en, self.name_ru)

    @property
    def summary(self) -> str:
        return _in_language(self.summary_en, self.summary_ru)

    def requirement_labels(self) -> list[tuple[str, str]]:
        labels = dict(Requirement.choices)
        return [(code, str(labels.get(code, code))) for code in self.requirements]


class Fact(OrganizationOwned):
    """One dated, sourced statement about a country or a pathway. Never saved without both."""

    country = models.CharField(_("country"), max_length=2)
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, null=True, blank=True, related_name="facts"
    )
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices, default=Topic.FACT)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_ru = models.TextField(_("text (Russian)"), blank=True)
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    source_date = models.DateField(_("source date"))
    checked_on = models.DateField(_("last checked"))
    event_on = models.DateField(_("date of the incident"), null=True, blank=True)
    source_precision = models.CharField(
        _("precision of the source date"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    event_precision = models.CharField(
        _("precision of the incident date"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    uncertain = models.BooleanField(_("not verified"), default=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(OrganizationOwned.Meta):
        ordering = ["topic", "-event_on", "-source_date"]
        indexes = [models.Index(fields=["organization", "country", "topic"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(source=""), name="fact_has_a_source"),
        ]

    def __str__(self) -> str:
        return f"fact {self.code}"

    @property
    def text(self) -> str:
        return _in_language(self.text_en, self.text_ru)

    def is_stale(self, today: date | None = None) -> bool:
        months = getattr(settings, "TROPA_FACTS_STALE_MONTHS", 6)
        return self.checked_on < (today or timezone.localdate()) - timedelta(
            days=round(months * 30.44)
        )


class EditRecord(models.Model):
    """The history of an organization's copy: who changed which field of what, and from what."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT)
    target = models.CharField(max_length=12)  # "pathway", "fact", "country"
    target_code = models.UUIDField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organization", "target_code", "-at"])]

    def __str__(self) -> str:
        return f"{self.target} edit"


class CasePathway(OrganizationOwned):
    """A pathway the coordinator decided to pursue for a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pathways_pursued")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="pursued_by")
    pursued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    pursued_at = models.DateTimeField(default=timezone.now)
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        constraints = [models.UniqueConstraint(fields=["case", "pathway"], name="pursued_once")]

    def __str__(self) -> str:
        return f"{self.pathway_id} for {self.case_id}"


class RequirementMet(OrganizationOwned):
    """The case has this kind of document: which evidence item shows it, who said so."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requirements_met")
    requirement = models.CharField(max_length=20, choices=Requirement.choices)
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    noted_at = models.DateTimeField(default=timezone.now)

    class Meta(OrganizationOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["case", "requirement"], name="requirement_met_once")
        ]

    def __str__(self) -> str:
        return self.requirement


class Trip(OrganizationOwned):
    """An entry into a transit country and the exit from it (empty while he is there)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="trips")
    country = models.CharField(_("country"), max_length=2)
    entry = models.DateField(_("entry"))
    exit = models.DateField(_("exit"), null=True, blank=True)
    # The border point, sealed: where a man crossed is where he can be looked for.
    sealed = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["entry", "created_at"]
        indexes = [models.Index(fields=["case", "country", "entry"])]

    def __str__(self) -> str:
        return f"trip {self.code}"


class DeadlineKind(models.TextChoices):
    STAY = "stay", _("Last legal day of the stay")
    PASSPORT = "passport", _("Passport expires")
    RESIDENCE = "residence", _("Residence permit expires")
    PROCEDURE = "procedure", _("Refugee procedure deadline")
    REGISTRATION = "registration", _("Registration deadline")
    OTHER = "other", _("Other deadline")


REMINDER_DAYS = (14, 7, 3)


class Deadline(OrganizationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineKind.choices)
    due_on = models.DateField(_("date"))
    country = models.CharField(_("country"), max_length=2, blank=True)
    sealed = models.BinaryField(null=True, blank=True)
    # Computed from the trips and the country's stay rule, kept current by the services.
    computed = models.BooleanField(default=False, editable=False)
    # The smallest number of days before the date for which a reminder task was made.
    reminded_at = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["done_at", "due_on"]
        indexes = [
            models.Index(fields=["organization", "done_at", "due_on"], name="deadline_panel"),
            models.Index(fields=["case", "kind"]),
        ]

    def __str__(self) -> str:
        return f"deadline {self.code}"

    def days_left(self, today: date | None = None) -> int:
        return (self.due_on - (today or timezone.localdate())).days

    def is_overdue(self, today: date | None = None) -> bool:
        return self.done_at is None and self.days_left(today) < 0


class BriefingGiven(OrganizationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="briefings_given")
    country = models.CharField(_("country"), max_length=2)
    given_on = models.DateField(_("given on"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"briefing {self.code}"
