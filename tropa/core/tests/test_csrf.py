"""Every POST endpoint, logout included, refuses a request without a CSRF token (R13)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from conftest import sign_in

from .test_isolation import World, _isolation_modules, _urls_with_codes

FORMS_WITHOUT_CODES = [
    "accounts:login",
    "accounts:verify",
    "accounts:setup",
    "accounts:logout",
    "accounts:settings",
    "accounts:user_new",
    "cases:new",
    "switch_language",
]


def test_every_post_needs_a_csrf_token(astana: Any, coordinator: Any, admin_user: Any) -> None:
    own = World(other_org=astana, outsider=coordinator)
    kwargs: dict[str, Any] = {}
    for module in _isolation_modules():
        kwargs.update(module.isolation_kwargs(own))
    for user in (coordinator, admin_user):
        client = sign_in(Client(enforce_csrf_checks=True), user)
        names = _urls_with_codes() + FORMS_WITHOUT_CODES
        for name in names:
            url = reverse(name, kwargs=kwargs.get(name))
            status = client.post(url, {}).status_code
            assert status in (403, 405), (name, status)
            assert client.post(url, {}).status_code != 200
    # A form page still works with its token.
    client = sign_in(Client(enforce_csrf_checks=True), coordinator)
    assert client.get(reverse("cases:new")).status_code == 200
