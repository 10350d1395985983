"""Pathways pages: the organization's countries, pathways and facts, and the case actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, can, staff_view
from tropa.cases.access import access_case
from tropa.cases.views import case_page
from tropa.core.access import forbid
from tropa.core.views import form_errors, run_action, submit
from tropa.evidence.access import access_item

from . import services
from .access import (
    access_country,
    access_deadline,
    access_fact,
    access_pathway,
    access_pursued,
    access_trip,
)
from .countries import country_name
from .forms import (
    BriefingGivenForm,
    CountryForm,
    DeadlineForm,
    FactForm,
    PathwayForm,
    RequirementForm,
    TripDatesForm,
    TripForm,
)
from .models import CountryProfile, Fact, Pathway


def _organization(request: AuthenticatedHttpRequest, cap: Cap = Cap.VIEW_CASES) -> Any:
    if request.user.organization is None or not can(request.user, Cap.VIEW_CASES):
        raise Http404
    if cap != Cap.VIEW_CASES and not can(request.user, cap):
        forbid(request.user, cap)
    return request.user.organization


def _stale(facts: list[Fact]) -> int:
    today = timezone.localdate()
    return sum(1 for f in facts if f.is_stale(today))


@require_GET
@staff_view
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    facts = list(Fact.objects.for_organization(organization).filter(retired_at=None))
    pathways = list(Pathway.objects.for_organization(organization))
    countries = list(CountryProfile.objects.for_organization(organization))
    by_country: dict[str, list[Fact]] = {}
    by_pathway: dict[Any, list[Fact]] = {}
    for fact in facts:
        by_country.setdefault(fact.country, []).append(fact)
        if fact.pathway_id:
            by_pathway.setdefault(fact.pathway_id, []).append(fact)
    return render(
        request,
        "pathways/index.html",
        {
            "countries": [
                (
                    c,
                    country_name(c.country),
                    _stale(by_country.get(c.country, [])),
                    sum(1 for f in by_country.get(c.country, []) if f.topic == "incident"),
                )
                for c in countries
            ],
            "pathways": [
                (p, country_name(p.country), _stale(by_pathway.get(p.pk, []))) for p in pathways
            ],
            "stale_total": _stale(facts),
        },
    )


@require_POST
@staff_view
def load_starter(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request, Cap.EDIT_PATHWAYS)
    added = services.load_starter(actor=request.user, organization=organization)
    messages.success(
        request,
        _(
            "Starter set loaded: %(countries)d countries, %(pathways)d pathways and %(facts)d "
            "facts added."
        )
        % added,
    )
    return redirect("pathways:index")


def _fact_form_initial() -> dict[str, Any]:
    today = timezone.localdate()
    return {"source_date": today, "checked_on": today}


@require_http_methods(["GET", "POST"])
@staff_view
def pathway_detail(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    pathway = access_pathway(request.user, code)
    form = PathwayForm(
        request.POST or None, initial={f: getattr(pathway, f) for f in PathwayForm.base_fields}
    )
    if request.method == "POST":
        access_pathway(request.user, code, cap=Cap.EDIT_PATHWAYS)
        if submit(
            request,
            form,
            lambda data: services.edit_pathway(actor=request.user, pathway=pathway, values=data),
            _("Pathway saved."),
        ):
            return redirect("pathways:pathway", code=pathway.code)
    facts = [f for f in pathway.facts.filter(retired_at=None)]
    return render(
        request,
        "pathways/pathway.html",
        {
            "pathway": pathway,
            "country_name": country_name(pathway.country),
            "facts": facts,
            "form": form,
            "fact_form": FactForm(initial=_fact_form_initial()),
            "history": services.history(pathway),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view
def country_detail(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    profile = access_country(request.user, code)
    form = CountryForm(
        request.POST or None, initial={f: getattr(profile, f) for f in CountryForm.base_fields}
    )
    if request.method == "POST":
        access_country(request.user, code, cap=Cap.EDIT_PATHWAYS)
        if submit(
            request,
            form,
            lambda data: services.edit_country(actor=request.user, profile=profile, values=data),
            _("Country saved."),
        ):
            return redirect("pathways:country", code=profile.code)
    facts = services.current_facts(profile.organization, profile.country)
    return render(
        request,
        "pathways/country.html",
        {
            "profile": profile,
            "country_name": country_name(profile.country),
            "form": form,
            "incidents": [f for f in facts if f.topic == "incident"],
            "facts": [f for f in facts if f.topic != "incident" and f.pathway_id is None],
            "pathways": Pathway.objects.for_organization(profile.organization).filter(
                country=profile.country
            ),
            "fact_form": FactForm(initial=_fact_form_initial()),
            "history": services.history(profile),
            "today": timezone.localdate(),
        },
    )


@require_GET
@staff_view
def briefing(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    profile = access_country(request.user, code)
    language = request.GET.get("lang", "") if request.GET.get("lang") in ("ru", "en") else None
    with translation.override(language or translation.get_language()):
        return render(
            request,
            "pathways/briefing.html",
            {
                "profile": profile,
                "country_name": country_name(profile.country),
                "sections": services.briefing_facts(profile.organization, profile.country),
                "incidents": services.current_facts(
                    profile.organization, profile.country, topics=("incident",)
                )[:5],
                "today": timezone.localdate(),
            },
        )


@require_POST
@staff_view
def fact_add(request: AuthenticatedHttpRequest, kind: str, code: Any) -> HttpResponse:
    if kind == "pathway":
        pathway = access_pathway(request.user, code, cap=Cap.EDIT_PATHWAYS)
        country, back = pathway.country, reverse("pathways:pathway", args=[pathway.code])
    else:
        profile = access_country(request.user, code, cap=Cap.EDIT_PATHWAYS)
        pathway, country = None, profile.country
        back = reverse("pathways:country", args=[profile.code])
    form = FactForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.add_fact(
                actor=request.user,
                organization=_organization(request),
                country=country,
                pathway=pathway,
                values=form.cleaned_data,
            ),
            _("Fact added."),
        )
    else:
        form_errors(request, form)
    return redirect(back + "#facts")


@require_http_methods(["GET", "POST"])
@staff_view
def fact_edit(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    fact = access_fact(request.user, code, cap=Cap.EDIT_PATHWAYS)
    form = FactForm(
        request.POST or None, initial={f: getattr(fact, f) for f in FactForm.base_fields}
    )
    if request.method == "POST":
        if "retire" in request.POST:
            run_action(
                request,
                lambda: services.retire_fact(actor=request.user, fact=fact),
                _("Fact retired."),
            )
            return redirect(_fact_home(fact))
        if form.is_valid() and run_action(
            request,
            lambda: services.edit_fact(actor=request.user, fact=fact, values=form.cleaned_data),
            _("Fact saved."),
        ):
            return redirect(_fact_home(fact))
        form_errors(request, form)
    return render(
        request,
        "pathways/fact_form.html",
        {
            "fact": fact,
            "form": form,
            "back": _fact_home(fact),
            "history": services.history(fact),
        },
    )


def _fact_home(fact: Fact) -> str:
    if fact.pathway is not None:
        return reverse("pathways:pathway", args=[fact.pathway.code]) + "#facts"
    profile = CountryProfile.objects.filter(
        organization_id=fact.organization_id, country=fact.country
    ).first()
    return (
        reverse("pathways:country", args=[profile.code]) if profile else reverse("pathways:index")
    )


# The case page's pathway panel: every action returns to it. -------------------------------


def _back(case: Any) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case.code]) + "#pathways")


@require_POST
@staff_view
def trip_add(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    form = TripForm(request.POST, prefix="trip")
    if submit(
        request,
        form,
        lambda data: services.add_trip(actor=request.user, case=case, **data),
        _("Trip recorded."),
    ):
        return _back(case)
    return _again(request, case, "trip", form)


def _again(request: AuthenticatedHttpRequest, case: Any, name: str, form: Any) -> HttpResponse:
    """The case page again, this panel's form with its errors and what was typed."""
    request.bound_panel_forms = {f"pathways.{name}": form}  # type: ignore[attr-defined]  # read by panel.py
    return case_page(request, case)


@require_POST
@staff_view
def trip_edit(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    trip = access_trip(request.user, code)
    if "delete" in request.POST:
        run_action(
            request, lambda: services.delete_trip(actor=request.user, trip=trip), _("Trip deleted.")
        )
        return _back(trip.case)
    form = TripDatesForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.edit_trip(actor=request.user, trip=trip, **form.cleaned_data),
            _("Trip saved."),
        )
    else:
        form_errors(request, form)
    return _back(trip.case)


@require_POST
@staff_view
def deadline_add(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    form = DeadlineForm(request.POST, prefix="deadline")
    if submit(
        request,
        form,
        lambda data: services.add_deadline(actor=request.user, case=case, **data),
        _("Deadline recorded."),
    ):
        return _back(case)
    return _again(request, case, "deadline", form)


@require_POST
@staff_view
def deadline_done(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    deadline = access_deadline(request.user, code)
    done = request.POST.get("done") == "1"
    run_action(
        request,
        lambda: services.set_deadline_done(actor=request.user, deadline=deadline, done=done),
        _("Deadline done.") if done else _("Deadline open again."),
    )
    return _back(deadline.case)


@require_POST
@staff_view
def pursue(request: AuthenticatedHttpRequest, code: Any, pathway: Any) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    chosen = access_pathway(request.user, pathway)
    run_action(
        request,
        lambda: services.pursue(actor=request.user, case=case, pathway=chosen),
        _("Pathway pursued; what it still lacks is on the task list."),
    )
    return _back(case)


@require_POST
@staff_view
def drop(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    chosen = access_pursued(request.user, code)
    run_action(
        request,
        lambda: services.drop(actor=request.user, chosen=chosen),
        _("Pathway no longer pursued."),
    )
    return _back(chosen.case)


@require_POST
@staff_view
def requirement(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    form = RequirementForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(case)
    data = form.cleaned_data
    item = None
    if data["evidence"]:
        item = access_item(request.user, _uuid(data["evidence"]))
    run_action(
        request,
        lambda: services.mark_requirement(
            actor=request.user,
            case=case,
            requirement=data["requirement"],
            evidence=item,
            met=data["met"],
        ),
        _("Saved."),
    )
    return _back(case)


def _uuid(text: str) -> Any:
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        return uuid.UUID(int=0)


@require_POST
@staff_view
def briefing_given(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    case = access_case(request.user, code, cap=Cap.WRITE_CASES)
    form = BriefingGivenForm(request.POST, prefix="briefing")
    if submit(
        request,
        form,
        lambda data: services.record_briefing(actor=request.user, case=case, **data),
        _("Briefing recorded."),
    ):
        return _back(case)
    return _again(request, case, "briefing", form)


def on_date(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("clock_on", ""))
    except ValueError:
        return timezone.localdate()
