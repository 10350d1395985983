"""R7 beyond the case sheet: an erasure reaches testimony, outreach, screening hits, vetting
and evidence items. None of their sealed values opens afterwards, live or from a copy taken
before; their rows and counts stay; their pages say "erased" instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import CANARY
from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case, Stage
from tropa.crypto import fields
from tropa.retention.erasure import erase_case
from tropa.retention.models import Trigger

from .casework import Casework, make_casework, row_of, values_of

# What the erasure must reach: at least one value of each (model, column) it is asked for.
EXPECTED = {
    ("testimony.TestimonyVersion", "sealed"),
    ("testimony.Witness", "sealed_consent"),
    ("testimony.Event", "sealed"),
    ("testimony.Act", "sealed"),
    ("outreach.Request", "sealed"),
    ("outreach.StatusChange", "sealed"),
    ("outreach.Attachment", "sealed"),
    ("screening.ScreeningHit", "sealed"),
    ("vetting.Check", "sealed"),
    ("vetting.CheckRevision", "sealed"),
    ("vetting.Claim", "sealed"),
    ("evidence.EvidenceItem", "sealed_record"),
    ("evidence.EvidenceItem", "sealed_summary"),
}


@pytest.fixture
def work(astana: Organization, coordinator: User, verifier: User, tmp_path: Path) -> Casework:
    return make_casework(astana, coordinator, verifier, tmp_path)


def _erase(work: Casework, coordinator: User) -> None:
    cases.move_stage(actor=coordinator, case=work.case, to_stage=Stage.PROTECTED)
    erase_case(actor=coordinator, case=work.case, trigger=Trigger.DECISION)
    fields.forget_cached_keys()


def _counts(values: dict[tuple[str, str, str], bytes]) -> dict[str, int]:
    return {where[0]: type(row_of(where[0], where[1]))._base_manager.count() for where in values}


def _open(label: str, pk: str, column: str, ciphertext: bytes) -> object:
    return fields.unseal(row_of(label, pk), column, ciphertext)


def _opens(label: str, pk: str, column: str, ciphertext: bytes) -> bool:
    row = row_of(label, pk)
    try:
        fields.unseal(row, column, ciphertext)
    except fields.KeyErased:
        return False
    return True


def test_nothing_of_the_case_opens_after_erasure_live_or_from_an_older_copy(
    work: Casework, coordinator: User
) -> None:
    before = values_of(work.case)  # what a backup made now holds
    assert {(label, column) for label, _pk, column in before} >= EXPECTED
    # Before: every value opens, and holds what was typed (the test can fail).
    assert all(_opens(*where, value) for where, value in before.items())
    typed = {where[0] for where, v in before.items() if CANARY in str(_open(*where, v))}
    untyped = {"testimony.Witness", "screening.ScreeningHit", "outreach.Attachment"}
    assert typed >= {label for label, _c in EXPECTED} - untyped
    counts = _counts(before)

    _erase(work, coordinator)

    live = values_of(work.case)
    assert set(live) == set(before)  # rows stay (statistics), their values do not
    assert not [where for where, value in live.items() if _opens(*where, value)]
    assert not [where for where, value in before.items() if _opens(*where, value)]
    assert _counts(before) == counts
    # The live values are tombstones, except immutable testimony versions (dead ciphertext).
    for (label, _pk, _column), value in live.items():
        assert (value == fields.TOMBSTONE) != (label == "testimony.TestimonyVersion")
    entry = AuditEntry.objects.get(action=Action.CASE_ERASED)
    assert CANARY not in str(entry.detail)


def test_an_erased_case_keeps_its_pseudonym_and_loses_its_search_terms(
    work: Casework, coordinator: User
) -> None:
    from tropa.testimony.models import SearchTerm

    assert SearchTerm.objects.filter(testimony=work.testimony).exists()
    _erase(work, coordinator)
    work.case.person.refresh_from_db()
    assert work.case.person.pseudonym == "Grach"
    assert not SearchTerm.objects.filter(testimony=work.testimony).exists()


def _pages(work: Casework) -> tuple[list[str], list[str]]:
    """(pages of the erased case's records, lists and pages that may show them)."""
    own = [
        reverse("testimony:detail", args=[work.testimony.code]),
        reverse("testimony:event", args=[work.event.code]),
        reverse("outreach:request", args=[work.request.code]),
        reverse("screening:hit", args=[work.hit.code]),
        reverse("vetting:detail", args=[work.vetting.code]),
        reverse("vetting:check", args=[work.check.code]),
        reverse("vetting:claim", args=[work.claim.code]),
        reverse("evidence:item", args=[work.item.code]),
    ]
    lists = [
        work.case.get_absolute_url(),
        reverse("cases:dashboard"),
        reverse("outreach:index"),
        reverse("outreach:requests"),
        reverse("outreach:statistics"),
        reverse("screening:queue"),
        reverse("testimony:search"),
    ]
    return own, lists


def test_pages_of_an_erased_case_say_erased_instead_of_failing(
    work: Casework, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    own, lists = _pages(work)
    for url in own + lists:
        assert client.get(url).status_code == 200, url  # before: every page opens
    _erase(work, coordinator)
    client.raise_request_exception = False
    wrong = []
    for url in own:
        response = client.get(url)
        says_erased = b'id="erased' in response.content or b"panel-erased" in response.content
        if response.status_code not in (200, 410) or not says_erased:
            wrong.append((url, response.status_code))
        assert CANARY.encode() not in response.content
    for url in lists:
        response = client.get(url)
        if response.status_code != 200:
            wrong.append((url, response.status_code))
        assert CANARY.encode() not in response.content
    assert not wrong


def test_an_erased_cases_border_point_and_deadline_note_open_no_more(
    canary_case: Case, coordinator: User
) -> None:
    from tropa.pathways.models import Deadline, Trip

    trip = Trip.objects.unscoped().get(case=canary_case)
    deadline = Deadline.objects.unscoped().get(case=canary_case)
    old = {"trip": bytes(trip.sealed), "deadline": bytes(deadline.sealed)}
    assert CANARY in fields.unseal(trip, "sealed", old["trip"])  # the test can fail
    cases.move_stage(actor=coordinator, case=canary_case, to_stage=Stage.PROTECTED)
    erase_case(actor=coordinator, case=canary_case, trigger=Trigger.DECISION)
    fields.forget_cached_keys()
    trip.refresh_from_db()
    deadline.refresh_from_db()
    assert trip.sealed is None and deadline.sealed is None
    for row, value in ((trip, old["trip"]), (deadline, old["deadline"])):
        with pytest.raises(fields.KeyErased):
            fields.unseal(row, "sealed", value)


def _sealed_of_submission(submission_pk: object) -> dict[tuple[str, str, str], bytes]:
    from tropa.intake.models import Message, Submission

    row = Submission.objects.unscoped().get(pk=submission_pk)
    found = {("intake.Submission", str(row.pk), "sealed_answers"): bytes(row.sealed_answers)}
    for message in Message.objects.unscoped().filter(submission=row):
        found[("intake.Message", str(message.pk), "sealed")] = bytes(message.sealed)
    return found


def test_an_intake_born_case_takes_its_answers_and_messages_with_it(
    astana: Organization, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    from tropa.intake import services as intake

    submission = intake.create_submission(
        organization=astana,
        answers={"surname": CANARY, "given_name": "Алексей", "needs": "жильё"},
        language="ru",
    ).submission
    intake.send_to_person(actor=coordinator, submission=submission, text=f"Вы {CANARY}?")
    intake.reply_from_person(submission=submission, text=f"Да, {CANARY}")
    case = intake.accept(actor=coordinator, submission=submission, pseudonym="Sokol")
    fields.forget_cached_keys()
    before = _sealed_of_submission(submission.pk)  # what a backup made now holds
    assert len(before) == 3
    # Before: all open and hold the canary, under the new case's key (the test can fail).
    assert all(CANARY in str(_open(*where, value)) for where, value in before.items())
    person = str(case.person_id)
    assert all(fields.subject_of(row_of(w[0], w[1])) == person for w in before)
    page = reverse("intake:submission", args=[submission.code])
    client = signed_in(coordinator)
    assert client.get(page).status_code == 200

    cases.move_stage(actor=coordinator, case=case, to_stage=Stage.PROTECTED)
    erase_case(actor=coordinator, case=case, trigger=Trigger.DECISION)
    fields.forget_cached_keys()

    live = _sealed_of_submission(submission.pk)
    assert set(live) == set(before) and set(live.values()) == {fields.TOMBSTONE}
    assert not [where for where, value in before.items() if _opens(*where, value)]
    client.raise_request_exception = False
    response = client.get(page)
    assert response.status_code == 410 and CANARY.encode() not in response.content


def test_a_received_referral_dies_with_the_receivers_case(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    outsider: User,
    signed_in: Callable[[User], Client],
) -> None:
    from tropa.sharing import services as sharing
    from tropa.sharing.models import Receipt

    referral = sharing.refer_case(
        actor=coordinator,
        case=canary_case,
        receiver=yerevan,
        mode="share",
        consent=sharing.Consent(timezone.localdate(), "in_person", "help in Armenia"),
        parts=sharing.Parts(identity=["surname_latin"]),
        note=f"{CANARY} moves on",
    )
    receipt = sharing.accept_referral(actor=outsider, referral=referral)
    fields.forget_cached_keys()
    old = bytes(Receipt.objects.unscoped().get(pk=receipt.pk).sealed)
    assert CANARY in str(fields.unseal(receipt, "sealed", old))  # the test can fail
    assert fields.subject_of(receipt) == str(receipt.case.person_id)
    page = reverse("sharing:referral", args=[referral.code])
    client = signed_in(outsider)
    assert client.get(page).status_code == 200

    cases.move_stage(actor=outsider, case=receipt.case, to_stage=Stage.PROTECTED)
    erase_case(actor=outsider, case=receipt.case, trigger=Trigger.DECISION)
    fields.forget_cached_keys()

    receipt.refresh_from_db()
    assert bytes(receipt.sealed) == fields.TOMBSTONE
    for value in (old, bytes(receipt.sealed)):
        with pytest.raises(fields.KeyErased):
            fields.unseal(receipt, "sealed", value)
    client.raise_request_exception = False
    response = client.get(page)
    assert response.status_code in (200, 410) and CANARY.encode() not in response.content
