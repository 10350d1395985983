"""Organization isolation, proven by walking the URL configuration (R1).

Every URL that takes a code is requested by staff of organization A with the codes of
organization B's objects: the answer is 404, never 403 or 200. A new URL cannot be added
without an entry in its app's ``tests/isolation.py``: the walk fails on any URL it cannot
point at another organization's object.
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import sign_in
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry


@dataclass
class World:
    other_org: Organization
    outsider: User


def _named_patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, Any]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.extend(_named_patterns(entry, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((f"{namespace}{entry.name}", entry.pattern))
    return found


def _isolation_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("tropa."):
            try:
                modules.append(importlib.import_module(f"{config.name}.tests.isolation"))
            except ModuleNotFoundError:
                continue
    return modules


def _without_tokens(html: bytes) -> bytes:
    """The page minus its CSRF token and the echo of its own path (the language switch)."""
    return re.sub(rb'name="(csrfmiddlewaretoken|next)" value="[^"]+"', b"", html)


def _client(user: User) -> Client:
    """A signed-in browser; an app may add headers (the API's token, ``client_headers``)."""
    headers: dict[str, str] = {}
    for module in _isolation_modules():
        headers.update(getattr(module, "client_headers", lambda _user: {})(user))
    return sign_in(Client(**headers), user)


def _post(client: Client, name: str, url: str, data: dict[str, Any]) -> Any:
    """A POST as the URL expects it: a form, or JSON for the names an app lists in
    ``JSON_POSTS`` (the API)."""
    if any(name in getattr(module, "JSON_POSTS", ()) for module in _isolation_modules()):
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def _urls_with_codes() -> list[str]:
    return sorted(
        name
        for name, pattern in _named_patterns(get_resolver())
        if getattr(pattern, "converters", None)
    )


@pytest.fixture
def matrix(yerevan: Organization, outsider: User) -> tuple[dict[str, Any], dict[str, Any]]:
    world = World(other_org=yerevan, outsider=outsider)
    kwargs: dict[str, Any] = {}
    post_data: dict[str, Any] = {}
    for module in _isolation_modules():
        kwargs.update(module.isolation_kwargs(world))
        post_data.update(getattr(module, "POST_DATA", {}))
    return kwargs, post_data


def test_every_url_with_a_code_is_in_the_matrix(matrix: Any) -> None:
    kwargs, _ = matrix
    missing = [name for name in _urls_with_codes() if name not in kwargs]
    assert not missing, (
        f"URLs without an isolation entry (add them to tests/isolation.py): {missing}"
    )


@pytest.mark.parametrize("persona", ["coordinator", "admin_user"])
def test_another_organizations_objects_are_404(
    matrix: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = _client(user)
    kwargs, post_data = matrix
    leaks = []
    for name in _urls_with_codes():
        url = reverse(name, kwargs=kwargs[name])
        statuses = {
            client.get(url).status_code,
            _post(client, name, url, post_data.get(name, {})).status_code,
        }
        # 405 (wrong method) is decided before any lookup and so reveals nothing.
        if not statuses <= {404, 405} or 404 not in statuses:
            leaks.append((name, sorted(statuses)))
    assert not leaks, f"cross-organization access not answered with 404: {leaks}"
    assert AuditEntry.objects.filter(action="access.denied", actor_code=str(user.code)).exists()


def test_unknown_codes_look_exactly_like_foreign_ones(matrix: Any, coordinator: User) -> None:
    client = _client(coordinator)
    kwargs, post_data = matrix
    for name in _urls_with_codes():
        random_kwargs = {key: uuid.uuid4() for key in kwargs[name]}
        # The API validates a body before its lookup: a valid one, so that the lookup runs.
        data = post_data.get(name, {}) if name.startswith("api_v1:") else {}
        for method in (client.get, partial(_post, client, name, data=data)):
            foreign = method(reverse(name, kwargs=kwargs[name]))
            unknown = method(reverse(name, kwargs=random_kwargs))
            assert foreign.status_code == unknown.status_code, name
            assert _without_tokens(foreign.content) == _without_tokens(unknown.content), name


def test_lists_show_nothing_of_another_organization(matrix: Any, coordinator: User) -> None:
    client = sign_in(Client(), coordinator)
    for name in ("cases:dashboard", "cases:list", "cases:my_tasks"):
        html = client.get(reverse(name)).content.decode()
        assert "Elsewhere" not in html and "Ararat" not in html, name
