"""The base of every row an organization owns, and a manager that fails closed.

``OrganizationOwned`` gives a model its random primary key, its random ``code`` (what URLs
carry) and its organization. Its ``objects`` manager refuses to read rows until the query is
scoped (pretix's ``ScopedManager``, django-scopes): an unscoped query is an error in tests and
in production, never a leak.

    Case.objects.for_organization(org).filter(stage="intake")     # scoped
    Case.objects.filter(organization=org)                         # scoped too
    case.notes.all()                                              # scoped by its parent
    Case.objects.unscoped().filter(code=code)   # system work only: tasks, the shell, access
                                                # helpers that check the organization after
    Case.objects.filter(stage="intake")         # raises UnscopedQuery when read

Django's own machinery (unique checks, deletion, related objects) uses the plain
``all_organizations`` manager, which is the default manager for exactly that reason.
"""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.db import models

_SCOPING_LOOKUPS = frozenset({"organization", "organization_id", "organization__in"})


class UnscopedQuery(RuntimeError):
    """A query on organization-owned rows that names no organization."""


class ScopedQuerySet(models.QuerySet[Any]):
    _scoped = False

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]  # private in django-stubs
        clone._scoped = self._scoped
        return clone

    def for_organization(self, organization: Any) -> Self:
        clone = self.filter(organization=organization)
        clone._scoped = True
        return clone

    def unscoped(self) -> Self:
        """Read across organizations on purpose (background work, the shell, a lookup by
        code whose organization the caller checks next)."""
        clone: Self = self._chain()  # type: ignore[attr-defined]  # private in django-stubs
        clone._scoped = True
        return clone

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> Self:
        clone: Self = super()._filter_or_exclude(negate, args, kwargs)  # type: ignore[misc]
        if not negate and _SCOPING_LOOKUPS & set(kwargs):
            clone._scoped = True
        return clone

    def none(self) -> Self:
        """Nothing, of no organization: as safe as a scoped query."""
        clone: Self = super().none()
        clone._scoped = True
        return clone

    def _check_scoped(self) -> None:
        if not self._scoped:
            raise UnscopedQuery(
                f"{self.model.__name__} rows read without an organization: use "
                "for_organization(...), filter(organization=...), or unscoped() on purpose"
            )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scoped()
        super()._fetch_all()

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scoped()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scoped()
        return super().exists()

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scoped()
        return super().iterator(chunk_size=chunk_size)

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scoped()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._check_scoped()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scoped()
        return super().delete()


class ScopedManager(models.Manager[Any]):
    """``objects`` of an organization-owned model; see the module docstring."""

    def get_queryset(self) -> ScopedQuerySet:
        queryset = ScopedQuerySet(self.model, using=self._db)
        if getattr(self, "core_filters", None):
            queryset._scoped = True  # a related manager: scoped by its parent row
        return queryset

    def for_organization(self, organization: Any) -> ScopedQuerySet:
        return self.get_queryset().for_organization(organization)

    def unscoped(self) -> ScopedQuerySet:
        return self.get_queryset().unscoped()


class OrganizationOwned(models.Model):
    """A row one organization owns: random key, random code for URLs, the organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT)

    all_organizations = models.Manager()
    objects = ScopedManager()

    class Meta:
        abstract = True
        default_manager_name = "all_organizations"
