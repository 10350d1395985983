"""The organization-owned base fails closed: an unscoped read of Case is an error."""

from __future__ import annotations

import pytest

from tropa.accounts.models import Organization, User
from tropa.cases.models import Case
from tropa.core.models import UnscopedQuery


def test_an_unscoped_read_raises(canary_case: Case) -> None:
    with pytest.raises(UnscopedQuery):
        list(Case.objects.filter(stage="intake"))
    with pytest.raises(UnscopedQuery):
        Case.objects.get(code=canary_case.code)
    with pytest.raises(UnscopedQuery):
        list(Case.objects.open())


def test_count_exists_update_and_delete_are_guarded(canary_case: Case) -> None:
    for guarded in (
        lambda: Case.objects.count(),
        lambda: Case.objects.exists(),
        lambda: Case.objects.filter(stage="intake").update(city="X"),
        lambda: Case.objects.filter(stage="intake").delete(),
    ):
        with pytest.raises(UnscopedQuery):
            guarded()
    canary_case.refresh_from_db()
    assert (canary_case.city, canary_case.city_code) == ("", "kz-astana")  # not "X"


def test_scoped_related_and_unscoped_reads_work(
    canary_case: Case, astana: Organization, yerevan: Organization, coordinator: User
) -> None:
    assert list(Case.objects.for_organization(astana)) == [canary_case]
    assert list(Case.objects.filter(organization=astana).open()) == [canary_case]
    assert not Case.objects.for_organization(yerevan).exists()
    assert Case.objects.for_organization(astana).count() == 1
    # Related managers are scoped by their parent row.
    assert list(canary_case.person.cases.all()) == [canary_case]
    assert canary_case.alerts.count() == 1
    assert Case.objects.unscoped().get(code=canary_case.code) == canary_case
    # Django's own machinery uses the plain default manager.
    assert Case._default_manager.get(pk=canary_case.pk) == canary_case


def test_nothing_needs_no_organization(db: None) -> None:
    """An access helper answers "no cases" to a user without an organization with none()."""
    assert list(Case.objects.none()) == []
    assert Case.objects.none().count() == 0
