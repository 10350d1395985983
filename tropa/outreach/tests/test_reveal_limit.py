"""Every way outreach shows an identity counts towards the one hourly reveal cap (R17).

A letter as written, each person named in an export with identities, and a letter composed
with the identity are reveals like the case page's: past ``TROPA_REVEAL_LIMIT_PER_HOUR`` they
are refused with a message, the refusal is audited, and nothing of the identity is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from conftest import CANARY
from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.outreach.models import Institution, LetterTemplate, Request

from .test_identity_letters import identity_letter, starter  # noqa: F401 (fixtures)


def _use_up(settings: Any, coordinator: User) -> None:
    """The limit is whatever reveals the fixture already made."""
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = AuditEntry.objects.filter(
        action="identity.revealed", actor_code=str(coordinator.code)
    ).count()


def _refused() -> int:
    return AuditEntry.objects.filter(action="identity.reveal_refused").count()


def test_a_letter_as_written_is_refused_past_the_cap(
    identity_letter: Request,
    coordinator: User,
    signed_in: Callable[..., Client],
    settings: Any,
) -> None:
    _use_up(settings, coordinator)
    client = signed_in(coordinator)
    for name in ("outreach:request_reveal", "outreach:request_text", "outreach:request_pdf"):
        response = client.post(reverse(name, args=[identity_letter.code]), follow=True)
        html = response.content.decode()
        assert response.redirect_chain[-1][0] == identity_letter.get_absolute_url()
        assert CANARY not in html
        assert "identity reveals per hour" in html
    assert _refused() == 3


def test_an_export_with_identities_is_refused_whole_past_the_cap(
    identity_letter: Request,
    coordinator: User,
    signed_in: Callable[..., Client],
    settings: Any,
) -> None:
    _use_up(settings, coordinator)
    before = AuditEntry.objects.filter(action="identity.revealed").count()
    url = reverse("outreach:export_csv") + "?identity=1"
    response = signed_in(coordinator).get(url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("outreach:requests")
    assert CANARY not in html and "identity reveals per hour" in html
    assert AuditEntry.objects.filter(action="identity.revealed").count() == before
    assert _refused() == 1


def test_composing_with_the_identity_is_refused_past_the_cap(
    canary_case: Case,
    starter: Institution,  # noqa: F811
    coordinator: User,
    signed_in: Callable[..., Client],
    settings: Any,
) -> None:
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = 0
    template = LetterTemplate.objects.get(name="Humanitarian visa", language="ru")
    response = signed_in(coordinator).post(
        reverse("outreach:compose"),
        {
            "template": template.code,
            "institution": starter.code,
            "case": canary_case.code,
            "use_identity": "on",
            "action": "preview",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert CANARY not in html and "identity reveals per hour" in html
    assert _refused() == 1
