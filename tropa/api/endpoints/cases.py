"""Cases: the list with the browser's filters (keyset pages), one case, and the case desk's
writes, each through the browser's form and service."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tropa.accounts.permissions import Cap
from tropa.cases import listing, services
from tropa.cases.access import access_case, visible_cases
from tropa.cases.forms import (
    AlertForm,
    CaseFilterForm,
    CaseForm,
    NeedForm,
    NoteForm,
    StageForm,
    SupportForm,
    TaskForm,
)
from tropa.cases.models import Case

from .. import schemas as s
from ..api import need, valid
from ..errors import ApiError
from ..scopes import Scope
from .common import ERRORS, alert_out, case_out, form_data, task_out

router = Router(tags=["cases"])


class CaseFilters(Schema):
    q: str = ""
    stage: str = ""
    risk: str = ""
    country: str = ""
    mine: bool = False
    alert: bool = False
    cursor: str | None = None
    size: int = listing.PAGE_SIZE


@router.get("", response={200: s.CasePageOut, **ERRORS}, url_name="case_list")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Cases you see, most urgent first; at most 50 a page, the next by its ``cursor``."""
    user = need(request, Scope.CASES_READ)
    data = filters.dict()
    form = CaseFilterForm({k: v for k, v in data.items() if v not in ("", False, None)})
    cases = listing.filtered(user, visible_cases(user), valid(form))
    page = listing.page_of(cases.select_related("person", "assignee"), data["cursor"], data["size"])
    return {
        "results": [case_out(c) for c in page.cases],
        "count": page.count,
        "next": page.next,
        "previous": page.previous,
    }


@router.get("/{uuid:code}", response={200: s.CaseDetailOut, **ERRORS}, url_name="case_detail")
def case_detail(request: HttpRequest, code: uuid.UUID) -> dict[str, Any]:
    """One case: its tasks, needs, alerts and support; no identity, no free text with names."""
    user = need(request, Scope.CASES_READ)
    case = access_case(user, code)
    today = timezone.localdate()
    services.log_case_viewed(actor=user, case=case, sections=["case"])
    return {
        **case_out(case),
        "tasks": [task_out(t, today) for t in case.tasks.select_related("case")],
        "needs": [
            {
                "code": n.code,
                "kind": n.kind,
                "details": services.unseal_text(n),
                "met": bool(n.met_at),
            }
            for n in case.needs.all()
        ],
        "alerts": [alert_out(a) for a in case.alerts.select_related("case")],
        "support": [
            {"kind": x.kind, "given_on": x.given_on, "amount": x.amount, "currency": x.currency}
            for x in case.support.all()
        ],
        "notes": case.notes.count(),
    }


@router.post("", response={201: s.CaseOut, **ERRORS}, url_name="case_create")
def case_create(request: HttpRequest, payload: s.CaseIn) -> Status[Any]:
    """Open a case; whoever opens it looks after it unless ``assignee`` names a colleague."""
    user = need(request, Scope.CASES_WRITE)
    organization = user.organization
    if not _may_write(user) or organization is None:
        raise ApiError(403, "forbidden", _("Your role may not do this."))
    data = form_data(payload)
    data.setdefault("assignee", str(user.code))
    cleaned = valid(CaseForm(data, organization=organization))
    pseudonym = cleaned.pop("pseudonym")
    if not cleaned.pop("same_pseudonym") and services.cases_with_pseudonym(organization, pseudonym):
        raise ApiError(
            409,
            "same_pseudonym",
            _("Another case has this pseudonym. Send same_pseudonym: true to open one more."),
        )
    case = services.create_case(
        actor=user, organization=organization, pseudonym=pseudonym, **cleaned
    )
    shown = Case.objects.for_organization(organization).select_related("person", "assignee")
    return Status(201, case_out(shown.get(pk=case.pk)))


def _may_write(user: Any) -> bool:
    from tropa.accounts.permissions import can

    return can(user, Cap.WRITE_CASES)


@router.post("/{uuid:code}/stage", response={200: s.CaseOut, **ERRORS}, url_name="case_stage")
def case_stage(request: HttpRequest, code: uuid.UUID, payload: s.StageIn) -> dict[str, Any]:
    """Move the case to another stage (closing needs a reason)."""
    user = need(request, Scope.CASES_WRITE)
    case = access_case(user, code, cap=Cap.WRITE_CASES)
    data = valid(StageForm(form_data(payload)))
    services.move_stage(actor=user, case=case, to_stage=data["stage"], reason=data["reason"])
    return case_out(case)


def _add(request: HttpRequest, code: uuid.UUID, cap: Cap, form: Any, service: Any) -> Any:
    user = need(request, Scope.CASES_WRITE)
    case = access_case(user, code, cap=cap)
    return case, service(actor=user, case=case, **valid(form(case)))


@router.post("/{uuid:code}/notes", response={201: s.NoteOut, **ERRORS}, url_name="note_add")
def note_add(request: HttpRequest, code: uuid.UUID, payload: s.NoteIn) -> Status[Any]:
    """Add a note (sealed; the API never reads notes back)."""
    _case, note = _add(
        request, code, Cap.WRITE_NOTES, lambda c: NoteForm(form_data(payload)), services.add_note
    )
    return Status(201, {"created_at": note.created_at})


@router.post("/{uuid:code}/tasks", response={201: s.TaskOut, **ERRORS}, url_name="task_add")
def task_add(request: HttpRequest, code: uuid.UUID, payload: s.TaskIn) -> Status[Any]:
    """Add a task, for you or a colleague (``assignee``: an account code)."""
    _case, task = _add(
        request,
        code,
        Cap.WRITE_LOGISTICS,
        lambda c: TaskForm(form_data(payload), organization=c.organization),
        services.add_task,
    )
    return Status(201, task_out(task, timezone.localdate()))


@router.post("/{uuid:code}/needs", response={201: s.NeedOut, **ERRORS}, url_name="need_add")
def need_add(request: HttpRequest, code: uuid.UUID, payload: s.NeedIn) -> Status[Any]:
    """Add a need (lodging, money, …) with logistics details."""
    _case, item = _add(
        request,
        code,
        Cap.WRITE_LOGISTICS,
        lambda c: NeedForm(form_data(payload)),
        services.add_need,
    )
    return Status(
        201,
        {"code": item.code, "kind": item.kind, "details": payload.details.strip(), "met": False},
    )


@router.post("/{uuid:code}/support", response={201: s.SupportOut, **ERRORS}, url_name="support_add")
def support_add(request: HttpRequest, code: uuid.UUID, payload: s.SupportIn) -> Status[Any]:
    """Record support given (its details are sealed and not read back)."""
    _case, item = _add(
        request,
        code,
        Cap.WRITE_LOGISTICS,
        lambda c: SupportForm(form_data(payload)),
        services.record_support,
    )
    shown = {"kind": item.kind, "given_on": item.given_on, "amount": item.amount}
    return Status(201, {**shown, "currency": item.currency})


@router.post("/{uuid:code}/alerts", response={201: s.AlertOut, **ERRORS}, url_name="alert_raise")
def alert_raise(request: HttpRequest, code: uuid.UUID, payload: s.AlertIn) -> Status[Any]:
    """Raise an alert: it goes to the top of every coordinator's dashboard."""
    _case, alert = _add(
        request,
        code,
        Cap.MANAGE_ALERTS,
        lambda c: AlertForm(form_data(payload)),
        services.raise_alert,
    )
    return Status(201, alert_out(alert))
