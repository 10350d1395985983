"""Finding a case by a document number or a legal name: keyed indexes, POST only, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from conftest import CANARY, CANARY_LATIN
from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.cases import name_index, services
from tropa.cases.models import Case, NameIndex

FIND = reverse("cases:identity_find")


def _find(client: Any, who: str) -> Any:
    return client.post(FIND, {"who": who})


def _found(response: Any) -> list[str]:
    assert response.status_code == 200
    return [c.person.pseudonym for c in response.context["found"] or []]


@pytest.mark.parametrize(
    "who",
    [
        CANARY,  # as written
        CANARY.upper(),
        f"{CANARY.lower()} алексей",  # surname and given name, any order or case
        "Алексей Канарейкин",
        CANARY_LATIN,  # the Latin form of the passport
        "Kanareykin",  # another transliteration: the screening engine reads them alike
        "75 1234567",  # the document number, any spacing
        "75-1234567",
    ],
)
def test_a_coordinator_finds_the_case_by_name_or_document(
    canary_case: Case, coordinator: Any, signed_in: Any, who: str
) -> None:
    assert _found(_find(signed_in(coordinator), who)) == ["Funker"]


@pytest.mark.parametrize("who", ["Канарей", "Канарейкин Пётр", "Алексеевич", "75 1234568"])
def test_part_of_a_name_or_another_name_finds_nothing(
    canary_case: Case, coordinator: Any, signed_in: Any, who: str
) -> None:
    response = _find(signed_in(coordinator), who)
    assert _found(response) == [] and "No case of your organization" in response.content.decode()


def test_another_organizations_document_and_name_find_nothing(
    canary_case: Case, outsider_case: Case, outsider: Any, coordinator: Any, signed_in: Any
) -> None:
    # The canary's number and name, searched from Yerevan: keys differ per organization.
    assert _found(_find(signed_in(outsider), "75 1234567")) == []
    assert _found(_find(signed_in(outsider), CANARY)) == []
    assert _found(_find(signed_in(outsider), "Воронов")) == ["Ararat"]
    assert _found(_find(signed_in(coordinator), "Воронов")) == []


def test_each_search_is_audited_with_what_was_found_never_what_was_typed(
    canary_case: Case, coordinator: Any, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    _find(client, "75 1234567")
    _find(client, f"{CANARY} Алексей")
    _find(client, "Нетакого")
    entries = AuditEntry.objects.filter(
        action__in=[Action.IDENTITY_SEARCHED_BY_DOCUMENT, Action.IDENTITY_SEARCHED_BY_NAME]
    ).order_by("seq")
    assert [(e.action, e.detail["found"]) for e in entries] == [
        (Action.IDENTITY_SEARCHED_BY_DOCUMENT, 1),
        (Action.IDENTITY_SEARCHED_BY_NAME, 1),
        (Action.IDENTITY_SEARCHED_BY_NAME, 0),
    ]
    assert entries[0].detail["people"] == [str(canary_case.person.code)]
    assert all(e.actor_code == str(coordinator.code) for e in entries)
    text = " ".join(str(e.detail) for e in AuditEntry.objects.all())
    assert CANARY not in text and "1234567" not in text and "Нетакого" not in text


def test_the_value_is_in_no_address_and_never_sent_back(
    canary_case: Case, coordinator: Any, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    listing = client.get(reverse("cases:list")).content.decode()
    assert f'method="post" action="{FIND}"' in listing and 'name="who"' in listing
    response = _find(client, f"{CANARY} 75 1234567")
    page = response.content.decode()
    assert CANARY not in page and "1234567" not in page
    assert response.request["PATH_INFO"] == FIND and not response.request.get("QUERY_STRING")
    assert client.get(FIND, {"who": CANARY}).status_code == 405  # no GET, so no URL with it


def test_volunteers_never_see_the_field_and_are_refused(
    canary_case: Case, coordinator: Any, volunteer: Any, signed_in: Any
) -> None:
    services.update_case(actor=coordinator, case=canary_case, assignee=volunteer)
    client = signed_in(volunteer)
    assert 'name="who"' not in client.get(reverse("cases:list")).content.decode()
    assert _find(client, CANARY).status_code == 403
    refused = AuditEntry.objects.filter(action=Action.ACCESS_FORBIDDEN).last()
    assert refused is not None and refused.detail["capability"] == "view_identity"
    assert not AuditEntry.objects.filter(action=Action.IDENTITY_SEARCHED_BY_NAME).exists()


def test_searches_count_towards_the_hourly_reveal_cap(
    canary_case: Case, coordinator: Any, signed_in: Any, settings: Any
) -> None:
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = 3
    client = signed_in(coordinator)
    client.post(reverse("cases:identity_reveal", args=[canary_case.code]))  # one reveal
    assert _found(_find(client, CANARY)) == ["Funker"]
    assert _found(_find(client, "75 1234567")) == ["Funker"]
    refused = _find(client, CANARY)  # the fourth in the hour
    assert refused.context["found"] is None and "limit of 3" in refused.content.decode()
    entry = AuditEntry.objects.filter(action=Action.IDENTITY_REVEAL_REFUSED).get()
    assert entry.detail["purpose"] == "identity_search"
    with pytest.raises(services.RevealLimitReached):  # and the next reveal is refused too
        services.reveal_identity(actor=coordinator, person=canary_case.person)


def test_the_name_index_holds_short_keyed_values_only(canary_case: Case) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM cases_nameindex")
        values = [row[0] for row in cursor.fetchall()]
    assert values and all(len(v) <= name_index.BITS // 4 for v in values)
    assert all(CANARY.lower() not in v and "kanar" not in v for v in values)
    # Saved again with another name: the old name's rows are gone.
    services.save_identity(actor=None, person=canary_case.person, data={"surname": "Другой"})
    identity = canary_case.person.identity
    org = canary_case.organization_id
    assert set(NameIndex.objects.filter(identity=identity).values_list("digest", flat=True)) == (
        name_index.digests(org, name_index.name_keys({"surname": "Другой"}))
    )


def test_colliding_index_values_are_told_apart_by_the_sealed_names(
    canary_case: Case, coordinator: Any, signed_in: Any, monkeypatch: Any
) -> None:
    # Two values only: every name shares its rows with most others, as it would with a few
    # in 4,096 at 100,000 people; the search must still answer only the right man.
    monkeypatch.setattr(name_index, "BITS", 1)
    other = services.create_case(
        actor=coordinator, organization=canary_case.organization, pseudonym="Other"
    )
    services.save_identity(actor=coordinator, person=other.person, data={"surname": "Пётров"})
    services.save_identity(actor=coordinator, person=canary_case.person, data={"surname": CANARY})
    client = signed_in(coordinator)
    assert _found(_find(client, CANARY)) == ["Funker"]
    assert _found(_find(client, "Пётров")) == ["Other"]
    assert _found(_find(client, f"{CANARY} Пётров")) == []
