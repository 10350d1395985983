"""The case list at scale: the substring index (FTS5 / pg_trgm) and keyset pagination."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tropa.accounts.models import Organization, User
from tropa.cases import listing, search_index, services
from tropa.cases.models import Case

NAMES = ["Волк", "ВОЛКОВ", "лис-2", "Ёжик", "Straße", "Falke", "falken", "Сокол Ясный", "İlkin"]
CITIES = ["Астана", "Almaty", "", "Ереван"]


def _make(org: Organization, actor: User, count: int, prefix: str = "Person") -> list[Case]:
    return [
        services.create_case(
            actor=actor, organization=org, pseudonym=f"{prefix} {n:03d}", city="Astana"
        )
        for n in range(count)
    ]


@pytest.fixture
def named(astana: Organization, coordinator: User) -> list[Case]:
    made = []
    for n, name in enumerate(NAMES):
        case = services.create_case(
            actor=coordinator, organization=astana, pseudonym=name, city=CITIES[n % len(CITIES)]
        )
        if n % 3 == 0:
            services.save_service_record(actor=coordinator, person=case.person, unit=f"Бригада {n}")
        made.append(case)
    return made


def _found(org: Organization, text: str, column: str = "search_text") -> set[str]:
    cases = listing.search(Case.objects.for_organization(org), column, text)
    return {c.person.pseudonym for c in cases.select_related("person")}


def _expected(org: Organization, text: str, column: str = "search_text") -> set[str]:
    folded = text.strip().casefold()
    return {
        c.person.pseudonym
        for c in Case.objects.for_organization(org).select_related("person")
        if folded in getattr(c, column)
    }


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.sampled_from(NAMES + CITIES).flatmap(
            lambda s: st.tuples(st.integers(0, len(s)), st.integers(1, 6)).map(
                lambda ab: s[ab[0] : ab[0] + ab[1]]
            )
        ),
        st.text(alphabet="волкВОЛКёЁaLfsSß\"'*- ", min_size=1, max_size=6),
    ),
    broad=st.booleans(),
)
def test_the_index_finds_exactly_what_a_substring_search_finds(
    named: list[Case], astana: Organization, text: str, broad: bool, monkeypatch: Any
) -> None:
    # ``broad``: the path for a search that matches many cases (the column scan on SQLite).
    monkeypatch.setattr(listing, "_SELECTIVE", -1 if broad else 5000)
    for column in ("search_text", "logistics_search_text"):
        assert _found(astana, text, column) == _expected(astana, text, column), (text, column)


def test_search_is_case_folded_partial_and_cyrillic(named: list[Case], astana: Any) -> None:
    assert _found(astana, "волк") == {"Волк", "ВОЛКОВ"}
    assert _found(astana, "ОЛКО") == {"ВОЛКОВ"}
    assert _found(astana, "ёж") == {"Ёжик"}  # two letters: below a trigram, still found
    assert _found(astana, "STRASSE") == {"Straße"}  # casefold, not lower()
    assert _found(astana, "бригада 3") == {"Ёжик"}  # the unit, for those who may see it
    assert _found(astana, "бригада", "logistics_search_text") == set()
    assert _found(astana, 'сокол "ясный') == set() and _found(astana, "л ясн") == {"Сокол Ясный"}


def test_a_candidate_holding_the_rarest_trigrams_only_is_not_a_match(
    coordinator: User, astana: Any
) -> None:
    # Every trigram of "abcdef" is in one case or another; the three rarest are all in
    # "abcdeZ", which still does not contain the whole query.
    for pseudonym in ("abcdeZ", "Qdef"):
        services.create_case(actor=coordinator, organization=astana, pseudonym=pseudonym)
    assert _found(astana, "abcdef") == set()
    assert _found(astana, "abcde") == {"abcdeZ"}


def test_another_organizations_cases_are_not_found(
    named: list[Case], astana: Any, yerevan: Organization, outsider: User
) -> None:
    services.create_case(actor=outsider, organization=yerevan, pseudonym="Волк из Еревана")
    assert _found(astana, "волк") == {"Волк", "ВОЛКОВ"}
    assert _found(yerevan, "волк") == {"Волк из Еревана"}


def test_the_index_follows_renames_and_deletions(coordinator: User, astana: Any) -> None:
    case = services.create_case(actor=coordinator, organization=astana, pseudonym="Барсук")
    assert _found(astana, "барсук") == {"Барсук"}
    services.update_case(actor=coordinator, case=case, pseudonym="Енот")
    assert (_found(astana, "барсук"), _found(astana, "енот")) == (set(), {"Енот"})
    case.delete()
    assert _found(astana, "енот") == set()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {search_index.FTS}")  # noqa: S608
            assert cursor.fetchone()[0] == 0


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's FTS5 triggers")
def test_migrate_puts_back_triggers_a_rebuilt_table_lost(coordinator: User, astana: Any) -> None:
    with connection.cursor() as cursor:  # what SQLite's table rebuild does to them
        for name in search_index.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    services.create_case(actor=coordinator, organization=astana, pseudonym="Филин")
    assert _found(astana, "филин") == set()  # written while the index was not kept
    search_index.after_migrate(sender=None)
    assert _found(astana, "филин") == {"Филин"}
    assert search_index.ensure_installed(connection) is False


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's pg_trgm")
def test_postgresql_searches_through_the_trigram_index(named: list[Case]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: force the choice
    # Without the organization filter: on a few rows its own index would win.
    cases = Case.objects.unscoped()
    for column, index in zip(
        ("search_text", "logistics_search_text"), search_index.TRIGRAM_INDEXES, strict=True
    ):
        # The query the list sends (Django's LIKE, with its ::text cast), Cyrillic folded.
        assert index in listing.search(cases, column, "ВОЛКО").explain()


# Keyset pagination -------------------------------------------------------------------------


def _walk(client: Any, params: dict[str, str], key: str = "next") -> list[listing.CasePage]:
    pages = [client.get(reverse("cases:list"), params).context["page"]]
    while getattr(pages[-1], key) is not None:
        pages.append(
            client.get(
                reverse("cases:list"), {**params, "cursor": getattr(pages[-1], key)}
            ).context["page"]
        )
    return pages


def test_pages_cover_every_case_once_even_when_the_sort_key_ties(
    coordinator: User, astana: Any, signed_in: Any
) -> None:
    _make(astana, coordinator, 120)
    # The same alert flag, risk and time for all: only the code tells them apart.
    Case.objects.for_organization(astana).update(updated_at=timezone.now())
    client = signed_in(coordinator)
    pages = _walk(client, {})
    codes = [c.code for page in pages for c in page.cases]
    assert [len(p.cases) for p in pages] == [50, 50, 20] and len(set(codes)) == 120
    assert [(p.number, p.pages) for p in pages] == [(1, 3), (2, 3), (3, 3)]
    assert pages[0].previous is None and pages[-1].next is None
    # Back from the last page, through "previous", gives the same pages in reverse.
    back = [pages[-1]]
    while back[-1].previous is not None:
        back.append(
            client.get(reverse("cases:list"), {"cursor": back[-1].previous}).context["page"]
        )
    assert [[c.code for c in p.cases] for p in reversed(back)] == [
        [c.code for c in p.cases] for p in pages
    ]
    last = client.get(reverse("cases:list"), {"cursor": "last"}).context["page"]
    assert [c.code for c in last.cases] == codes[-50:] and last.next is None
    assert last.number == 3 and last.previous is not None


def test_rows_deleted_between_requests_neither_skip_nor_repeat(
    coordinator: User, astana: Any, signed_in: Any
) -> None:
    _make(astana, coordinator, 70)
    client = signed_in(coordinator)
    first = client.get(reverse("cases:list")).context["page"]
    order = [c.code for c in Case.objects.for_organization(astana).order_by(*listing.ORDER)]
    # The last row of page 1 and the first of page 2 are gone when "next" is followed.
    Case.objects.for_organization(astana).filter(code__in=order[49:51]).delete()
    second = client.get(reverse("cases:list"), {"cursor": first.next}).context["page"]
    assert [c.code for c in second.cases] == order[51:]


def test_the_cursor_keeps_the_filters_and_a_bad_one_gives_the_first_page(
    coordinator: User, astana: Any, signed_in: Any
) -> None:
    _make(astana, coordinator, 60, prefix="Волк")
    _make(astana, coordinator, 5, prefix="Лис")
    client = signed_in(coordinator)
    pages = _walk(client, {"q": "волк"})
    assert [len(p.cases) for p in pages] == [50, 10] and pages[0].count == 60
    html = client.get(reverse("cases:list"), {"q": "волк"}).content.decode()
    assert 'rel="next"' in html and "q=%D0%B2%D0%BE%D0%BB%D0%BA&amp;cursor=" in html
    tampered = pages[0].next[:-2] + ("aa" if not pages[0].next.endswith("aa") else "bb")
    page = client.get(reverse("cases:list"), {"cursor": tampered}).context["page"]
    assert page.number == 1 and page.previous is None and len(page.cases) == 50


def test_a_deep_page_and_a_search_have_a_fixed_number_of_queries(
    coordinator: User, astana: Any, signed_in: Any, django_assert_num_queries: Any
) -> None:
    _make(astana, coordinator, 55)
    client = signed_in(coordinator)
    cursor = client.get(reverse("cases:list")).context["page"].next
    requests = [{"cursor": cursor}, {"cursor": "last"}, {"q": "person 0"}, {"q": "pe"}]
    counts = []
    for params in requests:
        client.get(reverse("cases:list"), params)  # SQLite's trigram counts, remembered
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("cases:list"), params)
        counts.append(len(queries))
    older = _make(astana, coordinator, 60, prefix="Person 0X")
    # Older than the rest: they fill page 2 behind the cursor taken above.
    Case.objects.for_organization(astana).filter(pk__in=[c.pk for c in older]).update(
        updated_at=timezone.now() - timedelta(days=1)
    )
    for params, count in zip(requests, counts, strict=True):
        with django_assert_num_queries(count):
            page = client.get(reverse("cases:list"), params).context["page"]
        assert len(page.cases) == 50, params
