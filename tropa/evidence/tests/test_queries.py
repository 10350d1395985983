"""Query counts of the evidence pages: one more row must not cost one more query (N+1).

Each page is loaded with one row and again with several; the count must not grow, and it
stays under a fixed ceiling (zulip's ``assert_database_query_count``).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tropa.accounts.models import Organization, Role, User
from tropa.cases.models import Case
from tropa.evidence import services
from tropa.evidence.models import EvidenceItem, ExportRequest

from .conftest import record


def _add(case: Case, actor: User, data: bytes) -> EvidenceItem:
    return services.add_evidence(
        actor=actor, case=case, source=io.BytesIO(data), record=record(original_name="a.txt")
    )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _assert_flat(
    client: Client,
    url: str,
    add_rows: Callable[[], object],
    ceiling: int,
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    one = _count(client, url)
    add_rows()
    several = _count(client, url)
    assert several <= one, f"{url}: {one} queries with one row, {several} with several"
    with django_assert_max_num_queries(ceiling):  # type: ignore[attr-defined]
        client.get(url)


def test_the_case_pages_evidence_panel(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = signed_in(coordinator)
    _add(canary_case, coordinator, b"first")
    url = reverse("cases:detail", args=[canary_case.code])

    def more() -> None:
        for n in range(4):
            item = _add(canary_case, coordinator, f"more {n}".encode())
            services.request_export(
                actor=coordinator, case=canary_case, selection={str(item.code): "original"}
            )

    # The whole case page: every app's panel is on it (see cases' test_house).
    _assert_flat(client, url, more, 66, django_assert_max_num_queries)


def test_the_item_page(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = signed_in(coordinator)
    item = _add(canary_case, coordinator, b"same bytes")
    url = reverse("evidence:item", args=[item.code])

    def more() -> None:
        for _n in range(3):  # duplicates, custody entries and deletion requests
            _add(canary_case, coordinator, b"same bytes")
            services.log_item_viewed(actor=coordinator, item=item)
            services.request_deletion(actor=coordinator, item=item, reason="a copy")

    _assert_flat(client, url, more, 30, django_assert_max_num_queries)


def test_the_upload_page(
    astana: Organization,
    canary_case: Case,
    coordinator: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = signed_in(coordinator)
    other = make_user(astana, "other-coordinator", Role.COORDINATOR)
    services.start_upload(actor=coordinator, case=canary_case, size=10, record=record())
    services.start_upload(actor=other, case=canary_case, size=10, record=record())
    url = reverse("evidence:upload", args=[canary_case.code])

    def more() -> None:
        for _n in range(3):  # the user's own and another person's unfinished uploads
            services.start_upload(actor=coordinator, case=canary_case, size=10, record=record())
            services.start_upload(actor=other, case=canary_case, size=10, record=record())

    _assert_flat(client, url, more, 20, django_assert_max_num_queries)


def test_the_export_pages(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = signed_in(coordinator)
    first = _add(canary_case, coordinator, b"first")
    export = services.request_export(
        actor=coordinator, case=canary_case, selection={str(first.code): "original"}
    )
    items = [first]

    def more() -> None:
        items.extend(_add(canary_case, coordinator, f"more {n}".encode()) for n in range(4))
        ExportRequest.objects.unscoped().filter(pk=export.pk).update(
            selection={str(item.code): "original" for item in items}
        )

    _assert_flat(
        client,
        reverse("evidence:export", args=[export.code]),
        more,
        20,
        django_assert_max_num_queries,
    )
    # The new-export form lists every item of the case.
    url = reverse("evidence:export_new", args=[canary_case.code])
    one = _count(client, url)
    for n in range(3):
        _add(canary_case, coordinator, f"yet more {n}".encode())
    assert _count(client, url) <= one
    with django_assert_max_num_queries(30):  # type: ignore[attr-defined]
        client.get(url)


@pytest.fixture(autouse=True)
def _db(db: None) -> None:
    """Every test here reads pages from the database."""
