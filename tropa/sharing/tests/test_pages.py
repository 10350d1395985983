"""The pages: referring from the case page, the receiver's view before and after accepting,
the organization's list of referrals, and ``tropa referrals list``."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.sharing import services
from tropa.sharing.models import AdvocateGrant, Referral

from .conftest import add_item, consent

pytestmark = pytest.mark.django_db


def _referral(case: Case, by: User, to: Organization, **parts: object) -> Referral:
    return services.refer_case(
        actor=by,
        case=case,
        receiver=to,
        mode="share",
        consent=consent(),
        parts=services.Parts(**parts),  # type: ignore[arg-type]
        note="Moving on",
    )


def test_a_coordinator_refers_from_the_case_page(
    canary_case: Case, coordinator: User, yerevan: Organization
) -> None:
    item = add_item(canary_case, coordinator, b"%PDF-1.4 x")
    client = sign_in(Client(), coordinator)
    form = client.get(reverse("sharing:refer", args=[canary_case.code])).content.decode()
    assert "Surname (Latin, as in the passport)" in form and "scan.pdf" in form
    assert "Канарейкин" not in form and "KANAREIKIN" not in form  # names of fields, no values
    response = client.post(
        reverse("sharing:refer", args=[canary_case.code]),
        {
            "receiver": yerevan.pk,
            "mode": "transfer",
            "consent_on": "2026-11-30",
            "consent_how": "signed",
            "consent_for": "Help in Yerevan",
            "identity": ["surname_latin"],
            "evidence": [str(item.code)],
            "note": "He moves on",
        },
    )
    referral = Referral.objects.get(organization=canary_case.organization)
    assert response.url == reverse("sharing:referral", args=[referral.code])
    assert referral.parts["identity"] == ["surname_latin"]
    assert referral.parts["evidence"] == [str(item.code)]
    page = client.get(canary_case.get_absolute_url()).content.decode()
    assert "Yerevan" in page and "Surname (Latin, as in the passport)" in page


def test_the_receiver_sees_only_kind_and_sender_until_accepting(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    referral = _referral(canary_case, coordinator, yerevan, identity=["surname_latin"])
    client = sign_in(Client(), outsider)
    listing = client.get(reverse("sharing:referrals")).content.decode()
    assert "Astana" in listing and "Funker" not in listing
    page = client.get(reverse("sharing:referral", args=[referral.code])).content.decode()
    assert "Astana" in page and "Share" in page
    for secret in ("Funker", "Moving on", "Surname (Latin", "KANAREIKIN", "asylum"):
        assert secret not in page, secret
    response = client.post(reverse("sharing:accept", args=[referral.code]))
    referral.refresh_from_db()
    new_case = referral.receipt.case
    assert response.url == new_case.get_absolute_url()
    page = client.get(reverse("sharing:referral", args=[referral.code])).content.decode()
    assert "Moving on" in page and "Surname (Latin, as in the passport)" in page


def test_decline_and_withdraw_from_the_pages(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    first = _referral(canary_case, coordinator, yerevan)
    receiver = sign_in(Client(), outsider)
    receiver.post(reverse("sharing:decline", args=[first.code]), {"reason": "No room now"})
    first.refresh_from_db()
    assert first.state == "declined"
    sender = sign_in(Client(), coordinator)
    page = sender.get(reverse("sharing:referral", args=[first.code])).content.decode()
    assert "No room now" in page
    second = _referral(canary_case, coordinator, yerevan)
    sender.post(reverse("sharing:withdraw", args=[second.code]))
    second.refresh_from_db()
    assert second.state == "withdrawn"


def test_a_third_organization_and_other_roles_see_nothing(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    stranger: User,
    volunteer: User,
    admin_user: User,
) -> None:
    referral = _referral(canary_case, coordinator, yerevan)
    url = reverse("sharing:referral", args=[referral.code])
    assert sign_in(Client(), stranger).get(url).status_code == 404
    assert sign_in(Client(), volunteer).get(url).status_code == 404
    # An administrator sees the organization's referrals, never their content.
    admin = sign_in(Client(), admin_user)
    listing = admin.get(reverse("sharing:referrals")).content.decode()
    assert "Yerevan" in listing and "Funker" not in listing
    assert "Moving on" not in admin.get(url).content.decode()


def test_the_shell_lists_both_directions(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider_case: Case
) -> None:
    out = _referral(canary_case, coordinator, yerevan)
    back = _referral(
        outsider_case, outsider_case.assignee or _coordinator_of(yerevan), canary_case.organization
    )
    stdout = StringIO()
    call_command("referrals", "list", "--org", "Astana", stdout=stdout)
    lines = stdout.getvalue().splitlines()
    assert any(str(out.code) in line and "out" in line and "to Yerevan" in line for line in lines)
    assert any(str(back.code) in line and "from Yerevan" in line for line in lines)
    assert "Funker" not in stdout.getvalue()
    assert AuditEntry.objects.filter(action="referral.listed_from_shell").count() == 1


def _coordinator_of(organization: Organization) -> User:
    return User.objects.get(membership__organization=organization, membership__role="coordinator")


def test_the_panel_costs_the_same_queries_for_one_referral_or_many(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    tbilisi: Organization,
    advocate: User,
    django_assert_num_queries: Any,
) -> None:
    client = sign_in(Client(), coordinator)
    _referral(canary_case, coordinator, yerevan)
    services.grant_advocate(actor=coordinator, case=canary_case, advocate=advocate, summary="a")
    client.get(canary_case.get_absolute_url())  # warm caches (keys, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(canary_case.get_absolute_url())
    _referral(canary_case, coordinator, tbilisi)
    services.revoke_grant(
        actor=coordinator,
        grant=AdvocateGrant.objects.get(organization=canary_case.organization),
    )
    services.grant_advocate(actor=coordinator, case=canary_case, advocate=advocate, summary="b")
    with django_assert_num_queries(len(one)):
        page = client.get(canary_case.get_absolute_url()).content.decode()
    assert "Tbilisi" in page and page.count('class="inline">') >= 2
