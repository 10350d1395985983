"""Fixity (E2, R6): every stored file re-hashed against its recorded SHA-256."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto import keystore

from .. import custody, vault
from ..models import (
    CustodyAction,
    EvidenceItem,
)
from ..storage import BlobMissing, get_storage


@dataclass
class VerifyResult:
    item: EvidenceItem
    problems: list[str]
    # The case was erased on purpose (its key has a tombstone in the key store): its files can
    # no longer be read by design, which is not a fixity failure. A key missing WITHOUT a
    # tombstone (a lost key store) still fails.
    erased: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_blob(item: EvidenceItem, blob: str, expected: str, what: str) -> list[str]:
    try:
        actual = vault.hash_blob(get_storage(), vault.case_key(item.case), blob)
    except BlobMissing:
        return [_("%(what)s: stored file is missing") % {"what": what}]
    except vault.KeyErased:
        return [
            _("%(what)s: the case's key was destroyed, the stored file can no longer be read")
            % {"what": what}
        ]
    except vault.Corrupt:
        return [_("%(what)s: stored file does not decrypt (altered or truncated)") % {"what": what}]
    if actual != expected:
        return [
            _("%(what)s: SHA-256 %(actual)s differs from recorded %(expected)s")
            % {"what": what, "actual": actual, "expected": expected}
        ]
    return []


def _record_failure(item: EvidenceItem, problems: list[str]) -> None:
    with transaction.atomic():
        custody.append(item, CustodyAction.VERIFY_FAILED, None, problems=len(problems))
        EvidenceItem.objects.filter(organization=item.organization_id, pk=item.pk).update(
            last_verified_at=timezone.now(), last_verified_ok=False
        )
        log_action(None, Action.EVIDENCE_VERIFY_FAILED, item, problems=len(problems))


def verify_item(*, actor: User | None, item: EvidenceItem) -> VerifyResult:
    if keystore.is_erased(str(item.case.person_id)):
        return VerifyResult(item, [], erased=True)
    problems = _check_blob(item, item.blob, item.sha256, _("original"))
    for derived in item.derived.all():
        problems += _check_blob(item, derived.blob, derived.sha256, str(derived.get_kind_display()))
    chain = custody.verify_chain(item)
    if chain is not None:
        problems.append(f"custody log entry #{chain.seq}: {chain.reason}")
    if problems:
        _record_failure(item, problems)
    else:
        with transaction.atomic():
            custody.append(item, CustodyAction.VERIFY, actor)
            EvidenceItem.objects.filter(organization=item.organization_id, pk=item.pk).update(
                last_verified_at=timezone.now(), last_verified_ok=True
            )
    return VerifyResult(item, problems)


def verify_all(*, actor: User | None, case: Case | None = None) -> Iterator[VerifyResult]:
    items = EvidenceItem.objects.unscoped().select_related("case").order_by("created_at")
    if case is not None:
        items = items.filter(case=case)
    for item in items.iterator(chunk_size=200):
        yield verify_item(actor=actor, item=item)
