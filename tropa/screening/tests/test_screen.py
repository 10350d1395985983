"""Screening a case's person against the lists: on demand and after a list update."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.screening import services
from tropa.screening.models import HitStatus, RunTrigger, ScreeningHit, ScreeningRun

from .conftest import NAMESAKE, OTHER, SHCHERBAKOV, SURNAME, person


def _import(path: Path, name: str = "OpenSanctions", organization: Any = None) -> Any:
    return services.import_list(actor=None, path=path, name=name, organization=organization)


def test_it_finds_a_cross_script_match_and_seals_the_hit(
    write_ftm: Callable[..., Path], listed_case: Case, coordinator: User, signed_in: Any
) -> None:
    _import(write_ftm(SHCHERBAKOV, NAMESAKE, OTHER))
    response = signed_in(coordinator).post(
        reverse("screening:screen_case", args=[listed_case.code])
    )
    assert response.status_code == 302
    hit = ScreeningHit.objects.unscoped().get()
    facts = services.hit_facts(hit)
    assert facts.entry_key == "os-shcherbakov"  # the namesake born in 1961 is not a hit
    assert facts.match and hit.status == HitStatus.PENDING and facts.score > 0.9
    assert hit.case == listed_case
    explanation = services.read_hit(actor=coordinator, hit=hit).facts.explanation
    assert explanation["name"]["query"].startswith(SURNAME)
    assert {p["code"] for p in explanation["name"]["parts"]} == {"transliteration"}
    assert explanation["birth_date"]["code"] == "exact"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM screening_screeninghit")
        raw = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM screening_screeningrun")
        raw += repr(cursor.fetchall())
    assert SURNAME not in raw and SURNAME.encode().hex() not in raw
    run = AuditEntry.objects.get(action="screening.run")
    assert run.detail == {"lists": 1, "trigger": "manual"}  # no hit counts (test_sealed_hits)
    page = signed_in(coordinator).get(listed_case.get_absolute_url()).content.decode()
    # The panel links to the hit; the names are on the hit page after a reveal (test_reveal).
    assert str(hit.code) in page and "Screen now" in page
    assert "Shcherbakov" not in page and SURNAME not in page


def test_it_does_not_duplicate_hits_when_screening_again(
    write_ftm: Callable[..., Path], listed_case: Case, coordinator: User
) -> None:
    _import(write_ftm(SHCHERBAKOV))
    services.screen_case(actor=coordinator, case=listed_case)
    services.screen_case(actor=coordinator, case=listed_case)
    assert ScreeningHit.objects.unscoped().count() == 1
    assert ScreeningRun.objects.filter(case=listed_case).count() == 2


def test_a_dismissed_hit_stays_dismissed_unless_the_entry_changes(
    write_ftm: Callable[..., Path], listed_case: Case, coordinator: User
) -> None:
    _import(write_ftm(SHCHERBAKOV, name="v1.json"))
    services.screen_case(actor=coordinator, case=listed_case)
    hit = ScreeningHit.objects.unscoped().get()
    services.decide_hit(actor=coordinator, hit=hit, confirm=False, reason="Другой человек")
    services.screen_case(actor=coordinator, case=listed_case)
    assert ScreeningHit.objects.unscoped().get().status == HitStatus.DISMISSED
    changed = dict(SHCHERBAKOV)
    changed["properties"] = {**SHCHERBAKOV["properties"], "position": ["Deputy commander"]}
    _import(write_ftm(changed, name="v2.json"))
    services.screen_case(actor=coordinator, case=listed_case)
    hit = ScreeningHit.objects.unscoped().get()
    assert hit.status == HitStatus.PENDING and hit.decided_by is None


def test_it_screens_open_cases_when_a_list_is_imported(
    write_ftm: Callable[..., Path],
    listed_case: Case,
    outsider_case: Case,
    django_capture_on_commit_callbacks: Any,
) -> None:
    closed = cases.create_case(
        actor=None, organization=listed_case.organization, pseudonym="Closed"
    )
    cases.save_identity(actor=None, person=closed.person, data={"surname": SURNAME})
    cases.move_stage(actor=None, case=closed, to_stage="closed", reason="other")
    with django_capture_on_commit_callbacks(execute=True):
        _import(write_ftm(SHCHERBAKOV))
    runs = ScreeningRun.objects.filter(trigger=RunTrigger.LIST_UPDATE)
    assert {r.case for r in runs} == {listed_case, outsider_case}
    assert ScreeningHit.objects.unscoped().get().case == listed_case
    assert AuditEntry.objects.filter(action="screening.run", actor_code="").count() == 2


def test_an_organization_list_is_screened_by_that_organization_only(
    write_csv: Callable[..., Path],
    listed_case: Case,
    astana: Organization,
    outsider_case: Case,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    path = write_csv("r1,Shcherbakov Yuri,,1980-05-03,,")
    with django_capture_on_commit_callbacks(execute=True):
        _import(path, name="Own", organization=astana)
    assert {r.case for r in ScreeningRun.objects.all()} == {listed_case}
    assert ScreeningHit.objects.unscoped().get().case == listed_case
    run = services.screen_case(actor=outsider, case=outsider_case)
    assert run.lists == 0


def test_a_person_without_identity_is_not_screened(
    write_ftm: Callable[..., Path], astana: Organization, coordinator: User, signed_in: Any
) -> None:
    _import(write_ftm(SHCHERBAKOV))
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Nobody")
    response = signed_in(coordinator).post(
        reverse("screening:screen_case", args=[case.code]), follow=True
    )
    assert "No identity recorded" in response.content.decode()
    assert not ScreeningHit.objects.unscoped().exists()


def test_it_matches_ukrainian_and_latin_spellings_from_other_spellings(
    write_ftm: Callable[..., Path], astana: Organization, coordinator: User
) -> None:
    _import(write_ftm(person("ua-1", name=["Shcherbakov Yurii"], birthDate=["1980"])))
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Sokol")
    cases.save_identity(
        actor=coordinator,
        person=case.person,
        data={"surname": "Иванов", "other_spellings": ["Щербаков Юрій"], "birth_date": None},
    )
    services.screen_case(actor=coordinator, case=case)
    assert ScreeningHit.objects.unscoped().filter(case=case).exists()


def test_the_panel_is_for_those_who_screen(
    listed_case: Case, coordinator: User, volunteer: User, signed_in: Any
) -> None:
    cases.update_case(actor=coordinator, case=listed_case, assignee=volunteer)
    assert (
        "Screen now"
        not in signed_in(volunteer).get(listed_case.get_absolute_url()).content.decode()
    )
    response = signed_in(volunteer).post(reverse("screening:screen_case", args=[listed_case.code]))
    assert response.status_code == 403
