"""The coordinators' pages: the queue, one submission, invitations, settings, definitions."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, can, staff_view
from tropa.cases.access import access_case, deny
from tropa.core.views import form_errors, run_action, submit

from .. import listing, qr, services
from ..access import access_invitation, access_submission, triage_organization
from ..forms import (
    AcceptForm,
    DocumentsForm,
    InviteForm,
    MergeForm,
    MessageForm,
    RejectForm,
    SettingsForm,
    UploadForm,
)
from ..models import Invitation, Status


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@staff_view
def queue_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = triage_organization(request.user)
    status, day = request.GET.get("status", ""), _day(request.GET.get("day", ""))
    rows = services.queue(organization, status=status, day=day)
    page = listing.page_of(rows.select_related("assignee"), request.GET.get("after"))
    by_status = services.counts_by_status(organization)
    context = {
        "page": page,
        "status": status,
        "day": day,
        "statuses": [
            (s, label, by_status.get(s, 0)) for s, label in Status.choices if s != "draft"
        ],
        "per_day": services.counts_per_day(organization),
    }
    return render(request, "intake/staff/queue.html", context)


@staff_view
def submission_page(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    submission = access_submission(request.user, code)
    reading = services.read_submission(actor=request.user, submission=submission)
    candidates = None
    if request.GET.get("candidates") and submission.status in (Status.NEW, Status.IN_REVIEW):
        candidates = services.propose_candidates(actor=request.user, submission=submission)
    context = {
        "reading": reading,
        "submission": submission,
        "messages_shown": services.read_messages(submission),
        "candidates": candidates,
        "open": submission.status in (Status.NEW, Status.IN_REVIEW),
        "message_form": MessageForm(),
        "documents_form": DocumentsForm(initial={"documents": submission.documents_needed}),
        "accept_form": AcceptForm(),
        "merge_form": MergeForm(),
        "reject_form": RejectForm(),
    }
    return render(request, "intake/staff/submission.html", context)


def _back(code: Any) -> HttpResponse:
    return redirect("intake:submission", code=code)


def _form_action(
    request: AuthenticatedHttpRequest, code: Any, form_class: Any, act: Any
) -> HttpResponse:
    """One POST on a submission: its form, one service call, back to the submission."""
    submission = access_submission(request.user, code)
    form = form_class(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(code)
    run_action(request, lambda: act(submission, form.cleaned_data), _("Done."))
    return _back(code)


@require_POST
@staff_view
def review(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    submission = access_submission(request.user, code)
    run_action(
        request,
        lambda: services.start_review(actor=request.user, submission=submission),
        _("You are now reviewing this submission."),
    )
    return _back(code)


@require_POST
@staff_view
def documents(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    return _form_action(
        request,
        code,
        DocumentsForm,
        lambda s, d: services.request_documents(
            actor=request.user, submission=s, documents=d["documents"]
        ),
    )


@require_POST
@staff_view
def message(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    return _form_action(
        request,
        code,
        MessageForm,
        lambda s, d: services.send_to_person(
            actor=request.user, submission=s, text=d["text"], question=d["question"]
        ),
    )


@require_POST
@staff_view
def accept(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    submission = access_submission(request.user, code)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(code)
    pseudonym = form.cleaned_data["pseudonym"]
    act = partial(services.accept, actor=request.user, submission=submission, pseudonym=pseudonym)
    if run_action(request, act, _("Accepted: the case was created.")) and submission.case:
        return redirect("cases:detail", code=submission.case.code)
    return _back(code)


@require_POST
@staff_view
def merge(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    submission = access_submission(request.user, code)
    form = MergeForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(code)
    case = access_case(request.user, form.cleaned_data["case"], cap=Cap.WRITE_CASES)
    run_action(
        request,
        lambda: services.merge(actor=request.user, submission=submission, case=case),
        _("Merged into the case."),
    )
    return _back(code)


@require_POST
@staff_view
def reject(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    return _form_action(
        request,
        code,
        RejectForm,
        lambda s, d: services.reject(actor=request.user, submission=s, reason=d["reason"]),
    )


def _invite(request: AuthenticatedHttpRequest, form: InviteForm) -> dict[str, str] | None:
    data = form.cleaned_data
    organization = triage_organization(request.user)
    case = access_case(request.user, data["case"]) if data.get("case") else None
    try:
        made = services.create_invitation(
            actor=request.user,
            organization=organization,
            case=case,
            language=data["language"],
            hours=data["hours"],
        )
    except services.IntakeError as exc:
        form.add_error(None, str(exc))
        return None
    url = request.build_absolute_uri(reverse("intake:invitation", kwargs={"token": made.token}))
    return {"url": url, "svg": qr.svg(url)}


@require_http_methods(["GET", "POST"])
@staff_view
def invitations_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = triage_organization(request.user)
    hours = services.intake_settings(organization).invitation_hours
    form = InviteForm(
        request.POST or None,
        initial={"language": "ru", "hours": hours or settings.TROPA_INTAKE_INVITATION_HOURS},
    )
    made = _invite(request, form) if request.method == "POST" and form.is_valid() else None
    rows = Invitation.objects.for_organization(organization).select_related("case__person")
    page = listing.invitations_page_of(rows, request.GET.get("after"))
    context = {
        "form": form,
        "made": made,
        "invitations": page.rows,
        "page": page,
        "language_next": reverse("intake:invitations"),
    }
    return render(request, "intake/staff/invitations.html", context)


@require_POST
@staff_view
def revoke(request: AuthenticatedHttpRequest, code: Any) -> HttpResponse:
    invitation = access_invitation(request.user, code)
    run_action(
        request,
        lambda: services.revoke_invitation(actor=request.user, invitation=invitation),
        _("The invitation was revoked."),
    )
    return redirect("intake:invitations")


@require_http_methods(["GET", "POST"])
@staff_view
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = triage_organization(request.user)
    row = services.intake_settings(organization)
    form = SettingsForm(request.POST or None, instance=row)
    if request.method == "POST":
        saved = submit(
            request,
            form,
            lambda d: services.update_settings(
                actor=request.user,
                organization=organization,
                new_public_slug=d.pop("new_public_link", False),
                **d,
            ),
            _("Intake settings saved."),
        )
        if saved:
            return redirect("intake:settings")
        row.refresh_from_db()
    url = request.build_absolute_uri(
        reverse("intake:public_link", kwargs={"slug": row.public_slug})
    )
    context = {
        "form": form,
        "row": row,
        "public_url": url,
        "language_next": reverse("intake:settings"),
    }
    return render(request, "intake/staff/settings.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def definitions_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.organization is None or not can(request.user, Cap.EDIT_INTAKE_FORMS):
        raise deny(request.user, "", "intake_definitions")
    organization = request.user.organization
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.upload_definition(
            actor=request.user,
            organization=organization,
            language=d["language"],
            raw=d["file"].read(200_001),
        ),
        _("The new version of the interview was saved."),
    ):
        return redirect("intake:definitions")
    current = {
        lang: services.definition_for(organization, lang)["version"] for lang in ("ru", "uk", "en")
    }
    context = {"form": form, "current": current, "language_next": reverse("intake:definitions")}
    return render(request, "intake/staff/definitions.html", context)
