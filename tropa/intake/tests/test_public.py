"""The person's pages, walked as he would: no cookie, no JavaScript, nothing else reachable."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.intake import services
from tropa.intake.models import Invitation, Status, Submission

from .conftest import Person, fill_interview, hidden

MAX_PAGE_BYTES = 50_000


def test_an_invitation_walked_to_the_end_sets_no_cookie(person: Person, invite_url: str) -> None:
    person.get(invite_url)
    assert person.status == 200
    assert "Tropa" not in person.html  # a neutral first screen
    person.start(invite_url)
    assert "Страница 1 из" in person.html or "Page 1 of" in person.html
    fill_interview(person)
    person.go("send")
    assert person.status == 200
    assert not person.client.cookies, dict(person.client.cookies)
    submission = Submission.objects.unscoped().get()
    assert submission.status == Status.NEW and submission.invitation is not None
    answers = services.read_answers(submission)
    assert answers["unit"] == "в/ч 12345" and answers["served"] == "yes"
    assert AuditEntry.objects.filter(action="intake.page_saved").count() >= 6
    assert AuditEntry.objects.filter(action="intake.started").count() == 1


def test_conditions_skip_service_and_family_pages(person: Person, invite_url: str) -> None:
    person.start(invite_url)
    fill_interview(person, served="no", family="no")
    person.go("send")
    answers = services.read_answers(Submission.objects.unscoped().get())
    assert "unit" not in answers and "family_who" not in answers


def test_family_page_only_if_family_came(person: Person, invite_url: str) -> None:
    person.start(invite_url)
    fill_interview(person, served="no", family="yes")
    person.go("send")
    assert services.read_answers(Submission.objects.unscoped().get())["family_who"]


def test_a_wrong_answer_comes_back_with_what_was_typed(person: Person, invite_url: str) -> None:
    person.start(invite_url)
    person.go("next", surname="Канарейкин", birth_date="31.02.1994")
    assert person.status == 200
    assert 'aria-invalid="true"' in person.html and 'value="Канарейкин"' in person.html
    assert services.read_answers(Submission.objects.unscoped().get()) == {}


def test_used_expired_revoked_and_unknown_links_look_the_same(
    astana: Organization, coordinator: User, person: Person
) -> None:
    used = services.create_invitation(actor=coordinator, organization=astana)
    services.start_from_invitation(invitation=used.invitation)
    revoked = services.create_invitation(actor=coordinator, organization=astana)
    services.revoke_invitation(actor=coordinator, invitation=revoked.invitation)
    expired = services.create_invitation(actor=coordinator, organization=astana)
    Invitation.objects.unscoped().filter(pk=expired.invitation.pk).update(expires_at=timezone.now())
    answers = set()
    for token in (used.token, revoked.token, expired.token, "x" * 43, "nothing"):
        response = Client().get(reverse("intake:invitation", kwargs={"token": token}))
        answers.add((response.status_code, response.content))
    closed = services.intake_settings(astana).public_slug
    response = Client().get(reverse("intake:public_link", kwargs={"slug": closed}))
    answers.add((response.status_code, response.content))
    assert len(answers) == 1 and next(iter(answers))[0] == 404


def test_a_post_without_its_page_token_is_refused(invite_url: str) -> None:
    for name in ("intake:start", "intake:answer", "intake:come_back"):
        assert Client().post(reverse(name), {"go": "send"}).status_code == 403
    assert Submission.objects.unscoped().count() == 0


def test_return_by_codename_continues_and_answers_a_question(
    person: Person, invite_url: str, coordinator: User
) -> None:
    person.start(invite_url)
    person.go("next", surname="Канарейкин")
    later = Person()
    later.come_back(person.codename)
    assert "Страница 2 из" in later.html or "Page 2 of" in later.html
    fill_rest = later
    fill_rest.go("back")
    fill_interview(fill_rest)
    fill_rest.go("send")
    submission = Submission.objects.unscoped().get()
    services.start_review(actor=coordinator, submission=submission)
    services.request_documents(actor=coordinator, submission=submission, documents=["summons"])
    services.send_to_person(
        actor=coordinator, submission=submission, text="Когда пришла повестка?", question=True
    )
    third = Person()
    third.come_back(person.codename)
    assert "Когда пришла повестка?" in third.html
    assert "Summons" in third.html or "Повестка" in third.html
    third.go("reply", text="В сентябре 2022")
    assert [m.text for m in services.read_messages(submission)][-1] == "В сентябре 2022"
    assert not third.client.cookies


def test_a_wrong_codename_opens_nothing(person: Person, invite_url: str) -> None:
    person.start(invite_url)
    other = Person()
    other.come_back("acid acorn acre acts afar affix aged")
    assert other.status == 200 and 'role="alert"' in other.html
    assert 'name="form"' not in other.html


def test_another_submissions_codename_reaches_only_that_one(
    astana: Organization, coordinator: User
) -> None:
    """Two men; the second one's codename and form token never show the first one's answers,
    notes or messages, and no Tropa page answers his browser."""
    first = services.create_submission(
        organization=astana, answers={"surname": "Канарейкин", "needs": "ПЕРВЫЙ"}, language="ru"
    )
    services.send_to_person(actor=coordinator, submission=first.submission, text="ДЛЯ ПЕРВОГО")
    second = services.create_submission(
        organization=astana, answers={"needs": "второй"}, language="ru"
    )
    walker = Person()
    walker.come_back(second.codename)
    assert "ДЛЯ ПЕРВОГО" not in walker.html and "Канарейкин" not in walker.html
    token = hidden(walker.html, "form")
    for go in ("show", "reply", "send", "attach", "next", "back"):
        html = walker.post(
            reverse("intake:answer"),
            {"form": token, "go": go, "page": "0", "text": "x", "surname": "y"},
        )
        assert "ДЛЯ ПЕРВОГО" not in html and "ПЕРВЫЙ" not in html and "Канарейкин" not in html
    assert services.read_answers(first.submission)["surname"] == "Канарейкин"
    staff = [
        reverse("cases:dashboard"),
        reverse("cases:list"),
        reverse("intake:queue"),
        reverse("intake:submission", kwargs={"code": first.submission.code}),
        reverse("intake:invitations"),
    ]
    for url in staff:
        response = walker.client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_public_link_is_closed_until_opened_and_throttled_without_addresses(
    astana: Organization, coordinator: User, settings: pytest.FixtureRequest
) -> None:
    link = services.intake_settings(astana)
    url = reverse("intake:public_link", kwargs={"slug": link.public_slug})
    assert Client().get(url).status_code == 404
    services.update_settings(actor=coordinator, organization=astana, public_enabled=True)
    settings.TROPA_INTAKE_PUBLIC_PER_MINUTE = 2  # type: ignore[attr-defined]  # pytest-django's settings fixture
    for _ in range(2):
        Person().start(url, language="en")
    late = Person()
    late.get(url)
    late.post(reverse("intake:start"), {"start": hidden(late.html, "start")})
    assert late.status == 429
    assert AuditEntry.objects.filter(action="intake.throttled").count() == 1
    late.post(reverse("intake:start"), {"start": hidden(Person().get(url), "start")})
    assert AuditEntry.objects.filter(action="intake.throttled").count() == 1  # once a minute
    assert Submission.objects.filter(organization=astana, language="en").count() == 2


@pytest.mark.parametrize("step", ["landing", "page", "send", "status", "return"])
def test_every_page_is_small_and_self_contained(step: str, person: Person, invite_url: str) -> None:
    if step == "landing":
        person.get(invite_url)
    elif step == "return":
        person.get(reverse("intake:come_back"))
    else:
        person.start(invite_url)
        if step in ("send", "status"):
            fill_interview(person)
        if step == "status":
            person.go("send")
    assert len(person.html.encode()) <= MAX_PAGE_BYTES
    assert "<script" not in person.html
    sources = re.findall(r'(?:src|href)="([^"]+)"', person.html)
    # Same-origin paths only; the one data: URL is the empty icon that stops a favicon request.
    assert all(s.startswith(("/", "?")) or s == "data:," for s in sources), sources
    assert "localStorage" not in person.html and "sessionStorage" not in person.html
    assert not person.client.cookies


def test_an_attachment_for_an_existing_case_goes_into_the_vault(
    astana: Organization, coordinator: User, canary_case: object
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tropa.evidence.models import EvidenceItem
    from tropa.evidence.records import read_record

    made = services.create_invitation(actor=coordinator, organization=astana, case=canary_case)  # type: ignore[arg-type]  # a Case
    person = Person()
    person.start(reverse("intake:invitation", kwargs={"token": made.token}))
    photo = SimpleUploadedFile("passport.jpg", b"\xff\xd8\xff\xe0 a passport photo", "image/jpeg")
    person.client.post(
        reverse("intake:answer"),
        {"form": hidden(person.html, "form"), "go": "attach", "file": photo},
    )
    item = EvidenceItem.objects.filter(organization=astana).get()
    record = read_record(item)
    assert record["note"] == "uploaded by the person, via intake"
    assert record["original_name"] == "passport.jpg"
    assert AuditEntry.objects.filter(action="intake.attachment_received").count() == 1


def test_a_file_before_there_is_a_case_is_held_sealed_then_ingested(
    astana: Organization, coordinator: User, person: Person, invite_url: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tropa.evidence.models import EvidenceItem
    from tropa.intake.models import HeldAttachment

    person.start(invite_url)
    photo = SimpleUploadedFile(
        "id.jpg", b"\xff\xd8\xff\xe0 " + "Канарейкин ID".encode(), "image/jpeg"
    )
    person.client.post(
        reverse("intake:answer"),
        {"form": hidden(person.html, "form"), "go": "attach", "file": photo},
    )
    held = HeldAttachment.objects.filter(organization=astana).get()
    assert "Канарейкин".encode() not in bytes(held.sealed)
    submission = Submission.objects.unscoped().get()
    services.finish(submission=submission)
    case = services.accept(actor=coordinator, submission=submission, pseudonym="Сокол")
    assert EvidenceItem.objects.filter(organization=astana, case=case).count() == 1
    assert not HeldAttachment.objects.filter(organization=astana).exists()
