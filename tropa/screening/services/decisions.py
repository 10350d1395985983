"""Reviewing hits: the shared ``decide()`` of a hit or a duplicate pair, and hit decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import RISK_ORDER, Risk
from tropa.crypto.fields import KeyErased, seal, unseal

from ..models import HitStatus, ReviewableDecision, ScreeningHit
from .errors import ScreeningError
from .hits import HitFacts, HitRow, hit_facts, hit_rows

# The risk a confirmed hit gives a case: a man on a sanctions or war-crimes list changes
# everything about how (and whether) an organization can vouch for him.
CONFIRMED_HIT_RISK = Risk.CRITICAL


def read_hit(*, actor: User, hit: ScreeningHit) -> HitRow:
    """A hit's sealed part, for its page: an audited read.

    Its names are identity: the page shows them only after ``cases.reveal_identity``.
    """
    log_action(actor, Action.SCREENING_HIT_VIEWED, hit.case, hit=str(hit.code))
    rows = hit_rows([hit])
    return rows[0] if rows else _erased(hit)


def _erased(hit: ScreeningHit) -> HitRow:
    """A hit of an erased case: its page says so (``ErasedCaseMiddleware``)."""
    raise KeyErased(str(hit.person_id))


def read_reason(obj: ReviewableDecision) -> str:
    return str(unseal(obj, "sealed_reason", obj.sealed_reason) or "")


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ScreeningError(_("Give a reason for the decision."))
    return reason


D = TypeVar("D", bound=ReviewableDecision)


def decide(
    *,
    actor: User,
    obj: D,
    status: str,
    reason: str,
    already_decided: str,
    also: Callable[[D], list[str]] | None = None,
) -> D:
    """Record a reviewer's decision on a hit or a pair: once, by whom, when, with a sealed reason.

    Call inside the transaction of the decision; the row is locked and read again, so that of
    two reviewers deciding at once the second is refused with ``already_decided``. ``also``
    changes the locked row further and names the fields it changed. Returns the locked row.
    """
    reason = _clean_reason(reason)
    model = type(obj)
    locked: D = (
        model.objects.for_organization(obj.organization_id).select_for_update().get(pk=obj.pk)
    )
    if locked.is_decided:
        raise ScreeningError(already_decided)
    locked.status = status
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.sealed_reason = seal(locked, "sealed_reason", reason)
    fields = ["status", "decided_by", "decided_at", "sealed_reason"]
    locked.save(update_fields=fields + (also(locked) if also else []))
    return locked


def _seal_decided_digest(hit: ScreeningHit) -> list[str]:
    """The entry as the reviewer saw it (the hit's copy): a dismissal holds until it changes."""
    facts = hit_facts(hit)
    decided = HitFacts(**{**facts.__dict__, "decided_digest": facts.digest})
    hit.sealed = seal(hit, "sealed", decided.as_json())
    return ["sealed"]


def decide_hit(*, actor: User, hit: ScreeningHit, confirm: bool, reason: str) -> None:
    """Confirm (the man is the listed person) or dismiss a pending hit, with a reason.

    A confirmation raises the case's risk to critical; nothing else about the case changes,
    and no alert is raised: what follows is the vetting team's decision.
    """
    with transaction.atomic():
        hit = decide(
            actor=actor,
            obj=hit,
            status=HitStatus.CONFIRMED if confirm else HitStatus.DISMISSED,
            reason=reason,
            already_decided=_("This hit has already been decided."),
            also=_seal_decided_digest,
        )
        raised = False
        case = hit.case
        if confirm and RISK_ORDER[Risk(case.risk)] < RISK_ORDER[CONFIRMED_HIT_RISK]:
            cases.update_case(actor=actor, case=case, risk=CONFIRMED_HIT_RISK)
            raised = True
        log_action(
            actor,
            Action.SCREENING_HIT_CONFIRMED if confirm else Action.SCREENING_HIT_DISMISSED,
            case,
            hit=str(hit.code),
            risk_raised=raised,
        )


def pending_hits(organization: Organization | None, page: Any = 1) -> Page[HitRow]:
    """One page of the hits waiting for a decision, strongest first.

    The score is sealed, so the organization's pending hits are opened and sorted here (an
    organization has few; the page size is ``SCREENING_QUEUE_PAGE``).
    """
    hits = ScreeningHit.objects.for_organization(organization).filter(status=HitStatus.PENDING)
    hits = hits.select_related("case__person")
    paginator = Paginator(hit_rows(hits), getattr(settings, "SCREENING_QUEUE_PAGE", 50))
    return paginator.get_page(page)
