"""Invitations, codenames, the trusted-channel seam and triage, through the services."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.crypto.fields import unseal
from tropa.intake import services
from tropa.intake.models import Invitation, InvitationState, Message, Status, Submission
from tropa.intake.services import common

ANSWERS = {
    "surname": "Канарейкин",
    "given_name": "Алексей",
    "birth_date": "1994-03-02",
    "country": "KZ",
    "city": "Астана",
    "arrived_on": "2026-10-01",
    "served": "yes",
    "service_type": "mobilized",
    "left_how": "deserted",
    "unit": "в/ч 12345",
    "needs": "жильё",
}


def _actions(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_a_token_is_kept_only_as_its_hash(astana: Organization, coordinator: User) -> None:
    made = services.create_invitation(actor=coordinator, organization=astana, hours=5)
    row = Invitation.objects.unscoped().get(pk=made.invitation.pk)
    assert row.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert made.token not in str(Invitation.objects.unscoped().filter(pk=row.pk).values().first())
    assert len(made.token) >= 43  # 32 random bytes
    assert row.state == InvitationState.UNUSED
    assert (row.expires_at - timezone.now()) < timedelta(hours=5, minutes=1)
    assert _actions("intake.invitation_created") == 1


def test_the_default_lifetime_is_72_hours_and_a_setting(
    astana: Organization, coordinator: User
) -> None:
    made = services.create_invitation(actor=coordinator, organization=astana)
    left = made.invitation.expires_at - timezone.now()
    assert timedelta(hours=71) < left <= timedelta(hours=72)
    services.update_settings(actor=coordinator, organization=astana, invitation_hours=10)
    assert _actions("intake.settings_changed") == 1
    made = services.create_invitation(actor=coordinator, organization=astana)
    assert made.invitation.expires_at - timezone.now() <= timedelta(hours=10)


def test_states_of_an_invitation(astana: Organization, coordinator: User) -> None:
    made = services.create_invitation(actor=coordinator, organization=astana)
    invitation = made.invitation
    assert services.usable_invitation(made.token) == invitation
    started = services.start_from_invitation(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.IN_PROGRESS
    assert services.usable_invitation(made.token) is None  # one time only
    with pytest.raises(services.IntakeError):
        services.start_from_invitation(invitation=invitation)
    services.finish(submission=started.submission)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.SUBMITTED
    with pytest.raises(services.IntakeError):
        services.revoke_invitation(actor=coordinator, invitation=invitation)
    other = services.create_invitation(actor=coordinator, organization=astana)
    services.revoke_invitation(actor=coordinator, invitation=other.invitation)
    assert other.invitation.state == InvitationState.REVOKED
    assert services.usable_invitation(other.token) is None
    assert _actions("intake.invitation_revoked") == 1
    late = services.create_invitation(actor=coordinator, organization=astana, hours=1)
    Invitation.objects.unscoped().filter(pk=late.invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    late.invitation.refresh_from_db()
    assert late.invitation.state == InvitationState.EXPIRED
    assert services.usable_invitation(late.token) is None


def test_the_codename_is_a_blind_index_and_an_argon2id_hash(astana: Organization) -> None:
    started = services.create_submission(organization=astana, answers={}, language="ru")
    row = Submission.objects.unscoped().get(pk=started.submission.pk)
    words = started.codename.split()
    assert len(words) == common.CODENAME_WORDS
    assert row.codename_hash.startswith("$argon2id$")
    assert started.codename not in row.codename_hash and started.codename not in row.codename_index
    assert services.find_by_codename(started.codename.upper().replace(" ", "  -")) == row
    assert services.find_by_codename(" ".join([*words[:-1], "zzz"])) is None
    assert _actions("intake.returned") == 1


def test_a_trusted_bot_submission_lands_in_the_queue_sealed(astana: Organization) -> None:
    started = services.create_submission(
        organization=astana, answers=ANSWERS, language="ru", source="bot"
    )
    row = Submission.objects.unscoped().get(pk=started.submission.pk)
    assert row.status == Status.NEW and row.source == "bot"
    assert row.definition_version == services.definition_for(astana, "ru")["version"]
    assert "Канарейкин".encode() not in bytes(row.sealed_answers)
    assert services.read_answers(row)["surname"] == "Канарейкин"
    assert _actions("intake.submitted") == 1
    for wrong in ({"nope": "x"}, {"served": "maybe"}, {"birth_date": "02.03.1994"}, {"unit": 5}):
        with pytest.raises(services.IntakeError):
            services.create_submission(organization=astana, answers=wrong, language="ru")
    assert Submission.objects.filter(organization=astana).count() == 1


def test_accepting_makes_a_case_with_identity_sealed_and_fields_mapped(
    astana: Organization, coordinator: User
) -> None:
    submission = services.create_submission(
        organization=astana, answers=ANSWERS, language="ru"
    ).submission
    services.start_review(actor=coordinator, submission=submission)
    assert _actions("intake.review_started") == 1
    reading = services.read_submission(actor=coordinator, submission=submission)
    assert any(label == "Фамилия" for s in reading.sections for label, _v in s["answers"])
    assert _actions("intake.viewed") == 1
    case = services.accept(actor=coordinator, submission=submission, pseudonym="Сокол")
    assert _actions("intake.accepted") == 1
    assert case.country == "KZ" and str(case.arrived_on) == "2026-10-01"
    identity = cases.reveal_identity(actor=coordinator, person=case.person)
    assert identity["surname"] == "Канарейкин" and str(identity["birth_date"]) == "1994-03-02"
    record = case.person.service_record
    assert (record.unit, record.service_type, record.left_how) == (
        "в/ч 12345",
        "mobilized",
        "deserted",
    )
    notes = [text for _note, text in cases.read_notes(case)]
    assert any("жильё" in text for text in notes)
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED and submission.case == case
    with pytest.raises(services.IntakeError):
        services.reject(actor=coordinator, submission=submission, reason="spam")


def test_merging_proposes_the_duplicate_and_keeps_the_case_identity(
    astana: Organization, coordinator: User, canary_case: Case
) -> None:
    answers = {**ANSWERS, "surname": "Канарейкин", "given_name": "Алексей", "patronymic": "Вик"}
    submission = services.create_submission(
        organization=astana, answers=answers, language="ru"
    ).submission
    candidates = services.propose_candidates(actor=coordinator, submission=submission)
    assert [person for person, _score in candidates] == [canary_case.person]
    assert _actions("intake.candidates_proposed") == 1
    services.merge(actor=coordinator, submission=submission, case=canary_case)
    assert _actions("intake.merged") == 1
    identity = cases.reveal_identity(actor=coordinator, person=canary_case.person)
    assert identity["patronymic"] == "Викторович"  # what the case knew wins
    submission.refresh_from_db()
    assert submission.status == Status.MERGED and submission.case == canary_case


def test_no_candidate_for_a_stranger(
    astana: Organization, coordinator: User, canary_case: Case
) -> None:
    answers = {"surname": "Петров", "given_name": "Иван"}
    submission = services.create_submission(
        organization=astana, answers=answers, language="ru"
    ).submission
    assert services.propose_candidates(actor=coordinator, submission=submission) == []


def test_rejecting_and_the_status_the_person_sees(astana: Organization, coordinator: User) -> None:
    submission = services.create_submission(organization=astana, answers={}, language="ru")
    row = submission.submission
    status = services.person_status(row)
    assert status.received and not status.assigned and status.documents == []
    services.request_documents(
        actor=coordinator, submission=row, documents=["passport", "military_id"]
    )
    assert _actions("intake.documents_requested") == 1
    with pytest.raises(services.IntakeError):
        services.request_documents(actor=coordinator, submission=row, documents=["diary"])
    services.start_review(actor=coordinator, submission=row)
    status = services.person_status(row)
    assert status.assigned and len(status.documents) == 2
    services.reject(actor=coordinator, submission=row, reason="unsafe")
    assert _actions("intake.rejected") == 1
    assert services.find_by_codename(submission.codename) is None


def test_messages_are_sealed_both_ways(astana: Organization, coordinator: User) -> None:
    row = services.create_submission(organization=astana, answers={}, language="ru").submission
    services.send_to_person(
        actor=coordinator, submission=row, text="Где сейчас Канарейкин?", question=True
    )
    services.reply_from_person(submission=row, text="В Астане")
    assert _actions("intake.message_sent") == 1 and _actions("intake.message_received") == 1
    stored = Message.objects.filter(organization=astana)
    assert all("Канарейкин".encode() not in bytes(m.sealed) for m in stored)
    shown = services.read_messages(row)
    assert [(m.direction, m.is_question, m.text) for m in shown] == [
        ("to_person", True, "Где сейчас Канарейкин?"),
        ("from_person", False, "В Астане"),
    ]
    with pytest.raises(services.IntakeError):
        services.reply_from_person(submission=row, text="   ")


def test_a_sealed_answer_does_not_open_on_another_row(astana: Organization) -> None:
    one = services.create_submission(organization=astana, answers=ANSWERS, language="ru")
    two = services.create_submission(organization=astana, answers={}, language="ru")
    with pytest.raises(Exception, match="does not decrypt"):
        unseal(two.submission, "sealed_answers", one.submission.sealed_answers)


def test_merging_reseals_answers_and_messages_under_the_cases_key(
    canary_case: Case, coordinator: User
) -> None:
    from tropa.crypto import fields

    row = services.create_submission(
        organization=canary_case.organization, answers=ANSWERS, language="ru"
    ).submission
    services.send_to_person(actor=coordinator, submission=row, text="Где сейчас Канарейкин?")
    assert fields.subject_of(row) is None  # no case yet: the organization's key
    services.merge(actor=coordinator, submission=row, case=canary_case)
    fields.forget_cached_keys()
    stored = Submission.objects.unscoped().get(pk=row.pk)
    message = Message.objects.unscoped().get(submission=stored)
    person = str(canary_case.person_id)
    assert fields.subject_of(stored) == person and fields.subject_of(message) == person
    assert services.read_answers(stored)["surname"] == "Канарейкин"
    assert "Канарейкин" in services.read_messages(stored)[0].text
    # The organization's key no longer opens the answers: only the case key does.
    ad = fields._row_ad(stored, "sealed_answers")
    with pytest.raises(Exception):  # noqa: B017 - Tink's error: it does not open
        fields._org_aead(stored.organization_id).decrypt(bytes(stored.sealed_answers), ad)
