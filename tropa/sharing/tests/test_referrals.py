"""A referral: nothing readable by the receiver before acceptance, exactly the chosen
parts after, both custody chains continued, both audit logs told."""

from __future__ import annotations

import pytest
from django.db import connection

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case, Identity, Note, ServiceRecord
from tropa.crypto.fields import unseal
from tropa.evidence import custody, vault
from tropa.evidence.models import CustodyAction, EvidenceItem
from tropa.evidence.storage import get_storage
from tropa.sharing import services
from tropa.sharing.models import Receipt, Referral

from .conftest import add_item, consent

pytestmark = pytest.mark.django_db


def _opens_with_keys_of(organization: Organization, row: object, column: str, value: bytes) -> bool:
    """Whether any key ``organization`` holds opens ``value`` as ``row.column``: its own key,
    or the case key of any of its people (the key store's keys are per person)."""
    from tropa.cases.models import Person
    from tropa.crypto import fields, keystore

    keys = [fields._org_aead(organization.pk)]
    for person in Person.objects.filter(organization=organization).values_list("pk", flat=True):
        if keystore.get(str(person)) is not None:
            keys.append(fields.case_key_aead(organization.pk, str(person)))
    for key in keys:
        try:
            key.decrypt(bytes(value), fields._row_ad(row, column))  # type: ignore[arg-type]
        except Exception:  # noqa: S112 - "does not open" is what is tested
            continue
        return True
    return False


def _refer(case: Case, by: User, to: Organization, **parts: object) -> Referral:
    return services.refer_case(
        actor=by,
        case=case,
        receiver=to,
        mode=str(parts.pop("mode", "share")),
        consent=consent(),
        parts=services.Parts(**parts),  # type: ignore[arg-type]
        note="He is moving to Yerevan next week.",
    )


def _entries(action: str, organization: Organization) -> int:
    return AuditEntry.objects.filter(
        action=action, organization_code=str(organization.code)
    ).count()


def test_before_acceptance_the_receivers_keys_open_nothing(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    referral = _refer(canary_case, coordinator, yerevan, identity=["surname_latin"])
    identity = Identity.objects.get(person=canary_case.person)
    for row, column, value in (
        (identity, "sealed", identity.sealed),
        (referral, "sealed", referral.sealed),
    ):
        assert not _opens_with_keys_of(yerevan, row, column, value)
        assert _opens_with_keys_of(coordinator.organization, row, column, value)  # type: ignore[arg-type]
    # Nothing of the case exists on the receiver's side: no case, no identity, no receipt.
    assert not Case.objects.filter(organization=yerevan).exists()
    assert not Identity.objects.filter(organization=yerevan).exists()
    assert not Receipt.objects.filter(organization=yerevan).exists()
    assert _entries("referral.created", coordinator.organization) == 1  # type: ignore[arg-type]
    assert _entries("referral.received", yerevan) == 1


def test_after_acceptance_exactly_the_chosen_fields_open_with_the_receivers_keys(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    cases.save_service_record(actor=coordinator, person=canary_case.person, unit="в/ч 12345")
    referral = _refer(
        canary_case,
        coordinator,
        yerevan,
        identity=["surname_latin", "given_name_latin"],
        service_record=True,
    )
    receipt = services.accept_referral(actor=outsider, referral=referral)
    new = receipt.case
    assert new.organization == yerevan and new.person.pseudonym == "Funker"
    copied = Identity.objects.get(person=new.person)
    opened = unseal(copied, "sealed", copied.sealed)
    assert opened == {"surname_latin": "KANAREIKIN", "given_name_latin": "ALEKSEI"}
    # The receiver's row does not open with the sender's keys, nor the sender's with the
    # receiver's: the keys never changed hands, the values were sealed again.
    assert not _opens_with_keys_of(canary_case.organization, copied, "sealed", copied.sealed)
    sender_identity = Identity.objects.get(person=canary_case.person)
    assert not _opens_with_keys_of(yerevan, sender_identity, "sealed", sender_identity.sealed)
    assert _opens_with_keys_of(yerevan, copied, "sealed", copied.sealed)
    # What was not chosen did not come: no notes, no family, no alerts.
    assert not Note.objects.filter(case=new).exclude(organization=yerevan).exists()
    assert not Note.objects.filter(case=new).exists()
    assert not new.family.exists() and not new.alerts.exists()
    assert ServiceRecord.objects.get(person=new.person).unit == "в/ч 12345"
    values = services.read_receipt(actor=outsider, receipt=receipt)
    assert values["note"] == "He is moving to Yerevan next week."
    assert values["consent_how"] == "in_person"
    referral.refresh_from_db()
    assert referral.state == "accepted" and referral.decided_by == outsider
    assert _entries("referral.accepted", yerevan) == 1
    assert _entries("referral.accepted", canary_case.organization) == 1
    canary_case.refresh_from_db()
    assert canary_case.stage != "closed"  # shared: both keep working


def test_a_transfer_closes_the_senders_case_as_referred(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    referral = _refer(canary_case, coordinator, yerevan, mode="transfer")
    services.accept_referral(actor=outsider, referral=referral)
    canary_case.refresh_from_db()
    assert (canary_case.stage, canary_case.closed_reason) == ("closed", "referred")


def test_evidence_is_reencrypted_for_the_receiver_with_the_same_hash(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    outsider: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    chosen = add_item(canary_case, coordinator, b"%PDF-1.4 chosen " * 5000)
    left = add_item(canary_case, coordinator, b"%PDF-1.4 not chosen", name="other.pdf")
    referral = _refer(canary_case, coordinator, yerevan, evidence=[str(chosen.code)])
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        receipt = services.accept_referral(actor=outsider, referral=referral)
    copies = list(EvidenceItem.objects.filter(organization=yerevan))
    assert len(copies) == 1
    copy = copies[0]
    assert copy.case == receipt.case and copy.blob != chosen.blob
    assert copy.sha256 == chosen.sha256
    storage = get_storage()
    assert vault.hash_blob(storage, vault.case_key(receipt.case), copy.blob) == chosen.sha256
    # The copy does not open with the sender's case key: it was encrypted again.
    with pytest.raises(vault.Corrupt):
        vault.hash_blob(storage, vault.case_key(canary_case), copy.blob)
    for item in (chosen, copy):
        assert custody.verify_chain(item) is None
        assert item.custody.order_by("-seq").first().action == CustodyAction.TRANSFERRED
    assert left.custody.count() == 1
    name = unseal(copy, "sealed_summary", copy.sealed_summary)["name"]
    assert name == "scan.pdf"
    referral.refresh_from_db()
    assert (referral.copy_state, referral.copy_done) == ("done", chosen.size)
    assert _entries("referral.evidence_copied", yerevan) == 1
    assert _entries("referral.evidence_copied", canary_case.organization) == 1


def test_a_copy_that_does_not_hash_as_at_ingestion_is_thrown_away(
    canary_case: Case,
    coordinator: User,
    yerevan: Organization,
    outsider: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    chosen = add_item(canary_case, coordinator, b"%PDF-1.4 chosen")
    referral = _refer(canary_case, coordinator, yerevan, evidence=[str(chosen.code)])
    # The recorded hash no longer matches the stored bytes (a swapped or edited row).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evidence_evidenceitem SET sha256 = %s WHERE id = %s",
            ["0" * 64, chosen.pk.hex if connection.vendor == "sqlite" else chosen.pk],
        )
    # The worker's task fails (django-tasks records it); the referral says so.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.accept_referral(actor=outsider, referral=referral)
    referral.refresh_from_db()
    assert referral.copy_state == "failed"
    assert not EvidenceItem.objects.filter(organization=yerevan).exists()
    assert _entries("referral.copy_failed", canary_case.organization) == 1


def test_decline_needs_a_reason_the_sender_reads(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    referral = _refer(canary_case, coordinator, yerevan)
    with pytest.raises(services.SharingError):
        services.decline_referral(actor=outsider, referral=referral, reason=" ")
    services.decline_referral(actor=outsider, referral=referral, reason="We have no lawyer now")
    referral.refresh_from_db()
    assert referral.state == "declined"
    values = services.read_referral(actor=coordinator, referral=referral)
    assert values["reason"] == "We have no lawyer now"
    with pytest.raises(services.SharingError):
        services.accept_referral(actor=outsider, referral=referral)
    assert _entries("referral.declined", yerevan) == 1
    assert _entries("referral.declined", canary_case.organization) == 1
    assert not Case.objects.filter(organization=yerevan).exists()


def test_withdrawn_until_accepted_and_only_by_the_sender(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    referral = _refer(canary_case, coordinator, yerevan)
    with pytest.raises(services.SharingError):
        services.withdraw_referral(actor=outsider, referral=referral)
    with pytest.raises(services.SharingError):
        services.accept_referral(actor=coordinator, referral=referral)  # not the receiver
    services.withdraw_referral(actor=coordinator, referral=referral)
    with pytest.raises(services.SharingError):
        services.accept_referral(actor=outsider, referral=referral)
    assert _entries("referral.withdrawn", yerevan) == 1
    accepted = _refer(canary_case, coordinator, yerevan)
    services.accept_referral(actor=outsider, referral=accepted)
    with pytest.raises(services.SharingError):
        services.withdraw_referral(actor=coordinator, referral=accepted)


def test_refusals_name_what_is_wrong(
    canary_case: Case, coordinator: User, yerevan: Organization, volunteer: User
) -> None:
    with pytest.raises(services.SharingError, match="coordinator"):
        _refer(canary_case, volunteer, yerevan)
    with pytest.raises(services.SharingError, match="another organization"):
        _refer(canary_case, coordinator, canary_case.organization)
    with pytest.raises(services.SharingError, match="empty"):
        _refer(canary_case, coordinator, yerevan, identity=["birth_date"])
    with pytest.raises(services.SharingError, match="evidence"):
        _refer(canary_case, coordinator, yerevan, evidence=["00000000-0000-0000-0000-000000000000"])
