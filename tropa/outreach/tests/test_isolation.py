"""Every outreach URL answers another organization's codes with 404, like an unknown code.

The project-wide walk (tropa/core/tests/test_isolation.py) covers this too; this file keeps
the outreach part runnable on its own, and adds the codes that travel in query strings.
"""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from conftest import sign_in
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.outreach.models import Institution, Request
from tropa.outreach.tests.isolation import POST_DATA, isolation_kwargs


@pytest.fixture
def foreign(yerevan: Organization, outsider: User) -> dict[str, dict[str, Any]]:
    return isolation_kwargs(SimpleNamespace(other_org=yerevan, outsider=outsider))


def _without_tokens(html: bytes) -> bytes:
    """The page minus its CSRF token and the echo of its own path (the language switch)."""
    return re.sub(rb'name="(csrfmiddlewaretoken|next)" value="[^"]+"', b"", html)


def _outreach_urls_with_codes() -> list[str]:
    resolver = get_resolver()
    names = []
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) == "outreach":
            for pattern in entry.url_patterns:
                if pattern.pattern.converters:
                    names.append(f"outreach:{pattern.name}")
    return sorted(names)


def test_it_has_an_isolation_entry_for_every_url_with_a_code(foreign: Any) -> None:
    assert set(_outreach_urls_with_codes()) == set(foreign)


@pytest.mark.parametrize("persona", ["coordinator", "verifier", "admin_user", "volunteer"])
def test_it_answers_404_to_every_foreign_code(
    foreign: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = sign_in(Client(), user)
    leaks = []
    for name, kwargs in foreign.items():
        url = reverse(name, kwargs=kwargs)
        statuses = {
            client.get(url).status_code,
            client.post(url, POST_DATA.get(name, {})).status_code,
        }
        if not statuses <= {404, 405} or 404 not in statuses:
            leaks.append((name, sorted(statuses)))
        random_url = reverse(name, kwargs={k: uuid.uuid4() for k in kwargs})
        assert _without_tokens(client.get(random_url).content) == _without_tokens(
            client.get(url).content
        ), name
    assert not leaks
    assert AuditEntry.objects.filter(action="access.denied", actor_code=str(user.code)).exists()
    # Nothing of the other organization was changed by the POSTs.
    assert Request.objects.unscoped().get().status == "pending"
    assert Institution.objects.get().name == "Elsewhere Embassy"


def test_it_answers_404_to_foreign_codes_in_query_strings(
    foreign: Any, coordinator: User, outsider_case: Case
) -> None:
    client = sign_in(Client(), coordinator)
    institution = Institution.objects.get(name="Elsewhere Embassy")
    for name in ("outreach:compose", "outreach:request_new", "outreach:requests"):
        assert client.get(reverse(name), {"case": outsider_case.code}).status_code == 404, name
        assert client.get(reverse(name), {"institution": institution.code}).status_code == 404
    assert (
        client.get(reverse("outreach:import_upload"), {"case": outsider_case.code}).status_code
        == 404
    )


def test_it_shows_nothing_of_another_organization_in_lists(foreign: Any, coordinator: User) -> None:
    client = sign_in(Client(), coordinator)
    for name in ("index", "directory", "requests", "templates", "statistics"):
        html = client.get(reverse(f"outreach:{name}")).content.decode()
        assert "Elsewhere" not in html, name
    csv = b"".join(client.get(reverse("outreach:export_csv")).streaming_content)
    assert b"Elsewhere" not in csv
