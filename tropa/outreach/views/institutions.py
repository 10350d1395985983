"""The directory: institutions, their pages and contact persons, the starter set."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case as DbCase
from django.db.models import Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import Cap, staff_user
from tropa.core.views import form_errors

from .. import services, stats
from ..access import (
    access_contact,
    access_institution,
    outreach_organization,
    visible_requests,
)
from ..forms import (
    ContactForm,
    DirectoryFilterForm,
    InstitutionForm,
    StarterForm,
)
from ..models import Institution
from .common import PAGE_SIZE


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    organization = outreach_organization(request.user)
    form = DirectoryFilterForm(request.GET or None)
    institutions = Institution.objects.filter(organization=organization)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            institutions = institutions.filter(
                Q(name__icontains=data["q"]) | Q(city__icontains=data["q"])
            )
        if data["kind"]:
            institutions = institutions.filter(kind=data["kind"])
        if data["country"]:
            institutions = institutions.filter(country=data["country"].upper())
    city = services.own_city(organization)
    # The organization's own city first, then the others.
    own_first = DbCase(When(city=city, then=0), default=1) if city else Value(0)
    page = Paginator(institutions.order_by(own_first, "city", "name"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/directory.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "starter_form": StarterForm(initial={"city": city}),
        },
    )


@require_POST
def load_starter(request: HttpRequest) -> HttpResponse:
    organization = outreach_organization(request.user, Cap.WRITE_OUTREACH)
    form = StarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a city of the starter set."))
        return redirect("outreach:directory")
    made, templates = services.load_starter_set(
        actor=staff_user(request), organization=organization, city=form.cleaned_data["city"] or None
    )
    messages.success(
        request,
        _("Starter set loaded: %(institutions)d institutions and %(templates)d templates added.")
        % {"institutions": made, "templates": templates},
    )
    return redirect("outreach:directory")


@require_http_methods(["GET", "POST"])
def institution_new(request: HttpRequest) -> HttpResponse:
    organization = outreach_organization(request.user, Cap.WRITE_OUTREACH)
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        institution = services.create_institution(
            actor=staff_user(request), organization=organization, **form.cleaned_data
        )
        messages.success(request, _("Institution added."))
        return redirect(institution.get_absolute_url())
    return render(request, "outreach/institution_form.html", {"form": form})


@require_GET
def institution_detail(request: HttpRequest, code: str) -> HttpResponse:
    institution = access_institution(request.user, code)
    requests = (
        visible_requests(request.user)
        .filter(institution=institution)
        .select_related("institution", "contact", "case__person", "sent_by")[:100]
    )
    rows = list(requests)
    return render(
        request,
        "outreach/institution_detail.html",
        {
            "institution": institution,
            "contacts": institution.contacts.all(),
            "requests": rows,
            "subjects": services.subjects_of(rows),
            "summary": stats.institution_summary(institution),
            "contact_form": ContactForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, code: str) -> HttpResponse:
    institution = access_institution(request.user, code, write=True)
    form = InstitutionForm(request.POST or None, initial=InstitutionForm.initial_from(institution))
    if request.method == "POST" and form.is_valid():
        services.update_institution(
            actor=staff_user(request), institution=institution, **form.cleaned_data
        )
        messages.success(request, _("Institution saved."))
        return redirect(institution.get_absolute_url())
    return render(
        request, "outreach/institution_form.html", {"form": form, "institution": institution}
    )


@require_POST
def contact_add(request: HttpRequest, code: str) -> HttpResponse:
    institution = access_institution(request.user, code, write=True)
    form = ContactForm(request.POST)
    if form.is_valid():
        services.add_contact(
            actor=staff_user(request), institution=institution, **form.cleaned_data
        )
        messages.success(request, _("Contact person added."))
    else:
        form_errors(request, form)
    return redirect(institution.get_absolute_url() + "#contacts")


@require_POST
def contact_remove(request: HttpRequest, code: str) -> HttpResponse:
    contact = access_contact(request.user, code)
    services.remove_contact(actor=staff_user(request), contact=contact)
    messages.success(request, _("Contact person removed."))
    return redirect(contact.institution.get_absolute_url() + "#contacts")
