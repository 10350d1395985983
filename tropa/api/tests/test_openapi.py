"""The OpenAPI document: generated from the code, valid OpenAPI 3, listing every route, with
examples; served by Tropa, and its page's assets too (no third party)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

from tropa.api.api import api

pytestmark = pytest.mark.django_db
OWN = {"openapi-json", "openapi-view", "api-root"}


def _api_routes() -> set[str]:
    routes = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name not in OWN:
                path = prefix + str(entry.pattern)
                if path.startswith("api/v1/"):
                    routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))

    walk(get_resolver(), "")
    return routes


def _document() -> dict[str, Any]:
    """The document as served: JSON (status codes as strings)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))


def test_the_document_is_valid_openapi_3_and_lists_every_route() -> None:
    schema = _document()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    routes = _api_routes()
    assert len(routes) >= 14
    assert routes <= set(schema["paths"]), routes - set(schema["paths"])
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation["security"] == [{"TokenAuth": []}], (path, method)
            assert {"401", "403", "429"} <= set(operation["responses"]), (path, method)
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()


def test_the_document_has_examples() -> None:
    schemas = _document()["components"]["schemas"]
    assert schemas["CaseOut"]["properties"]["pseudonym"]["examples"] == ["Funker"]
    assert schemas["Error"]["properties"]["code"]["examples"] == ["not_found"]


def test_the_document_and_its_page_are_served_by_tropa(coordinator: Any, signed_in: Any) -> None:
    client = signed_in(coordinator)
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json() == _document()
    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "<script>" not in page.replace('<script type="application/json"', "")
