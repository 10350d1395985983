"""Interviews: every save an immutable sealed version (E9, E17); consent per recipient
kind with its whole history; the "may be implicated" flag (E13)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import seal, unseal

from ..errors import TestimonyError
from ..models import Testimony, TestimonyVersion, Witness
from ..vocabulary import ConsentHow, ConsentStatus, RecipientKind, RecordingMethod

# What one version holds; the diff view compares these, in this order.
FIELDS = (
    "interviewer",
    "interpreter",
    "language",
    "present",
    "place",
    "held_at",
    "method",
    "narrative",
    "evidence",
)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        name: str(data.get(name) or "").strip() for name in FIELDS if name != "evidence"
    }
    snapshot["evidence"] = sorted({str(code) for code in data.get("evidence") or []})
    if isinstance(data.get("referral"), dict):
        # An interview that came by a referral: who recorded it where, when, in which
        # language (``tropa.sharing``); kept in every later version.
        snapshot["referral"] = data["referral"]
    if snapshot["method"] not in RecordingMethod.values:
        snapshot["method"] = RecordingMethod.WRITTEN
    if not snapshot["narrative"]:
        raise TestimonyError(_("Write down what the witness said (the account)."))
    if not snapshot["interviewer"]:
        raise TestimonyError(_("Name the interviewer."))
    return snapshot


def witness_of(case: Case) -> Witness:
    """The case's witness row, made (with no consent and no flag) on first use."""
    witness = Witness.objects.filter(organization=case.organization_id, case=case).first()
    if witness is None:
        witness = Witness(organization_id=case.organization_id, case=case)
        witness.sealed_consent = seal(witness, "sealed_consent", [])
        witness.sealed_flag = seal(witness, "sealed_flag", {"flagged": False})
        witness.save()
    return witness


def _locked_witness(case: Case) -> Witness:
    pk = witness_of(case).pk
    witness: Witness = (
        Witness.objects.filter(organization=case.organization_id).select_for_update().get(pk=pk)
    )
    return witness


def record_interview(*, actor: User | None, case: Case, data: dict[str, Any]) -> Testimony:
    snapshot = _clean(data)
    with transaction.atomic():
        witness_of(case)
        testimony: Testimony = Testimony.objects.create(
            organization_id=case.organization_id,
            case=case,
            created_by=actor,
            created_at=timezone.now(),
        )
        _add_version(actor, testimony, snapshot)
        log_action(actor, Action.TESTIMONY_RECORDED, case, testimony=str(testimony.code))
    return testimony


def save_interview(*, actor: User | None, testimony: Testimony, data: dict[str, Any]) -> int:
    """A new version (never a change to an old one); nothing when nothing changed."""
    snapshot = _clean(data)
    with transaction.atomic():
        locked = (
            Testimony.objects.filter(organization=testimony.organization_id)
            .select_for_update()
            .get(pk=testimony.pk)
        )
        previous = read_version(locked, locked.versions_count)
        if "referral" in previous:
            snapshot["referral"] = previous["referral"]
        if previous == snapshot:
            return int(locked.versions_count)
        number = _add_version(actor, locked, snapshot)
        changed = [n for n in FIELDS if read_version(locked, number - 1).get(n) != snapshot[n]]
        log_action(
            actor,
            Action.TESTIMONY_SAVED,
            testimony.case,
            testimony=str(testimony.code),
            version=number,
            fields=changed,
        )
    testimony.versions_count = number
    return number


def _add_version(actor: User | None, testimony: Testimony, snapshot: dict[str, Any]) -> int:
    number = testimony.versions_count + 1
    version = TestimonyVersion(testimony=testimony, number=number, saved_at=timezone.now())
    version.saved_by = actor
    version.sealed = seal(version, "sealed", snapshot)
    version.save()
    Testimony.objects.filter(organization=testimony.organization_id, pk=testimony.pk).update(
        versions_count=number
    )
    testimony.versions_count = number
    from .search import index_testimony  # the index follows every save

    index_testimony(testimony)
    return number


def read_version(testimony: Testimony, number: int) -> dict[str, Any]:
    version = testimony.versions.filter(number=number).first()
    if version is None:
        return {}
    version.testimony = testimony
    data: dict[str, Any] = unseal(version, "sealed", version.sealed)
    return data


def current(testimony: Testimony) -> dict[str, Any]:
    return read_version(testimony, testimony.versions_count)


def read_testimony(*, actor: User | None, testimony: Testimony) -> dict[str, Any]:
    """The current version, for a page: the read is audited."""
    log_action(actor, Action.TESTIMONY_VIEWED, testimony.case, testimony=str(testimony.code))
    return current(testimony)


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: list[tuple[str, str]]  # ("+", text) / ("-", text) / (" ", text)


def diff_versions(testimony: Testimony, old: int, new: int) -> list[FieldDiff]:
    """What changed from version ``old`` to ``new``, field by field, line by line."""
    before, after = read_version(testimony, old), read_version(testimony, new)
    if not before or not after:
        raise TestimonyError(_("There is no such version."))
    diffs = []
    for name in FIELDS:
        a, b = _lines(before.get(name)), _lines(after.get(name))
        if a == b:
            continue
        lines = [(line[0], line[2:]) for line in difflib.ndiff(a, b) if line[:1] in ("+", "-", " ")]
        diffs.append(FieldDiff(name, lines))
    return diffs


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value or "").splitlines()


# Consent -------------------------------------------------------------------------------


def consent_history(witness: Witness) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = unseal(witness, "sealed_consent", witness.sealed_consent) or []
    return entries


def consent_now(witness: Witness | None) -> dict[str, str]:
    """{recipient kind: given | refused | withdrawn}, the latest entry per kind."""
    if witness is None:
        return {}
    state: dict[str, str] = {}
    for entry in consent_history(witness):
        state[entry["kind"]] = entry["status"]
    return state


def consented(witness: Witness | None, kind: str) -> bool:
    """May the testimony go to ``kind``? Only with consent given for it, and not "no one"."""
    state = consent_now(witness)
    return state.get(kind) == ConsentStatus.GIVEN and state.get("none") != ConsentStatus.GIVEN


def record_consent(
    *, actor: User | None, case: Case, kind: str, status: str, on: date, how: str
) -> None:
    if kind not in RecipientKind.values or status not in ConsentStatus.values:
        raise TestimonyError(_("Choose a recipient and whether consent was given."))
    if how not in ConsentHow.values:
        raise TestimonyError(_("Say how the witness gave or refused consent."))
    if on > timezone.localdate():
        raise TestimonyError(_("The date of consent cannot be in the future."))
    with transaction.atomic():
        witness = _locked_witness(case)
        before = consent_now(witness).get(kind)
        if status == ConsentStatus.WITHDRAWN and before != ConsentStatus.GIVEN:
            raise TestimonyError(_("Only a consent that was given can be withdrawn."))
        history = consent_history(witness)
        history.append(
            {
                "kind": kind,
                "status": status,
                "date": on.isoformat(),
                "how": how,
                "at": timezone.now().isoformat(),
                "by": str(actor.code) if actor is not None else "",
            }
        )
        witness.sealed_consent = seal(witness, "sealed_consent", history)
        witness.save(update_fields=["sealed_consent"])
        if status == ConsentStatus.GIVEN:
            log_action(actor, Action.TESTIMONY_CONSENT_RECORDED, case, status=status)
        else:
            # Refused or withdrawn: nothing built for that kind may still leave (E9).
            from .exports import block_exports

            blocked = block_exports(actor=actor, case=case, kind=kind)
            action = (
                Action.TESTIMONY_CONSENT_WITHDRAWN
                if status == ConsentStatus.WITHDRAWN
                else Action.TESTIMONY_CONSENT_RECORDED
            )
            log_action(actor, action, case, status=status, blocked=blocked)


# The "may be implicated" flag -------------------------------------------------------------


def set_implicated(*, actor: User, case: Case) -> None:
    """Flag the witness (a lawyer's or verifier's call, E13): from now on only lawyers and
    verifiers see his testimony."""
    from tropa.accounts.permissions import Cap, can

    if not can(actor, Cap.FLAG_IMPLICATED):
        raise TestimonyError(_("Only a lawyer or a verifier can flag a witness."))
    with transaction.atomic():
        witness = _locked_witness(case)
        data = unseal(witness, "sealed_flag", witness.sealed_flag) or {}
        if data.get("flagged"):
            raise TestimonyError(_("This witness is already flagged."))
        data = {"flagged": True, "set_at": timezone.now().isoformat(), "set_by": str(actor.code)}
        witness.sealed_flag = seal(witness, "sealed_flag", data)
        witness.save(update_fields=["sealed_flag"])
        log_action(actor, Action.TESTIMONY_FLAG_SET, case)


def record_rights_explained(*, actor: User, case: Case, on: date, how: str) -> None:
    """The witness was told of his rights under art. 55 of the Rome Statute, and when."""
    from tropa.accounts.permissions import Cap, can

    if not can(actor, Cap.FLAG_IMPLICATED):
        raise TestimonyError(_("Only a lawyer or a verifier can record this."))
    if on > timezone.localdate():
        raise TestimonyError(_("The date cannot be in the future."))
    with transaction.atomic():
        witness = _locked_witness(case)
        data = unseal(witness, "sealed_flag", witness.sealed_flag) or {}
        if not data.get("flagged"):
            raise TestimonyError(_("Flag the witness first."))
        explained = datetime.combine(on, time(12), tzinfo=UTC)
        data.update(rights_explained_at=explained.isoformat(), rights_how=how.strip()[:500])
        witness.sealed_flag = seal(witness, "sealed_flag", data)
        witness.save(update_fields=["sealed_flag"])
        log_action(actor, Action.TESTIMONY_RIGHTS_EXPLAINED, case)
