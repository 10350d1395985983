"""Personal API tokens: created with a fresh code, shown once, stored as a digest, acting as
their user and never more, stopped by revocation, expiry or a deactivated account."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tropa.accounts import services as accounts
from tropa.accounts.models import Role
from tropa.api import services
from tropa.api.models import ApiToken
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases

from .helpers import current_code, token_for

pytestmark = pytest.mark.django_db


def _get(secret: str, path: str = "/api/v1/cases", **extra: Any) -> Any:
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def test_a_token_is_made_on_the_settings_page_with_a_fresh_code_and_shown_once(
    coordinator: Any, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    assert reverse("api:tokens") in client.get(reverse("accounts:settings")).content.decode()
    page = client.post(
        reverse("api:tokens"),
        {"name": "bot", "days": 30, "scopes": ["cases:read"], "token": current_code(coordinator)},
    )
    html = page.content.decode()
    token = ApiToken.objects.filter(organization=coordinator.organization).get()
    secret = html.split('<code class="hash">')[1].split("</code>")[0]
    assert secret.startswith(f"tropa_{token.prefix}_")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scopes == ["cases:read"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert secret not in client.get(reverse("api:tokens")).content.decode()
    assert _get(secret).status_code == 200
    entry = AuditEntry.objects.get(action="api.token_created")
    assert entry.actor_code == str(coordinator.code) and secret not in str(entry.detail)


def test_a_wrong_code_makes_no_token(coordinator: Any, signed_in: Any) -> None:
    current_code(coordinator)  # the device exists
    page = signed_in(coordinator).post(
        reverse("api:tokens"),
        {"name": "bot", "days": 30, "scopes": ["cases:read"], "token": "000000"},
    )
    assert "This code is wrong" in page.content.decode()
    assert not ApiToken.objects.filter(organization=coordinator.organization).exists()
    assert AuditEntry.objects.filter(action="auth.second_factor_failed").exists()


def test_a_token_lasts_at_most_a_year(coordinator: Any) -> None:
    with pytest.raises(services.TokenError):
        token_for(coordinator, days=366)
    token_for(coordinator, days=365)


def test_the_secret_is_nowhere_in_the_database_and_its_digest_only_in_the_token_table(
    coordinator: Any, canary_case: Any
) -> None:
    secret = token_for(coordinator)
    assert _get(secret).status_code == 200
    assert _get(secret, f"/api/v1/cases/{canary_case.code}").status_code == 200
    digest = hashlib.sha256(secret.encode()).hexdigest()
    found: dict[str, list[str]] = {secret: [], digest: []}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {names} FROM {table}")  # noqa: S608 (names from models)
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                for value in found:
                    if value in text:
                        found[value].append(table)
    assert found[secret] == []
    assert found[digest] == ["api_apitoken"]


def test_a_token_acts_as_its_volunteer_and_never_more(
    coordinator: Any, volunteer: Any, canary_case: Any, astana: Any
) -> None:
    other = cases.create_case(actor=coordinator, organization=astana, pseudonym="Other")
    cases.update_case(actor=coordinator, case=canary_case, assignee=volunteer)
    secret = token_for(volunteer)
    listed = _get(secret).json()
    assert [c["pseudonym"] for c in listed["results"]] == ["Funker"]
    assert _get(secret, f"/api/v1/cases/{other.code}").status_code == 404
    # A volunteer may not write notes, whatever the token's scopes.
    note = Client().post(
        f"/api/v1/cases/{canary_case.code}/notes",
        {"text": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert note.status_code == 403 and note.json()["code"] == "forbidden"


def test_a_deactivated_users_tokens_stop_at_once(coordinator: Any, admin_user: Any) -> None:
    secret = token_for(coordinator)
    assert _get(secret).status_code == 200
    accounts.set_active(actor=admin_user, user=coordinator, active=False)
    refused = _get(secret)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
    assert AuditEntry.objects.filter(action="api.token_refused", detail__why="not_live").exists()


def test_an_expired_token_is_refused(coordinator: Any) -> None:
    secret = token_for(coordinator)
    ApiToken.objects.filter(organization=coordinator.organization).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _get(secret).status_code == 401


def test_admins_see_and_revoke_every_token_of_their_organization_only(
    coordinator: Any, admin_user: Any, outsider: Any, signed_in: Any, make_user: Any, yerevan: Any
) -> None:
    secret = token_for(coordinator)
    token = ApiToken.objects.filter(organization=coordinator.organization).get()
    admin = signed_in(admin_user)
    listing = admin.get(reverse("api:organization_tokens")).content.decode()
    assert token.prefix in listing and "alice" in listing and secret not in listing
    # Neither another organization's administrator nor a colleague may revoke it.
    foreign_admin = make_user(yerevan, "yadmin", Role.ADMIN)
    revoke = reverse("api:revoke", args=[token.code])
    assert signed_in(foreign_admin).post(revoke).status_code == 404
    assert (
        signed_in(make_user(coordinator.organization, "bob", Role.CASEWORKER))
        .post(revoke)
        .status_code
        == 404
    )
    assert signed_in(coordinator).get(reverse("api:organization_tokens")).status_code == 403
    assert admin.post(revoke).status_code == 302
    assert _get(secret).status_code == 401
    entry = AuditEntry.objects.get(action="api.token_revoked")
    assert entry.actor_code == str(admin_user.code) and entry.detail == {"own": False}


def test_a_user_revokes_their_own_token(coordinator: Any, signed_in: Any) -> None:
    secret = token_for(coordinator)
    token = ApiToken.objects.filter(organization=coordinator.organization).get()
    signed_in(coordinator).post(reverse("api:revoke", args=[token.code]))
    assert _get(secret).status_code == 401


def test_a_token_in_the_query_string_is_refused(coordinator: Any) -> None:
    secret = token_for(coordinator)
    for query in (f"?token={secret}", f"?access_token={secret}", f"?q={secret}"):
        answer = Client().get(f"/api/v1/cases{query}")
        assert answer.status_code == 400, query
        assert answer.json()["code"] == "token_in_url" and secret not in answer.content.decode()
    # Even alongside a good header.
    assert _get(secret, f"/api/v1/cases?api_key={secret}").status_code == 400


def test_a_browser_session_opens_no_api_call(coordinator: Any, signed_in: Any) -> None:
    answer = signed_in(coordinator).get("/api/v1/cases")
    assert answer.status_code == 401 and answer.json()["code"] == "token_required"
    assert answer["WWW-Authenticate"] == "Bearer"
    # The documentation, though, is a page of the signed-in site.
    assert signed_in(coordinator).get("/api/v1/docs").status_code == 200
    assert Client().get("/api/v1/docs").status_code == 302


def test_an_unknown_or_malformed_token_is_refused_and_audited_without_it(
    coordinator: Any,
) -> None:
    secret = token_for(coordinator)
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    for presented in (forged, "nonsense", "tropa_zz"):
        assert _get(presented).status_code == 401
    entries = list(AuditEntry.objects.filter(action="api.token_refused"))
    assert [e.detail["why"] for e in entries] == ["unknown", "malformed", "malformed"]
    assert all(secret[7:] not in str(e.detail) and "nonsense" not in str(e.detail) for e in entries)


def test_a_missing_scope_is_an_audited_403(coordinator: Any, canary_case: Any) -> None:
    secret = token_for(coordinator, scopes=["tasks"])
    answer = _get(secret, f"/api/v1/cases/{canary_case.code}")
    assert answer.status_code == 403 and answer.json()["code"] == "scope_missing"
    assert AuditEntry.objects.filter(
        action="access.forbidden", detail__capability="scope:cases:read"
    ).exists()


def test_a_token_over_its_rate_gets_429_with_retry_after(coordinator: Any, settings: Any) -> None:
    settings.TROPA_API_RATE_PER_MINUTE = 2
    secret, other = token_for(coordinator), token_for(coordinator)
    assert [_get(secret).status_code for _ in range(2)] == [200, 200]
    refused = _get(secret)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert _get(other).status_code == 200  # the rate is per token
    ApiToken.objects.filter(organization=coordinator.organization).update(
        window_start=timezone.now() - timedelta(minutes=2)
    )
    assert _get(secret).status_code == 200  # a new window


def test_errors_speak_the_users_language(coordinator: Any) -> None:
    accounts.set_language(actor=coordinator, user=coordinator, language="ru")
    secret = token_for(coordinator)
    answer = Client().post(
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/tasks",
        {"title": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert answer.json()["message"] != "Nothing was found at this address."
