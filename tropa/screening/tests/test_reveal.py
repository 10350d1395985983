"""Names in screening results are identity (issue 9, finding 3).

The engine's explanation quotes the man's spellings, and the entry he matched carries (nearly)
his name: the case panel, the review queue and the hit page show neither until the same
audited reveal as the case page's identity block, and never to a role that may not see
identity.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tropa.accounts.models import Organization, Role, User
from tropa.accounts.permissions import ROLE_CAPS, Cap
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.screening import services
from tropa.screening.models import ScreeningHit

from .conftest import SHCHERBAKOV, SURNAME

# His spellings (identity) and the list's spellings of the man he matched.
NAMES = (SURNAME, "Юрий", "Фёдорович", "Shcherbakov", "Iurii", "1980-05-03", "os-shcherbakov")


@pytest.fixture
def hit(write_ftm: Callable[..., Path], listed_case: Case, coordinator: User) -> ScreeningHit:
    services.import_list(actor=None, path=write_ftm(SHCHERBAKOV), name="OpenSanctions")
    services.screen_case(actor=coordinator, case=listed_case)
    return ScreeningHit.objects.unscoped().get()


def _shown(html: str) -> list[str]:
    return [name for name in NAMES if name in html]


def test_names_are_masked_until_an_audited_reveal(
    hit: ScreeningHit, listed_case: Case, verifier: User, signed_in: Any
) -> None:
    client = signed_in(verifier)
    page = client.get(listed_case.get_absolute_url()).content.decode()
    assert 'id="screening"' in page and str(hit.code) in page
    assert _shown(page) == []
    assert _shown(client.get(reverse("screening:queue")).content.decode()) == []
    masked = client.get(reverse("screening:hit", args=[hit.code])).content.decode()
    assert _shown(masked) == []
    assert "Birth dates agree." in masked  # what matched is shown, not the names
    assert reverse("screening:hit_reveal", args=[hit.code]) in masked
    assert not AuditEntry.objects.filter(action="identity.revealed", actor_code=verifier.code)

    revealed = client.post(reverse("screening:hit_reveal", args=[hit.code])).content.decode()
    assert _shown(revealed) == list(NAMES)
    entry = AuditEntry.objects.get(action="identity.revealed", actor_code=verifier.code)
    assert entry.object_code == str(listed_case.person.code)
    assert entry.detail["purpose"] == "screening_hit"
    assert SURNAME not in repr(entry.detail)
    # A reveal is a POST only: the page itself stays masked.
    assert client.get(reverse("screening:hit_reveal", args=[hit.code])).status_code == 405


def test_a_role_that_may_not_see_identity_never_gets_the_names(
    hit: ScreeningHit,
    listed_case: Case,
    astana: Organization,
    coordinator: User,
    volunteer: User,
    make_user: Callable[..., User],
    signed_in: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No role today screens without seeing identity; one configured so must not get names.
    monkeypatch.setitem(
        ROLE_CAPS, Role.CASEWORKER, ROLE_CAPS[Role.CASEWORKER] - {Cap.VIEW_IDENTITY}
    )
    caseworker = make_user(astana, "carl", Role.CASEWORKER)
    cases.update_case(actor=coordinator, case=listed_case, assignee=volunteer)
    for user in (caseworker, volunteer):
        client = signed_in(user)
        assert _shown(client.get(listed_case.get_absolute_url()).content.decode()) == []
        assert _shown(client.get(reverse("screening:hit", args=[hit.code])).content.decode()) == []
        response = client.post(reverse("screening:hit_reveal", args=[hit.code]))
        assert response.status_code == 403 and _shown(response.content.decode()) == []
        assert not AuditEntry.objects.filter(action="identity.revealed", actor_code=user.code)
    masked = signed_in(caseworker).get(reverse("screening:hit", args=[hit.code])).content.decode()
    assert reverse("screening:hit_reveal", args=[hit.code]) not in masked


def test_the_names_on_a_hit_count_towards_the_hourly_reveal_cap(
    hit: ScreeningHit, verifier: User, signed_in: Any, settings: Any
) -> None:
    """A hit page shows the names, so it must not be a way around R17's cap."""
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = 2
    client = signed_in(verifier)
    url = reverse("screening:hit_reveal", args=[hit.code])
    for _ in range(2):
        assert _shown(client.post(url).content.decode()) == list(NAMES)
    refused = client.post(url, follow=True)
    html = refused.content.decode()
    assert _shown(html) == []
    assert "identity reveals per hour" in html
    assert refused.redirect_chain[-1][0] == reverse("screening:hit", args=[hit.code])
    assert AuditEntry.objects.filter(action="identity.reveal_refused").count() == 1
