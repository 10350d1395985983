"""Identity: sealed at rest, bound to its row, revealed only on purpose and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from conftest import CANARY
from tropa.audit.models import AuditEntry
from tropa.cases import services
from tropa.cases.models import Case, Identity
from tropa.crypto.fields import DecryptionError, unseal


def test_the_case_page_masks_the_identity(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    html = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    for value in (
        "Викторович",
        "KANAREIKIN",
        "75 1234567",
        "+7 700 123 4567",
        "@funker",
        f"{CANARY}а Мария",
    ):
        assert value not in html
    assert "Reveal identity" in html


def test_a_reveal_shows_it_and_is_audited(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    before = AuditEntry.objects.filter(action="identity.revealed").count()
    response = signed_in(coordinator).post(
        reverse("cases:identity_reveal", args=[canary_case.code])
    )
    html = response.content.decode()
    assert CANARY in html and "75 1234567" in html and "@funker" in html
    assert f"{CANARY}а Мария" in html  # family names are shown with the identity
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.filter(action="identity.revealed").latest("seq")
    assert AuditEntry.objects.filter(action="identity.revealed").count() == before + 1
    assert entry.actor_code == str(coordinator.code)
    assert entry.object_code == str(canary_case.person.code)


def test_a_reveal_is_post_only(coordinator: Any, canary_case: Case, signed_in: Any) -> None:
    response = signed_in(coordinator).get(reverse("cases:identity_reveal", args=[canary_case.code]))
    assert response.status_code == 405


def test_a_volunteer_cannot_reveal_or_edit(
    volunteer: Any, coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    services.update_case(actor=coordinator, case=canary_case, assignee=volunteer)
    client = signed_in(volunteer)
    page = client.get(canary_case.get_absolute_url())
    assert page.status_code == 200
    assert "Reveal identity" not in page.content.decode()
    assert client.post(reverse("cases:identity_reveal", args=[canary_case.code])).status_code == 403
    assert client.get(reverse("cases:identity_edit", args=[canary_case.code])).status_code == 403
    assert (
        AuditEntry.objects.filter(action="access.forbidden", actor_code=str(volunteer.code)).count()
        == 2
    )


def test_a_volunteer_does_not_see_cases_not_given_to_them(
    volunteer: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(volunteer)
    assert client.get(canary_case.get_absolute_url()).status_code == 404
    assert "Funker" not in client.get(reverse("cases:list")).content.decode()


def test_the_identity_form_saves_and_reports_bad_lines(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    url = reverse("cases:identity_edit", args=[canary_case.code])
    bad = client.post(url, {"surname": "Щербаков", "documents": "passport 123"})
    assert "Line 1: write it as “kind: number”" in bad.content.decode()
    good = client.post(
        url,
        {
            "surname": "Щербаков",
            "given_name": "Юрий",
            "other_spellings": "Shcherbakov Iurii\nSchtscherbakow Jurij",
            "documents": "military ID: АБ 123456",
        },
    )
    assert good.status_code == 302
    data = services.reveal_identity(actor=coordinator, person=canary_case.person)
    assert data["other_spellings"] == ["Shcherbakov Iurii", "Schtscherbakow Jurij"]
    assert data["documents"] == [{"kind": "military ID", "number": "АБ 123456"}]
    assert "surname_latin" not in data  # fields left empty are dropped


def test_the_database_holds_only_ciphertext(canary_case: Case) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed FROM cases_identity")
        (sealed,) = cursor.fetchone()
    assert CANARY.encode() not in bytes(sealed)
    assert b"1234567" not in bytes(sealed)


def test_a_ciphertext_moved_to_another_row_does_not_open(
    coordinator: Any, canary_case: Case, outsider_case: Case
) -> None:
    mine = Identity.objects.get(person=canary_case.person)
    other = services.save_identity(
        actor=coordinator,
        person=services.create_case(
            actor=coordinator, organization=canary_case.organization, pseudonym="Two"
        ).person,
        data={"surname": "Другой"},
    )
    with pytest.raises(DecryptionError):
        unseal(other, "sealed", mine.sealed)
    # Another organization's key does not open it either.
    foreign = Identity.objects.get(person=outsider_case.person)
    foreign.pk = mine.pk
    with pytest.raises(DecryptionError):
        unseal(foreign, "sealed", mine.sealed)


def test_a_document_number_is_found_through_the_blind_index(
    coordinator: Any, canary_case: Case
) -> None:
    found = services.find_by_document(
        actor=coordinator, organization=canary_case.organization, number="75-1234567"
    )
    assert found == [canary_case.person]
    assert (
        services.find_by_document(
            actor=coordinator, organization=canary_case.organization, number="75 7654321"
        )
        == []
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM cases_documentindex")
        digests = [row[0] for row in cursor.fetchall()]
    assert digests and all("1234567" not in d for d in digests)
