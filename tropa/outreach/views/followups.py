"""The dashboard (what is due, soon, recent: it only reads) and the follow-up periods."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import Cap, staff_user
from tropa.core.views import run_action

from .. import services, stats
from ..access import (
    access_request,
    outreach_organization,
    visible_requests,
)
from ..forms import (
    FollowupDaysForm,
)
from ..models import Status


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organization = outreach_organization(user)
    # Only reads: the follow-up rule runs in the worker (``tasks.hourly_followups_task``).
    requests = visible_requests(user).select_related("institution", "case__person", "sent_by")
    # An imported "no answer" armed for a reminder is due once the rule claims it, not before.
    due = requests.filter(status=Status.NO_ANSWER, followup_done_at__isnull=True).exclude(
        imported=True, followup_created_at__isnull=True
    )
    counts = due.aggregate(total=Count("*"), mine=Count("sent_by", filter=Q(sent_by=user)))
    soon = requests.filter(
        status=Status.PENDING, answer_due_on__lte=timezone.localdate() + timedelta(days=3)
    )
    return render(
        request,
        "outreach/index.html",
        {
            "due": due.order_by("answer_due_on")[:50],
            "due_count": counts["total"],
            "mine": counts["mine"],
            "soon": soon.order_by("answer_due_on")[:20],
            "recent": requests.order_by("-sent_on", "-created_at")[:10],
            "total": stats.totals(organization),
        },
    )


@require_POST
def followed_up(request: HttpRequest, code: str) -> HttpResponse:
    outreach_request = access_request(request.user, code, write=True)
    services.mark_followed_up(actor=staff_user(request), request=outreach_request)
    messages.success(request, _("Marked as followed up."))
    if request.POST.get("back") == "request":
        return redirect(outreach_request.get_absolute_url())
    return redirect("outreach:index")


@require_POST
def followup_reminder(request: HttpRequest, code: str) -> HttpResponse:
    """ "Remind me to follow up" on an imported request: on or off, a plain form post."""
    outreach_request = access_request(request.user, code, write=True)
    on = request.POST.get("on") == "1"
    run_action(
        request,
        lambda: services.set_followup_reminder(
            actor=staff_user(request), request=outreach_request, on=on
        ),
        _("You will be reminded to follow up.") if on else _("No follow-up reminder."),
    )
    return redirect(outreach_request.get_absolute_url())


@require_http_methods(["GET", "POST"])
def followup_settings(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organization = outreach_organization(
        user, Cap.WRITE_OUTREACH if request.method == "POST" else Cap.VIEW_OUTREACH
    )
    form = FollowupDaysForm(request.POST or None, days=services.followup_days(organization))
    if request.method == "POST" and form.is_valid():
        services.set_followup_days(actor=user, organization=organization, days=form.cleaned_data)
        messages.success(request, _("Follow-up periods saved. They apply to new requests."))
        return redirect("outreach:followup_settings")
    return render(request, "outreach/followup_settings.html", {"form": form})
