"""Duplicate people within an organization: found across scripts, offered, never merged."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case, Person
from tropa.screening import services
from tropa.screening.models import (
    DuplicateCandidate,
    DuplicateStatus,
    RunKind,
    RunState,
    ScreeningRun,
)

from .conftest import SURNAME


@pytest.fixture
def second_registration(astana: Organization, coordinator: User, listed_case: Case) -> Case:
    """The same man registered again, his name in Latin letters from a foreign document."""
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Yuri-2")
    cases.save_identity(
        actor=coordinator,
        person=case.person,
        data={
            "surname_latin": "SHCHERBAKOV",
            "given_name_latin": "IURII",
            "birth_date": date(1980, 5, 3),
        },
    )
    return case


def test_it_finds_the_same_man_registered_twice(
    second_registration: Case,
    listed_case: Case,
    outsider_case: Case,
    verifier: User,
    signed_in: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = signed_in(verifier)
    # The search is a background task, queued on commit (run at once by the test backend).
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("screening:duplicates_run"))
    response = client.get(reverse("screening:duplicates"))
    assert "1 possible duplicate(s) found." in response.content.decode()
    run = ScreeningRun.objects.get(kind=RunKind.DUPLICATES)
    assert (run.state, run.done, run.total, run.candidates) == (RunState.DONE, 2, 2, 1)
    candidate = DuplicateCandidate.objects.unscoped().get()
    assert {candidate.person_a, candidate.person_b} == {
        listed_case.person,
        second_registration.person,
    }
    assert SURNAME.encode() not in bytes(candidate.sealed)
    page = client.get(reverse("screening:duplicate", args=[candidate.code])).content.decode()
    assert AuditEntry.objects.filter(action="screening.duplicate_viewed").exists()
    # Both sides of the explanation are identity: masked until the audited reveal.
    assert SURNAME not in page and "SHCHERBAKOV" not in page
    reveal = reverse("screening:duplicate_reveal", args=[candidate.code])
    assert reveal in page
    page = client.post(reveal).content.decode()
    assert SURNAME in page and "SHCHERBAKOV" in page
    revealed = AuditEntry.objects.filter(
        action="identity.revealed", detail__purpose="duplicate_view"
    )
    assert {e.object_code for e in revealed} == {
        str(listed_case.person.code),
        str(second_registration.person.code),
    }
    # Every identity read for the search is an audited reveal.
    assert (
        AuditEntry.objects.filter(action="identity.revealed", detail__purpose="duplicates").count()
        == 2
    )


def test_marking_the_same_person_merges_nothing(
    second_registration: Case, listed_case: Case, verifier: User, signed_in: Any
) -> None:
    services.find_duplicate_people(actor=verifier, organization=listed_case.organization)
    candidate = DuplicateCandidate.objects.unscoped().get()
    client = signed_in(verifier)
    url = reverse("screening:duplicate_decide", args=[candidate.code])
    client.post(url, {"decision": "same", "reason": ""})
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.OPEN
    client.post(url, {"decision": "same", "reason": "Один и тот же паспорт"})
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.SAME and candidate.decided_by == verifier
    assert Person.objects.filter(organization=listed_case.organization).count() == 2
    assert (
        Case.objects.unscoped().filter(pk__in=[listed_case.pk, second_registration.pk]).count() == 2
    )
    assert (
        cases.reveal_identity(actor=verifier, person=second_registration.person)["surname_latin"]
        == "SHCHERBAKOV"
    )
    # A new search keeps the decision.
    services.find_duplicate_people(actor=verifier, organization=listed_case.organization)
    assert DuplicateCandidate.objects.unscoped().get().status == DuplicateStatus.SAME


def test_different_people_are_recorded(
    second_registration: Case, listed_case: Case, coordinator: User, signed_in: Any
) -> None:
    services.find_duplicate_people(actor=coordinator, organization=listed_case.organization)
    candidate = DuplicateCandidate.objects.unscoped().get()
    services.decide_duplicate(actor=coordinator, candidate=candidate, same=False, reason="Братья")
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.DIFFERENT
    assert services.read_reason(candidate) == "Братья"
    html = signed_in(coordinator).get(reverse("screening:duplicates")).content.decode()
    assert "Different people" in html


def test_namesakes_with_other_birth_years_are_not_offered(
    listed_case: Case, astana: Organization, coordinator: User
) -> None:
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Old")
    cases.save_identity(
        actor=coordinator,
        person=case.person,
        data={"surname": SURNAME, "given_name": "Юрий", "birth_date": date(1961, 2, 11)},
    )
    services.find_duplicate_people(actor=coordinator, organization=astana)
    assert not DuplicateCandidate.objects.unscoped().exists()


def test_volunteers_and_outsiders_cannot_reach_duplicates(
    second_registration: Case,
    listed_case: Case,
    verifier: User,
    volunteer: User,
    outsider: User,
    signed_in: Any,
) -> None:
    services.find_duplicate_people(actor=verifier, organization=listed_case.organization)
    candidate = DuplicateCandidate.objects.unscoped().get()
    detail = reverse("screening:duplicate", args=[candidate.code])
    assert signed_in(volunteer).get(reverse("screening:duplicates")).status_code == 403
    assert signed_in(volunteer).post(reverse("screening:duplicates_run")).status_code == 403
    assert signed_in(volunteer).get(detail).status_code == 403
    assert signed_in(outsider).get(detail).status_code == 404
    reveal = reverse("screening:duplicate_reveal", args=[candidate.code])
    assert signed_in(volunteer).post(reveal).status_code == 403
    assert signed_in(outsider).post(reveal).status_code == 404
    assert not AuditEntry.objects.filter(
        action="identity.revealed", detail__purpose="duplicate_view"
    )
    outsider_page = signed_in(outsider).get(reverse("screening:duplicates")).content.decode()
    assert "Grach" not in outsider_page


def test_a_queued_search_shows_its_progress_and_is_not_started_twice(
    second_registration: Case, verifier: User, signed_in: Any
) -> None:
    client = signed_in(verifier)
    # No commit in this test: the queued task never runs, as while a worker is busy.
    response = client.post(reverse("screening:duplicates_run"), follow=True)
    assert "The search for duplicates is running." in response.content.decode()
    page = response.content.decode()
    assert "Search queued" in page and 'http-equiv="refresh"' in page
    assert reverse("screening:duplicates_run") not in page  # no second search meanwhile
    client.post(reverse("screening:duplicates_run"))
    run = ScreeningRun.objects.get(kind=RunKind.DUPLICATES)
    assert run.state == RunState.QUEUED and not DuplicateCandidate.objects.unscoped().exists()
    run.state, run.done, run.total = RunState.RUNNING, 1, 2
    run.save()
    page = client.get(reverse("screening:duplicates")).content.decode()
    assert "Search running: 1 of 2 people read." in page
    assert not AuditEntry.objects.filter(action="screening.duplicates_run").exists()


def test_the_task_does_the_search_and_a_failure_frees_the_page(
    second_registration: Case, listed_case: Case, verifier: User, monkeypatch: Any
) -> None:
    from tropa.screening import tasks

    run = services.start_duplicate_search(actor=verifier, organization=listed_case.organization)
    assert tasks.search_duplicates.call(run.pk) == 1
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.done == run.total == 2
    entry = AuditEntry.objects.get(action="screening.duplicates_run")
    assert entry.actor_code == str(verifier.code) and entry.detail["candidates"] == 1

    def broken(run: Any) -> Any:
        raise RuntimeError("engine down")

    monkeypatch.setattr(services, "run_duplicate_search", broken)
    again = services.start_duplicate_search(actor=verifier, organization=listed_case.organization)
    with pytest.raises(RuntimeError):
        tasks.search_duplicates.call(again.pk)
    again.refresh_from_db()
    assert again.state == RunState.FAILED
    assert services.active_duplicate_run(listed_case.organization) is None
    # A worker that died on it again and again: the same.
    third = services.start_duplicate_search(actor=verifier, organization=listed_case.organization)
    tasks.abandoned(task_path="tropa.screening.tasks.search_duplicates", args=[third.pk])
    third.refresh_from_db()
    assert third.state == RunState.FAILED
