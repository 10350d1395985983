"""Importing a spreadsheet: upload, preview with corrections, import all rows or none."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from tropa.accounts.permissions import Cap, staff_user
from tropa.cases.access import access_case

from .. import importer, services
from ..access import (
    access_staging,
    outreach_organization,
    query_code,
)
from ..forms import (
    MappingForm,
    UploadForm,
)
from ..models import ImportStaging
from ..uploads import in_memory

ERRORS_SHOWN = 200


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
        mapping, chosen = _corrected(request, staging, table, mapping, chosen)
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
    return _preview_page(request, staging, table, form, problems, errors)


def _corrected(
    request: HttpRequest,
    staging: ImportStaging,
    table: importer.Table,
    mapping: list[str],
    chosen: dict[str, str],
) -> tuple[list[str], dict[str, str]]:
    """The mapping and answers as the user corrected them in the form, kept with the upload."""
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
    return mapping, chosen


def _preview_page(
    request: HttpRequest,
    staging: ImportStaging,
    table: importer.Table,
    form: MappingForm,
    problems: list[str],
    errors: list[importer.RowError],
) -> HttpResponse:
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
