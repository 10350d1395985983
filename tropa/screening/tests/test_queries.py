"""How many queries each screening page makes, with several rows on it: a new N+1 fails here.

The numbers are exact (pytest-django's ``django_assert_num_queries``, like zulip's
``assert_database_query_count``): a page that gains a query per row, or a query at all,
must change the number here on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.screening import services
from tropa.screening.models import DuplicateCandidate, ScreeningHit, WatchList
from tropa.screening.panel import case_panel

from .conftest import NAMESAKE, OTHER, SHCHERBAKOV, SURNAME, person

PEOPLE = 4  # cases of the same man, each screened and each one half of several pairs


@pytest.fixture
def screened(
    write_ftm: Callable[..., Path],
    write_csv: Callable[..., Path],
    astana: Organization,
    coordinator: User,
) -> list[Case]:
    """Three lists (one the organization's own, one with two versions), several cases each
    with hits on two lists, and every pair of them a duplicate candidate."""
    weaker = person("w1", name=["Shcherbakov Iurii"], birthDate=["1980"])
    services.import_list(actor=coordinator, path=write_ftm(SHCHERBAKOV), name="OpenSanctions")
    services.import_list(
        actor=coordinator,
        path=write_ftm(SHCHERBAKOV, NAMESAKE, name="2.json"),
        name="OpenSanctions",
    )
    services.import_list(
        actor=coordinator, path=write_ftm(weaker, OTHER, name="w.json"), name="Weaker"
    )
    services.import_list(
        actor=coordinator,
        path=write_csv("own-1,Shcherbakov Yuri,,1980-05-03,,"),
        name="Our own",
        organization=astana,
    )
    made = []
    for number in range(PEOPLE):
        case = cases.create_case(actor=coordinator, organization=astana, pseudonym=f"P{number}")
        cases.save_identity(
            actor=coordinator,
            person=case.person,
            data={
                "surname": SURNAME,
                "given_name": "Юрий",
                "patronymic": "Фёдорович",
                "birth_date": date(1980, 5, 3),
            },
        )
        services.screen_case(actor=coordinator, case=case)
        made.append(case)
    services.find_duplicate_people(actor=coordinator, organization=astana)
    hits = ScreeningHit.objects.for_organization(astana)
    assert hits.count() >= 2 * PEOPLE and hits.filter(case=made[0]).count() >= 2
    candidates = DuplicateCandidate.objects.for_organization(astana)
    assert candidates.count() == PEOPLE * (PEOPLE - 1) // 2
    # Some decided, so that both tables of the duplicates page have rows.
    for candidate in list(candidates)[:2]:
        services.decide_duplicate(
            actor=coordinator, candidate=candidate, same=False, reason="other documents"
        )
    return made


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200


def test_the_review_queue(
    screened: list[Case], verifier: User, signed_in: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(verifier)
    with django_assert_num_queries(QUEUE):
        _get(client, reverse("screening:queue"))


def test_the_hit_page(
    screened: list[Case], verifier: User, signed_in: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(verifier)
    hit = ScreeningHit.objects.unscoped().filter(case=screened[0]).first()
    assert hit is not None
    with django_assert_num_queries(HIT):
        _get(client, hit.get_absolute_url())


def test_the_duplicates_list(
    screened: list[Case], verifier: User, signed_in: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(verifier)
    with django_assert_num_queries(DUPLICATES):
        _get(client, reverse("screening:duplicates"))


def test_the_duplicate_page(
    screened: list[Case], verifier: User, signed_in: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(verifier)
    candidate = DuplicateCandidate.objects.unscoped().filter(status="different").first()
    assert candidate is not None
    with django_assert_num_queries(DUPLICATE):
        _get(client, candidate.get_absolute_url())


def test_the_watchlists(
    screened: list[Case], verifier: User, signed_in: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(verifier)
    with django_assert_num_queries(LISTS):
        _get(client, reverse("screening:lists"))


def test_a_list_with_several_versions(
    screened: list[Case], verifier: User, signed_in: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(verifier)
    watchlist = WatchList.objects.get(name="OpenSanctions")
    assert watchlist.versions.count() == 2
    with django_assert_num_queries(LIST_DETAIL):
        _get(client, watchlist.get_absolute_url())


def test_the_screening_panel_of_a_case(
    screened: list[Case], coordinator: User, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/")
    request.user = coordinator
    case = Case.objects.unscoped().select_related("person", "organization").get(pk=screened[0].pk)
    with django_assert_num_queries(PANEL):
        panel = case_panel(request, case)
        assert panel is not None and len(panel["hits"]) >= 2
        render_to_string("screening/_case_panel.html", {"panel": panel}, request=request)


# The same with 4 or 6 people (and so 8 or 12 hits, 6 or 15 pairs): nothing per row. The
# session, the user and an audit entry (head locked, entry written, head moved) are in each.
QUEUE = 13
HIT = 18  # with the audited read (screening.hit_viewed)
DUPLICATES = 11
DUPLICATE = 17  # with the audited read, and both men's cases
LISTS = 11  # + the recent uploads of a user who manages lists (a verifier decides hits)
LIST_DETAIL = 10
PANEL = 7  # the panel alone: the case page's other panels are their apps' to count
