"""A seized database does not link a person to a watchlist entry (issue 9, finding 1).

A hit's reference to the entry, its score, finding and explanation, the entry digest of the
last decision and the hit's own copy of the entry are sealed with the organization's key; the
one lookup column is a keyed blind index. The tests read the raw tables with SQL, as someone
holding the database file (but not the keyset) would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.screening import services
from tropa.screening.models import HitStatus, ListEntry, ScreeningHit

from .conftest import NAMESAKE, SHCHERBAKOV, SURNAME


def _rows() -> Iterator[tuple[str, str]]:
    """Every row of every table, as text: (table, row)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                values = []
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        values.append(bytes(value).decode("latin-1"))
                    else:
                        values.append(str(value))
                yield table, "\x1f".join(values)


def _forms(value: Any) -> set[str]:
    if isinstance(value, uuid.UUID):
        return {str(value), value.hex}
    return {str(value)}


@pytest.fixture(params=["published", "organization"])
def import_list(
    request: pytest.FixtureRequest,
    write_ftm: Callable[..., Path],
    write_csv: Callable[..., Path],
    astana: Organization,
) -> Callable[..., None]:
    """Imports one list version, published or the organization's own, by its entries."""

    def published(*entities: dict[str, Any], name: str = "v.json") -> None:
        services.import_list(actor=None, path=write_ftm(*entities, name=name), name="OS")

    def own(*entities: dict[str, Any], name: str = "v.json") -> None:
        rows = []
        for entity in entities:
            props = entity["properties"]
            position = ";".join(props.get("position", []))
            rows.append(
                f"{entity['id']},{props['name'][0]},,{props.get('birthDate', [''])[0]},{position},"
            )
        services.import_list(
            actor=None,
            path=write_csv(*rows, name=name.replace(".json", ".csv")),
            name="Own",
            organization=astana,
        )

    return published if request.param == "published" else own


def test_a_seized_database_does_not_link_a_person_to_a_list_entry(
    import_list: Callable[..., None],
    listed_case: Case,
    astana: Organization,
    coordinator: User,
    verifier: User,
) -> None:
    import_list(SHCHERBAKOV, NAMESAKE)
    second = cases.create_case(actor=coordinator, organization=astana, pseudonym="Second")
    cases.save_identity(
        actor=coordinator,
        person=second.person,
        data={"surname": SURNAME, "given_name": "Юрий", "patronymic": "Фёдорович"},
    )
    services.screen_case(actor=coordinator, case=listed_case)
    services.screen_case(actor=coordinator, case=second)
    hits = list(ScreeningHit.objects.unscoped().select_related("case__person"))
    assert len(hits) >= 2
    for hit in hits:  # Grach's is confirmed, the others dismissed
        confirm = hit.case == listed_case
        services.decide_hit(actor=verifier, hit=hit, confirm=confirm, reason="По паспорту")
    # Every page that reads the hits, so that their audit entries are in the database too.
    for hit in hits:
        services.read_hit(actor=verifier, hit=hit)

    entry_marks: set[str] = set()
    for entry in ListEntry.objects.all():
        entry_marks |= _forms(entry.pk) | {entry.key, entry.digest}
    person_marks: set[str] = set()
    scores: set[str] = set()
    for hit in hits:
        facts = services.hit_facts(hit)
        assert facts.score > 0.5  # still readable with the keys
        scores |= {repr(facts.score), str(round(facts.score, 3)), str(round(facts.score, 2))}
        for value in (hit.pk, hit.code, hit.case.pk, hit.case.code, hit.person_id):
            person_marks |= _forms(value)
        person_marks |= _forms(hit.case.person.code)

    rows = list(_rows())
    hit_rows = [row for table, row in rows if table == ScreeningHit._meta.db_table]
    assert len(hit_rows) == len(hits)
    for row in hit_rows:
        assert not [m for m in entry_marks if m in row], "a hit row names its list entry"
        assert not scores & set(row.split("\x1f")), "a hit row holds its score"
    for table, row in rows:
        if any(m in row for m in person_marks):
            found = [m for m in entry_marks if m in row]
            assert not found, f"{table} joins a person or case to a list entry"
            # A stored score is a column of its own: compare whole values, since a short
            # score ("1.0") also stands inside timestamps and ciphertext by chance.
            assert not scores & set(row.split("\x1f")), f"{table} holds a hit's score"


def test_the_hit_keeps_what_it_matched_when_the_entry_leaves_the_list(
    import_list: Callable[..., None],
    listed_case: Case,
    coordinator: User,
    verifier: User,
    signed_in: Any,
) -> None:
    import_list(SHCHERBAKOV, NAMESAKE, name="v1.json")
    services.screen_case(actor=coordinator, case=listed_case)
    hit = ScreeningHit.objects.unscoped().get()
    assert services.hit_facts(hit).match
    import_list(NAMESAKE, name="v2.json")  # the man is no longer on the list
    # Nothing protects the entry any more: it is gone from the database, the hit is not.
    assert ListEntry.objects.count() == 1
    client = signed_in(verifier)
    html = client.post(reverse("screening:hit_reveal", args=[hit.code])).content.decode()
    assert "Shcherbakov Iurii" in html and "no longer listed" in html
    queue = client.get(reverse("screening:queue")).content.decode()
    assert "no longer listed" in queue and str(hit.code) in queue
    services.decide_hit(actor=verifier, hit=hit, confirm=False, reason="Другой человек")
    # Back on the list unchanged: the same hit, and the dismissal holds.
    import_list(SHCHERBAKOV, NAMESAKE, name="v3.json")
    services.screen_case(actor=coordinator, case=listed_case)
    hit = ScreeningHit.objects.unscoped().get()
    assert hit.status == HitStatus.DISMISSED
    html = client.post(reverse("screening:hit_reveal", args=[hit.code])).content.decode()
    assert "no longer listed" not in html


def test_the_queue_is_sorted_by_the_sealed_score_and_paginated(
    write_ftm: Callable[..., Path],
    astana: Organization,
    verifier: User,
    signed_in: Any,
    settings: Any,
) -> None:
    services.import_list(actor=None, path=write_ftm(SHCHERBAKOV), name="OS")
    strong = cases.create_case(actor=verifier, organization=astana, pseudonym="Strong")
    weak = cases.create_case(actor=verifier, organization=astana, pseudonym="Weak")
    cases.save_identity(
        actor=verifier,
        person=strong.person,
        data={"surname": SURNAME, "given_name": "Юрий", "patronymic": "Фёдорович"},
    )
    cases.save_identity(
        actor=verifier, person=weak.person, data={"surname": SURNAME, "given_name": "Юрий"}
    )
    services.screen_case(actor=verifier, case=weak)
    services.screen_case(actor=verifier, case=strong)
    client = signed_in(verifier)
    html = client.get(reverse("screening:queue")).content.decode()
    assert html.index("Strong") < html.index("Weak")
    settings.SCREENING_QUEUE_PAGE = 1
    first = client.get(reverse("screening:queue")).content.decode()
    second = client.get(reverse("screening:queue"), {"page": "2"}).content.decode()
    assert "Strong" in first and "Weak" not in first
    assert "Weak" in second and "Strong" not in second
    assert client.get(reverse("screening:queue"), {"page": "x"}).status_code == 200
