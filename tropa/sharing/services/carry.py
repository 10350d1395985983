"""What a referral carries besides the case itself: interviews, the vetting dossier and the
outreach history, each read through its own app's services and written again for the
receiving organization (so sealed with the receiver's keys, whichever key a row uses).

Called inside the acceptance's transaction (``accept.py``); nothing here is run before.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import seal, unseal

from ..models import Referral


def copy_testimony(
    referral: Referral, source: Case, case: Case, copy_codes: dict[str, str]
) -> list[dict[str, Any]]:
    """Each chosen interview as a new one of ``case``: its current version, with who
    recorded it, when and in which language, and that it came by this referral. The
    evidence it cites is named by the codes its copies will have (``copy_codes``).
    Returns what the receipt lists (codes, provenance), never the words."""
    codes = referral.parts.get("testimony") or []
    if not codes or not apps.is_installed("tropa.testimony"):
        return []
    from tropa.testimony import services as testimony
    from tropa.testimony.models import Testimony

    # A flagged witness's statements stay restricted at the receiver's (the flag comes).
    restricted = _copy_flag(source, case)
    carried = []
    chosen = Testimony.objects.filter(
        organization=source.organization_id, case=source, code__in=codes
    ).select_related("created_by")
    for interview in chosen.order_by("created_at"):
        data = testimony.current(interview)
        provenance = {
            "organization": referral.organization.name,
            "referral": str(referral.code),
            "recorded_by": data.get("interviewer") or _by(interview.created_by),
            "recorded_at": interview.created_at.isoformat(),
            "language": data.get("language", ""),
            "versions": interview.versions_count,
        }
        cited = [copy_codes[c] for c in data.get("evidence") or [] if c in copy_codes]
        made = testimony.record_interview(
            actor=None, case=case, data={**data, "evidence": cited, "referral": provenance}
        )
        # What the analyst extracted from this interview (events, acts), and only that.
        counts = testimony.carry_structure(source=interview, target=made, provenance=provenance)
        if restricted:
            # The receipt is read by coordinators: no interviewer's name, only the listing.
            listed = {k: provenance[k] for k in ("organization", "recorded_at", "language")}
            carried.append({"code": str(made.code), "restricted": True, **listed})
        else:
            carried.append({"code": str(made.code), **provenance, **counts})
    if restricted and carried:
        log_action(
            None,
            Action.REFERRAL_RESTRICTED_CARRIED,
            case,
            referral=str(referral.code),
            statements=len(carried),
        )
    return carried


def _by(user: User | None) -> str:
    return (user.shown_name or user.get_username()) if user is not None else ""


def _copy_flag(source: Case, case: Case) -> bool:
    """The witness's "may be implicated" flag goes with his testimony, where it is set."""
    from tropa.testimony.models import Witness
    from tropa.testimony.services import witness_of

    witness = Witness.objects.filter(organization=source.organization_id, case=source).first()
    flag = unseal(witness, "sealed_flag", witness.sealed_flag) if witness else None
    if not flag or not flag.get("flagged"):
        return False
    target = witness_of(case)
    data = {**flag, "set_by": "", "by_referral": source.organization.name}
    target.sealed_flag = seal(target, "sealed_flag", data)
    target.save(update_fields=["sealed_flag"])
    return True


def dossier_contents(referral: Referral, source: Case) -> dict[str, Any] | None:
    """The sender's vetting dossier as the vetting app lays it out, identity redacted
    except the identity fields the referral carries; read-only on the receiver's side."""
    if not referral.parts.get("vetting_dossier") or not apps.is_installed("tropa.vetting"):
        return None
    from tropa.vetting.dossier.build import dossier_contents as contents
    from tropa.vetting.models import Vetting
    from tropa.vetting.services import decided

    vetting = Vetting.objects.filter(organization=source.organization_id, case=source).first()
    if vetting is None:
        return None
    return contents(vetting, decided(vetting), list(referral.parts.get("identity") or []))


def copy_outreach(actor: User | None, referral: Referral, source: Case, case: Case) -> int:
    """The case's requests, letters and answers as requests of the receiver's case, to
    institutions of its directory (the same name, else a new one). Marked as history, as
    an import marks it: sent by the sending organization, never due for a follow-up."""
    if not referral.parts.get("outreach"):
        return 0
    from tropa.outreach.models import Request

    requests = Request.objects.filter(organization=source.organization_id, case=source)
    made = 0
    for request in requests.select_related("institution", "sent_by").order_by("sent_on"):
        _copy_request(actor, referral.receiver, request, case)
        made += 1
    return made


def _copy_request(actor: User | None, receiver: Organization, request: Any, case: Case) -> None:
    from tropa.outreach import services as outreach
    from tropa.outreach.models import Request
    from tropa.outreach.services.requests import seal_letter

    # ``sealed`` is the letter as every outreach reader sees it: the identity masked.
    letter = unseal(request, "sealed", request.sealed) or {}
    copy = outreach.record_request(
        actor=None,
        organization=receiver,
        institution=_institution_for(actor, receiver, request.institution),
        channel=request.channel,
        sent_on=request.sent_on,
        subject=letter.get("subject") or request.institution.name,
        body=letter.get("body", ""),
        case=case,
        language=request.language,
    )
    sender = _("%(who)s, %(organization)s (came by referral)") % {
        "who": letter.get("sender") or _by(request.sent_by) or "—",
        "organization": request.organization.name,
    }
    subject = str(letter.get("subject") or request.institution.name)
    seal_letter(copy, subject, letter.get("body", ""), None, sender=sender)
    copy.save(update_fields=["sealed", "identity_sealed"])
    for change in request.changes.order_by("on", "at"):
        outreach.record_answer(
            actor=None,
            request=copy,
            status=change.status,
            on=change.on,
            referred_to=change.referred_to,
            note=outreach.note_of(change),
        )
    # History, as an import makes it: the follow-up rule never claims it.
    stamp = timezone.now()
    # The status as the sender had it (the follow-up rule may have set "no answer").
    Request.objects.filter(organization=receiver, pk=copy.pk).update(
        imported=True,
        followup_created_at=stamp,
        followup_done_at=stamp,
        status=request.status,
        status_on=request.status_on,
    )


def _institution_for(actor: User | None, receiver: Organization, institution: Any) -> Any:
    from tropa.outreach import services as outreach
    from tropa.outreach.importer import institution_key
    from tropa.outreach.models import Institution

    key = institution_key(institution.name)
    for known in Institution.objects.filter(organization=receiver):  # a directory: dozens
        if institution_key(known.name) == key:
            return known
    return outreach.create_institution(
        actor=actor,
        organization=receiver,
        name=institution.name,
        kind=institution.kind,
        country=institution.country,
        city=institution.city,
        languages=institution.languages,
        channels=institution.channels,
        email=institution.email,
        website=institution.website,
        phone=institution.phone,
        address=institution.address,
    )
