"""The review queue: verifiers and coordinators confirm or dismiss hits, with a reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.screening import services
from tropa.screening.models import HitStatus, ScreeningHit

from .conftest import SHCHERBAKOV, SURNAME, person


@pytest.fixture
def hit(write_ftm: Callable[..., Path], listed_case: Case, coordinator: User) -> ScreeningHit:
    services.import_list(actor=None, path=write_ftm(SHCHERBAKOV), name="OpenSanctions")
    services.screen_case(actor=coordinator, case=listed_case)
    return ScreeningHit.objects.unscoped().get()


def test_it_lists_pending_hits_strongest_first(
    hit: ScreeningHit,
    write_ftm: Callable[..., Path],
    astana: Organization,
    verifier: User,
    signed_in: Any,
) -> None:
    weaker = person("w1", name=["Shcherbakov Iurii"], birthDate=["1980"])
    services.import_list(actor=None, path=write_ftm(weaker, name="w.json"), name="Weaker")
    case = cases.create_case(actor=verifier, organization=astana, pseudonym="Second")
    cases.save_identity(
        actor=verifier, person=case.person, data={"surname": SURNAME, "given_name": "Юрий"}
    )
    services.screen_case(actor=verifier, case=case)
    html = signed_in(verifier).get(reverse("screening:queue")).content.decode()
    assert html.index("Grach") < html.index("Second")
    assert SURNAME not in html  # the queue shows pseudonyms and list names only


def test_the_hit_page_explains_the_match_and_is_audited(
    hit: ScreeningHit, verifier: User, signed_in: Any
) -> None:
    client = signed_in(verifier)
    html = client.post(reverse("screening:hit_reveal", args=[hit.code])).content.decode()
    assert "the same name in another transliteration" in html
    assert "Birth dates agree." in html
    assert "Юрий" in html and "Iurii" in html
    assert AuditEntry.objects.filter(action="screening.hit_viewed").count() == 1


def test_confirming_raises_the_risk_and_is_audited(
    hit: ScreeningHit, listed_case: Case, verifier: User, signed_in: Any
) -> None:
    response = signed_in(verifier).post(
        reverse("screening:hit_decide", args=[hit.code]),
        {"decision": "confirm", "reason": "Дата рождения и отчество совпадают"},
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    listed_case.refresh_from_db()
    assert hit.status == HitStatus.CONFIRMED and hit.decided_by == verifier
    assert listed_case.risk == "critical"
    assert services.read_reason(hit) == "Дата рождения и отчество совпадают"
    entry = AuditEntry.objects.get(action="screening.hit_confirmed")
    assert entry.detail["risk_raised"] is True
    assert "совпадают" not in repr(entry.detail)
    assert AuditEntry.objects.filter(action="case.updated", detail__fields=["risk"]).exists()


def test_dismissing_needs_a_reason(hit: ScreeningHit, verifier: User, signed_in: Any) -> None:
    client = signed_in(verifier)
    url = reverse("screening:hit_decide", args=[hit.code])
    client.post(url, {"decision": "dismiss", "reason": "  "})
    hit.refresh_from_db()
    assert hit.status == HitStatus.PENDING
    with pytest.raises(services.ScreeningError):
        services.decide_hit(actor=verifier, hit=hit, confirm=False, reason=" ")
    client.post(url, {"decision": "dismiss", "reason": "Другой год рождения по паспорту"})
    hit.refresh_from_db()
    assert hit.status == HitStatus.DISMISSED
    assert hit.case.risk == "low"
    assert AuditEntry.objects.filter(action="screening.hit_dismissed").exists()
    # A decided hit cannot be decided again.
    with pytest.raises(services.ScreeningError):
        services.decide_hit(actor=verifier, hit=hit, confirm=True, reason="x")


def test_only_reviewers_decide(
    hit: ScreeningHit,
    listed_case: Case,
    astana: Organization,
    coordinator: User,
    volunteer: User,
    make_user: Callable[..., User],
    signed_in: Any,
) -> None:
    caseworker = make_user(astana, "carl", Role.CASEWORKER)
    decide = reverse("screening:hit_decide", args=[hit.code])
    data = {"decision": "confirm", "reason": "x"}
    assert signed_in(caseworker).get(reverse("screening:hit", args=[hit.code])).status_code == 200
    assert signed_in(caseworker).post(decide, data).status_code == 403
    assert signed_in(caseworker).get(reverse("screening:queue")).status_code == 403
    # A volunteer does not see the case at all, then lacks the capability once assigned.
    assert signed_in(volunteer).get(reverse("screening:hit", args=[hit.code])).status_code == 404
    cases.update_case(actor=coordinator, case=listed_case, assignee=volunteer)
    assert signed_in(volunteer).get(reverse("screening:hit", args=[hit.code])).status_code == 403
    assert signed_in(volunteer).post(decide, data).status_code == 403
    assert signed_in(volunteer).get(reverse("screening:queue")).status_code == 403
    hit.refresh_from_db()
    assert hit.status == HitStatus.PENDING


def test_another_organization_sees_nothing(
    hit: ScreeningHit, outsider: User, signed_in: Any
) -> None:
    client = signed_in(outsider)
    assert client.get(reverse("screening:hit", args=[hit.code])).status_code == 404
    decide = reverse("screening:hit_decide", args=[hit.code])
    assert client.post(decide, {"decision": "confirm", "reason": "x"}).status_code == 404
    assert "Grach" not in client.get(reverse("screening:queue")).content.decode()
    # The published list itself is shared by design.
    lists = client.get(reverse("screening:lists")).content.decode()
    assert "OpenSanctions" in lists
