"""Pathways as data, per-case fit, clocks, reminders and briefings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case, Task
from tropa.pathways import services
from tropa.pathways.errors import PathwayError
from tropa.pathways.models import (
    CasePathway,
    CountryProfile,
    Deadline,
    EditRecord,
    Fact,
    Pathway,
)

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    """Messages are matched in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def _actions(*codes: str) -> list[str]:
    return list(AuditEntry.objects.filter(action__in=codes).values_list("action", flat=True))


@pytest.fixture
def loaded(astana: Organization, coordinator: User) -> Organization:
    services.load_starter(actor=coordinator, organization=astana)
    return astana


@pytest.fixture
def case(astana: Organization, coordinator: User) -> Case:
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Kolya")
    case.assignee = coordinator
    case.save(update_fields=["assignee"])
    return case


def test_starter_set_loads_once_and_never_overwrites_an_edit(
    astana: Organization, coordinator: User
) -> None:
    first = services.load_starter(actor=coordinator, organization=astana)
    assert first["pathways"] == len(services.starter_data()["pathways"])
    assert first["countries"] >= 4 and first["facts"] > 10
    pathway = Pathway.objects.filter(organization=astana, key="fr-visa-asylum").get()
    services.edit_pathway(actor=coordinator, pathway=pathway, values={"name_en": "France (ours)"})
    assert services.load_starter(actor=coordinator, organization=astana) == {
        "countries": 0,
        "pathways": 0,
        "facts": 0,
    }
    pathway.refresh_from_db()
    assert pathway.name_en == "France (ours)"
    assert _actions("pathways.starter_loaded") == ["pathways.starter_loaded"] * 2
    # Every fact of the starter set has its source and dates.
    for fact in Fact.objects.filter(organization=astana):
        assert fact.source and fact.source_date and fact.checked_on


def test_the_german_humanitarian_admission_is_suspended_with_its_date(loaded: Organization) -> None:
    pathway = Pathway.objects.filter(organization=loaded, key="de-humanitarian-22").get()
    assert (pathway.state, pathway.state_since) == ("suspended", date(2025, 7, 23))
    assert pathway.facts.filter(source__icontains="Süddeutsche").exists()


def test_a_fact_without_a_source_cannot_be_saved(loaded: Organization, coordinator: User) -> None:
    values: dict[str, Any] = {
        "topic": "fact",
        "text_en": "x",
        "source": " ",
        "source_date": date(2026, 1, 1),
        "checked_on": date(2026, 1, 1),
    }
    with pytest.raises(PathwayError, match="source"):
        services.add_fact(
            actor=coordinator, organization=loaded, country="KZ", pathway=None, values=values
        )
    with pytest.raises(PathwayError, match="date of its source"):
        services.add_fact(
            actor=coordinator,
            organization=loaded,
            country="KZ",
            pathway=None,
            values={**values, "source": "RFE/RL", "source_date": None},
        )
    # ...nor around the services: the database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Fact.objects.create(
            organization=loaded,
            country="KZ",
            text_en="x",
            source="",
            source_date=date(2026, 1, 1),
            checked_on=date(2026, 1, 1),
        )


def test_a_fact_with_its_source_is_added_with_history(
    loaded: Organization, coordinator: User
) -> None:
    fact = services.add_fact(
        actor=coordinator,
        organization=loaded,
        country="KZ",
        pathway=None,
        values={
            "topic": "border",
            "text_en": "Khorgos is watched.",
            "source": "RFE/RL",
            "source_date": date(2026, 3, 1),
            "checked_on": date(2026, 3, 2),
        },
    )
    assert fact in services.current_facts(loaded, "KZ")
    assert EditRecord.objects.filter(target_code=fact.code, by=coordinator).exists()
    assert _actions("pathways.fact_added") == ["pathways.fact_added"]


def test_fact_form_names_the_missing_source(
    loaded: Organization, coordinator: User, signed_in: Any
) -> None:
    profile = CountryProfile.objects.filter(organization=loaded, country="KZ").get()
    before = Fact.objects.filter(organization=loaded).count()
    response = signed_in(coordinator).post(
        reverse("pathways:country_fact_add", args=[profile.code]),
        {
            "topic": "fact",
            "text_en": "New rule",
            "source": "",
            "source_date": "2026-01-01",
            "checked_on": "2026-01-01",
        },
        follow=True,
    )
    assert "source" in response.content.decode().lower()
    assert Fact.objects.filter(organization=loaded).count() == before


def test_stale_facts_are_flagged(loaded: Organization, coordinator: User, settings: Any) -> None:
    fact = Fact.objects.filter(organization=loaded).first()
    assert fact is not None
    fact.checked_on = TODAY() - timedelta(days=200)
    assert fact.is_stale()
    settings.TROPA_FACTS_STALE_MONTHS = 12
    assert not fact.is_stale()


def test_edits_keep_their_history(loaded: Organization, coordinator: User) -> None:
    fact = Fact.objects.filter(organization=loaded, topic="incident").first()
    assert fact is not None
    services.edit_fact(actor=coordinator, fact=fact, values={"source": "Meduza, 03.02.2026"})
    services.retire_fact(actor=coordinator, fact=fact)
    records = list(EditRecord.objects.filter(target_code=fact.code).order_by("at", "pk"))
    assert [list(r.changes) for r in records] == [["source"], ["retired"]]
    assert records[0].by == coordinator
    assert fact not in services.current_facts(loaded, fact.country)
    with pytest.raises(PathwayError):
        services.retire_fact(actor=coordinator, fact=fact)
    assert _actions("pathways.fact_edited", "pathways.fact_retired") == [
        "pathways.fact_edited",
        "pathways.fact_retired",
    ]


def test_a_bad_stay_rule_is_refused(loaded: Organization, coordinator: User) -> None:
    profile = CountryProfile.objects.filter(organization=loaded, country="KZ").get()
    with pytest.raises(PathwayError, match="stay rule"):
        services.edit_country(actor=coordinator, profile=profile, values={"stay_rule": "90 days"})
    profile.refresh_from_db()
    assert profile.stay_rule == "rolling:90/180"


def test_trips_set_the_last_legal_day_and_follow_a_rule_change(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    entry = TODAY() - timedelta(days=9)
    services.add_trip(actor=coordinator, case=case, country="KZ", entry=entry, exit=None)
    deadline = Deadline.objects.filter(organization=loaded, case=case, kind="stay").get()
    assert deadline.due_on == entry + timedelta(days=89) and deadline.computed
    (clock,) = services.clocks(case)
    assert (clock.stay.days_used, clock.stay.days_left) == (10, 80)
    profile = CountryProfile.objects.filter(organization=loaded, country="KZ").get()
    services.edit_country(
        actor=coordinator, profile=profile, values={"stay_rule": "rolling:30/60", "risk": "high"}
    )
    deadline.refresh_from_db()
    assert deadline.due_on == entry + timedelta(days=29)
    assert _actions("pathways.trip_added", "pathways.country_edited") == [
        "pathways.trip_added",
        "pathways.country_edited",
    ]


def test_overlapping_trips_are_refused_whatever_the_country(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    services.add_trip(
        actor=coordinator, case=case, country="KZ", entry=date(2026, 3, 1), exit=date(2026, 3, 20)
    )
    with pytest.raises(PathwayError, match="overlap"):
        services.add_trip(
            actor=coordinator,
            case=case,
            country="KG",
            entry=date(2026, 3, 10),
            exit=date(2026, 3, 25),
        )
    # Leaving and entering the next country on the same day is how border runs go.
    services.add_trip(
        actor=coordinator, case=case, country="KG", entry=date(2026, 3, 20), exit=date(2026, 3, 21)
    )
    assert case.trips.count() == 2


def test_leaving_removes_the_stay_deadline(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    trip = services.add_trip(
        actor=coordinator, case=case, country="KZ", entry=TODAY() - timedelta(days=5), exit=None
    )
    services.edit_trip(actor=coordinator, trip=trip, entry=trip.entry, exit=TODAY())
    assert not Deadline.objects.filter(organization=loaded, case=case, kind="stay").exists()
    services.delete_trip(actor=coordinator, trip=trip)
    assert not case.trips.exists()
    assert _actions("pathways.trip_edited", "pathways.trip_deleted") == [
        "pathways.trip_edited",
        "pathways.trip_deleted",
    ]


def test_an_overstay_is_overdue(loaded: Organization, coordinator: User, case: Case) -> None:
    services.add_trip(
        actor=coordinator, case=case, country="KZ", entry=TODAY() - timedelta(days=99), exit=None
    )
    deadline = Deadline.objects.filter(organization=loaded, case=case, kind="stay").get()
    assert deadline.due_on == TODAY() - timedelta(days=10)
    assert deadline.is_overdue()
    (clock,) = services.clocks(case)
    assert clock.stay.overstay and clock.stay.last_legal_day is None


def test_reminders_at_14_7_and_3_days_once_each(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    due = TODAY() + timedelta(days=14)
    services.add_deadline(actor=coordinator, case=case, kind="passport", due_on=due, note="x")
    reminders = Task.objects.filter(organization=loaded, case=case)
    for days_before, expected in (
        (20, 0),
        (14, 1),
        (13, 1),
        (7, 2),
        (7, 2),
        (4, 2),
        (3, 3),
        (1, 3),
    ):
        services.remind_deadlines(today=due - timedelta(days=days_before))
        assert reminders.count() == expected, days_before
    assert {t.assignee for t in reminders} == {coordinator}
    assert all(t.due_on == due for t in reminders)
    assert _actions("pathways.deadline_reminded").count("pathways.deadline_reminded") == 3


def test_a_done_deadline_gets_no_reminder(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    deadline = services.add_deadline(
        actor=coordinator, case=case, kind="residence", due_on=TODAY() + timedelta(days=3)
    )
    services.set_deadline_done(actor=coordinator, deadline=deadline, done=True)
    assert services.remind_deadlines() == 0
    services.set_deadline_done(actor=coordinator, deadline=deadline, done=False)
    assert services.remind_deadlines() == 1
    assert (
        _actions("pathways.deadline_done", "pathways.deadline_reopened")
        == [
            "pathways.deadline_added",
            "pathways.deadline_done",
            "pathways.deadline_reopened",
        ][1:]
    )


def test_the_stay_deadline_is_computed_not_typed(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    with pytest.raises(PathwayError, match="computed"):
        services.add_deadline(actor=coordinator, case=case, kind="stay", due_on=TODAY())


def _deserter(case: Case, coordinator: User) -> None:
    cases.save_service_record(
        actor=coordinator, person=case.person, left_how="deserted", service_type="mobilized"
    )


def test_pursuing_a_pathway_makes_tasks_of_what_it_lacks(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    _deserter(case, coordinator)
    fits = {f.pathway.key: f for f in services.fits(case)}
    assert "fr-visa-asylum" in fits and "de-study-work" not in fits  # not a draft evader
    france = fits["fr-visa-asylum"].pathway
    services.mark_requirement(actor=coordinator, case=case, requirement="call_up")
    missing = [r.code for r in next(f for f in services.fits(case) if f.pathway == france).missing]
    assert missing == ["anti_war", "vetting", "letter"]
    services.pursue(actor=coordinator, case=case, pathway=france)
    titles = list(
        Task.objects.filter(organization=loaded, case=case).values_list("title", flat=True)
    )
    assert len(titles) == 3 and all(t.startswith("France") for t in titles)
    with pytest.raises(PathwayError, match="already"):
        services.pursue(actor=coordinator, case=case, pathway=france)
    services.drop(actor=coordinator, chosen=CasePathway.objects.filter(organization=loaded).get())
    assert _actions("pathways.pursued", "pathways.dropped", "pathways.requirement_marked") == [
        "pathways.requirement_marked",
        "pathways.pursued",
        "pathways.dropped",
    ]


def test_in_country_pathways_fit_only_there(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    _deserter(case, coordinator)
    services.add_trip(actor=coordinator, case=case, country="AM", entry=TODAY(), exit=None)
    keys = {f.pathway.key for f in services.fits(case)}
    assert "am-asylum" in keys and "kz-refugee-status" not in keys


def test_a_requirement_is_shown_by_this_cases_evidence_only(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    other = cases.create_case(actor=coordinator, organization=loaded, pseudonym="Other")

    class Item:
        case_id = other.pk
        code = "x"

    with pytest.raises(PathwayError, match="another case"):
        services.mark_requirement(
            actor=coordinator, case=case, requirement="call_up", evidence=Item()
        )
    with pytest.raises(PathwayError, match="by hand"):
        services.mark_requirement(actor=coordinator, case=case, requirement="vetting")
    services.mark_requirement(actor=coordinator, case=case, requirement="call_up")
    services.mark_requirement(actor=coordinator, case=case, requirement="call_up", met=False)
    assert not case.requirements_met.exists()
    assert "pathways.requirement_unmarked" in _actions("pathways.requirement_unmarked")


def test_a_closed_pathway_cannot_be_pursued(
    loaded: Organization, coordinator: User, case: Case
) -> None:
    pathway = Pathway.objects.filter(organization=loaded, key="fr-visa-asylum").get()
    services.edit_pathway(
        actor=coordinator,
        pathway=pathway,
        values={"state": "closed", "state_since": date(2026, 11, 1)},
    )
    with pytest.raises(PathwayError, match="closed"):
        services.pursue(actor=coordinator, case=case, pathway=pathway)
    with pytest.raises(PathwayError, match="since when"):
        services.edit_pathway(
            actor=coordinator, pathway=pathway, values={"state": "suspended", "state_since": None}
        )


def test_briefing_given_is_recorded(loaded: Organization, coordinator: User, case: Case) -> None:
    services.record_briefing(actor=coordinator, case=case, country="KZ", given_on=TODAY())
    with pytest.raises(PathwayError, match="future"):
        services.record_briefing(
            actor=coordinator, case=case, country="KZ", given_on=TODAY() + timedelta(days=1)
        )
    assert case.briefings_given.count() == 1
    assert _actions("pathways.briefing_given") == ["pathways.briefing_given"]


def test_briefing_page_prints_sources_in_russian_and_english(
    loaded: Organization, volunteer: User, signed_in: Any
) -> None:
    profile = CountryProfile.objects.filter(organization=loaded, country="KZ").get()
    client = signed_in(volunteer)
    russian = client.get(
        reverse("pathways:briefing", args=[profile.code]) + "?lang=ru"
    ).content.decode()
    english = client.get(
        reverse("pathways:briefing", args=[profile.code]) + "?lang=en"
    ).content.decode()
    assert "Памятка по безопасности: Казахстан" in russian and "выдачи" in russian
    assert "Safety briefing: Kazakhstan" in english and "extradition" in english.lower()
    assert "bureau.kz" in english  # each point with its source
    # A date the source gives only to the year is printed as the year, never as 1 January.
    assert "2024: Касимова выдали" in russian and "01.01.2024" not in russian
    assert "Kasimov" in english and "01.01.2024" not in english


def test_volunteer_sees_deadlines_but_no_border_point_nor_pathways(
    loaded: Organization, coordinator: User, volunteer: User, case: Case, signed_in: Any
) -> None:
    case.assignee = volunteer
    case.save(update_fields=["assignee"])
    services.add_trip(
        actor=coordinator,
        case=case,
        country="KZ",
        entry=TODAY() - timedelta(days=85),
        exit=None,
        border_point="Хоргос",
    )
    html = signed_in(volunteer).get(reverse("cases:detail", args=[case.code])).content.decode()
    assert "Хоргос" not in html and "Pursue this pathway" not in html
    assert "last legal day" in html
    dashboard = signed_in(volunteer).get(reverse("cases:dashboard")).content.decode()
    assert "Deadlines this week" in dashboard and "Kolya" in dashboard
    full = signed_in(coordinator).get(reverse("cases:detail", args=[case.code])).content.decode()
    assert "Хоргос" in full and "Pursue this pathway" in full
    # Where a move is planned: each transit country's risk and its latest incident.
    assert "Bazhukov was handed" in full and "Print the briefing for Kazakhstan" in full
    assert _actions("pathways.clocks_viewed") == ["pathways.clocks_viewed"]


def test_case_actions_through_the_browser(
    loaded: Organization, coordinator: User, case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    bad = client.post(
        reverse("pathways:trip_add", args=[case.code]),
        {"trip-country": "KZ", "trip-entry": "2026-03-10", "trip-exit": "2026-03-01"},
        follow=True,
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "exit cannot be before the entry" in html
    assert not case.trips.exists()
    # What was typed comes back, the section open, the error at its field.
    assert 'value="2026-03-10"' in html and "aria-invalid" in html
    deadline = client.post(
        reverse("pathways:deadline_add", args=[case.code]),
        {"deadline-kind": "residence", "deadline-note": "продлить в ЦОН"},
    ).content.decode()
    assert "продлить в ЦОН" in deadline and 'value="residence" selected' in deadline
    assert not case.deadlines.exists()
    client.post(
        reverse("pathways:trip_add", args=[case.code]),
        {"trip-country": "KZ", "trip-entry": TODAY().isoformat()},
    )
    client.post(
        reverse("pathways:deadline_add", args=[case.code]),
        {
            "deadline-kind": "registration",
            "deadline-due_on": (TODAY() + timedelta(days=2)).isoformat(),
        },
    )
    page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert "Registration deadline" in page and "Last legal day" not in page.split("Deadlines")[0]
    assert case.deadlines.count() == 2


def test_dashboard_panel_queries_do_not_grow_with_rows(
    loaded: Organization, coordinator: User, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        c = cases.create_case(actor=coordinator, organization=loaded, pseudonym=f"P{n}")
        services.add_deadline(
            actor=coordinator, case=c, kind="passport", due_on=TODAY() + timedelta(days=n)
        )
    client = signed_in(coordinator)
    client.get(reverse("cases:dashboard"))
    with django_assert_max_num_queries(40):
        html = client.get(reverse("cases:dashboard")).content.decode()
    assert html.count("Passport expires") == 6


def test_reference_pages_render_for_staff(
    loaded: Organization, coordinator: User, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(coordinator)
    index = client.get(reverse("pathways:index")).content.decode()
    assert "Kazakhstan" in index and "Suspended" in index
    pathway = Pathway.objects.filter(organization=loaded, key="de-humanitarian-22").get()
    with django_assert_max_num_queries(20):
        page = client.get(reverse("pathways:pathway", args=[pathway.code])).content.decode()
    assert "Table.media" in page and "not verified" in page
    profile = CountryProfile.objects.filter(organization=loaded, country="KZ").get()
    country = client.get(reverse("pathways:country", args=[profile.code])).content.decode()
    assert "Bazhukov" in country


def test_only_coordinators_edit_the_reference(
    loaded: Organization, verifier: User, signed_in: Any
) -> None:
    pathway = Pathway.objects.filter(organization=loaded).first()
    assert pathway is not None
    response = signed_in(verifier).post(
        reverse("pathways:pathway", args=[pathway.code]),
        {"name_en": "x", "for_whom": ["deserter"], "state": "open"},
    )
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="access.forbidden").exists()


def test_a_refused_edit_comes_back_with_its_error_and_what_was_typed(
    loaded: Organization, coordinator: User, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    pathway = Pathway.objects.filter(organization=loaded, key="de-humanitarian-22").get()
    response = client.post(
        reverse("pathways:pathway", args=[pathway.code]),
        {"name_en": "Germany, typed anew", "for_whom": ["deserter"], "state": "closed"},
    )
    assert response.status_code == 200  # the page again, not a redirect that loses the input
    page = response.content.decode()
    assert "Say since when the pathway is suspended or closed." in page
    assert 'aria-invalid="true"' in page and '<details class="card" open>' in page
    assert 'value="Germany, typed anew"' in page
    pathway.refresh_from_db()
    assert pathway.name_en != "Germany, typed anew"

    profile = CountryProfile.objects.filter(organization=loaded, country="KZ").get()
    response = client.post(
        reverse("pathways:country", args=[profile.code]),
        {"transit": "on", "stay_rule": "rolling:200/100", "risk": "high"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page and 'value="rolling:200/100"' in page
    profile.refresh_from_db()
    assert profile.stay_rule != "rolling:200/100"
