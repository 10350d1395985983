"""Requests: the list and its export, recording one (with its file), its page and answers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases.access import access_case, visible_cases
from tropa.cases.registry import check_hold_gates
from tropa.cases.services import RevealLimitReached
from tropa.core.views import form_errors, run_action

from .. import exports, services
from ..access import (
    access_attachment,
    access_institution,
    access_request,
    outreach_organization,
    query_code,
    visible_requests,
)
from ..forms import (
    AnswerForm,
    AttachmentForm,
    RequestFilterForm,
    RequestForm,
)
from ..models import LetterTemplate, Request
from ..tasks import schedule_followup_check
from ..uploads import in_memory
from .common import PAGE_SIZE, address_data, csv_response, download, xlsx_response


def _filtered_requests(request: HttpRequest) -> tuple[RequestFilterForm, QuerySet[Request]]:
    form = RequestFilterForm(request.GET or None)
    requests = visible_requests(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            requests = requests.filter(status=data["status"])
        if data["kind"]:
            requests = requests.filter(institution__kind=data["kind"])
        if data["country"]:
            requests = requests.filter(institution__country=data["country"].upper())
    case_code = query_code(request.user, request.GET, "case")
    institution_code = query_code(request.user, request.GET, "institution")
    if case_code:
        requests = requests.filter(case=access_case(request.user, case_code))
    if institution_code:
        requests = requests.filter(institution=access_institution(request.user, institution_code))
    return form, requests


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    outreach_organization(request.user)
    form, requests = _filtered_requests(request)
    page = Paginator(
        requests.select_related("institution", "contact", "case__person", "sent_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/request_list.html",
        {
            "form": form,
            "page": page,
            "subjects": services.subjects_of(list(page)),
            "query": query.urlencode(),
        },
    )


def _held_by_dual_control(
    request: HttpRequest, user: Any, organization: Any, fmt: str
) -> HttpResponse | None:
    """With dual control on (R18), a bulk export needs a second person's approval: without
    one, where to ask for it (tropa/retention); with one (``approval``), None."""
    query = request.GET.copy()
    approval = query.pop("approval", [None])[0]
    payload = {"fmt": fmt, "q": query.urlencode()}
    try:
        check_hold_gates(user, organization, "outreach.requests", payload, approval)
    except RevealLimitReached as held:
        messages.error(request, str(held))
        return redirect(getattr(held, "url", "") or "outreach:requests")
    return None


@require_GET
def request_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = staff_user(request)
    organization = outreach_organization(user)
    held = _held_by_dual_control(request, user, organization, fmt)
    if held is not None:
        return held
    _form, requests = _filtered_requests(request)
    # The identity goes out only to a user who may see it, who asks for it; each person
    # named is logged as revealed before the first byte. Everyone else gets it masked.
    reveal = request.GET.get("identity") == "1" and can(user, Cap.VIEW_IDENTITY)
    people = 0
    if reveal:
        try:
            # In its own transaction: a refusal past the hourly cap stays in the log.
            people = services.log_export_reveals(actor=user, requests=requests)
        except RevealLimitReached as refused:
            messages.error(request, str(refused))
            return redirect("outreach:requests")
    with transaction.atomic():
        services.export_logged(
            actor=user,
            organization=organization,
            what="requests",
            fmt=fmt,
            identity=reveal,
            people=people,
        )
    header = exports.request_header()
    rows = exports.request_rows(requests, reveal=reveal)
    if fmt == "csv":
        return csv_response(header, rows, "requests.csv")
    return xlsx_response([(_("Requests"), header, rows)], "requests.xlsx")


@in_memory(services.MAX_ATTACHMENT_BYTES)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organization = outreach_organization(user, Cap.WRITE_OUTREACH)
    data, initial = address_data(request)
    form = RequestForm(
        data,
        request.FILES or None if data else None,
        initial=initial,
        organization=organization,
        cases=visible_cases(user),
    )
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("attachment")
        attachment = upload.read() if upload is not None else None
        created: list[Request] = []
        if run_action(
            request,
            lambda: created.append(
                services.record_request(
                    actor=user, organization=organization, attachment=attachment, **data
                )
            ),
            _("Request recorded."),
        ):
            schedule_followup_check(created[0])
            return redirect(created[0].get_absolute_url())
    return render(request, "outreach/request_form.html", {"form": form})


@require_GET
def request_detail(request: HttpRequest, code: str) -> HttpResponse:
    outreach_request = access_request(request.user, code)
    letter = services.read_letter(actor=staff_user(request), request=outreach_request)
    return _request_page(request, outreach_request, letter)


@require_POST
def request_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """The letter as written, identity included: on purpose, audited, never cached."""
    outreach_request = access_request(request.user, code)
    try:
        letter = services.reveal_letter(actor=staff_user(request), request=outreach_request)
    except RevealLimitReached as refused:
        messages.error(request, str(refused))
        return redirect(outreach_request.get_absolute_url())
    return _request_page(request, outreach_request, letter, revealed=True)


def _request_page(
    request: HttpRequest, outreach_request: Request, letter: dict[str, Any], revealed: bool = False
) -> HttpResponse:
    changes = [
        (change, services.note_of(change))
        for change in outreach_request.changes.select_related("by")
    ]
    follow_up = LetterTemplate.objects.filter(
        organization=outreach_request.organization, name="Follow-up"
    ).first()
    return render(
        request,
        "outreach/request_detail.html",
        {
            "r": outreach_request,
            "letter": letter,
            "revealed": revealed,
            "changes": changes,
            "attachments": outreach_request.attachments.all(),
            "answer_form": AnswerForm(initial={"on": timezone.localdate()}),
            "attachment_form": AttachmentForm(),
            "follow_up_template": follow_up,
            "today": timezone.localdate(),
            "reminder_on": services.reminder_on(outreach_request),
        },
    )


@require_POST
def request_answer(request: HttpRequest, code: str) -> HttpResponse:
    outreach_request = access_request(request.user, code, write=True)
    form = AnswerForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.record_answer(
                actor=staff_user(request), request=outreach_request, **form.cleaned_data
            ),
            _("Answer recorded."),
        )
    else:
        form_errors(request, form)
    return redirect(outreach_request.get_absolute_url() + "#answers")


@in_memory(services.MAX_ATTACHMENT_BYTES)
@require_POST
def attachment_add(request: HttpRequest, code: str) -> HttpResponse:
    outreach_request = access_request(request.user, code, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data["file"].read()
        run_action(
            request,
            lambda: services.add_attachment(
                actor=staff_user(request), request=outreach_request, data=data
            ),
            _("File kept with the request."),
        )
    else:
        form_errors(request, form)
    return redirect(outreach_request.get_absolute_url() + "#attachments")


@require_GET
def attachment_download(request: HttpRequest, code: str) -> HttpResponse:
    attachment = access_attachment(request.user, code)
    data = services.read_attachment(actor=staff_user(request), attachment=attachment)
    return download(data, "application/octet-stream", f"attachment.{attachment.extension}")
