"""Wave 5: abandoned drafts swept, a submission withdrawn by the person, invitations paged."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any, ClassVar
from urllib.parse import unquote

import pytest
from argon2 import PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.intake import listing, services
from tropa.intake.models import HeldAttachment, Invitation, Message, Status, Submission
from tropa.intake.services import common
from tropa.intake.tasks import daily_draft_sweep_task

from .conftest import Person, fill_interview

DAY = timedelta(days=1)


def _age(submission: Submission, days: int) -> None:
    then = timezone.now() - days * DAY
    Submission.objects.unscoped().filter(pk=submission.pk).update(touched_at=then, started_at=then)


def test_drafts_untouched_for_n_days_are_swept_and_counted(
    astana: Organization, yerevan: Organization, coordinator: User
) -> None:
    old = services.create_invitation(actor=coordinator, organization=astana)
    stale = services.start_from_invitation(invitation=old.invitation).submission
    fresh = services.start_from_invitation(
        invitation=services.create_invitation(actor=coordinator, organization=astana).invitation
    ).submission
    sent = services.create_submission(organization=astana, answers={}, language="ru").submission
    link = services.update_settings(actor=None, organization=yerevan, public_enabled=True)
    other = services.start_from_public_link(link=link)
    assert other is not None
    for row in (stale, sent, other.submission):
        _age(row, 31)
    _age(fresh, 29)
    assert services.sweep_drafts(actor=None) == 2
    left = set(Submission.objects.unscoped().values_list("pk", flat=True))
    assert left == {fresh.pk, sent.pk}  # a sent one is never swept, whatever its age
    entries = AuditEntry.objects.filter(action="intake.drafts_swept").order_by("seq")
    assert [(e.organization_code, e.detail["count"]) for e in entries] == [
        (str(astana.code), 1),
        (str(yerevan.code), 1),
    ]
    assert services.sweep_drafts(actor=None) == 0
    assert AuditEntry.objects.filter(action="intake.drafts_swept").count() == 2


def test_a_saved_page_keeps_a_draft_alive(person: Person, invite_url: str) -> None:
    person.start(invite_url)
    submission = Submission.objects.unscoped().get()
    _age(submission, 40)
    person.go("next", surname="Соколов", given_name="Илья", birth_date="1994-03-02")
    assert services.sweep_drafts(actor=None) == 0
    assert Submission.objects.unscoped().count() == 1


def test_the_sweep_from_the_shell_and_the_daily_task(
    astana: Organization, coordinator: User, settings: Any
) -> None:
    for _ in range(3):
        made = services.create_invitation(actor=coordinator, organization=astana)
        _age(services.start_from_invitation(invitation=made.invitation).submission, 10)
    out = StringIO()
    call_command("intake", "sweep", "--days", "20", stdout=out)
    assert out.getvalue().startswith("0 ")
    call_command("intake", "sweep", "--days", "7", stdout=out)
    assert "3 abandoned draft(s) deleted" in out.getvalue()
    made = services.create_invitation(actor=coordinator, organization=astana)
    _age(services.start_from_invitation(invitation=made.invitation).submission, 3)
    settings.TROPA_INTAKE_DRAFT_DAYS = 2
    assert daily_draft_sweep_task.func() == 1
    assert not Submission.objects.unscoped().exists()
    with pytest.raises(services.IntakeError):
        services.sweep_drafts(actor=None, days=0)


def _sent(person: Person, invite_url: str) -> Submission:
    person.start(invite_url)
    fill_interview(person)
    person.go("send")
    return Submission.objects.unscoped().get()


def test_the_person_withdraws_his_submission_after_confirming(
    person: Person, invite_url: str
) -> None:
    submission = _sent(person, invite_url)
    services.reply_from_person(submission=submission, text="ещё одно")
    HeldAttachment.objects.create(
        organization=submission.organization,
        submission=submission,
        sealed=b"x",
        size=1,
        received_at=timezone.now(),
    )
    person.go("withdraw")
    assert person.status == 200 and 'value="withdraw_confirmed"' in person.html
    assert Submission.objects.unscoped().count() == 1  # asking is not deleting
    person.go("show")
    assert "Статус" in person.html
    person.go("withdraw")
    person.go("withdraw_confirmed")
    assert person.status == 200
    assert not Submission.objects.unscoped().exists()
    assert not Message.objects.unscoped().exists()
    assert not HeldAttachment.objects.unscoped().exists()
    entry = AuditEntry.objects.get(action="intake.withdrawn")
    assert entry.object_code == str(submission.code)
    assert entry.detail == {"status": "new", "messages": 1, "files": 1}
    person.come_back()
    assert 'role="alert"' in person.html  # "these words open nothing"
    assert services.find_by_codename(person.codename) is None


def test_a_draft_can_be_withdrawn_from_the_send_page(person: Person, invite_url: str) -> None:
    person.start(invite_url)
    fill_interview(person)
    assert 'value="withdraw"' in person.html
    person.go("withdraw")
    person.go("withdraw_confirmed")
    assert not Submission.objects.unscoped().exists()
    invitation = Invitation.objects.unscoped().get()
    assert invitation.started_at is not None  # the spent link stays spent


def test_an_accepted_submission_cannot_be_withdrawn(
    person: Person, invite_url: str, coordinator: User
) -> None:
    submission = _sent(person, invite_url)
    services.start_review(actor=coordinator, submission=submission)
    services.accept(actor=coordinator, submission=submission, pseudonym="Сокол")
    person.come_back()
    assert 'value="withdraw"' not in person.html
    assert "свяжитесь с организацией" in person.html
    person.post(
        reverse("intake:answer"),
        {"form": services.form_token(submission), "go": "withdraw_confirmed"},
    )
    assert person.status == 400
    assert Submission.objects.unscoped().filter(status=Status.ACCEPTED).exists()
    assert not AuditEntry.objects.filter(action="intake.withdrawn").exists()


def test_the_invitation_list_pages_by_keyset(
    astana: Organization, coordinator: User, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(listing.PAGE_SIZE + 2):
        services.create_invitation(actor=coordinator, organization=astana)
    client = signed_in(coordinator)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("intake:invitations")).content.decode()
    assert first.count("<tr>") == listing.PAGE_SIZE + 1  # the header and a full page
    found = re.search(r'href="\?after=([^"]+)" id="invitations-next"', first)
    assert found
    after = unquote(found.group(1))
    second_html = client.get(reverse("intake:invitations"), {"after": after}).content.decode()
    assert 'id="invitations-next"' not in second_html
    assert second_html.count("<tr>") == 3  # the header and the two oldest
    rows = Invitation.objects.for_organization(astana)
    page = listing.invitations_page_of(rows, None)
    second = listing.invitations_page_of(rows, after)
    assert len(page.rows) == listing.PAGE_SIZE and len(second.rows) == 2
    assert not {r.pk for r in page.rows} & {r.pk for r in second.rows}
    assert listing.invitations_page_of(rows, "forged").first  # a bad cursor: the first page


class _WatchedHasher(PasswordHasher):
    """The real Argon2id hasher, noting whether a transaction was open while it hashed."""

    depths: ClassVar[list[int]] = []

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.depths.append(len(connection.atomic_blocks))
        return super().hash(password, salt=salt)


def test_the_codename_is_hashed_before_the_write_lock_is_taken(
    astana: Organization, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a transaction holds the database's one write lock from its first statement:
    tens of milliseconds of Argon2id inside it made every other person's page wait."""
    real = common._HASHER
    watched = _WatchedHasher(
        time_cost=real.time_cost,
        memory_cost=real.memory_cost,
        parallelism=real.parallelism,
        type=real.type,
    )
    monkeypatch.setattr(common, "_HASHER", watched)
    outside = len(connection.atomic_blocks)  # the test's own transaction only
    link = services.update_settings(actor=None, organization=astana, public_enabled=True)
    started = services.start_from_public_link(link=link, budget=10)
    made = services.create_invitation(actor=coordinator, organization=astana)
    services.start_from_invitation(invitation=made.invitation)
    services.create_submission(organization=astana, answers={}, language="ru")
    assert started is not None and _WatchedHasher.depths == [outside] * 3
    assert services.find_by_codename(started.codename) is not None


def test_tropa_run_queues_the_daily_sweep(astana: Organization, coordinator: User) -> None:
    made = services.create_invitation(actor=coordinator, organization=astana)
    _age(services.start_from_invitation(invitation=made.invitation).submission, 31)
    out = StringIO()
    call_command("intake", "schedule", stdout=out)  # what ``tropa run`` calls
    assert "queued" in out.getvalue()
    assert not Submission.objects.unscoped().exists()  # the tests' backend runs it at once
