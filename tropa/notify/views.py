"""The user's own notification settings, the test message, the organization's rule."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tropa.accounts.models import User
from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, staff_view
from tropa.core.access import forbid
from tropa.core.views import form_errors, run_action

from . import mail, services
from .forms import PolicyForm, PreferenceForm
from .models import Preference


@require_http_methods(["GET", "POST"])
@staff_view
def settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    pref = services.preference_for(user)
    form = PreferenceForm(request.POST or None, initial=_initial(pref))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            saved = run_action(
                request,
                lambda: services.save_preferences(
                    actor=user,
                    address=data["address"],
                    new_alerts=data["new_alerts"],
                    daily_digest=data["daily_digest"],
                    remove_address=data["remove_address"],
                ),
                _("Notification settings saved."),
            )
            if saved:
                return redirect("notify:settings")
        else:
            form_errors(request, form)
    return render(request, "notify/settings.html", _context(user, pref, form))


def _initial(pref: Preference | None) -> dict[str, bool]:
    if pref is None:
        return {}
    return {"new_alerts": pref.new_alerts, "daily_digest": pref.daily_digest}


def _context(user: User, pref: Preference | None, form: PreferenceForm) -> dict[str, object]:
    organization = user.organization
    minutes = services.escalation_minutes(organization.pk) if organization else 0
    return {
        "form": form,
        "pref": pref,
        "configured": mail.is_configured(),
        "may_alerts": services.may_choose_alerts(user),
        "may_digest": services.may_choose_digest(user),
        "is_coordinator": services.is_escalation_recipient(user),
        "minutes": minutes,
        "policy_form": PolicyForm(initial={"escalation_minutes": minutes}),
        "deliveries": services.recent_deliveries(user),
        "digest_hour": services.DIGEST_HOUR,
        "language_next": reverse("notify:settings"),
    }


@require_POST
@staff_view
def test_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    run_action(
        request,
        lambda: services.send_test(actor=request.user),
        _("A test message was sent: look in your mailbox."),
    )
    return redirect("notify:settings")


@require_POST
@staff_view
def policy_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.is_escalation_recipient(request.user):
        # The organization's rule is a coordinator's, like role approvals: audited 403.
        forbid(request.user, Cap.APPROVE_ROLES)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("notify:settings")
    minutes = form.cleaned_data["escalation_minutes"]
    run_action(
        request,
        lambda: services.set_escalation_minutes(actor=request.user, minutes=minutes),
        _("Escalation time saved."),
    )
    return redirect("notify:settings")
