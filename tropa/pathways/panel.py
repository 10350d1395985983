"""The pathways panel on the case page, and the dashboard's "deadlines this week"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.access import scope_to_visible_cases
from tropa.cases.models import Case, Task

from . import services
from .countries import country_name
from .forms import BriefingGivenForm, DeadlineForm, TripForm
from .models import Deadline

PANEL_DEADLINES = 30
DASHBOARD_ROWS = 20


def case_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, Cap.VIEW_CASES):
        return None
    from .views import on_date

    on = on_date(request)
    writer = can(request.user, Cap.WRITE_CASES)
    trips = list(case.trips.all())
    here = services.current_country(case, trips) or case.country
    context: dict[str, Any] = {
        "case": case,
        "on": on,
        "today": timezone.localdate(),
        "clocks": services.clocks(case, on, trips),
        "deadlines": list(case.deadlines.all()[:PANEL_DEADLINES]),
        "writer": writer,
    }
    if writer:
        # Border points and deadline notes are sealed: opening them is a read worth recording.
        context["trips"] = [(t, country_name(t.country), services.border_point(t)) for t in trips]
        context["notes"] = {
            d.pk: services.deadline_note(d) for d in context["deadlines"] if d.sealed
        }
        if any(t.sealed for t in trips) or context["notes"]:
            log_action(request.user, Action.PATHWAY_CLOCKS_VIEWED, case)
        bound = getattr(request, "bound_panel_forms", {})
        context["trip_form"] = bound.get("pathways.trip") or TripForm(
            prefix="trip", initial={"country": here}
        )
        context["deadline_form"] = bound.get("pathways.deadline") or DeadlineForm(prefix="deadline")
        context["briefing_form"] = bound.get("pathways.briefing") or BriefingGivenForm(
            prefix="briefing",
            initial={
                "country": here,
                "given_on": timezone.localdate(),
            },
        )
        context["briefings"] = [(b, country_name(b.country)) for b in case.briefings_given.all()]
        context["risks"] = services.transit_risks(case.organization)
    else:
        context["trips"] = [(t, country_name(t.country), "") for t in trips]
    if can(request.user, Cap.VIEW_SERVICE_RECORD):
        # What pathways fit depends on his service record: volunteers do not see it.
        context["fits"] = services.fits(case, here)
        if can(request.user, Cap.VIEW_EVIDENCE):
            context["evidence"] = list(case.evidence_items.order_by("-received_at")[:50])
    return context


def dashboard_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not can(request.user, Cap.VIEW_CASES):
        return None
    today = timezone.localdate()
    week = today + timedelta(days=7)
    rows: QuerySet[Deadline] = Deadline.objects.unscoped().filter(done_at=None, due_on__lte=week)
    if can(request.user, Cap.SEE_ALL_CASES):
        rows = scope_to_visible_cases(request.user, rows)
    else:
        # A volunteer's few cases first, by two index lookups (the cases given to him, those
        # where he holds a task): joining every deadline to the tasks would scan them all.
        organization = getattr(request.user, "organization", None)
        mine = set(
            Case.objects.filter(organization=organization, assignee=request.user).values_list(
                "pk", flat=True
            )
        ) | set(
            Task.objects.filter(organization=organization, assignee=request.user).values_list(
                "case_id", flat=True
            )
        )
        # By the case index alone: ``mine`` holds only this organization's cases.
        rows = rows.filter(case_id__in=mine).order_by().only("pk")
        rows = Deadline.objects.unscoped().filter(pk__in=[d.pk for d in rows])
    shown = list(rows.select_related("case__person").order_by("due_on")[:DASHBOARD_ROWS])
    return {
        "deadlines": [
            (d, d.days_left(today), country_name(d.country) if d.country else "") for d in shown
        ],
        "overdue": rows.filter(due_on__lt=today).count()
        if len(shown) == DASHBOARD_ROWS
        else sum(1 for d in shown if d.due_on < today),
        "today": today,
    }
