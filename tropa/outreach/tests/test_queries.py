"""Query counts of every outreach list and detail page, each holding several rows.

A count that grows with the rows shown is an N+1: these numbers fail the test when one
appears (zulip's ``assert_database_query_count``). If a page legitimately needs one more
query, change its number here and say why in the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from pytest_django import DjangoAssertNumQueries

from tropa.accounts.models import Organization, User
from tropa.cases import services as cases
from tropa.outreach import services
from tropa.outreach.models import ImportStaging, Institution, Request

ROWS = 4


@dataclass
class World:
    institution: Institution
    request: Request
    staging: ImportStaging


@pytest.fixture
def world(astana: Organization, coordinator: User) -> World:
    """Several institutions, contacts, cases, requests with answers and files, templates."""
    with freeze_time("2026-03-20"):
        first: Institution | None = None
        request: Request | None = None
        for i in range(ROWS):
            institution = services.create_institution(
                actor=coordinator, organization=astana, name=f"Embassy {i}", kind="embassy"
            )
            first = first or institution
            contact = services.add_contact(actor=coordinator, institution=first, name=f"C{i}")
            case = cases.create_case(actor=coordinator, organization=astana, pseudonym=f"P{i}")
            for institution_ in (institution, first):
                request = services.record_request(
                    actor=coordinator,
                    organization=astana,
                    institution=institution_,
                    contact=contact if institution_ == first else None,
                    case=case,
                    channel="email",
                    sent_on=date(2026, 3, 1 + i),
                    subject=f"Visa {i}",
                    attachment=b"%PDF-1.4 scan",
                )
                services.record_answer(
                    actor=coordinator, request=request, status="acknowledged", on=date(2026, 3, 10)
                )
            services.save_template(
                actor=coordinator,
                organization=astana,
                name=f"Template {i}",
                language="en",
                subject="s",
                body="b",
            )
        assert first is not None and request is not None
        for status in ("asked_more", "meeting", "granted"):  # a request page of several rows
            services.record_answer(
                actor=coordinator, request=request, status=status, on=date(2026, 3, 12), note="n"
            )
            services.add_attachment(actor=coordinator, request=request, data=b"%PDF-1.4 more")
        rows = "".join(f"0{1 + i}.03.2026;Embassy {i};acknowledged\n" for i in range(ROWS))
        staging = services.stage_import(
            actor=coordinator,
            organization=astana,
            data=f"Date;Institution;Answer\n{rows}".encode(),
        )
        for _i in range(3):  # a few requests left without an answer, for the dashboard
            services.record_request(
                actor=coordinator,
                organization=astana,
                institution=first,
                channel="email",
                sent_on=date(2026, 3, 1),
                subject="Still waiting",
            )
        services.run_followups()
    return World(institution=first, request=request, staging=staging)


PAGES: list[tuple[str, Callable[[World], list[object]], int]] = [
    ("outreach:index", lambda w: [], 13),
    # + where the cases are (cities, then countries): the own city first
    ("outreach:directory", lambda w: [], 12),
    ("outreach:institution", lambda w: [w.institution.code], 12),
    ("outreach:requests", lambda w: [], 10),
    ("outreach:request", lambda w: [w.request.code], 19),
    ("outreach:templates", lambda w: [], 9),
    ("outreach:statistics", lambda w: [], 13),
    # + the directory for proposals, + the organization's index key and the rows seen before
    ("outreach:import_preview", lambda w: [w.staging.code], 12),
]


@pytest.mark.parametrize(("name", "args", "queries"), PAGES, ids=[p[0] for p in PAGES])
def test_page_query_count(
    name: str,
    args: Callable[[World], list[object]],
    queries: int,
    world: World,
    coordinator: User,
    signed_in: Callable[[User], Client],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = signed_in(coordinator)
    url = reverse(name, args=args(world))
    with freeze_time("2026-03-20"), django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
