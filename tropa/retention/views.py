"""Dual control and erasure: asking, approving, emergency reveals, the organization's rules."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tropa.accounts.models import Role
from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, staff_view
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.access import access_case
from tropa.core.access import forbid
from tropa.core.views import run_action

from . import auditlog, erasure, holds, insider
from . import dual_control as dc
from .access import access_request, is_reviewer
from .forms import AuditFilterForm
from .models import RetentionRule


def _back_to(case_url: str) -> HttpResponse:
    return redirect(f"{case_url}#retention")


@require_POST
@staff_view
def reveal_request(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.VIEW_IDENTITY)
    reason = request.POST.get("reason", "")
    run_action(
        request,
        lambda: dc.request_reveal(actor=request.user, case=case, reason=reason),
        _("Your request waits for a coordinator's approval."),
    )
    return _back_to(case.get_absolute_url())


@require_POST
@staff_view
def break_glass(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.VIEW_IDENTITY)
    reason = request.POST.get("reason", "")
    run_action(
        request,
        lambda: dc.break_glass(actor=request.user, case=case, reason=reason),
        _("Emergency reveal recorded: every admin and coordinator will see it. Reveal now."),
    )
    return _back_to(case.get_absolute_url())


@require_POST
@staff_view
def erase_request(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.VIEW_IDENTITY)
    reason = request.POST.get("reason", "")
    run_action(
        request,
        lambda: dc.request_erasure(actor=request.user, case=case, reason=reason),
        _("The erasure waits for a second coordinator's approval."),
    )
    return _back_to(case.get_absolute_url())


@staff_view
def requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not is_reviewer(user) or user.organization is None:
        forbid(user, Cap.VIEW_CASES, None)
    org = user.organization
    coordinator = dc.approval_role(user)
    pending = [
        (r, dc.reason_of(r) if coordinator else "", dc.approval_refusal(user, r))
        for r in dc.pending(org)
    ]
    emergencies = [(r, dc.reason_of(r) if coordinator else "") for r in dc.unreviewed(org)]
    held = [
        (h, holds.reason_of(h) if coordinator else "", dc.approval_refusal(user, h))
        for h in holds.pending(org)
    ]
    held_emergencies = [
        (h, holds.reason_of(h) if coordinator else "") for h in holds.unreviewed(org)
    ]
    log_action(
        user,
        Action.CONTROL_REQUESTS_VIEWED,
        organization=org,
        pending=len(pending) + len(held),
        emergencies=len(emergencies) + len(held_emergencies),
        reasons=coordinator,
    )
    context = {
        "pending": pending,
        "emergencies": emergencies,
        "held": held,
        "held_emergencies": held_emergencies,
        "user_code": user.code,
        "alerts": insider.alerts_for(org) if user.role == Role.ADMIN else None,
    }
    return render(request, "retention/requests.html", context)


@require_POST
@staff_view
def decide(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access_request(request.user, code)
    approve = request.POST.get("decision") == "approve"
    run_action(
        request,
        lambda: dc.decide_request(actor=request.user, request=found, approve=approve),
        _("Approved.") if approve else _("Refused."),
    )
    return redirect("retention:requests")


@require_POST
@staff_view
def reviewed(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access_request(request.user, code)
    run_action(
        request,
        lambda: dc.mark_reviewed(actor=request.user, request=found),
        _("Marked as reviewed."),
    )
    return redirect("retention:requests")


@require_http_methods(["GET", "POST"])
@staff_view
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    org = user.organization
    if not is_reviewer(user) or org is None:
        forbid(user, Cap.VIEW_CASES, None)
    if request.method == "POST":
        run_action(request, lambda: _save(request), _("Saved."))
        return redirect("retention:rules")
    context = {
        "policy": dc.policy_of(org.pk),
        "rules": {r.stage: r for r in RetentionRule.objects.filter(organization=org)},
        "stages": RetentionRule._meta.get_field("stage").choices,
    }
    return render(request, "retention/rules.html", context)


def _save(request: AuthenticatedHttpRequest) -> None:
    """One form for the policy and a rule per stage (0 months: no rule)."""
    user, org, post = request.user, request.user.organization, request.POST
    assert org is not None
    dc.set_policy(
        actor=user,
        organization=org,
        dual_control=post.get("dual_control") == "on",
        approval_hours=_number(post.get("approval_hours")),
    )
    for stage in ("protected", "closed"):
        months = _number(post.get(f"months_{stage}"))
        rule = RetentionRule.objects.filter(organization=org, stage=stage).first()
        if months == 0 and rule is not None:
            erasure.remove_rule(actor=user, rule=rule)
        elif months and (rule is None or rule.months != months):
            erasure.save_rule(actor=user, organization=org, stage=stage, months=months)


def _number(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        raise erasure.RetentionError(_("Write a whole number.")) from None


@staff_view
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    user, org = request.user, request.user.organization
    if user.role != Role.ADMIN or org is None:
        forbid(user, Cap.MANAGE_USERS, None)
    form = AuditFilterForm(request.GET or None, members=auditlog.members(org))
    filters = form.filters() if form.is_valid() else auditlog.Filters()
    page = auditlog.read_log(actor=user, organization=org, filters=filters)
    rows = [(e, auditlog.detail_text(e.detail)) for e in page.entries]
    query = request.GET.copy()
    query.pop("before", None)
    context = {"form": form, "rows": rows, "page": page, "query": query.urlencode()}
    return render(request, "retention/audit_log.html", context)
