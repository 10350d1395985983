"""Crypto-erasure of a case, and the retention rules that erase on schedule (R7).

Erasing destroys the case key in the key store (``tropa/crypto/keystore.py``) first: from then
on nothing sealed under it opens, in the live database or in any copy of it made before. Then
the live database is cleaned as well: the identity and its keyed indexes, the notes and the
evidence key rows are deleted, every other sealed column of the case is emptied, or, for
testimony, outreach, screening hits, vetting, evidence items, intake submissions and received
referrals, overwritten with ``fields.TOMBSTONE`` (reading it raises ``KeyErased``, so their
pages say "erased"). The pseudonym, the stages and dates, kinds and amounts of support, the
rows themselves with their statuses and counts (anonymous statistics) stay.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, Role, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Alert, Case, FamilyMember, Identity, Need, Note, Stage, Support
from tropa.core.errors import ServiceError
from tropa.crypto import fields
from tropa.evidence import models as evidence
from tropa.evidence.models import CaseKey
from tropa.intake import models as intake
from tropa.outreach import models as outreach
from tropa.pathways.models import Deadline, Trip
from tropa.screening.models import ScreeningHit
from tropa.sharing.models import Receipt
from tropa.testimony import models as testimony
from tropa.vetting import models as vetting

from .models import Erasure, Request, RetentionRule, Trigger

TERMINAL = (Stage.PROTECTED, Stage.CLOSED)


class RetentionError(ServiceError):
    """An erasure or a rule that cannot be carried out; the message is for the user."""


def erasure_refusal(case: Case) -> str | None:
    """Why ``case`` cannot be erased now; None if it can."""
    if Erasure.all_organizations.filter(case=case).exists():
        return _("This case has already been erased.")
    if case.stage not in TERMINAL:
        return _("Only a protected or closed case can be erased.")
    others = Case.objects.unscoped().filter(person_id=case.person_id).exclude(pk=case.pk)
    if others.exclude(stage__in=TERMINAL).exists():
        return _("The same person has another open case: close it first.")
    return None


def erase_case(
    *, actor: User | None, case: Case, trigger: str, rule: RetentionRule | None = None
) -> Erasure:
    """Destroy ``case``'s keys and empty its sealed data; audited as "erased", never what."""
    refusal = erasure_refusal(case)
    if refusal:
        raise RetentionError(refusal)
    # The key first: if anything below fails, the data is already unreadable, and the next
    # run finds the case without its Erasure row and finishes (destroying is idempotent).
    fields.destroy_case_key(case.organization_id, str(case.person_id))
    with transaction.atomic():
        cases = Case.objects.unscoped().filter(person_id=case.person_id)
        case_ids = list(cases.values_list("pk", flat=True))
        Identity.objects.filter(person_id=case.person_id).delete()  # and its keyed indexes
        Note.objects.filter(case_id__in=case_ids).delete()
        Need.objects.unscoped().filter(case_id__in=case_ids).update(sealed=None)
        Support.objects.filter(case_id__in=case_ids).update(sealed=None)
        FamilyMember.objects.unscoped().filter(case_id__in=case_ids).update(sealed=b"")
        Alert.objects.unscoped().filter(case_id__in=case_ids).update(
            sealed=None, sealed_outcome=None
        )
        CaseKey.objects.filter(case_id__in=case_ids).delete()  # evidence: its files are dead
        Request.objects.unscoped().filter(case_id__in=case_ids).update(sealed_reason=b"")
        Trip.objects.unscoped().filter(case_id__in=case_ids).update(sealed=None)
        Deadline.objects.unscoped().filter(case_id__in=case_ids).update(sealed=None)
        _tombstone_case_records(case_ids)
        erasure = Erasure.all_organizations.create(
            organization_id=case.organization_id,
            case=case,
            trigger=trigger,
            rule=rule,
            erased_at=timezone.now(),
        )
        log_action(
            actor,
            Action.CASE_ERASED,
            case,
            trigger=trigger,
            rule=str(rule.code) if rule else "",
        )
    return erasure


def _tombstone(rows: QuerySet[Any], *columns: str) -> None:
    """Overwrite every sealed value of ``rows`` in ``columns`` (an empty one stays empty)."""
    for column in columns:
        rows.exclude(**{f"{column}__isnull": True}).update(**{column: fields.TOMBSTONE})


def _tombstone_case_records(case_ids: list[Any]) -> None:
    """Testimony, outreach, screening hits, vetting, evidence items, intake submissions (answers,
    messages, held files) and received referrals of the erased cases.

    Testimony versions are immutable in the database (testimony/0002): they keep their
    ciphertext, which no longer opens. Search terms and corroborations (keyed links to
    other cases) are deleted.
    """
    events = testimony.Event.objects.unscoped().filter(case_id__in=case_ids)
    testimony.SearchTerm.objects.filter(testimony__case_id__in=case_ids).delete()
    testimony.Corroboration.objects.unscoped().filter(
        Q(event_a__in=events) | Q(event_b__in=events)
    ).delete()
    _tombstone(
        testimony.Witness.objects.unscoped().filter(case_id__in=case_ids),
        "sealed_consent",
        "sealed_flag",
    )
    _tombstone(events, "sealed")
    _tombstone(
        testimony.Act.objects.unscoped().filter(event__in=events),
        "sealed",
        "sealed_claimed",
        "sealed_potential",
    )
    _tombstone(
        testimony.TestimonyExport.objects.unscoped().filter(case_id__in=case_ids),
        "sealed_recipient",
    )
    requests = outreach.Request.objects.unscoped().filter(case_id__in=case_ids)
    _tombstone(requests, "sealed", "identity_sealed")
    _tombstone(outreach.StatusChange.objects.filter(request__in=requests), "sealed")
    _tombstone(outreach.Attachment.objects.unscoped().filter(request__in=requests), "sealed")
    outreach.ImportStaging.objects.unscoped().filter(case_id__in=case_ids).delete()
    _tombstone(
        ScreeningHit.objects.unscoped().filter(case_id__in=case_ids), "sealed", "sealed_reason"
    )
    vettings = vetting.Vetting.objects.unscoped().filter(case_id__in=case_ids)
    checks = vetting.Check.objects.unscoped().filter(vetting__in=vettings)
    decisions = vetting.Decision.objects.unscoped().filter(vetting__in=vettings)
    _tombstone(checks, "sealed")
    _tombstone(vetting.CheckRevision.objects.filter(check_row__in=checks), "sealed")
    _tombstone(vetting.Claim.objects.unscoped().filter(vetting__in=vettings), "sealed")
    _tombstone(decisions, "sealed_reasons", "sealed_reopen_reason")
    _tombstone(vetting.SignOff.objects.filter(decision__in=decisions), "sealed_override")
    _tombstone(vetting.Dossier.objects.unscoped().filter(vetting__in=vettings), "sealed_recipient")
    items = evidence.EvidenceItem.objects.unscoped().filter(case_id__in=case_ids)
    _tombstone(items, "sealed_record", "sealed_metadata", "sealed_summary")
    _tombstone(
        evidence.UploadSession.objects.unscoped().filter(case_id__in=case_ids), "sealed_record"
    )
    _tombstone(evidence.DeletionRequest.objects.filter(item__in=items), "sealed_reason")
    submissions = intake.Submission.objects.unscoped().filter(case_id__in=case_ids)
    _tombstone(submissions, "sealed_answers")
    _tombstone(intake.Message.objects.unscoped().filter(submission__in=submissions), "sealed")
    _tombstone(
        intake.HeldAttachment.objects.unscoped().filter(submission__in=submissions), "sealed"
    )
    _tombstone(Receipt.objects.unscoped().filter(case_id__in=case_ids), "sealed")


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def due_cases(rule: RetentionRule, now: datetime) -> list[Case]:
    """Cases of ``rule``'s organization that entered its stage ``months`` ago or earlier."""
    cutoff = add_months(now, -rule.months)
    return list(
        Case.objects.filter(organization=rule.organization_id, stage=rule.stage, erasure=None)
        .annotate(entered=Max("stage_changes__at", filter=Q(stage_changes__to_stage=rule.stage)))
        .filter(entered__lte=cutoff)
        .order_by("entered")
    )


def run_retention(*, actor: User | None = None, now: datetime | None = None) -> int:
    """Apply every organization's rules; returns how many cases were erased."""
    now = now or timezone.now()
    erased = 0
    for rule in RetentionRule.all_organizations.select_related("organization"):
        count = 0
        for case in due_cases(rule, now):
            if erasure_refusal(case) is None:
                erase_case(actor=actor, case=case, trigger=Trigger.RETENTION, rule=rule)
                count += 1
        log_action(actor, Action.RETENTION_RUN, rule, erased=count)
        erased += count
    return erased


def _may_set_rules(actor: User) -> bool:
    return actor.role in (Role.ADMIN, Role.COORDINATOR)


def save_rule(*, actor: User, organization: Organization, stage: str, months: int) -> RetentionRule:
    """Set how long after ``stage`` a case of ``organization`` is erased (one rule a stage)."""
    if not _may_set_rules(actor) or org_id_of(actor) != organization.pk:
        raise RetentionError(_("Only an administrator or a coordinator sets retention rules."))
    if stage not in TERMINAL:
        raise RetentionError(_("A retention rule applies to protected or closed cases."))
    if not 1 <= months <= 120:
        raise RetentionError(_("Choose between 1 and 120 months."))
    with transaction.atomic():
        rule, _created = RetentionRule.all_organizations.update_or_create(
            organization=organization,
            stage=stage,
            defaults={"months": months, "created_by": actor},
        )
        log_action(actor, Action.RETENTION_RULE_SAVED, rule, stage=stage, months=months)
    return rule


def remove_rule(*, actor: User, rule: RetentionRule) -> None:
    if not _may_set_rules(actor) or org_id_of(actor) != rule.organization_id:
        raise RetentionError(_("Only an administrator or a coordinator sets retention rules."))
    with transaction.atomic():
        log_action(actor, Action.RETENTION_RULE_REMOVED, rule, stage=rule.stage)
        rule.delete()


def org_id_of(user: User) -> int | None:
    membership = user.membership_or_none
    return membership.organization_id if membership else None
