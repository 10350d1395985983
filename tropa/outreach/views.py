"""Outreach views: parse, fetch through an access helper, call a service, render."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import chain
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases.access import access_case, visible_cases
from tropa.cases.services import RevealLimitReached
from tropa.core.views import form_errors, run_action

from . import exports, importer, letters, services, stats
from .access import (
    access_attachment,
    access_contact,
    access_institution,
    access_request,
    access_staging,
    access_template,
    outreach_organization,
    query_code,
    visible_requests,
)
from .forms import (
    AnswerForm,
    AttachmentForm,
    ComposeForm,
    ContactForm,
    DirectoryFilterForm,
    FollowupDaysForm,
    InstitutionForm,
    MappingForm,
    PeriodForm,
    RequestFilterForm,
    RequestForm,
    TemplateForm,
    UploadForm,
)
from .models import Institution, LetterTemplate, Request, Status
from .tasks import schedule_followup_check
from .uploads import in_memory

PAGE_SIZE = 50
ERRORS_SHOWN = 200
INSTITUTIONS_SHOWN = 30


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    # Never inline, and a generic name: the file name must not say whom the letter is about.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Dashboard -----------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organization = outreach_organization(user)
    # Only reads: the follow-up rule runs in the worker (``tasks.hourly_followups_task``).
    requests = visible_requests(user).select_related("institution", "case__person", "sent_by")
    due = requests.filter(status=Status.NO_ANSWER, followup_done_at__isnull=True)
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
    services.mark_followed_up(actor=request.user, request=outreach_request)
    messages.success(request, _("Marked as followed up."))
    if request.POST.get("back") == "request":
        return redirect(outreach_request.get_absolute_url())
    return redirect("outreach:index")


# Directory -----------------------------------------------------------------------------------


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
    page = Paginator(institutions.order_by("city", "name"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/directory.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_POST
def load_starter(request: HttpRequest) -> HttpResponse:
    organization = outreach_organization(request.user, Cap.WRITE_OUTREACH)
    made, templates = services.load_starter_set(actor=request.user, organization=organization)
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
            actor=request.user, organization=organization, **form.cleaned_data
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
            actor=request.user, institution=institution, **form.cleaned_data
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
        services.add_contact(actor=request.user, institution=institution, **form.cleaned_data)
        messages.success(request, _("Contact person added."))
    else:
        form_errors(request, form)
    return redirect(institution.get_absolute_url() + "#contacts")


@require_POST
def contact_remove(request: HttpRequest, code: str) -> HttpResponse:
    contact = access_contact(request.user, code)
    services.remove_contact(actor=request.user, contact=contact)
    messages.success(request, _("Contact person removed."))
    return redirect(contact.institution.get_absolute_url() + "#contacts")


# Requests ------------------------------------------------------------------------------------


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


@require_GET
def request_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = staff_user(request)
    organization = outreach_organization(user)
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
        response = StreamingHttpResponse(
            exports.csv_stream(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="requests.csv"'
    else:
        response = StreamingHttpResponse(
            exports.xlsx_stream([(_("Requests"), header, rows)]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="requests.xlsx"'
    return response


def _initial_address(request: HttpRequest) -> dict[str, Any]:
    """Institution and case picked on the page the user came from (``?case=…``)."""
    initial: dict[str, Any] = {"sent_on": timezone.localdate(), "channel": "email"}
    user = request.user
    codes = {
        name: query_code(user, request.GET, name) for name in ("case", "institution", "template")
    }
    if codes["case"]:
        initial["case"] = access_case(user, codes["case"]).code
    if codes["institution"]:
        initial["institution"] = access_institution(user, codes["institution"]).code
    if codes["template"]:
        initial["template"] = access_template(user, codes["template"]).code
    return initial


@in_memory(services.MAX_ATTACHMENT_BYTES)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organization = outreach_organization(user, Cap.WRITE_OUTREACH)
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        initial=_initial_address(request),
        organization=organization,
        cases=visible_cases(user),
    )
    if request.method == "POST" and form.is_valid():
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
    letter = services.read_letter(actor=request.user, request=outreach_request)
    return _request_page(request, outreach_request, letter)


@require_POST
def request_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """The letter as written, identity included: on purpose, audited, never cached."""
    outreach_request = access_request(request.user, code)
    try:
        letter = services.reveal_letter(actor=request.user, request=outreach_request)
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
                actor=request.user, request=outreach_request, **form.cleaned_data
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
                actor=request.user, request=outreach_request, data=data
            ),
            _("File kept with the request."),
        )
    else:
        form_errors(request, form)
    return redirect(outreach_request.get_absolute_url() + "#attachments")


@require_GET
def attachment_download(request: HttpRequest, code: str) -> HttpResponse:
    attachment = access_attachment(request.user, code)
    data = services.read_attachment(actor=request.user, attachment=attachment)
    return _download(data, "application/octet-stream", f"attachment.{attachment.extension}")


def _letter_for_download(request: HttpRequest, code: str) -> tuple[Request, dict[str, Any]]:
    """GET: the letter as every reader may see it; POST: as written, an audited reveal
    (past the hourly cap, RevealLimitReached)."""
    outreach_request = access_request(request.user, code)
    if request.method == "POST":
        return outreach_request, services.reveal_letter(
            actor=request.user, request=outreach_request
        )
    return outreach_request, services.read_letter(actor=request.user, request=outreach_request)


def _refused_download(request: HttpRequest, code: str, refused: RevealLimitReached) -> HttpResponse:
    messages.error(request, str(refused))
    return redirect(access_request(request.user, code).get_absolute_url())


@require_http_methods(["GET", "POST"])
def request_pdf(request: HttpRequest, code: str) -> HttpResponse:
    try:
        outreach_request, letter = _letter_for_download(request, code)
    except RevealLimitReached as refused:
        return _refused_download(request, code, refused)
    content = letters.pdf(
        subject=letter["subject"],
        body=letter["body"],
        language=outreach_request.language,
        institution=outreach_request.institution,
        sent_on=outreach_request.sent_on,
    )
    return _download(content, "application/pdf", "letter.pdf")


@require_http_methods(["GET", "POST"])
def request_text(request: HttpRequest, code: str) -> HttpResponse:
    try:
        _request, letter = _letter_for_download(request, code)
    except RevealLimitReached as refused:
        return _refused_download(request, code, refused)
    text = f"{letter['subject']}\n\n{letter['body']}\n"
    return _download(text.encode(), "text/plain; charset=utf-8", "letter.txt")


# Letters -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """Choose a template, an institution and a case; preview; record the letter as sent."""
    user = staff_user(request)
    organization = outreach_organization(user, Cap.WRITE_OUTREACH)
    may_use_identity = can(user, Cap.VIEW_IDENTITY)
    form = ComposeForm(
        request.POST or None,
        initial=_initial_address(request),
        organization=organization,
        cases=visible_cases(user),
        may_use_identity=may_use_identity,
    )
    context: dict[str, Any] = {"form": form, "placeholders": letters.PLACEHOLDERS}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter = letters.compose(
                actor=user,
                template=data["template"],
                institution=data["institution"],
                contact=data["contact"],
                case=data["case"],
                use_identity=bool(data.get("use_identity")),
            )
        except RevealLimitReached as refused:
            # The form stays as filled in; the letter is not composed.
            messages.error(request, str(refused))
            return render(request, "outreach/compose.html", context)
        context["letter"] = letter
        context["send_form"] = RequestForm(
            initial={
                "institution": data["institution"].code,
                "contact": data["contact"].code if data["contact"] else None,
                "case": data["case"].code if data["case"] else None,
                "channel": "email",
                "language": letter.language,
                "sent_on": timezone.localdate(),
                "subject": letter.subject,
                "body": letter.body,
            },
            organization=organization,
            cases=visible_cases(user),
        )
    return render(request, "outreach/compose.html", context)


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    organization = outreach_organization(request.user)
    return render(
        request,
        "outreach/template_list.html",
        {
            "templates": LetterTemplate.objects.filter(organization=organization),
            "placeholders": letters.PLACEHOLDERS,
        },
    )


@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    return _template_form(request, None)


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _template_form(request, access_template(request.user, code, write=True))


def _template_form(request: HttpRequest, template: LetterTemplate | None) -> HttpResponse:
    organization = outreach_organization(request.user, Cap.WRITE_OUTREACH)
    initial = (
        {f: getattr(template, f) for f in ("name", "language", "subject", "body")}
        if template
        else {}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_action(
            request,
            lambda: services.save_template(
                actor=request.user,
                organization=organization,
                template=template,
                **form.cleaned_data,
            ),
            _("Template saved."),
        )
        if saved:
            return redirect("outreach:templates")
    return render(
        request,
        "outreach/template_form.html",
        {"form": form, "template": template, "placeholders": letters.PLACEHOLDERS},
    )


# Follow-up periods ---------------------------------------------------------------------------


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


# Statistics ----------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PeriodForm, date | None, date | None]:
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["since"], form.cleaned_data["until"]
    return form, None, None


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    organization = outreach_organization(request.user)
    form, since, until = _period(request)
    numbers = stats.cached(organization, since, until)
    kind_bars, kind_height = stats.rate_bars(numbers.by_kind)
    country_bars, country_height = stats.rate_bars(numbers.by_country[:15])
    return render(
        request,
        "outreach/statistics.html",
        {
            "form": form,
            "query": request.GET.urlencode(),
            "numbers": numbers,
            "institutions": numbers.by_institution[:INSTITUTIONS_SHOWN],
            "kind_bars": kind_bars,
            "kind_height": kind_height,
            "country_bars": country_bars,
            "country_height": country_height,
            "columns": stats.month_columns(numbers.months),
            "segments": stats.outcome_segments(numbers.total),
            "chart_width": stats.CHART_WIDTH,
            "label_width": stats.LABEL_WIDTH,
            "track_width": stats.TRACK_WIDTH,
            "outcome_labels": [Status(s).label for s in stats.OUTCOMES],
        },
    )


@require_GET
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = staff_user(request)
    organization = outreach_organization(user)
    _form, since, until = _period(request)
    numbers = stats.cached(organization, since, until)
    services.export_logged(actor=user, organization=organization, what="statistics", fmt=fmt)
    columns = [
        _("Requests"),
        _("Answered"),
        _("No answer"),
        _("Waiting"),
        _("Answer rate, percent"),
        _("Median days to first answer"),
        *(str(label) for _v, label in Status.choices),
    ]
    tables = [
        (_("By type"), numbers.by_kind),
        (_("By country"), numbers.by_country),
        (_("By institution"), numbers.by_institution),
    ]
    months = [[m.month.strftime("%Y-%m"), m.sent, m.answered] for m in numbers.months]
    if fmt == "csv":
        rows = chain(
            ([title, *row] for title, groups in tables for row in stats.table_rows(groups)),
            ([_("By month"), *row] for row in months),
        )
        response = StreamingHttpResponse(
            exports.csv_stream([_("Grouping"), _("Name"), *columns], rows),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="outreach-statistics.csv"'
        return response
    sheets = [(title, [_("Name"), *columns], stats.table_rows(groups)) for title, groups in tables]
    sheets.append((_("By month"), [_("Month"), _("Requests"), _("Answered")], months))
    response = StreamingHttpResponse(
        exports.xlsx_stream(sheets),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="outreach-statistics.xlsx"'
    return response


# Import --------------------------------------------------------------------------------------


@in_memory(importer.MAX_BYTES)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organization = outreach_organization(user, Cap.WRITE_OUTREACH)
    case_code = query_code(user, request.GET, "case")
    case = access_case(user, case_code) if case_code else None
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            staging = services.stage_import(
                actor=user,
                organization=organization,
                data=form.cleaned_data["file"].read(),
                case=case,
            )
        except importer.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("outreach:import_preview", code=staging.code)
    return render(request, "outreach/import_upload.html", {"form": form, "case": case})


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, code: str) -> HttpResponse:
    """Show the file as read, let the user correct both mappings, then import all or nothing."""
    user = staff_user(request)
    staging = access_staging(user, code)
    if request.method == "POST" and request.POST.get("action") == "discard":
        services.discard_import(actor=user, staging=staging)
        messages.success(request, _("The upload was discarded."))
        return redirect("outreach:import_upload")
    table, mapping, chosen = services.staged(staging)
    if request.method == "POST":
        form = MappingForm(
            request.POST,
            header=table.header,
            mapping=mapping,
            answers=importer.distinct_answers(table, mapping),
            statuses=chosen,
        )
        if form.is_valid():
            mapping = form.mapping()
            chosen = {**chosen, **{k: v for k, v in form.statuses().items() if v}}
            services.update_staging(staging=staging, mapping=mapping, answers=chosen)
    keys = importer.distinct_answers(table, mapping)
    statuses = {k: chosen.get(k) or s for k, s in importer.suggested_answers(keys).items()}
    if request.method == "POST" and request.POST.get("action") == "import":
        summary = services.confirm_import(actor=user, staging=staging)
        if summary.ok:
            messages.success(request, _summary_message(summary))
            return redirect("outreach:requests")
        errors, problems = summary.errors, []
    else:
        problems = importer.mapping_problems(mapping)
        parsed = importer.parse_rows(table, mapping, statuses, timezone.localdate())
        errors = [] if problems else parsed.errors
    form = MappingForm(header=table.header, mapping=mapping, answers=keys, statuses=statuses)
    return render(
        request,
        "outreach/import_preview.html",
        {
            "staging": staging,
            "table": table,
            "sample": [cells for _line, cells in table.rows[:8]],
            "form": form,
            "problems": problems,
            "errors": errors[:ERRORS_SHOWN],
            "more_errors": max(len(errors) - ERRORS_SHOWN, 0),
            "error_count": len(errors),
        },
    )


def _summary_message(summary: services.ImportSummary) -> str:
    return ngettext(
        "Imported %(rows)d request; %(institutions)d new institutions.",
        "Imported %(rows)d requests; %(institutions)d new institutions.",
        summary.rows,
    ) % {"rows": summary.rows, "institutions": summary.institutions_created}
