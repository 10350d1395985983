"""What a referral carries besides the case: chosen interviews (with provenance and the
"may be implicated" flag), the vetting dossier, the outreach history as requests, and the
evidence's thumbnails and copies without metadata. Each opens with the receiver's keys
only after acceptance, and only what was chosen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.cases.models import Case
from tropa.crypto.fields import unseal
from tropa.evidence import custody, vault
from tropa.evidence.models import CustodyAction, DerivedObject, EvidenceItem
from tropa.evidence.services.derivatives import _add_derived
from tropa.evidence.storage import get_storage
from tropa.outreach import services as outreach
from tropa.outreach.models import Institution, Request
from tropa.sharing import services
from tropa.sharing.models import Referral
from tropa.testimony import services as testimony
from tropa.testimony.models import Testimony, TestimonyVersion, Witness
from tropa.vetting.models import Decision
from tropa.vetting.tests.conftest import decided, verifier2, vetting  # noqa: F401 - fixtures

from .conftest import add_item, consent
from .test_referrals import _opens_with_keys_of

pytestmark = pytest.mark.django_db

INTERVIEW = {
    "interviewer": "Olga (caseworker)",
    "language": "ru",
    "place": "Astana office",
    "held_at": "2026-11-20 14:00",
    "method": "written",
    "narrative": "В сентябре нашу роту отправили под Купянск; я отказался идти.",
}


def _refer(case: Case, by: User, to: Organization, **parts: object) -> Referral:
    return services.refer_case(
        actor=by,
        case=case,
        receiver=to,
        mode="share",
        consent=consent(),
        parts=services.Parts(**parts),  # type: ignore[arg-type]
    )


def _version(interview: Testimony) -> TestimonyVersion:
    version = interview.versions.get(number=interview.versions_count)
    version.testimony = interview
    return version


def test_a_chosen_interview_comes_with_its_provenance_and_its_recording(
    canary_case: Case,
    coordinator: User,
    verifier: User,
    yerevan: Organization,
    outsider: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    recording = add_item(canary_case, coordinator, b"RIFF recording " * 100, name="talk.wav")
    chosen = testimony.record_interview(
        actor=coordinator, case=canary_case, data={**INTERVIEW, "evidence": [recording.code]}
    )
    left = testimony.record_interview(
        actor=coordinator, case=canary_case, data={**INTERVIEW, "narrative": "Не выбрано."}
    )
    referral = _refer(canary_case, coordinator, yerevan, testimony=[str(chosen.code)])
    # The recording it cites goes with it, although it was not ticked on its own.
    assert referral.parts["evidence"] == [str(recording.code)]
    sender_version = _version(chosen)
    # Before acceptance: nothing on the receiver's side, the receiver's keys open nothing.
    assert not Testimony.objects.filter(organization=yerevan).exists()
    assert not _opens_with_keys_of(yerevan, sender_version, "sealed", sender_version.sealed)
    # Flagged after the offer, before the acceptance: the flag comes along.
    testimony.set_implicated(actor=verifier, case=canary_case)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        receipt = services.accept_referral(actor=outsider, referral=referral)
    came = Testimony.objects.get(organization=yerevan)
    assert came.case == receipt.case
    version = _version(came)
    assert _opens_with_keys_of(yerevan, version, "sealed", version.sealed)
    assert not _opens_with_keys_of(canary_case.organization, version, "sealed", version.sealed)
    data = testimony.current(came)
    assert data["narrative"] == INTERVIEW["narrative"] and data["language"] == "ru"
    assert data["referral"]["organization"] == canary_case.organization.name
    assert data["referral"]["recorded_by"] == "Olga (caseworker)"
    assert data["referral"]["recorded_at"] == chosen.created_at.isoformat()
    # The recording is cited by its copy's code, and the copy exists once copied.
    copy = EvidenceItem.objects.get(organization=yerevan)
    assert data["evidence"] == [str(copy.code)] and copy.sha256 == recording.sha256
    witness = Witness.objects.get(organization=yerevan)
    assert unseal(witness, "sealed_flag", witness.sealed_flag)["flagged"] is True
    values = services.read_receipt(actor=outsider, receipt=receipt)
    assert [t["code"] for t in values["testimony"]] == [str(came.code)]
    assert str(left.code) not in str(values)
    # An edit at the receiver's keeps the provenance in the new version.
    testimony.save_interview(
        actor=outsider, testimony=came, data={**INTERVIEW, "narrative": "Дополнено."}
    )
    came.refresh_from_db()
    assert testimony.current(came)["referral"]["organization"] == canary_case.organization.name


def test_a_flagged_witness_testimony_needs_the_consent_naming_it(
    canary_case: Case, coordinator: User, verifier: User, yerevan: Organization
) -> None:
    chosen = testimony.record_interview(actor=coordinator, case=canary_case, data=INTERVIEW)
    testimony.set_implicated(actor=verifier, case=canary_case)
    with pytest.raises(services.SharingError, match="testimony"):
        _refer(canary_case, coordinator, yerevan, testimony=[str(chosen.code)])
    with pytest.raises(services.SharingError, match="interview"):
        services.refer_case(
            actor=None,
            case=canary_case,
            receiver=yerevan,
            mode="share",
            consent=consent(),
            parts=services.Parts(
                testimony=["00000000-0000-0000-0000-000000000000"], testimony_consent=True
            ),
        )


def test_the_vetting_dossier_comes_read_only_and_marked_as_the_senders(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    outsider: User,
    decided: Decision,  # noqa: F811 - the fixture
) -> None:
    referral = _refer(canary_case, coordinator, yerevan, vetting=True, vetting_dossier=True)
    receipt = services.accept_referral(actor=outsider, referral=referral)
    assert _opens_with_keys_of(yerevan, receipt, "sealed", receipt.sealed)
    assert not _opens_with_keys_of(canary_case.organization, receipt, "sealed", receipt.sealed)
    dossier = services.read_receipt(actor=outsider, receipt=receipt)["dossier"]
    assert dossier["organization"] == canary_case.organization.name
    assert dossier["decision"]["outcome"] == "recommend"
    assert dossier["decision"]["reasons"] == "Story holds."
    assert [c["text"] for c in dossier["claims"]] == ["Deserted on 21.09.2022"]
    assert dossier["checks"] and all(c["status"] == "satisfied" for c in dossier["checks"])
    # The sender's vetting stays the sender's: the receiver's case has none of its own.
    from tropa.vetting.models import Vetting as VettingRow

    assert not VettingRow.objects.filter(organization=yerevan).exists()
    assert "Канарейкин" not in str(dossier)


def test_a_dossier_needs_a_decided_vetting(
    canary_case: Case, coordinator: User, yerevan: Organization
) -> None:
    with pytest.raises(services.SharingError, match="vetting"):
        _refer(canary_case, coordinator, yerevan, vetting_dossier=True)


def test_outreach_history_becomes_the_receivers_requests_never_due(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    embassy = outreach.create_institution(
        actor=coordinator, organization=canary_case.organization, name="Embassy of Germany"
    )
    ministry = outreach.create_institution(
        actor=coordinator, organization=canary_case.organization, name="Ministry of Interior"
    )
    theirs = outreach.create_institution(
        actor=outsider, organization=yerevan, name="embassy of  GERMANY"
    )
    sent = timezone.localdate() - timedelta(days=60)
    answered = outreach.record_request(
        actor=coordinator,
        organization=canary_case.organization,
        institution=embassy,
        channel="email",
        sent_on=sent,
        subject="Humanitarian visa",
        body="Please consider his application.",
        case=canary_case,
    )
    outreach.record_answer(
        actor=coordinator, request=answered, status="refused", on=sent + timedelta(days=9)
    )
    silent = outreach.record_request(
        actor=coordinator,
        organization=canary_case.organization,
        institution=ministry,
        channel="letter",
        sent_on=sent,
        subject="Asylum",
        case=canary_case,
    )
    referral = _refer(canary_case, coordinator, yerevan, outreach=True)
    receipt = services.accept_referral(actor=outsider, referral=referral)
    came = Request.objects.filter(organization=yerevan, case=receipt.case).order_by("channel")
    assert [r.channel for r in came] == ["email", "letter"]
    email, post = came
    assert email.institution == theirs  # matched to the receiver's directory
    assert post.institution.organization == yerevan and post.institution != ministry
    assert Institution.objects.filter(organization=yerevan).count() == 2
    assert email.status == "refused" and [c.status for c in email.changes.all()] == ["refused"]
    assert all(r.imported and r.followup_done_at is not None for r in came)
    letter = unseal(email, "sealed", email.sealed)
    assert letter["subject"] == "Humanitarian visa"
    assert "came by referral" in letter["sender"]
    assert not _opens_with_keys_of(canary_case.organization, email, "sealed", email.sealed)
    # Never due: the hourly follow-up rule makes no task of the silent one.
    outreach.run_followups()
    assert not receipt.case.tasks.exists()
    assert Request.objects.filter(organization=canary_case.organization).count() == 2
    assert silent.pk != post.pk


def test_thumbnails_and_stripped_copies_come_as_streams_with_their_hashes(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    outsider: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    photo = add_item(canary_case, coordinator, b"\xff\xd8\xff\xe0 photo" * 300, name="p.jpg")
    _add_derived(photo, "thumbnail", b"\xff\xd8 small", "image/jpeg", "ffmpeg")
    _add_derived(photo, "stripped", b"\xff\xd8 no exif" * 50, "image/jpeg", "mat2")
    referral = _refer(canary_case, coordinator, yerevan, evidence=[str(photo.code)])
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        receipt = services.accept_referral(actor=outsider, referral=referral)
    copy = EvidenceItem.objects.get(organization=yerevan)
    storage, key = get_storage(), vault.case_key(receipt.case)
    theirs = {d.kind: d for d in DerivedObject.objects.filter(organization=yerevan)}
    ours = {d.kind: d for d in photo.derived.all()}
    assert set(theirs) == {"thumbnail", "stripped"}
    for kind, derived in theirs.items():
        assert derived.derived_from == copy and derived.blob != ours[kind].blob
        assert derived.sha256 == ours[kind].sha256
        assert vault.hash_blob(storage, key, derived.blob) == ours[kind].sha256
        with pytest.raises(vault.Corrupt):
            vault.hash_blob(storage, vault.case_key(canary_case), derived.blob)
    assert custody.verify_chain(copy) is None
    actions = list(copy.custody.order_by("seq").values_list("action", flat=True))
    assert actions == [CustodyAction.TRANSFERRED, CustodyAction.DERIVE, CustodyAction.DERIVE]


def test_a_derived_object_that_does_not_hash_as_recorded_fails_the_copy(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    outsider: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    photo = add_item(canary_case, coordinator, b"\xff\xd8\xff\xe0 photo" * 300, name="p.jpg")
    _add_derived(photo, "thumbnail", b"\xff\xd8 small", "image/jpeg", "ffmpeg")
    DerivedObject.objects.filter(organization=canary_case.organization).update(sha256="0" * 64)
    referral = _refer(canary_case, coordinator, yerevan, evidence=[str(photo.code)])
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.accept_referral(actor=outsider, referral=referral)
    referral.refresh_from_db()
    assert referral.copy_state == "failed"
    assert not EvidenceItem.objects.filter(organization=yerevan).exists()
    assert not DerivedObject.objects.filter(organization=yerevan).exists()
