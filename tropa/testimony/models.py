"""Testimony: interviews with immutable versions, what happened, for whom it may go (E9–E17).

Everything that tells what a witness said or who he is sealed with the organization key:
the interview and its narrative (in each version), consent, the "may be implicated" flag,
events and acts with every coded field (unit, place, act kind, date), the classifications
and the unit reference list. Plain columns hold only codes, times of saving, counts and
statuses. Search goes through ``SearchTerm``: keyed blind indexes (``blind_index``) that
equal nothing outside this organization and this table.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tropa.cases.models import Case
from tropa.core.models import OrganizationOwned


class Witness(OrganizationOwned):
    """The witness of a case as testimony sees him: consent per recipient kind and the
    "may be implicated" flag, both sealed (even "not flagged" is a sealed value)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="witness")
    # [{"kind", "status", "date", "how", "at", "by"}...], oldest first: the whole history.
    sealed_consent = models.BinaryField()
    # {"flagged": bool, "set_at", "set_by", "rights_explained_at", "rights_how"}
    sealed_flag = models.BinaryField()

    def __str__(self) -> str:
        return f"witness of {self.case_id}"


class Testimony(OrganizationOwned):
    """One interview; what it says lives in its versions, the newest being current."""

    __test__ = False  # not a pytest test class

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="testimonies")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    versions_count = models.PositiveIntegerField(default=0)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]
        verbose_name = _("testimony")

    def __str__(self) -> str:
        return f"testimony {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("testimony:detail", args=[self.code])


class TestimonyVersion(models.Model):
    """A full, sealed snapshot of the interview as saved (E17). The database refuses
    UPDATE and DELETE (migration 0002), as it does for custody entries."""

    __test__ = False  # not a pytest test class

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    testimony = models.ForeignKey(Testimony, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sealed = models.BinaryField()

    class Meta:
        ordering = ["testimony", "number"]
        constraints = [
            models.UniqueConstraint(fields=["testimony", "number"], name="testimony_version_number")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.testimony_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("testimony versions are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("testimony versions are immutable")

    @property
    def organization_id(self) -> Any:
        """Sealing binds to the testimony's organization."""
        return self.testimony.organization_id


class Unit(OrganizationOwned):
    """A Russian unit of the organization's reference list: names (any script) and the
    military unit number ("в/ч 12345"), sealed."""

    sealed = models.BinaryField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"unit {self.code}"


class Event(OrganizationOwned):
    """What happened, when and where, as one testimony tells it (E10). ``sealed`` holds
    the date text, the parsed period, settlement, oblast, coordinates and a summary."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    testimony = models.ForeignKey(Testimony, on_delete=models.PROTECT, related_name="events")
    sealed = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta(OrganizationOwned.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"event {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("testimony:event", args=[self.code])


class Act(OrganizationOwned):
    """One act of an event: its kind, victims, perpetrators (person or unit) with their
    involvement, how the witness knows and how reliable that is, all in ``sealed``.
    The witness's own words about what it was (claimed) and the analyst's coding
    (potential) are two columns, written by two services: neither overwrites the other."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="acts")
    sealed = models.BinaryField()
    sealed_claimed = models.BinaryField(null=True, blank=True)
    sealed_potential = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta(OrganizationOwned.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"act {self.code}"


class CorroborationStatus(models.TextChoices):
    SUGGESTED = "suggested", _("possibly the same event")
    CONFIRMED = "confirmed", _("confirmed: the same event")
    DISMISSED = "dismissed", _("dismissed: not the same event")


class Corroboration(OrganizationOwned):
    """Two events from different witnesses offered as possibly the same, for review.
    Never merged: a confirmed pair is shown on both cases. ``sealed_basis`` says what they
    share (unit, place, time); the reviewer's reason is sealed too."""

    event_a = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    event_b = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=CorroborationStatus.choices, default=CorroborationStatus.SUGGESTED
    )
    sealed_basis = models.BinaryField()
    sealed_reason = models.BinaryField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta(OrganizationOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["event_a", "event_b"], name="corroboration_pair")
        ]

    def __str__(self) -> str:
        return f"corroboration {self.code}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    REFUSED = "refused", _("Refused")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", _("Downloaded")
    BLOCKED = "blocked", _("Blocked: consent withdrawn")
    EXPIRED = "expired", _("Expired")


class TestimonyExport(OrganizationOwned):
    """A testimony for one recipient kind, inside a signed evidence bundle, after a second
    person's approval. The recipient kind is sealed (it is consent); the bundle is stored
    encrypted with the case key until it is downloaded, blocked or expired."""

    __test__ = False  # not a pytest test class

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    testimony = models.ForeignKey(Testimony, on_delete=models.PROTECT, related_name="exports")
    sealed_recipient = models.BinaryField()
    language = models.CharField(max_length=5)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    blob = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"testimony export {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("testimony:export", args=[self.code])


class SearchTerm(models.Model):
    """One keyed blind index of something a testimony holds: a word stem, a unit, a place,
    an act kind, an article, a month. Equal digests mean equal terms within this
    organization; a digest says nothing without the organization's key."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE)
    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organization", "digest"])]
        constraints = [
            models.UniqueConstraint(fields=["testimony", "digest"], name="search_term_once")
        ]

    def __str__(self) -> str:
        return "search term"
