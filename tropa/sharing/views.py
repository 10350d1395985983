"""Referrals, the organization's list of them, advocates' grants and the advocate's pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, can, staff_view
from tropa.cases.access import access_case
from tropa.cases.models import Identity
from tropa.core.access import forbid
from tropa.core.views import run_action, submit
from tropa.crypto.fields import unseal
from tropa.evidence.models import EvidenceItem
from tropa.evidence.records import read_summary as item_summary
from tropa.outreach.models import Request

from . import services
from .access import access_grant, access_own_grant, access_referral
from .forms import DeclineForm, GrantForm, ReferForm
from .models import Referral


@require_GET
@staff_view
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All outgoing and incoming referrals of the organization (coordinators, admins)."""
    user, organization = request.user, request.user.organization
    if organization is None or not (can(user, Cap.SHARE_CASES) or can(user, Cap.MANAGE_USERS)):
        forbid(user, Cap.SHARE_CASES)
    related = ("organization", "receiver", "created_by", "decided_by", "case__person")
    outgoing = Referral.objects.filter(organization=organization).select_related(*related)
    incoming = Referral.objects.unscoped().filter(receiver=organization)
    context = {
        "outgoing": list(outgoing),
        "incoming": list(incoming.select_related(*related[:-1], "receipt__case")),
        "case_content": can(user, Cap.SHARE_CASES),
    }
    return render(request, "sharing/referral_list.html", context)


def _refer_form(request: AuthenticatedHttpRequest, case: Any) -> ReferForm:
    identity = Identity.objects.filter(person=case.person).first()
    stored = unseal(identity, "sealed", identity.sealed) if identity else {}
    items = EvidenceItem.objects.filter(organization=case.organization, case=case)
    choices = [(str(i.code), item_summary(i).get("name") or str(i.code)) for i in items]
    return ReferForm(
        request.POST or None,
        case=case,
        identity_fields=list(stored or {}),
        items=choices,
        interviews=_interviews(request, case),
    )


def _interviews(request: AuthenticatedHttpRequest, case: Any) -> list[tuple[str, str]]:
    """The case's interviews by date, for those who may read its testimony. A flagged
    witness's statements are listed to a coordinator without content: restricted, the
    date and the language, so that they can be sent unread."""
    from django.apps import apps
    from django.utils.formats import date_format

    if not apps.is_installed("tropa.testimony"):
        return []
    from tropa.testimony.access import may_see_case_testimony
    from tropa.testimony.models import Testimony

    rows = Testimony.objects.filter(organization=case.organization, case=case)
    if may_see_case_testimony(request.user, case):
        return [
            (str(t.code), _("Interview of %(date)s") % {"date": date_format(t.created_at.date())})
            for t in rows.order_by("created_at")
        ]
    if not (can(request.user, Cap.VIEW_TESTIMONY) and services.restricted_testimony(case)):
        return []
    return [(str(t.code), restricted_label(t)) for t in rows.order_by("created_at")]


def restricted_label(interview: Any) -> str:
    """A restricted statement as a coordinator may see it: no content, only that it is
    restricted, when it was recorded and in which language (read server-side)."""
    from django.utils.formats import date_format

    from tropa.testimony.services import current

    return _("A statement, restricted: may be implicated — recorded %(date)s, %(language)s") % {
        "date": date_format(interview.created_at.date()),
        "language": language_name(current(interview).get("language") or ""),
    }


def language_name(code: str) -> str:
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code or "—"


@require_http_methods(["GET", "POST"])
@staff_view
def refer(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.SHARE_CASES)
    form = _refer_form(request, case)
    made: list[Referral] = []

    def action(data: dict[str, Any]) -> None:
        consent = services.Consent(data["consent_on"], data["consent_how"], data["consent_for"])
        parts = services.Parts(
            identity=data["identity"],
            service_record=data["service_record"],
            evidence=data["evidence"],
            outreach=data["outreach"],
            vetting=data["vetting"],
            vetting_dossier=data["vetting_dossier"],
            testimony=data.get("testimony") or [],
            testimony_consent=bool(data.get("testimony_consent")),
        )
        made.append(
            services.refer_case(
                actor=request.user,
                case=case,
                receiver=data["receiver"],
                mode=data["mode"],
                consent=consent,
                parts=parts,
                note=data["note"],
            )
        )

    if request.method == "POST" and submit(request, form, action, _("Referral sent.")):
        return redirect("sharing:referral", made[0].code)
    return render(request, "sharing/refer.html", {"case": case, "form": form})


@require_GET
@staff_view
def referral_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    referral = access_referral(user, code)
    sender = referral.organization_id == user.organization.pk  # type: ignore[union-attr]
    context: dict[str, Any] = {"referral": referral, "sender": sender, "values": None}
    if can(user, Cap.SHARE_CASES):
        if sender:
            context["values"] = services.read_referral(actor=user, referral=referral)
        elif referral.state == "accepted":
            receipt = referral.receipt
            context["receipt"] = receipt
            context["values"] = services.read_receipt(actor=user, receipt=receipt)
    context["decline_form"] = DeclineForm()
    return render(request, "sharing/referral_detail.html", context)


@require_POST
@staff_view
def accept(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    referral = access_referral(request.user, code, write=True)
    made: list[Any] = []
    ok = run_action(
        request,
        lambda: made.append(services.accept_referral(actor=request.user, referral=referral)),
        _("Referral accepted: the case is now yours."),
    )
    return redirect(made[0].case.get_absolute_url() if ok else referral_url(referral))


@require_POST
@staff_view
def decline(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    referral = access_referral(request.user, code, write=True)
    form = DeclineForm(request.POST)
    reason = form.data.get("reason", "")
    run_action(
        request,
        lambda: services.decline_referral(actor=request.user, referral=referral, reason=reason),
        _("Referral declined."),
    )
    return redirect(referral_url(referral))


@require_POST
@staff_view
def withdraw(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    referral = access_referral(request.user, code, write=True)
    run_action(
        request,
        lambda: services.withdraw_referral(actor=request.user, referral=referral),
        _("Referral withdrawn."),
    )
    return redirect(referral_url(referral))


def referral_url(referral: Referral) -> str:
    from django.urls import reverse

    return reverse("sharing:referral", args=[referral.code])


@require_http_methods(["GET", "POST"])
@staff_view
def grant_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.SHARE_CASES)
    form = GrantForm(request.POST or None, organization=case.organization)

    def action(data: dict[str, Any]) -> None:
        services.grant_advocate(
            actor=request.user,
            case=case,
            advocate=data["advocate"],
            summary=data["summary"],
            days=data["days"],
        )

    if request.method == "POST" and submit(request, form, action, _("Access given.")):
        return redirect(case.get_absolute_url() + "#sharing")
    return render(request, "sharing/grant_form.html", {"case": case, "form": form})


@require_POST
@staff_view
def grant_renew(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    grant = access_grant(request.user, code)
    run_action(
        request,
        lambda: services.renew_grant(actor=request.user, grant=grant),
        _("Access renewed."),
    )
    return redirect(grant.case.get_absolute_url() + "#sharing")


@require_POST
@staff_view
def grant_revoke(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    grant = access_grant(request.user, code)
    run_action(
        request,
        lambda: services.revoke_grant(actor=request.user, grant=grant),
        _("Access revoked."),
    )
    return redirect(grant.case.get_absolute_url() + "#sharing")


@require_GET
@staff_view
def advocate_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can(request.user, Cap.SEE_GRANTED_CASES):
        forbid(request.user, Cap.SEE_GRANTED_CASES)
    grants = services.active_grants(request.user).select_related("case__person")
    return render(request, "sharing/advocate_home.html", {"grants": list(grants)})


@require_GET
@staff_view
def advocate_case(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    grant = access_own_grant(request.user, code)
    summary = services.read_grant(actor=request.user, grant=grant)
    requests = Request.objects.filter(
        Q(case=grant.case), organization=grant.organization
    ).select_related("institution")
    context = {"grant": grant, "summary": summary, "requests": list(requests.order_by("-sent_on"))}
    return render(request, "sharing/advocate_case.html", context)
