"""A letter written with the identity is identity (issue 9, finding 3).

Composed "with identity", the subject and text name the person. They are kept sealed
apart from the letter anyone in outreach may read, which carries the identity masked;
pages, the case panel and exports show that masked form; the full text is shown only on
an audited reveal (the case desk's ``view_identity`` and ``identity.revealed``), and exported
only to a user who may see identities and asks for it, audited per person.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conftest import CANARY, CANARY_LATIN
from tropa.accounts.models import Organization, Role, User
from tropa.accounts.permissions import ROLE_CAPS, Cap
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.outreach import services
from tropa.outreach.models import Institution, LetterTemplate, Request

NAMES = (CANARY, CANARY_LATIN.upper(), "ALEKSEI", "75 1234567")


@pytest.fixture
def starter(astana: Organization, coordinator: User) -> Institution:
    services.load_starter_set(actor=coordinator, organization=astana)
    return Institution.objects.get(name="Embassy of Germany in Astana")


@pytest.fixture
def identity_letter(
    coordinator: User, canary_case: Case, starter: Institution, signed_in: Callable[..., Client]
) -> Request:
    """Composed with the identity in Russian (the name in Cyrillic) and recorded as sent,
    through the pages, as a coordinator does it."""
    client = signed_in(coordinator)
    template = LetterTemplate.objects.get(name="Humanitarian visa", language="ru")
    page = client.post(
        reverse("outreach:compose"),
        {
            "template": template.code,
            "institution": starter.code,
            "case": canary_case.code,
            "use_identity": "on",
            "action": "preview",
        },
    ).content.decode()
    subject = re.search(r'name="subject"[^>]*value="([^"]*)"', page)
    body = re.search(r'<textarea name="body"[^>]*>\s*(.*?)</textarea>', page, re.S)
    assert subject and body and CANARY in subject.group(1)
    response = client.post(
        reverse("outreach:request_new"),
        {
            "institution": starter.code,
            "case": canary_case.code,
            "channel": "email",
            "language": "ru",
            "sent_on": "2026-01-10",
            "subject": subject.group(1),
            "body": body.group(1),
        },
    )
    assert response.status_code == 302
    return Request.objects.unscoped().get()


@pytest.fixture
def outreach_reader(
    astana: Organization,
    canary_case: Case,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[User]:
    """Someone who reads outreach but may not see identities (the role the design calls an
    outside advocate: no such role exists yet, so a volunteer is given outreach reading and
    the case)."""
    monkeypatch.setitem(ROLE_CAPS, Role.VOLUNTEER, ROLE_CAPS[Role.VOLUNTEER] | {Cap.VIEW_OUTREACH})
    reader = make_user(astana, "ada", Role.VOLUNTEER)
    canary_case.assignee = reader
    canary_case.save()
    yield reader


def _export(client: Client, view: str, **params: str) -> str:
    response = client.get(reverse(view), params)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if view.endswith("csv"):
        return content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)


def _everything(client: Client, request: Request, **export: str) -> dict[str, str]:
    pages = {
        "requests": client.get(reverse("outreach:requests")),
        "index": client.get(reverse("outreach:index")),
        "institution": client.get(request.institution.get_absolute_url()),
        "request": client.get(request.get_absolute_url()),
        "text": client.get(reverse("outreach:request_text", args=[request.code])),
        "pdf": client.get(reverse("outreach:request_pdf", args=[request.code])),
        "case": client.get(request.case.get_absolute_url()),  # type: ignore[union-attr]
    }
    seen = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        seen[name] = response.content.decode("utf-8", errors="replace")
    # On the case page, the outreach panel (the rest is the case desk's, with its own tests).
    panel = re.search(r'<section id="outreach".*?</section>', seen["case"], re.S)
    assert panel is not None
    seen["case"] = panel.group(0)
    seen["csv"] = _export(client, "outreach:export_csv", **export)
    seen["xlsx"] = _export(client, "outreach:export_xlsx", **export)
    return seen


def _leaks(seen: dict[str, str]) -> list[tuple[str, str]]:
    return [(where, name) for where, text in seen.items() for name in NAMES if name in text]


def test_a_reader_who_may_not_see_identity_never_gets_it(
    identity_letter: Request, outreach_reader: User, signed_in: Callable[..., Client]
) -> None:
    client = signed_in(outreach_reader)
    before = AuditEntry.objects.filter(action="identity.revealed").count()
    assert _leaks(_everything(client, identity_letter)) == []
    # Asking for the identity in an export, or for a reveal, changes nothing.
    assert _leaks(_everything(client, identity_letter, identity="1")) == []
    reveal = client.post(reverse("outreach:request_reveal", args=[identity_letter.code]))
    assert reveal.status_code == 403
    text = client.post(reverse("outreach:request_text", args=[identity_letter.code]))
    assert text.status_code == 403
    assert AuditEntry.objects.filter(action="identity.revealed").count() == before
    # The masked letter is still a letter: the pseudonym-free parts are there.
    page = client.get(identity_letter.get_absolute_url()).content.decode()
    assert "Просьба о гуманитарной визе" in page and "•••" in page


def test_a_coordinator_sees_it_masked_until_an_audited_reveal(
    identity_letter: Request, coordinator: User, signed_in: Callable[..., Client]
) -> None:
    client = signed_in(coordinator)
    before = AuditEntry.objects.filter(action="identity.revealed").count()
    assert _leaks(_everything(client, identity_letter)) == []
    assert AuditEntry.objects.filter(action="identity.revealed").count() == before

    page = client.post(reverse("outreach:request_reveal", args=[identity_letter.code]))
    assert page.status_code == 200 and CANARY in page.content.decode()
    assert page["Cache-Control"].startswith("no-store") or "no-cache" in page["Cache-Control"]
    text = client.post(reverse("outreach:request_text", args=[identity_letter.code]))
    assert CANARY in text.content.decode()
    reveals = AuditEntry.objects.filter(action="identity.revealed").order_by("seq")[before:]
    assert [r.detail["purpose"] for r in reveals] == ["outreach_letter", "outreach_letter"]
    assert {r.object_code for r in reveals} == {str(identity_letter.case.person.code)}  # type: ignore[union-attr]
    assert all(CANARY not in str(r.detail) for r in reveals)


@pytest.mark.parametrize("view", ["outreach:export_csv", "outreach:export_xlsx"])
def test_an_export_with_identity_is_for_those_who_may_see_it_and_audited(
    view: str, identity_letter: Request, coordinator: User, signed_in: Callable[..., Client]
) -> None:
    client = signed_in(coordinator)
    before = AuditEntry.objects.filter(action="identity.revealed").count()
    assert CANARY not in _export(client, view)
    assert AuditEntry.objects.filter(action="identity.revealed").count() == before
    assert CANARY in _export(client, view, identity="1")
    reveal = AuditEntry.objects.filter(action="identity.revealed").latest("seq")
    assert reveal.detail["purpose"] == "outreach_export"
    assert reveal.object_code == str(identity_letter.case.person.code)  # type: ignore[union-attr]
    exported = AuditEntry.objects.filter(action="outreach.exported").latest("seq")
    assert exported.detail["identity"] is True


def test_the_database_holds_no_plaintext_name(identity_letter: Request) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM outreach_request")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert rows and all(name not in dump for name in NAMES)
    for row in rows:
        for value in row:
            if isinstance(value, bytes | memoryview):
                assert CANARY.encode() not in bytes(value)


def test_a_letter_typed_with_the_name_is_caught_too(
    coordinator: User, canary_case: Case, starter: Institution, astana: Organization
) -> None:
    # Declined, in Latin, with the passport number spaced differently: all masked.
    request = services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="email",
        sent_on=starter.created_at.date(),
        subject=f"Письмо о {CANARY}е (Aleksei {CANARY_LATIN})",
        body="Паспорт 751234567, Алексея Викторовича",
        case=canary_case,
    )
    masked = services.read_letter(actor=coordinator, request=request)
    assert masked["identity"] is True
    text = masked["subject"] + masked["body"]
    assert all(
        word not in text for word in (CANARY, CANARY_LATIN, "Aleksei", "751234567", "Алексея")
    )
    assert text.startswith("Письмо о •••")
    full = services.reveal_letter(actor=coordinator, request=request)
    assert full["subject"] == f"Письмо о {CANARY}е (Aleksei {CANARY_LATIN})"


def test_a_letter_without_identity_stays_as_it_was(
    coordinator: User, canary_case: Case, starter: Institution, astana: Organization
) -> None:
    request = services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="email",
        sent_on=starter.created_at.date(),
        subject="Visa for Funker",
        case=canary_case,
    )
    letter = services.read_letter(actor=coordinator, request=request)
    assert (letter["subject"], letter["identity"]) == ("Visa for Funker", False)
    assert request.identity_sealed is None


def test_the_migration_seals_existing_letters_apart(
    coordinator: User, canary_case: Case, starter: Institution, astana: Organization
) -> None:
    import importlib

    from django.apps import apps

    from tropa.crypto.fields import seal, unseal

    migration = importlib.import_module(
        "tropa.outreach.migrations.0002_letters_with_identity_sealed_apart"
    )
    request = services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="email",
        sent_on=starter.created_at.date(),
        subject=f"Виза для {CANARY}а",
        body="Текст",
        case=canary_case,
    )
    # As the row was before: the letter as written in ``sealed``, nothing apart.
    written = {"subject": f"Виза для {CANARY}а", "body": "Текст"}
    Request.objects.unscoped().filter(pk=request.pk).update(
        sealed=seal(request, "sealed", written), identity_sealed=None
    )
    migration.seal_letters_apart(apps, None)
    request.refresh_from_db()
    assert unseal(request, "sealed", request.sealed) == {"subject": "Виза для •••", "body": "Текст"}
    assert unseal(request, "identity_sealed", request.identity_sealed) == written
    migration.join_letters_again(apps, None)
    request.refresh_from_db()
    assert unseal(request, "sealed", request.sealed) == written
    assert request.identity_sealed is None


# Every way outreach shows an identity counts towards the one hourly reveal cap (R17): past
# TROPA_REVEAL_LIMIT_PER_HOUR it is refused with a message, audited, and nothing is sent.


def _use_up(settings: Any, coordinator: User) -> None:
    """The limit is whatever reveals the fixture already made."""
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = AuditEntry.objects.filter(
        action="identity.revealed", actor_code=str(coordinator.code)
    ).count()


def _refused() -> int:
    return AuditEntry.objects.filter(action="identity.reveal_refused").count()


def test_a_letter_as_written_is_refused_past_the_cap(
    identity_letter: Request,
    coordinator: User,
    signed_in: Callable[..., Client],
    settings: Any,
) -> None:
    _use_up(settings, coordinator)
    client = signed_in(coordinator)
    for name in ("outreach:request_reveal", "outreach:request_text", "outreach:request_pdf"):
        response = client.post(reverse(name, args=[identity_letter.code]), follow=True)
        html = response.content.decode()
        assert response.redirect_chain[-1][0] == identity_letter.get_absolute_url()
        assert CANARY not in html
        assert "identity reveals per hour" in html
    assert _refused() == 3


def test_an_export_with_identities_is_refused_whole_past_the_cap(
    identity_letter: Request,
    coordinator: User,
    signed_in: Callable[..., Client],
    settings: Any,
) -> None:
    _use_up(settings, coordinator)
    before = AuditEntry.objects.filter(action="identity.revealed").count()
    url = reverse("outreach:export_csv") + "?identity=1"
    response = signed_in(coordinator).get(url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("outreach:requests")
    assert CANARY not in html and "identity reveals per hour" in html
    assert AuditEntry.objects.filter(action="identity.revealed").count() == before
    assert _refused() == 1


def test_composing_with_the_identity_is_refused_past_the_cap(
    canary_case: Case,
    starter: Institution,
    coordinator: User,
    signed_in: Callable[..., Client],
    settings: Any,
) -> None:
    settings.TROPA_REVEAL_LIMIT_PER_HOUR = 0
    template = LetterTemplate.objects.get(name="Humanitarian visa", language="ru")
    response = signed_in(coordinator).post(
        reverse("outreach:compose"),
        {
            "template": template.code,
            "institution": starter.code,
            "case": canary_case.code,
            "use_identity": "on",
            "action": "preview",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert CANARY not in html and "identity reveals per hour" in html
    assert _refused() == 1
