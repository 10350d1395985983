"""Malformed ``?case=``, ``?institution=`` and ``?template=`` values (issue 9, finding 7).

Every outreach view that reads one of them answers a bad value with a 404, never a 500, and
the submitted value never reaches a log: not the application's, not Django's request log.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.outreach import services

# (view, parameters it reads)
VIEWS = [
    ("outreach:requests", ("case", "institution")),
    ("outreach:export_csv", ("case", "institution")),
    ("outreach:export_xlsx", ("case", "institution")),
    ("outreach:request_new", ("case", "institution", "template")),
    ("outreach:compose", ("case", "institution", "template")),
    ("outreach:import_upload", ("case",)),
]
MALFORMED = {
    "not_a_uuid": "not-a-uuid-Zq7",
    "very_long": "7" * 5000,
    "nul_byte": "1d7c1c0e-6a43-4d43-9a3b-\x00c0ffee000001",
    "nul_only": "Zq7\x00\x00",
}


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything any logger writes, tracebacks included (Django's request log does not
    propagate to the root logger, so it is captured on its own)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    names = ["", "django", "django.request", "django.security", "django.server", "tropa"]
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield out
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.fixture
def foreign(yerevan: Organization, outsider: User, outsider_case: Case) -> dict[str, str]:
    """Codes of another organization's case, institution and template."""
    institution = services.create_institution(
        actor=outsider, organization=yerevan, name="Elsewhere", kind="ngo"
    )
    template = services.save_template(
        actor=outsider, organization=yerevan, name="T", language="en", subject="s", body="b"
    )
    return {
        "case": str(outsider_case.code),
        "institution": str(institution.code),
        "template": str(template.code),
    }


def _cases() -> list[tuple[str, str, str]]:
    return [
        (view, param, kind)
        for view, params in VIEWS
        for param in params
        for kind in (*MALFORMED, "foreign")
    ]


@pytest.mark.parametrize(("view", "param", "kind"), _cases())
def test_a_malformed_code_is_a_404_and_never_logged(
    view: str,
    param: str,
    kind: str,
    coordinator: User,
    foreign: dict[str, str],
    signed_in: Callable[[User], Client],
    captured_logs: io.StringIO,
) -> None:
    client = signed_in(coordinator)
    client.raise_request_exception = False
    value = foreign[param] if kind == "foreign" else MALFORMED[kind]
    before = AuditEntry.objects.count()
    response = client.get(reverse(view), {param: value})
    assert response.status_code == 404, (view, param, kind, response.status_code)
    logged = captured_logs.getvalue()
    assert value not in logged
    assert value[:12] not in logged
    if kind != "foreign":
        # A value that is no code at all is not copied into the audit log either.
        for entry in AuditEntry.objects.filter(seq__gt=before):
            assert value[:12] not in str(entry.detail)
