"""Keeping a case: creating, editing, stages, days in limbo, the list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from conftest import user_today
from tropa.audit.models import AuditEntry
from tropa.cases import services
from tropa.cases.models import Case, Stage


def test_it_creates_a_case_through_the_form(coordinator: Any, signed_in: Any) -> None:
    client = signed_in(coordinator)
    arrived = user_today(coordinator) - timedelta(days=40)
    response = client.post(
        reverse("cases:new"),
        {
            "pseudonym": "Funker",
            "country": "KZ",
            "city": "Astana",
            "arrived_on": arrived.isoformat(),
            "risk": "high",
        },
    )
    case = Case.objects.unscoped().get(person__pseudonym="Funker")
    assert response["Location"] == case.get_absolute_url()
    assert case.stage == Stage.INTAKE and case.risk == "high"
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="days-in-limbo">40<' in page
    assert AuditEntry.objects.filter(action="case.created", object_code=str(case.code)).exists()


def test_it_names_what_was_wrong_in_a_bad_form(coordinator: Any, signed_in: Any) -> None:
    client = signed_in(coordinator)
    future = (user_today(coordinator) + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("cases:new"),
        {"pseudonym": "", "country": "ZZ", "arrived_on": future, "risk": "medium"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "This date is in the future." in html
    assert "Select a valid choice." in html
    assert not Case.objects.unscoped().exists()


def test_a_stage_move_is_kept_in_the_history(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    url = reverse("cases:stage", args=[canary_case.code])
    client.post(url, {"stage": "vetting"})
    client.post(url, {"stage": "pathway"})
    canary_case.refresh_from_db()
    assert canary_case.stage == Stage.PATHWAY
    moves = list(canary_case.stage_changes.values_list("from_stage", "to_stage"))
    assert moves == [("", "intake"), ("intake", "vetting"), ("vetting", "pathway")]
    assert "Vetting" in client.get(canary_case.get_absolute_url()).content.decode()


def test_closing_needs_a_reason(coordinator: Any, canary_case: Case, signed_in: Any) -> None:
    client = signed_in(coordinator)
    url = reverse("cases:stage", args=[canary_case.code])
    response = client.post(url, {"stage": "closed"}, follow=True)
    assert "Choose why the case is closed." in response.content.decode()
    canary_case.refresh_from_db()
    assert canary_case.stage == Stage.INTAKE
    client.post(url, {"stage": "closed", "reason": "returned"})
    canary_case.refresh_from_db()
    assert (canary_case.stage, canary_case.closed_reason) == ("closed", "returned")


def test_moving_to_the_same_stage_is_refused(coordinator: Any, canary_case: Case) -> None:
    with pytest.raises(services.CaseError):
        services.move_stage(actor=coordinator, case=canary_case, to_stage=Stage.INTAKE)


def test_days_in_limbo_stop_counting_once_protected(coordinator: Any, astana: Any) -> None:
    case = services.create_case(
        actor=coordinator, organization=astana, pseudonym="Sever", arrived_on=date(2026, 1, 1)
    )
    assert case.days_in_limbo(today=date(2026, 1, 31)) == 30
    services.move_stage(actor=coordinator, case=case, to_stage=Stage.PROTECTED)
    assert case.days_in_limbo(today=date(2026, 1, 31)) is None


def test_editing_a_case_logs_the_changed_fields_only(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    client.post(
        reverse("cases:edit", args=[canary_case.code]),
        {"pseudonym": "Funker", "country": "KZ", "city_code": "kz-almaty", "risk": "critical"},
    )
    canary_case.refresh_from_db()
    assert (canary_case.city_code, canary_case.risk, canary_case.risk_rank) == (
        "kz-almaty",
        "critical",
        3,
    )
    entry = AuditEntry.objects.filter(action="case.updated").latest("seq")
    assert entry.detail == {"fields": ["city_code", "risk"]}


@pytest.fixture
def many_cases(astana: Any, coordinator: Any) -> None:
    for number in range(60):
        case = services.create_case(
            actor=coordinator,
            organization=astana,
            pseudonym=f"Person {number:02d}",
            city="Almaty" if number % 2 else "Astana",
        )
        if number % 10 == 0:
            services.save_service_record(
                actor=coordinator, person=case.person, unit=f"Brigade {number}"
            )
    services.move_stage(
        actor=coordinator,
        case=Case.objects.unscoped().get(person__pseudonym="Person 07"),
        to_stage=Stage.VETTING,
    )


def test_the_list_is_paginated(many_cases: None, coordinator: Any, signed_in: Any) -> None:
    client = signed_in(coordinator)
    first = client.get(reverse("cases:list"))
    assert "60 cases" in first.content.decode() and "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("cases:list"), {"cursor": first.context["page"].next})
    assert "Page 2 of 2" in second.content.decode()
    on_first = {c.code for c in first.context["page"].cases}
    on_second = {c.code for c in second.context["page"].cases}
    assert len(on_first) == 50 and len(on_second) == 10 and not on_first & on_second


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "person 3"}, 10),  # pseudonym, any case
        ({"q": "Brigade 20"}, 1),  # unit of the service record
        ({"q": "almaty"}, 30),  # city
        ({"stage": "vetting"}, 1),
        ({"stage": "vetting", "q": "Almaty"}, 1),
        ({"risk": "critical"}, 0),
    ],
)
def test_it_finds_cases_by_pseudonym_unit_city_and_stage(
    many_cases: None, coordinator: Any, signed_in: Any, query: dict[str, str], expected: int
) -> None:
    response = signed_in(coordinator).get(reverse("cases:list"), query)
    assert response.context["page"].count == expected


def test_a_bad_filter_value_is_ignored_with_the_error_shown(
    many_cases: None, coordinator: Any, signed_in: Any
) -> None:
    response = signed_in(coordinator).get(reverse("cases:list"), {"stage": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


def test_search_ignores_case_in_cyrillic_and_follows_a_changed_unit(
    coordinator: Any, astana: Any, signed_in: Any
) -> None:
    case = services.create_case(
        actor=coordinator, organization=astana, pseudonym="Волк", city="Астана"
    )
    services.save_service_record(actor=coordinator, person=case.person, unit="Бригада связи")
    client = signed_in(coordinator)

    def found(q: str) -> int:
        return int(client.get(reverse("cases:list"), {"q": q}).context["page"].count)

    assert (found("волк"), found("АСТАНА"), found("бригада")) == (1, 1, 1)
    services.save_service_record(actor=coordinator, person=case.person, unit="Танковый полк")
    assert (found("бригада"), found("танковый")) == (0, 1)
    services.update_case(actor=coordinator, case=case, pseudonym="Лис")
    assert (found("волк"), found("лис")) == (0, 1)


def test_a_volunteer_cannot_find_a_case_by_the_unit_he_may_not_see(
    coordinator: Any, volunteer: Any, astana: Any, signed_in: Any
) -> None:
    case = services.create_case(
        actor=coordinator, organization=astana, pseudonym="Сокол", city="Алматы"
    )
    services.save_service_record(actor=coordinator, person=case.person, unit="Бригада связи")
    services.update_case(actor=coordinator, case=case, assignee=volunteer)
    volunteers_client, coordinators_client = signed_in(volunteer), signed_in(coordinator)

    def found(client: Any, q: str) -> int:
        return int(client.get(reverse("cases:list"), {"q": q}).context["page"].count)

    assert (found(coordinators_client, "бригада"), found(coordinators_client, "сокол")) == (1, 1)
    # The volunteer sees this case, by pseudonym and city, but never its unit.
    assert (found(volunteers_client, "сокол"), found(volunteers_client, "алматы")) == (1, 1)
    assert found(volunteers_client, "бригада") == 0
    assert found(volunteers_client, "сокол бригада") == 0
