"""Every POST endpoint, logout included, refuses a request without a CSRF token (R13)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import get_resolver, reverse

from conftest import sign_in

from .test_isolation import World, _isolation_modules, _named_patterns


def test_every_post_needs_a_csrf_token(astana: Any, coordinator: Any, admin_user: Any) -> None:
    own = World(other_org=astana, outsider=coordinator)
    kwargs: dict[str, Any] = {}
    for module in _isolation_modules():
        kwargs.update(module.isolation_kwargs(own))
    for user in (coordinator, admin_user):
        client = sign_in(Client(enforce_csrf_checks=True), user)
        for name, _pattern in _named_patterns(get_resolver()):
            url = reverse(name, kwargs=kwargs.get(name))  # every URL, with or without a code
            status = client.post(url, {}).status_code
            # The API (tropa/api) takes no session cookie at all: 401, whatever the CSRF token.
            refused = (401, 403, 405) if name.startswith("api_v1:") else (403, 405)
            assert status in refused, (name, status)
            assert client.post(url, {}).status_code != 200
    # A form page still works with its token.
    client = sign_in(Client(enforce_csrf_checks=True), coordinator)
    assert client.get(reverse("cases:new")).status_code == 200
