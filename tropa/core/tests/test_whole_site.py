"""Properties of every page: no identity for volunteers (R2), nothing sensitive in URLs (R15),
hardened headers and no third-party assets (R14)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from conftest import CANARY, CANARY_LATIN
from tropa.cases import services
from tropa.cases.models import Case

from .crawl import crawl

IDENTITY_VALUES = (
    CANARY,
    CANARY_LATIN.upper(),
    "75 1234567",
    "+7 700 123 4567",
    "@funker",
    "Викторович",
)


def test_a_volunteer_receives_no_identity_anywhere(
    coordinator: Any, volunteer: Any, canary_case: Case, signed_in: Any
) -> None:
    services.update_case(actor=coordinator, case=canary_case, assignee=volunteer)
    client = signed_in(volunteer)
    visits = list(crawl(client))
    assert any(v.url == canary_case.get_absolute_url() and v.status == 200 for v in visits)
    for visit in visits:
        for value in IDENTITY_VALUES:
            assert value not in visit.body, (visit.url, value)
    # Nor by asking directly for the reveal.
    reveal = client.post(reverse("cases:identity_reveal", args=[canary_case.code]))
    assert all(value not in reveal.content.decode() for value in IDENTITY_VALUES)


def test_no_url_carries_identity(coordinator: Any, canary_case: Case, signed_in: Any) -> None:
    client = signed_in(coordinator)
    visits = list(crawl(client))
    assert len(visits) > 10
    reveal = client.post(reverse("cases:identity_reveal", args=[canary_case.code]))
    urls = [v.url for v in visits] + [v.location for v in visits]
    urls += re.findall(r'(?:href|action)="([^"]+)"', reveal.content.decode())
    for url in urls:
        for value in (*IDENTITY_VALUES, "%D0%9A%D0%B0%D0%BD"):  # also percent-encoded
            assert value not in url, url


EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def test_every_page_has_hardened_headers(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    pages = [v for v in crawl(client) if v.status == 200 and "html" in v.content_type]
    assert len(pages) > 10
    for visit in pages:
        response = client.get(visit.url)
        for header, value in EXPECTED_HEADERS.items():
            assert response.get(header) == value, (visit.url, header)
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, visit.url
        assert "frame-ancestors 'none'" in csp, visit.url


def test_no_page_loads_anything_from_another_host(
    coordinator: Any, canary_case: Case, signed_in: Any, client: Any
) -> None:
    visits = list(crawl(signed_in(coordinator))) + list(crawl(client, "/accounts/login/"))
    external = re.compile(r'(?:src|href|action)="(?:https?:)?//', re.IGNORECASE)
    for visit in visits:
        assert not external.search(visit.body), visit.url
        assert "@import" not in visit.body and "url(http" not in visit.body, visit.url


def test_no_page_repeats_an_element_id(coordinator: Any, canary_case: Case, signed_in: Any) -> None:
    """Labels point at their own field; a repeated id sends them to another form's field."""
    for visit in crawl(signed_in(coordinator)):
        if "html" not in visit.content_type:
            continue
        ids = re.findall(r'\sid="([^"]+)"', visit.body)
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert repeated == [], (visit.url, repeated)
