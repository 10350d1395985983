"""Letters from templates: pseudonym by default, audited identity, text and PDF, attachments."""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import CANARY, CANARY_LATIN
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.outreach import services
from tropa.outreach.models import Attachment, Institution, LetterTemplate, Request


@pytest.fixture
def starter(astana: Organization, coordinator: User) -> Institution:
    services.load_starter_set(actor=coordinator, organization=astana)
    return Institution.objects.get(name="Embassy of Germany in Astana")


def _compose(
    client: Client, institution: Institution, case: Case, language: str, **extra: str
) -> str:
    template = LetterTemplate.objects.get(name="Humanitarian visa", language=language)
    response = client.post(
        reverse("outreach:compose"),
        {
            "template": template.code,
            "institution": institution.code,
            "case": case.code,
            "action": "preview",
            **extra,
        },
    )
    assert response.status_code == 200
    return response.content.decode()


def test_it_loads_the_starter_set_once(astana: Organization, coordinator: User) -> None:
    first = services.load_starter_set(actor=coordinator, organization=astana)
    second = services.load_starter_set(actor=coordinator, organization=astana)
    assert first == (30, 8) and second == (0, 0)
    assert set(LetterTemplate.objects.values_list("language", flat=True)) == {
        "ru",
        "en",
        "de",
        "fr",
    }


def test_it_fills_templates_with_the_pseudonym_by_default(
    coordinator: User, canary_case: Case, starter: Institution, signed_in: Callable[..., Client]
) -> None:
    html = _compose(signed_in(coordinator), starter, canary_case, "de")
    assert "Bitte um ein humanitäres Visum: Funker" in html
    assert "Sehr geehrte Damen und Herren," in html and "in Astana (Kasachstan)" in html
    assert CANARY not in html and CANARY_LATIN.upper() not in html
    assert not AuditEntry.objects.filter(action="identity.revealed").exists()


def test_it_uses_the_identity_only_on_purpose_and_logs_it(
    coordinator: User, canary_case: Case, starter: Institution, signed_in: Callable[..., Client]
) -> None:
    html = _compose(signed_in(coordinator), starter, canary_case, "en", use_identity="on")
    assert "Request for a humanitarian visa: ALEKSEI KANAREIKIN" in html
    reveal = AuditEntry.objects.get(action="identity.revealed")
    assert reveal.detail["purpose"] == "letter" and reveal.actor_code == str(coordinator.code)


def test_it_never_offers_the_identity_without_the_capability(
    astana: Organization,
    canary_case: Case,
    starter: Institution,
    make_user: Callable[..., User],
    signed_in: Callable[..., Client],
) -> None:
    # A role that may write outreach but not see identities does not exist yet: test the
    # service, which checks the capability itself rather than trusting the form.
    from tropa.outreach.letters import compose

    verifier = make_user(astana, "vera", "verifier")
    volunteer = make_user(astana, "victor", "volunteer")
    template = LetterTemplate.objects.get(name="Humanitarian visa", language="ru")
    letter = compose(
        actor=volunteer,
        template=template,
        institution=starter,
        contact=None,
        case=canary_case,
        use_identity=True,
    )
    assert CANARY not in letter.body and "Funker" in letter.body
    assert signed_in(verifier).get(reverse("outreach:compose")).status_code == 403


def test_it_records_a_sent_letter_sealed_with_text_and_pdf_downloads(
    coordinator: User, canary_case: Case, starter: Institution, signed_in: Callable[..., Client]
) -> None:
    client = signed_in(coordinator)
    response = client.post(
        reverse("outreach:request_new"),
        {
            "institution": starter.code,
            "case": canary_case.code,
            "channel": "email",
            "language": "ru",
            "sent_on": "2026-01-10",
            "subject": "Просьба о гуманитарной визе",
            "body": f"Уважаемые дамы и господа!\n\nПо делу {CANARY}.",
            "attachment": io.BytesIO(b"%PDF-1.4 scan of the passport"),
        },
        format="multipart",
    )
    assert response.status_code == 302
    request = Request.objects.unscoped().get()
    assert CANARY.encode() not in bytes(request.sealed)
    assert request.sent_by == coordinator and request.case == canary_case
    sent = AuditEntry.objects.get(action="outreach.request_sent")
    assert CANARY not in str(sent.detail) and "визе" not in str(sent.detail)

    # The letter names the person: downloaded plainly it is masked, on purpose (POST, for
    # someone who may see identities) as written, and that is a logged reveal.
    text = client.get(reverse("outreach:request_text", args=[request.code]))
    assert text["Content-Disposition"] == 'attachment; filename="letter.txt"'
    assert "По делу •••." in text.content.decode() and CANARY not in text.content.decode()
    text = client.post(reverse("outreach:request_text", args=[request.code]))
    assert f"По делу {CANARY}." in text.content.decode()
    pdf = client.get(reverse("outreach:request_pdf", args=[request.code]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert AuditEntry.objects.filter(action="outreach.letter_read").count() == 2
    assert AuditEntry.objects.filter(action="identity.revealed").count() == 1

    attachment = Attachment.objects.unscoped().get()
    download = client.get(reverse("outreach:attachment", args=[attachment.code]))
    assert download.content == b"%PDF-1.4 scan of the passport"
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == 'attachment; filename="attachment.pdf"'


def test_it_refuses_attachments_over_the_limit(
    coordinator: User, starter: Institution, astana: Organization
) -> None:
    request = services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="email",
        sent_on=starter.created_at.date(),
        subject="s",
    )
    with pytest.raises(services.OutreachError, match="at most 5 MB"):
        services.add_attachment(
            actor=coordinator, request=request, data=b"x" * (services.MAX_ATTACHMENT_BYTES + 1)
        )


def test_it_records_answers_with_dates_and_reasons(
    coordinator: User, starter: Institution, astana: Organization, signed_in: Callable[..., Client]
) -> None:
    request = services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="email",
        sent_on=starter.created_at.date(),
        subject="s",
    )
    client = signed_in(coordinator)
    url = reverse("outreach:request_answer", args=[request.code])
    today = starter.created_at.date().isoformat()
    client.post(url, {"status": "referred", "on": today})
    assert (
        "Say where the request was referred to."
        in client.get(request.get_absolute_url()).content.decode()
    )
    client.post(url, {"status": "referred", "on": today, "referred_to": "BAMF"})
    client.post(url, {"status": "refused", "on": today, "note": "territoriality principle"})
    page = client.get(request.get_absolute_url()).content.decode()
    assert "→ BAMF" in page and "territoriality principle" in page
    request.refresh_from_db()
    assert [c.status for c in request.changes.all()] == ["referred", "refused"]
    assert request.days_to_answer == 0 and request.referred_to == "BAMF"


def test_it_shows_the_requests_of_a_case_on_the_case_page(
    coordinator: User,
    volunteer: User,
    canary_case: Case,
    starter: Institution,
    astana: Organization,
    signed_in: Callable[..., Client],
) -> None:
    services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="letter",
        sent_on=starter.created_at.date(),
        subject="Visa for Funker",
        case=canary_case,
    )
    page = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    assert 'id="outreach"' in page and "Embassy of Germany in Astana" in page
    canary_case.assignee = volunteer
    canary_case.save()
    page = signed_in(volunteer).get(canary_case.get_absolute_url()).content.decode()
    assert 'id="outreach"' not in page


@pytest.mark.parametrize(
    ("persona", "view", "write"), [("verifier", 200, 403), ("volunteer", 403, 403)]
)
def test_it_lets_each_role_do_what_it_may(
    persona: str,
    view: int,
    write: int,
    request: pytest.FixtureRequest,
    signed_in: Callable[..., Client],
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    for name in ("index", "directory", "requests", "templates", "statistics"):
        assert client.get(reverse(f"outreach:{name}")).status_code == view, name
    for name in ("request_new", "compose", "institution_new", "template_new", "import_upload"):
        assert client.get(reverse(f"outreach:{name}")).status_code == write, name
    assert client.post(reverse("outreach:load_starter")).status_code == write


def test_it_exports_requests_as_streams_with_formulas_neutralised(
    coordinator: User, starter: Institution, astana: Organization, signed_in: Callable[..., Client]
) -> None:
    services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="email",
        sent_on=starter.created_at.date(),
        subject='=HYPERLINK("http://evil","x")',
    )
    client = signed_in(coordinator)
    response = client.get(reverse("outreach:export_csv"))
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://evil"",""x"")' in body
    response = client.get(reverse("outreach:export_xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    assert sheet.cell(row=2, column=11).value == '\'=HYPERLINK("http://evil","x")'
    assert AuditEntry.objects.filter(action="outreach.exported").count() == 2


def test_it_keeps_uploads_in_memory_and_refuses_large_ones(
    coordinator: User,
    starter: Institution,
    astana: Organization,
    signed_in: Callable[..., Client],
    settings: Any,
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 16  # Django would spool anything larger to disk
    request = services.record_request(
        actor=coordinator,
        organization=astana,
        institution=starter,
        channel="email",
        sent_on=starter.created_at.date(),
        subject="s",
    )
    since = time.time() - 1
    client = signed_in(coordinator)
    url = reverse("outreach:attachment_add", args=[request.code])
    scan = f"Паспорт {CANARY} ".encode() * 2000
    client.post(url, {"file": io.BytesIO(scan)}, format="multipart")
    assert (
        services.read_attachment(actor=coordinator, attachment=Attachment.objects.unscoped().get())
        == scan
    )
    spooled = [
        p
        for p in Path(tempfile.gettempdir()).iterdir()
        if p.is_file() and p.stat().st_mtime >= since and CANARY.encode() in p.read_bytes()
    ]
    assert spooled == []

    too_big = io.BytesIO(b"x" * (services.MAX_ATTACHMENT_BYTES + 1))
    page = client.post(url, {"file": too_big}, format="multipart", follow=True)
    assert "The file is larger than 5.0\xa0MB." in page.content.decode()
    assert Attachment.objects.unscoped().count() == 1


def test_a_request_whose_attachment_fails_leaves_nothing(
    coordinator: User,
    starter: Institution,
    signed_in: Callable[..., Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request and its file are one user action, so one transaction: a file that
    cannot be kept takes the request (and its audit entry) with it."""

    def broken(self: Attachment, *args: Any, **kwargs: Any) -> None:
        raise services.OutreachError("the file could not be kept")

    monkeypatch.setattr(Attachment, "save", broken)
    response = signed_in(coordinator).post(
        reverse("outreach:request_new"),
        {
            "institution": starter.code,
            "channel": "email",
            "language": "en",
            "sent_on": "2026-01-10",
            "subject": "Humanitarian visa",
            "body": "Dear Sir or Madam",
            "attachment": io.BytesIO(b"%PDF-1.4 scan of the passport"),
        },
        format="multipart",
        follow=True,
    )
    assert "the file could not be kept" in response.content.decode()
    assert not Request.objects.filter(organization=starter.organization).exists()
    assert not AuditEntry.objects.filter(action="outreach.request_sent").exists()
    assert not AuditEntry.objects.filter(action="outreach.attachment_added").exists()
