"""A "may be implicated" witness's statement (E13) sent unread: a coordinator may choose
it (listed without content) when the person's consent names his testimony; it is re-sealed
server-side and stays restricted at the receiver's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.sharing import services
from tropa.sharing.models import Referral
from tropa.testimony import services as testimony
from tropa.testimony.models import Testimony

from .test_carried import INTERVIEW

pytestmark = pytest.mark.django_db

WORDS = ["Купянск", "отказался", "Olga (caseworker)", "Astana office"]


def _no_content(page: bytes) -> None:
    text = page.decode()
    for word in WORDS:
        assert word not in text, word


def _post(client: Client, case: Case, to: Organization, chosen: Testimony, **more: str) -> object:
    return client.post(
        reverse("sharing:refer", args=[case.code]),
        {
            "receiver": to.pk,
            "mode": "share",
            "consent_on": "2026-11-30",
            "consent_how": "signed",
            "consent_for": "Help in Yerevan, his testimony included",
            "testimony": [str(chosen.code)],
            **more,
        },
    )


def test_a_coordinator_sends_a_restricted_statement_unread_and_it_stays_restricted(
    canary_case: Case,
    coordinator: User,
    verifier: User,
    yerevan: Organization,
    outsider: User,
    make_user: Callable[..., User],
) -> None:
    chosen = testimony.record_interview(actor=verifier, case=canary_case, data=INTERVIEW)
    event = testimony.add_event(
        actor=None, testimony=chosen, data={"when": "июнь 2022", "settlement": "Купянск"}
    )
    testimony.set_implicated(actor=verifier, case=canary_case)
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), coordinator)
    form = client.get(reverse("sharing:refer", args=[canary_case.code]))
    assert "A statement, restricted: may be implicated" in form.content.decode()
    _no_content(form.content)
    # Without the consent naming his testimony it does not go.
    refused = _post(client, canary_case, yerevan, chosen)
    assert "consent names his testimony" in refused.content.decode()  # type: ignore[attr-defined]
    assert not Referral.objects.filter(organization=canary_case.organization).exists()
    _post(client, canary_case, yerevan, chosen, testimony_consent="on")
    referral = Referral.objects.get(organization=canary_case.organization)
    assert referral.parts["testimony"] == [str(chosen.code)]
    chose = AuditEntry.objects.get(action="referral.restricted_chosen")
    assert chose.detail["statements"] == 1 and chose.actor_code == str(coordinator.code)
    _no_content(client.get(reverse("sharing:referral", args=[referral.code])).content)
    # The receiver's coordinator: before and after accepting, no content anywhere.
    theirs = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), outsider)
    _no_content(theirs.get(reverse("sharing:referral", args=[referral.code])).content)
    theirs.post(reverse("sharing:accept", args=[referral.code]))
    referral.refresh_from_db()
    receipt = referral.receipt
    page = theirs.get(reverse("sharing:referral", args=[referral.code]))
    assert "A statement, restricted: may be implicated" in page.content.decode()
    _no_content(page.content)
    _no_content(theirs.get(receipt.case.get_absolute_url()).content)
    came = Testimony.objects.get(organization=yerevan)
    copied_event = came.events.get()
    for url in (came.get_absolute_url(), copied_event.get_absolute_url()):
        assert theirs.get(url).status_code == 404
    carried = AuditEntry.objects.get(action="referral.restricted_carried")
    assert carried.organization_code == str(yerevan.code) and carried.detail["statements"] == 1
    # The receiver's lawyer reads it.
    lawyer = make_user(yerevan, "lev", Role.LAWYER)
    reader = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), lawyer)
    assert "Купянск" in reader.get(came.get_absolute_url()).content.decode()
    assert reader.get(copied_event.get_absolute_url()).status_code == 200
    assert event.code != copied_event.code


def test_a_restricted_statement_needs_the_consent_naming_testimony_from_the_shell(
    canary_case: Case, verifier: User, yerevan: Organization
) -> None:
    from .conftest import consent

    chosen = testimony.record_interview(actor=verifier, case=canary_case, data=INTERVIEW)
    testimony.set_implicated(actor=verifier, case=canary_case)
    with pytest.raises(services.SharingError, match="consent names"):
        services.refer_case(
            actor=None,
            case=canary_case,
            receiver=yerevan,
            mode="share",
            consent=consent(),
            parts=services.Parts(testimony=[str(chosen.code)]),
        )
