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
    ImportProposal,
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
    """Show the file as read, let the user confirm every mapping, then import all or nothing."""
    user = staff_user(request)
    staging = access_staging(user, code)
    if request.method == "POST" and request.POST.get("action") == "discard":
        services.discard_import(actor=user, staging=staging)
        messages.success(request, _("The upload was discarded."))
        return redirect("outreach:import_upload")
    table, mapping, choices = services.staged(staging)
    if request.method == "POST":
        mapping, choices = _corrected(request, staging, table, mapping, choices)
    proposal = _proposal(staging, table, mapping, choices)
    already: list[int] = []
    if request.method == "POST" and request.POST.get("action") == "import":
        summary = services.confirm_import(actor=user, staging=staging)
        if summary.ok:
            messages.success(request, _summary_message(summary))
            return redirect("outreach:requests")
        errors, problems = summary.errors, []
    else:
        problems = importer.mapping_problems(mapping)
        parsed = importer.parse_rows(
            table, mapping, proposal.statuses, timezone.localdate(), proposal.channels
        )
        errors = [] if problems else parsed.errors
        already = services.lines_already_imported(staging.organization, parsed)
    form = MappingForm(header=table.header, mapping=mapping, proposal=proposal)
    return _preview_page(request, staging, table, form, problems, errors, already)


def _proposal(
    staging: ImportStaging,
    table: importer.Table,
    mapping: list[str],
    choices: services.ImportChoices,
) -> ImportProposal:
    """The user's choices so far, and Tropa's guesses for everything not chosen yet."""
    answer_keys = importer.distinct_answers(table, mapping)
    channel_keys = importer.distinct_channels(table, mapping)
    names = importer.distinct_institutions(table, mapping)
    proposed, directory = services.propose_institutions(staging.organization, names)
    chosen_channels, chosen_institutions = choices.channels or {}, choices.institutions or {}
    return ImportProposal(
        answer_keys=answer_keys,
        statuses={
            k: choices.answers.get(k) or s
            for k, s in importer.suggested_answers(answer_keys).items()
        },
        channel_keys=channel_keys,
        channels={
            k: chosen_channels.get(k) or s
            for k, s in importer.suggested_channels(channel_keys).items()
        },
        institutions=names,
        matches={n.key: chosen_institutions.get(n.key) or proposed[n.key] for n in names},
        proposed=proposed,
        directory=directory,
        follow_up=choices.follow_up,
    )


def _corrected(
    request: HttpRequest,
    staging: ImportStaging,
    table: importer.Table,
    mapping: list[str],
    choices: services.ImportChoices,
) -> tuple[list[str], services.ImportChoices]:
    """The mapping and choices as the user confirmed them in the form, kept with the upload."""
    proposal = _proposal(staging, table, mapping, choices)
    form = MappingForm(request.POST, header=table.header, mapping=mapping, proposal=proposal)
    if form.is_valid():
        mapping = form.mapping()
        choices = services.ImportChoices(
            answers={**choices.answers, **{k: v for k, v in form.statuses().items() if v}},
            channels={
                **(choices.channels or {}),
                **{k: v for k, v in form.channels().items() if v},
            },
            institutions={**(choices.institutions or {}), **form.institutions()},
            follow_up=bool(form.cleaned_data.get("follow_up")),
        )
        services.update_staging(staging=staging, mapping=mapping, choices=choices)
    return mapping, choices


def _preview_page(
    request: HttpRequest,
    staging: ImportStaging,
    table: importer.Table,
    form: MappingForm,
    problems: list[str],
    errors: list[importer.RowError],
    already: list[int],
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
            "error_count": len({e.line for e in errors}),
            "already": already[:ERRORS_SHOWN],
            "already_count": len(already),
        },
    )


def _summary_message(summary: services.ImportSummary) -> str:
    message = ngettext(
        "Imported %(rows)d request; %(institutions)d new institutions.",
        "Imported %(rows)d requests; %(institutions)d new institutions.",
        summary.rows,
    ) % {"rows": summary.rows, "institutions": summary.institutions_created}
    if summary.already:
        message += " " + ngettext(
            "%(n)d row was already imported and was left out (line %(lines)s).",
            "%(n)d rows were already imported and were left out (lines %(lines)s).",
            len(summary.already),
        ) % {"n": len(summary.already), "lines": _lines(summary.already)}
    return message


def _lines(lines: list[int], shown: int = 20) -> str:
    text = ", ".join(str(n) for n in lines[:shown])
    return text + (" …" if len(lines) > shown else "")
