"""Case desk views: parse, fetch through an access helper, call a service, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import Cap, can, staff_user

from . import services
from .access import (
    access_alert,
    access_case,
    access_deployment,
    access_family_member,
    access_need,
    access_task,
    scope_to_visible_cases,
    visible_cases,
)
from .forms import (
    AlertForm,
    CaseFilterForm,
    CaseForm,
    DeploymentForm,
    FamilyForm,
    IdentityForm,
    NeedForm,
    NoteForm,
    ServiceRecordForm,
    StageForm,
    SupportForm,
    TaskForm,
)
from .models import Alert, ChecklistItem, Stage, Task
from .registry import dashboard_panels_for, panels_for, timeline_for

PAGE_SIZE = 50


def _back(case: Any, anchor: str = "") -> HttpResponse:
    return redirect(f"{case.get_absolute_url()}{'#' + anchor if anchor else ''}")


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    try:
        action()
    except services.CaseError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


# Dashboard, list, my tasks -----------------------------------------------------------------


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if can(user, Cap.MANAGE_USERS) and not can(user, Cap.VIEW_CASES):
        return redirect("accounts:users")
    cases = visible_cases(user)
    today = timezone.localdate()
    alerts = (
        scope_to_visible_cases(user, Alert.objects.filter(resolved_at__isnull=True))
        .select_related("case__person", "raised_by")
        .prefetch_related("actions")
    )
    tasks = (
        scope_to_visible_cases(user, Task.objects.filter(assignee=user, done_at__isnull=True))
        .select_related("case__person")
        .order_by("due_on")[:20]
    )
    counts = dict(cases.values_list("stage").annotate(n=Count("id")).order_by())
    pipeline = [(value, label, counts.get(value, 0)) for value, label in Stage.choices]
    due = (
        cases.open()
        .filter(next_action_on__lte=today + timedelta(days=2))
        .select_related("person")
        .order_by("next_action_on")[:20]
    )
    return render(
        request,
        "cases/dashboard.html",
        {
            "alerts": alerts,
            "tasks": tasks,
            "pipeline": pipeline,
            "due": due,
            "today": today,
            "panels": dashboard_panels_for(request),
        },
    )


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = visible_cases(request.user).select_related("person", "assignee")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            # Only the fields this user may see are searched (no unit for volunteers).
            column = (
                "search_text"
                if can(request.user, Cap.VIEW_SERVICE_RECORD)
                else "logistics_search_text"
            )
            cases = cases.filter(**{f"{column}__contains": data["q"].strip().casefold()})
        for name in ("stage", "risk", "country"):
            if data[name]:
                cases = cases.filter(**{name: data[name]})
        if data["mine"]:
            cases = cases.filter(assignee=staff_user(request))
        if data["alert"]:
            cases = cases.filter(has_active_alert=True)
    cases = cases.order_by("-has_active_alert", "-risk_rank", "-updated_at")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    today, user = timezone.localdate(), staff_user(request)
    open_tasks = (
        scope_to_visible_cases(user, Task.objects.filter(assignee=user, done_at__isnull=True))
        .select_related("case__person")
        .order_by("due_on", "created_at")
    )
    overdue = [t for t in open_tasks if t.is_overdue(today)]
    upcoming = [t for t in open_tasks if not t.is_overdue(today)]
    return render(
        request, "cases/my_tasks.html", {"overdue": overdue, "upcoming": upcoming, "today": today}
    )


# Creating and reading a case ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not can(user, Cap.WRITE_CASES) or user.organization is None:
        return redirect("cases:list")
    form = CaseForm(request.POST or None, organization=user.organization)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        case = services.create_case(
            actor=user, organization=user.organization, pseudonym=data.pop("pseudonym"), **data
        )
        messages.success(request, _("Case created."))
        return redirect(case.get_absolute_url())
    return render(request, "cases/case_form.html", {"form": form})


@require_GET
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    case = access_case(user, code)
    sections = ["case"]
    context: dict[str, Any] = {"case": case, "today": timezone.localdate()}
    if can(user, Cap.VIEW_SERVICE_RECORD):
        context["record"] = getattr(case.person, "service_record", None)
    if can(user, Cap.VIEW_NOTES):
        context["notes"] = services.read_notes(case)
        sections.append("notes")
    if can(user, Cap.VIEW_IDENTITY):
        context["has_identity"] = services.has_identity(case.person)
    # Family names are identity: they appear only on the audited reveal page.
    context["family"] = case.family.all()
    # Volunteers get the logistics text (needs, tasks) but not the sealed free text that
    # may carry names or addresses: alert details, support details, notes.
    details = can(user, Cap.VIEW_NOTES)
    context["needs"] = [(n, services.unseal_text(n)) for n in case.needs.all()]
    context["support"] = [
        (s, services.unseal_text(s) if details else "")
        for s in case.support.select_related("recorded_by")
    ]
    context["alerts"] = [
        (a, services.unseal_text(a) if details else "", {x.item: x for x in a.actions.all()})
        for a in case.alerts.select_related("raised_by", "resolved_by").prefetch_related(
            "actions__done_by"
        )
    ]
    context["checklist"] = ChecklistItem.choices
    context["tasks"] = case.tasks.select_related("assignee")
    context["history"] = case.stage_changes.select_related("by")
    context["stage_form"] = StageForm(initial={"stage": case.stage})
    # Each form gets its own id prefix: several share field names (kind, details), and a
    # label must point at the field of its own form.
    context["forms"] = {
        "note": NoteForm(auto_id="note_%s"),
        "task": TaskForm(organization=case.organization, auto_id="task_%s"),
        "need": NeedForm(auto_id="need_%s"),
        "support": SupportForm(initial={"given_on": timezone.localdate()}, auto_id="support_%s"),
        "family": FamilyForm(auto_id="family_%s"),
        "alert": AlertForm(auto_id="alert_%s"),
        "deployment": DeploymentForm(auto_id="deployment_%s"),
    }
    context["panels"] = panels_for(request, case)
    context["timeline"] = timeline_for(request, case)
    services.log_case_viewed(actor=user, case=case, sections=sections)
    return render(request, "cases/case_detail.html", context)


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    initial = {f: getattr(case, f) for f in services.CASE_FIELDS}
    initial["pseudonym"] = case.person.pseudonym
    form = CaseForm(request.POST or None, initial=initial, organization=case.organization)
    if request.method == "POST" and form.is_valid():
        services.update_case(actor=request.user, case=case, **form.cleaned_data)
        messages.success(request, _("Case saved."))
        return _back(case)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@require_POST
def case_stage(request: HttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    form = StageForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(case)
    _run(
        request,
        lambda: services.move_stage(
            actor=request.user,
            case=case,
            to_stage=form.cleaned_data["stage"],
            reason=form.cleaned_data["reason"],
        ),
        _("Stage changed."),
    )
    return _back(case)


# Identity ----------------------------------------------------------------------------------


@require_POST
def identity_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """Reveal on purpose: a POST, audited, answered with a page nobody caches."""
    case = access_case(request.user, code, cap=Cap.VIEW_IDENTITY)
    try:
        identity = services.reveal_identity(actor=request.user, person=case.person)
    except services.RevealLimitReached as refused:
        messages.error(request, str(refused))
        return _back(case)
    family = [(m, services.unseal_text(m)) for m in case.family.all()]
    return render(
        request, "cases/identity.html", {"case": case, "identity": identity, "family": family}
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def identity_edit(request: HttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_IDENTITY)
    if request.method == "POST":
        form = IdentityForm(request.POST)
        if form.is_valid():
            services.save_identity(actor=request.user, person=case.person, data=form.cleaned_data)
            messages.success(request, _("Identity saved (encrypted)."))
            return _back(case, "identity")
    else:
        try:
            current = services.reveal_identity(
                actor=request.user, person=case.person, purpose="edit"
            )
        except services.RevealLimitReached as refused:
            messages.error(request, str(refused))
            return _back(case)
        form = IdentityForm(initial=IdentityForm.initial_from(current))
    return render(request, "cases/identity_form.html", {"case": case, "form": form})


# Service record ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    record = getattr(case.person, "service_record", None)
    initial = {f: getattr(record, f) for f in services.SERVICE_FIELDS} if record else {}
    form = ServiceRecordForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            lambda: services.save_service_record(
                actor=request.user, person=case.person, **form.cleaned_data
            ),
            _("Service record saved."),
        )
    ):
        return _back(case, "service")
    return render(request, "cases/service_form.html", {"case": case, "form": form})


@require_POST
def deployment_add(request: HttpRequest, code: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    form = DeploymentForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.add_deployment(
                actor=request.user, person=case.person, **form.cleaned_data
            ),
            _("Deployment added."),
        )
    else:
        _form_errors(request, form)
    return _back(case, "service")


@require_POST
def deployment_remove(request: HttpRequest, code: str, item: str) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    deployment = access_deployment(request.user, item)
    services.remove_deployment(actor=request.user, deployment=deployment)
    messages.success(request, _("Deployment removed."))
    return _back(case, "service")


# Additions to a case: notes, tasks, needs, support, family, alerts --------------------------


@dataclass(frozen=True)
class _Addition:
    """One kind of thing added to a case from a small form on the case page."""

    cap: Cap
    form: type[Any]
    anchor: str
    service: Callable[..., Any]
    done: str | Promise


ADDITIONS = {
    "note": _Addition(
        Cap.WRITE_NOTES, NoteForm, "notes", services.add_note, gettext_lazy("Note added.")
    ),
    "task": _Addition(
        Cap.WRITE_LOGISTICS, TaskForm, "tasks", services.add_task, gettext_lazy("Task added.")
    ),
    "need": _Addition(
        Cap.WRITE_LOGISTICS, NeedForm, "needs", services.add_need, gettext_lazy("Need added.")
    ),
    "support": _Addition(
        Cap.WRITE_LOGISTICS,
        SupportForm,
        "support",
        services.record_support,
        gettext_lazy("Support recorded."),
    ),
    "family": _Addition(
        Cap.WRITE_IDENTITY,
        FamilyForm,
        "family",
        services.add_family_member,
        gettext_lazy("Family member added."),
    ),
    "alert": _Addition(
        Cap.MANAGE_ALERTS,
        AlertForm,
        "alerts",
        services.raise_alert,
        gettext_lazy("Alert raised. It is now at the top of every coordinator's dashboard."),
    ),
}


@require_POST
def case_add(request: HttpRequest, code: str, what: str) -> HttpResponse:
    """Add a note, task, need, support, family member or alert (``what``) to a case."""
    addition = ADDITIONS[what]
    case = access_case(request.user, code, cap=addition.cap)
    extra = {"organization": case.organization} if addition.form is TaskForm else {}
    form = addition.form(request.POST, **extra)
    if form.is_valid():
        _run(
            request,
            lambda: addition.service(actor=request.user, case=case, **form.cleaned_data),
            str(addition.done),
        )
    else:
        _form_errors(request, form)
    return _back(case, addition.anchor)


@require_POST
def task_toggle(request: HttpRequest, code: str) -> HttpResponse:
    task = access_task(request.user, code)
    services.set_task_done(actor=request.user, task=task, done=task.done_at is None)
    if request.POST.get("back") == "tasks":
        return redirect("cases:my_tasks")
    return _back(task.case, "tasks")


@require_POST
def need_toggle(request: HttpRequest, code: str) -> HttpResponse:
    need = access_need(request.user, code)
    services.set_need_met(actor=request.user, need=need, met=need.met_at is None)
    return _back(need.case, "needs")


@require_POST
def family_remove(request: HttpRequest, code: str) -> HttpResponse:
    member = access_family_member(request.user, code)
    services.remove_family_member(actor=request.user, member=member)
    messages.success(request, _("Family member removed."))
    return _back(member.case, "family")


@require_POST
def alert_item(request: HttpRequest, code: str) -> HttpResponse:
    alert = access_alert(request.user, code)
    _run(
        request,
        lambda: services.tick_alert_item(
            actor=request.user, alert=alert, item=request.POST.get("item", "")
        ),
        _("Checklist updated."),
    )
    return _back(alert.case, "alerts")


@require_POST
def alert_resolve(request: HttpRequest, code: str) -> HttpResponse:
    alert = access_alert(request.user, code)
    _run(
        request,
        lambda: services.resolve_alert(actor=request.user, alert=alert),
        _("Alert resolved."),
    )
    return _back(alert.case, "alerts")
