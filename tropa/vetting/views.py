"""Vetting pages. Each view: access helper, one service, a template (docs/architecture.md)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, staff_view
from tropa.cases.access import deny
from tropa.core.access import forbid
from tropa.core.views import form_errors, run_action

from . import reading, services
from .access import (
    access_case_for_vetting,
    access_check,
    access_claim,
    access_dossier,
    access_vetting,
)
from .forms import (
    CheckForm,
    ChecklistItemForm,
    ClaimForm,
    DossierForm,
    GradeForm,
    ProposeForm,
    ReasonForm,
    SignForm,
)
from .models import ChecklistItem, Dossier, Vetting


def _back(vetting: Vetting, anchor: str = "") -> HttpResponse:
    return redirect(f"{vetting.get_absolute_url()}{'#' + anchor if anchor else ''}")


@require_POST
@staff_view
def open_vetting(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    case = access_case_for_vetting(request.user, code, cap=Cap.OPEN_VETTING)
    run_action(
        request,
        lambda: services.open_vetting(actor=request.user, case=case),
        _("Vetting opened."),
    )
    return redirect(case.vetting.get_absolute_url() if hasattr(case, "vetting") else case)


@staff_view
def detail(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    vetting = access_vetting(request.user, code)
    page = reading.read_vetting_page(actor=request.user, vetting=vetting)
    context = {
        "page": page,
        "vetting": vetting,
        "case": vetting.case,
        "claim_form": ClaimForm(),
        "propose_form": ProposeForm(),
        "sign_form": SignForm(),
        "reason_form": ReasonForm(),
        "dossier_form": DossierForm(),
    }
    return render(request, "vetting/detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def check(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    row = access_check(request.user, code, cap=Cap.VET if request.method == "POST" else None)
    links = reading.link_choices(row.vetting.case)
    if request.method == "POST":
        form = CheckForm(request.POST, links=links)
        if not form.is_valid():
            form_errors(request, form)
        else:
            d = form.cleaned_data
            chosen = services.Links(d["evidence"], d["hits"], d["notes"])
            update = partial(
                services.update_check,
                actor=request.user,
                check=row,
                status=d["status"],
                finding=d["finding"],
                links=chosen,
            )
            if run_action(request, update, _("Check saved.")):
                return _back(row.vetting, "checks")
    page = reading.read_check_page(actor=request.user, check=row)
    form = CheckForm(initial=page["initial"], links=links)
    return render(
        request,
        "vetting/check.html",
        {**page, "form": form, "language_next": row.vetting.get_absolute_url()},
    )


@require_POST
@staff_view
def claim_add(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    vetting = access_vetting(request.user, code, cap=Cap.VET)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        text = form.cleaned_data["text"]
        run_action(
            request,
            lambda: services.add_claim(actor=request.user, vetting=vetting, text=text),
            _("Claim added."),
        )
    return _back(vetting, "claims")


@require_http_methods(["GET", "POST"])
@staff_view
def claim(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    row = access_claim(request.user, code, cap=Cap.VET if request.method == "POST" else None)
    if request.method == "POST":
        form = GradeForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
        else:
            grade = partial(
                services.grade_claim, actor=request.user, claim=row, **form.cleaned_data
            )
            if run_action(request, grade, _("Claim graded.")):
                return _back(row.vetting, "claims")
    page = reading.read_claim_page(actor=request.user, claim=row)
    form = GradeForm(initial=page["initial"])
    return render(
        request,
        "vetting/claim.html",
        {**page, "form": form, "language_next": row.vetting.get_absolute_url()},
    )


@require_POST
@staff_view
def propose(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    vetting = access_vetting(request.user, code, cap=Cap.SIGN_VETTING)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(vetting, "decision")
    run_action(
        request,
        lambda: services.propose_decision(actor=request.user, vetting=vetting, **form.cleaned_data),
        _("Decision proposed: a second person must sign it."),
    )
    return _back(vetting, "decision")


def _current(request: AuthenticatedHttpRequest, vetting: Vetting) -> Any:
    decision = services.current_decision(vetting)
    if decision is None:
        raise deny(request.user, vetting.code, "vetting_decision")
    return decision


@require_POST
@staff_view
def sign(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    vetting = access_vetting(request.user, code, cap=Cap.SIGN_VETTING)
    decision = _current(request, vetting)
    override = SignForm(request.POST).data.get("override", "")
    run_action(
        request,
        lambda: services.sign_decision(actor=request.user, decision=decision, override=override),
        _("Signed: the decision is in effect."),
    )
    return _back(vetting, "decision")


@require_POST
@staff_view
def withdraw(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    vetting = access_vetting(request.user, code, cap=Cap.VET)
    decision = _current(request, vetting)
    run_action(
        request,
        lambda: services.withdraw_decision(actor=request.user, decision=decision),
        _("Proposal withdrawn."),
    )
    return _back(vetting, "decision")


@require_POST
@staff_view
def reopen(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    vetting = access_vetting(request.user, code, cap=Cap.VET)
    decision = _current(request, vetting)
    reason = ReasonForm(request.POST).data.get("reason", "")
    run_action(
        request,
        lambda: services.reopen_decision(actor=request.user, decision=decision, reason=reason),
        _("Vetting reopened; the old decision stays in its history."),
    )
    return _back(vetting, "decision")


@require_POST
@staff_view
def dossier_new(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    vetting = access_vetting(request.user, code, cap=Cap.VET)
    form = DossierForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(vetting, "dossiers")
    made: list[Dossier] = []
    run_action(
        request,
        lambda: made.append(
            services.request_dossier(actor=request.user, vetting=vetting, **form.cleaned_data)
        ),
        _("Dossier requested: a second person must approve it."),
    )
    return redirect(made[0]) if made else _back(vetting, "dossiers")


@staff_view
def dossier(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    row = access_dossier(request.user, code)
    page = reading.read_dossier_page(actor=request.user, dossier=row)
    return render(request, "vetting/dossier_detail.html", page)


@require_POST
@staff_view
def dossier_decide(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    row = access_dossier(request.user, code)
    approve = request.POST.get("decision") == "approve"
    run_action(
        request,
        lambda: services.decide_dossier(actor=request.user, dossier=row, approve=approve),
        _("Dossier approved.") if approve else _("Dossier refused."),
    )
    return redirect(row)


@require_POST
@staff_view
def dossier_download(request: AuthenticatedHttpRequest, code: Any) -> HttpResponseBase:
    row = access_dossier(request.user, code)
    try:
        blocks = services.download_dossier(actor=request.user, dossier=row)
    except services.VettingError as exc:
        messages.error(request, str(exc))
        return redirect(row)
    response = StreamingHttpResponse(blocks, content_type="application/x-tar")
    response["Content-Disposition"] = f'attachment; filename="dossier-{str(row.code)[:8]}.tar"'
    response["Content-Length"] = str(row.size)
    return response


@require_http_methods(["GET", "POST"])
@staff_view
def checklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.organization or not _may_edit_checklist(request):
        forbid(request.user, Cap.MANAGE_USERS)
    organization = request.user.organization
    if request.method == "POST":
        form = ChecklistItemForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
        else:
            name = form.cleaned_data["name"]
            add = partial(
                services.add_item, actor=request.user, organization=organization, name=name
            )
            run_action(request, add, _("Item added."))
        return redirect("vetting:checklist")
    items = services.checklist(organization)
    return render(request, "vetting/checklist.html", {"items": items, "form": ChecklistItemForm()})


def _may_edit_checklist(request: AuthenticatedHttpRequest) -> bool:
    from tropa.accounts.permissions import can

    return can(request.user, Cap.MANAGE_USERS)


@require_POST
@staff_view
def checklist_item(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    item: ChecklistItem | None = ChecklistItem.objects.filter(
        organization=request.user.organization, code=code
    ).first()
    if item is None:
        raise deny(request.user, code, "checklist_item")
    if not _may_edit_checklist(request):
        forbid(request.user, Cap.MANAGE_USERS)
    name = request.POST.get("name")
    retired = {"retire": True, "restore": False}.get(request.POST.get("action", ""))
    run_action(
        request,
        lambda: services.change_item(actor=request.user, item=item, name=name, retired=retired),
        _("Item changed."),
    )
    return redirect("vetting:checklist")
