"""An advocate: their cases' pseudonym, public summary and outreach, nothing else (404);
signed out at the next request once every grant has expired or been revoked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from conftest import sign_in
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.core.tests.test_isolation import World, _isolation_modules, _named_patterns
from tropa.outreach import services as outreach
from tropa.outreach.models import Request
from tropa.sharing import services
from tropa.sharing.middleware import ADVOCATE_PAGES
from tropa.sharing.models import AdvocateGrant

from .conftest import add_item

pytestmark = pytest.mark.django_db


def _letter(case: Case | None, actor: User, subject: str) -> Request:
    institution = outreach.create_institution(
        actor=actor, organization=actor.organization, name=f"Embassy {subject}", kind="embassy"
    )
    return outreach.record_request(
        actor=actor,
        organization=actor.organization,  # type: ignore[arg-type]
        institution=institution,
        channel="email",
        sent_on=date(2026, 11, 2),
        subject=subject,
        body="Please help.",
        case=case,
    )


@pytest.fixture
def granted(canary_case: Case, coordinator: User, advocate: User) -> AdvocateGrant:
    return services.grant_advocate(
        actor=coordinator,
        case=canary_case,
        advocate=advocate,
        summary="A deserter who needs a humanitarian visa.",
    )


def test_the_advocate_sees_the_pseudonym_the_summary_and_the_outreach(
    granted: AdvocateGrant, coordinator: User, advocate: User, canary_case: Case
) -> None:
    own = _letter(canary_case, coordinator, "Visa for Funker")
    other_case = cases.create_case(
        actor=coordinator, organization=canary_case.organization, pseudonym="Other"
    )
    foreign = _letter(other_case, coordinator, "Other case")
    general = _letter(None, coordinator, "No case")
    client = sign_in(Client(), advocate)
    assert client.get("/").url == reverse("sharing:advocate_home")
    page = client.get(reverse("sharing:advocate_case", args=[granted.code])).content.decode()
    assert "Funker" in page and "humanitarian visa" in page and "Embassy Visa for Funker" in page
    assert "Канарейкин" not in page and "KANAREIKIN" not in page
    assert AuditEntry.objects.filter(action="advocate.case_viewed").count() == 1
    assert client.get(reverse("outreach:request", args=[own.code])).status_code == 200
    for request in (foreign, general):
        assert client.get(reverse("outreach:request", args=[request.code])).status_code == 404
    compose = reverse("outreach:compose")
    assert client.get(f"{compose}?case={canary_case.code}").status_code == 200
    assert client.get(f"{compose}?case={other_case.code}").status_code == 404
    answered = client.post(
        reverse("outreach:request_answer", args=[own.code]),
        {"status": "acknowledged", "on": date(2026, 11, 9).isoformat()},
    )
    assert answered.status_code == 302
    own.refresh_from_db()
    assert own.status == "acknowledged"


def test_every_other_page_is_404_for_an_advocate(
    granted: AdvocateGrant,
    advocate: User,
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    outsider: User,
) -> None:
    """The whole URL configuration: outside their pages, 404 whatever the code; their own
    case's pages of other apps too (case page, identity, notes, evidence, tasks, alerts)."""
    item = add_item(canary_case, coordinator, b"%PDF-1.4 x")
    world = World(other_org=yerevan, outsider=outsider)
    kwargs: dict[str, Any] = {}
    for module in _isolation_modules():
        kwargs.update(module.isolation_kwargs(world))
    # Their own case's objects, for the pages of the case desk and the vault.
    own = {"code": canary_case.code}
    for name, value in kwargs.items():
        if (
            name.startswith("cases:")
            and set(value) == {"code"}
            and "/cases/" in reverse(name, kwargs=value)
        ):
            kwargs[name] = own  # identity, notes, tasks, alerts... of their own case
    kwargs["evidence:item"] = {"code": item.code}
    client = sign_in(Client(), advocate)
    leaks = []
    for name, pattern in _named_patterns(get_resolver()):
        if name in ADVOCATE_PAGES and not getattr(pattern, "converters", None):
            continue
        if getattr(pattern, "converters", None):
            url = reverse(name, kwargs=kwargs[name])
        else:
            url = reverse(name)
        if name == "cases:dashboard":
            continue  # sends the advocate to their own list
        statuses = {client.get(url).status_code, client.post(url).status_code}
        # Their own pages with a code answer for other codes as for unknown ones.
        allowed = {404, 405} if name in ADVOCATE_PAGES else {404}
        if name.startswith("api_v1:"):
            # The API refuses a session cookie outright (401; its document pages: 404): it
            # answers only to a token, and an advocate cannot reach the token pages.
            if not statuses <= {401, 404}:
                leaks.append((name, sorted(statuses)))
            continue
        if not statuses <= allowed or 404 not in statuses:
            leaks.append((name, sorted(statuses)))
    assert not leaks, f"pages an advocate reaches: {leaks}"


def _signed_out(client: Client) -> bool:
    response = client.get(reverse("sharing:advocate_home"))
    return response.status_code == 302 and "/accounts/login/" in response.url


def test_an_expired_advocate_is_signed_out_at_the_next_request(
    granted: AdvocateGrant, advocate: User
) -> None:
    client = sign_in(Client(), advocate)
    assert client.get(reverse("sharing:advocate_home")).status_code == 200
    AdvocateGrant.objects.filter(organization=granted.organization, pk=granted.pk).update(
        expires_at=granted.granted_at - timedelta(seconds=1)
    )
    assert _signed_out(client)
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="advocate.signed_out").count() == 1


def test_a_revoked_advocate_is_signed_out_at_once(
    granted: AdvocateGrant, advocate: User, coordinator: User
) -> None:
    client = sign_in(Client(), advocate)
    assert client.get(reverse("sharing:advocate_case", args=[granted.code])).status_code == 200
    services.revoke_grant(actor=coordinator, grant=granted)
    assert _signed_out(client)
    assert AuditEntry.objects.filter(action="advocate.grant_revoked").count() == 1
    with pytest.raises(services.SharingError):
        services.renew_grant(actor=coordinator, grant=granted)


def test_access_lasts_90_days_and_is_renewed(granted: AdvocateGrant, coordinator: User) -> None:
    assert (granted.expires_at - granted.granted_at).days == 90
    AdvocateGrant.objects.filter(organization=granted.organization, pk=granted.pk).update(
        expires_at=granted.granted_at + timedelta(days=3)
    )
    granted.refresh_from_db()
    services.renew_grant(actor=coordinator, grant=granted)
    granted.refresh_from_db()
    assert (granted.expires_at - granted.granted_at).days >= 89
    assert AuditEntry.objects.filter(action="advocate.grant_renewed").count() == 1


def test_only_an_advocate_of_the_organization_gets_a_grant(
    canary_case: Case, coordinator: User, volunteer: User, outsider: User
) -> None:
    for user in (volunteer, outsider):
        with pytest.raises(services.SharingError, match="advocate"):
            services.grant_advocate(actor=coordinator, case=canary_case, advocate=user, summary="s")


def test_the_coordinator_grants_from_the_case_page(
    canary_case: Case, coordinator: User, advocate: User
) -> None:
    client = sign_in(Client(), coordinator)
    page = client.get(canary_case.get_absolute_url()).content.decode()
    assert reverse("sharing:grant_new", args=[canary_case.code]) in page
    response = client.post(
        reverse("sharing:grant_new", args=[canary_case.code]),
        {"advocate": advocate.pk, "summary": "Public summary", "days": "30"},
    )
    assert response.status_code == 302
    grant = AdvocateGrant.objects.get(organization=canary_case.organization)
    assert (grant.expires_at - grant.granted_at).days == 30
    page = client.get(canary_case.get_absolute_url()).content.decode()
    assert "Public summary" in page
