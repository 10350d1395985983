"""Watchlists and their versions, screening hits and duplicate candidates.

A published list (``organization`` empty, e.g. OpenSanctions) is public data shared by every
organization: its entries are stored as JSON. An organization's own list is visible to it
alone and its entries are sealed with its key; their entity ids and content digests are keyed
blind indexes, so that nothing on disk can be matched against a guessed name.

Hits and duplicate candidates carry the engine's explanation, which quotes the man's name
spellings: it is always sealed, and so is the reviewer's reason. A hit's link to the entry it
matched is sealed too (see ``ScreeningHit``).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tropa.accounts.models import Organization
from tropa.cases.models import Case, Person
from tropa.core.models import OrganizationOwned


class WatchList(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(pgettext_lazy("watchlist", "name"), max_length=120, unique=True)
    # Empty: a published list every organization screens against.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="watchlists",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("watchlist")
        verbose_name_plural = _("watchlists")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("screening:list_detail", args=[self.code])

    @property
    def is_published(self) -> bool:
        return self.organization_id is None


class ListVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    watchlist = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    sha256 = models.CharField(max_length=64)
    entries = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["watchlist", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["watchlist", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.watchlist_id} v{self.number}"

    @property
    def organization(self) -> Organization | None:
        return self.watchlist.organization


class ListEntry(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    watchlist = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="entries")
    # Copied from the list: the key that seals an organization list's entries.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True)
    # The entity id (published lists) or its blind index (organization lists).
    key = models.CharField(max_length=255)
    digest = models.CharField(max_length=64)
    data = models.JSONField(null=True, blank=True)
    sealed = models.BinaryField(null=True, blank=True)
    added_in = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    changed_in = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    # Entries dropped from the list are deleted (hits keep their own sealed copy); this is
    # set only on rows of installations from before that, until the migration removes them.
    removed_in = models.ForeignKey(
        ListVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The last version whose file held the entry: an import marks each entry it reads, batch
    # by batch, and what is left unmarked at the end was dropped (no set of keys in memory).
    seen_in = models.ForeignKey(
        ListVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["watchlist", "key"], name="one_entry_per_key")
        ]
        indexes = [models.Index(fields=["watchlist", "removed_in"])]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")

    def __str__(self) -> str:
        return f"entry {self.pk}"


class HitStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class ReviewableDecision(OrganizationOwned):
    """Something a reviewer decides once, with a sealed reason: a hit, a duplicate pair.

    A subclass names its statuses (``status`` with its choices and ``UNDECIDED`` as default);
    ``services.decide`` is the one way a decision is recorded.
    """

    UNDECIDED: ClassVar[str]

    status = models.CharField(max_length=10)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    sealed_reason = models.BinaryField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        abstract = True

    @property
    def is_decided(self) -> bool:
        return self.status != self.UNDECIDED

    def get_absolute_url(self) -> str:
        raise NotImplementedError

    def reopen(self) -> None:
        """Back to the review queue (the old reason stays sealed on the row)."""
        self.status, self.decided_by, self.decided_at = self.UNDECIDED, None, None


class ScreeningHit(ReviewableDecision):
    """A man's possible match on a list entry.

    Which entry (and list) he matched, how strongly, the engine's finding and explanation,
    when it was found, the entry digest of the last decision and the hit's own copy of the
    entry are sealed together in ``sealed``: nothing in the database joins the man to a list
    entry. ``entry_index`` is a keyed blind index of (person, list, entry key) for the one
    lookup screening needs, "is this hit known already?"; it equals nothing outside this table.
    """

    UNDECIDED = HitStatus.PENDING

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screening_hits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="screening_hits")
    entry_index = models.CharField(max_length=64)
    # See the class docstring: the match, sealed (services.HitFacts).
    sealed = models.BinaryField()
    status = models.CharField(max_length=10, choices=HitStatus.choices, default=HitStatus.PENDING)
    # The columns keep their first names (reviewed_*): migration 0005 renamed the fields only.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_column="reviewed_by_id",
    )
    decided_at = models.DateTimeField(null=True, blank=True, db_column="reviewed_at")

    class Meta(ReviewableDecision.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["person", "entry_index"], name="one_hit_per_person_entry"
            )
        ]
        indexes = [models.Index(fields=["organization", "status"])]
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")

    def __str__(self) -> str:
        return f"hit {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("screening:hit", args=[self.code])


class RunKind(models.TextChoices):
    CASE = "case", _("Case screened")
    DUPLICATES = "duplicates", _("Duplicate search")


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("On demand")
    LIST_UPDATE = "list_update", _("List updated")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ScreeningRun(models.Model):
    """When a case was last screened (or an organization searched for duplicates), and why."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="screening_runs"
    )
    kind = models.CharField(max_length=12, choices=RunKind.choices)
    trigger = models.CharField(max_length=12, choices=RunTrigger.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lists = models.PositiveIntegerField(default=0)
    # What the run found, for the message to whoever started it: in memory only. Stored next
    # to the time of a list import, a case's hit count would tell which list he is on.
    found = 0
    new = 0
    reopened = 0
    # False when the person had no identity to screen.
    screened = models.BooleanField(default=True)
    # A duplicate search runs in the background: its state and progress (people read of
    # ``total``) for the duplicates page, and the pairs it offered. A case run is done at once.
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.DONE)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    candidates = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organization", "kind", "-at"])]

    def __str__(self) -> str:
        return f"{self.kind} run at {self.at}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("duplicate", "Open")
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different people")


class DuplicateCandidate(ReviewableDecision):
    """Two people of one organization who may be the same man. Nothing is ever merged."""

    UNDECIDED = DuplicateStatus.OPEN

    # Ordered by primary key, so that a pair is stored once whichever way it was found.
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    decision = models.CharField(max_length=40)
    sealed = models.BinaryField()
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    found_at = models.DateTimeField()
    screened_at = models.DateTimeField()

    class Meta(ReviewableDecision.Meta):
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_candidate_per_pair")
        ]
        indexes = [models.Index(fields=["organization", "status", "-score"])]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")

    def __str__(self) -> str:
        return f"duplicate candidate {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("screening:duplicate", args=[self.code])


class ChangeKind(models.TextChoices):
    ADDED = "added", pgettext_lazy("list change", "Added")
    CHANGED = "changed", pgettext_lazy("list change", "Changed")
    REMOVED = "removed", pgettext_lazy("list change", "Removed")


class ListChange(models.Model):
    """One entry a version added, changed or removed, with the name the list gives it.

    Old versions' entries are not kept (an entry holds its current data only), so what changed
    is recorded as the import finds it. On an organization's own list the name is sealed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="changes")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=8, choices=ChangeKind.choices)
    caption = models.CharField(max_length=300, blank=True)  # published lists only
    sealed = models.BinaryField(null=True, blank=True)  # organization lists: the name

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["version", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} in {self.version_id}"


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    IMPORTING = "importing", _("Importing")
    SCREENING = "screening", _("Screening open cases")
    DONE = "done", _("Done")
    FAILED = "failed", _("Refused")


class ListImport(OrganizationOwned):
    """A list file uploaded in the browser, from its upload to the re-screening after it.

    The file waits in the screening upload directory encrypted with a key of its own, which
    is sealed here under the organization's key; it is deleted once read. What went wrong
    (the file's bad lines may quote it) is sealed too.
    """

    watchlist = models.ForeignKey(
        WatchList, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    name = models.CharField(pgettext_lazy("watchlist", "name"), max_length=120)
    csv = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    sealed_key = models.BinaryField()
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    version = models.ForeignKey(
        ListVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unchanged = models.BooleanField(default=False)
    sealed_error = models.BinaryField(null=True, blank=True)
    cases_total = models.PositiveIntegerField(default=0)
    cases_done = models.PositiveIntegerField(default=0)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"list import {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("screening:import", args=[self.code])

    @property
    def active(self) -> bool:
        return self.state not in (ImportState.DONE, ImportState.FAILED)
