"""Evidence views: parse, fetch through an access helper, call a service, render.

Files always leave as attachments and ``application/octet-stream``, so that no browser
renders them (R16), named after their original name with the extension detected from the
content (``naming.download_name``; the item code where the name gives nothing usable).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.models import User
from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, staff_view
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.access import access_case, visible_cases
from tropa.cases.models import Case
from tropa.core.views import run_action

from . import services, tools, vault
from .access import (
    access_export,
    access_item,
    access_upload,
    access_upload_to_discard,
    export_rights,
)
from .forms import CollectionForm, DeleteRequestForm, ExportForm, StartUploadForm
from .models import DerivedKind, EvidenceItem, UploadSession
from .naming import content_disposition, download_name
from .records import read_summary

_RANGE = re.compile(r"^bytes (\d{1,15})-(\d{1,15})/(\d{1,15})$")


def _attachment(
    blocks: Iterator[bytes], name: str, size: int | None, *, fallback: str | None = None
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(blocks, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition(name, fallback or name)
    if size is not None:
        response["Content-Length"] = str(size)
    return response


def _error(message: str, status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


# Uploads ------------------------------------------------------------------------------------


def _open_uploads(user: User, case: Case) -> list[dict[str, Any]]:
    """The user's unfinished uploads for this case, for the page's script to resume."""
    sessions = UploadSession.objects.filter(
        organization=case.organization_id, case=case, created_by=user, item__isnull=True
    )
    rows = []
    for session in sessions:
        record = services.read_record(session)
        rows.append(
            {
                "code": str(session.code),
                "size": session.size,
                "received": session.received,
                "name": record.get("original_name", ""),
                "modified": record.get("extra", {}).get("modified_ms"),
                "received_human": services.human_size(session.received),
                "size_human": services.human_size(session.size),
                "discard": reverse("evidence:upload_discard", args=[session.code]),
                **_session_urls(session),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@staff_view
def upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """GET: the upload page. POST: start one file's upload session (JSON)."""
    user = request.user
    case = access_case(user, code, cap=Cap.ADD_EVIDENCE)
    if request.method == "GET":
        context = {
            "case": case,
            "form": CollectionForm(),
            "open_uploads": _open_uploads(user, case),
            "others_uploads": _others_uploads(user, case),
            "chunk_size": 8 * 1024 * 1024,
            "missing_tools": tools.missing(),
            "space": services.space_summary(case.organization),
        }
        return render(request, "evidence/upload.html", context)
    form = StartUploadForm(request.POST)
    if not form.is_valid():
        return _error(" ".join(str(e) for errors in form.errors.values() for e in errors))
    record = _browser_record(form.cleaned_data, user.get_username())
    try:
        session = services.start_upload(
            actor=user, case=case, size=form.cleaned_data["size"], record=record
        )
    except services.EvidenceError as exc:
        return _error(str(exc))
    return JsonResponse({"upload": _session_urls(session), "offset": 0})


def _others_uploads(user: User, case: Case) -> list[dict[str, Any]]:
    """The unfinished uploads others left on the case, for a coordinator to discard."""
    return [
        {
            "by": session.created_by.get_username(),
            "started": session.created_at,
            "received_human": services.human_size(session.received),
            "size_human": services.human_size(session.size),
            "discard": reverse("evidence:upload_discard", args=[session.code]),
        }
        for session in services.others_open_uploads(actor=user, case=case)
    ]


def _browser_record(data: dict[str, Any], username: str) -> services.CollectionRecord:
    modified = data.get("modified")
    return services.CollectionRecord(
        method=data["method"],
        received_at=data["received_at"],
        source=data["source"],
        original_name=data["name"],
        file_modified=(
            datetime.fromtimestamp(modified / 1000, UTC).isoformat(timespec="seconds")
            if modified
            else ""
        ),
        taken_on=data["taken_on"].isoformat() if data["taken_on"] else "",
        note=data["note"],
        tool="browser upload",
        received_by=username,
        extra={"modified_ms": modified},
    )


def _session_urls(session: UploadSession) -> dict[str, Any]:
    return {
        "chunk": reverse("evidence:upload_chunk", args=[session.code]),
        "finish": reverse("evidence:upload_finish", args=[session.code]),
    }


@require_http_methods(["GET", "POST"])
@staff_view
def upload_chunk(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """GET: where to resume. POST: one chunk, its place given by ``Content-Range``."""
    session = access_upload(request.user, code)
    if request.method == "GET":
        status: dict[str, Any] = {"offset": session.received, "size": session.size}
        if session.item is not None:
            # Finished, perhaps after the client (or a proxy) gave up waiting for it.
            status.update(
                item=session.item.get_absolute_url(),
                sha256=session.item.sha256,
                space=_space_line(session.case),
            )
        return JsonResponse(status)
    match = _RANGE.match(request.headers.get("Content-Range", ""))
    length = int(request.headers.get("Content-Length") or 0)
    if match is None:
        return _error(_("A chunk needs a Content-Range header."))
    start, end, total = (int(g) for g in match.groups())
    if total != session.size or end - start + 1 != length:
        return _error(_("The chunk does not fit the announced file size."))
    try:
        offset = services.receive_chunk(
            actor=request.user, session=session, offset=start, length=length, read=request.read
        )
    except services.EvidenceError as exc:
        return _error(str(exc), status=409, offset=session.received)
    return JsonResponse({"offset": offset, "size": session.size})


@require_POST
@staff_view
def upload_discard(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    session = access_upload_to_discard(user, code)
    run_action(
        request,
        lambda: services.discard_upload(actor=user, session=session),
        _("The unfinished upload was discarded."),
    )
    return redirect(reverse("evidence:upload", args=[session.case.code]))


@require_POST
@staff_view
def upload_finish(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    session = access_upload(user, code)
    try:
        item = services.finish_upload(actor=user, session=session)
    except services.EvidenceError as exc:
        return _error(str(exc), status=409, offset=session.received)
    # The same bytes already stored are pointed out, never refused (E16).
    same = _duplicates(user, item).order_by("created_at").first()
    return JsonResponse(
        {
            "item": item.get_absolute_url(),
            "code": str(item.code),
            "sha256": item.sha256,
            "duplicate_of": same.get_absolute_url() if same else None,
            "space": _space_line(session.case),
        }
    )


def _space_line(case: Case) -> str:
    return _("Your organization's evidence: %(used)s of %(quota)s used, %(free)s free.") % (
        services.space_summary(case.organization)
    )


# Items --------------------------------------------------------------------------------------


@require_GET
@staff_view
def item_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    item = access_item(user, code)
    services.log_item_viewed(actor=user, item=item)
    return render(request, "evidence/item_detail.html", _item_context(user, item))


def _item_context(user: User, item: EvidenceItem) -> dict[str, Any]:
    record = services.read_record(item)
    metadata = services.read_metadata(item)
    normalized = metadata.get("normalized") or {}
    derived = list(item.derived.all())
    return {
        "item": item,
        "case": item.case,
        "record": record,
        "file_time": _parsed(record.get("file_modified"), datetime.fromisoformat),
        "taken_on": _parsed(record.get("taken_on"), date.fromisoformat),
        "strippable": services.is_strippable(item),
        "metadata": metadata,
        "normalized": normalized,
        "raw": json.dumps(
            {k: metadata.get(k) for k in ("exiftool", "ffprobe")}, indent=1, ensure_ascii=False
        ),
        "conflicts": [
            _worded(c)
            for c in tools.conflicts(normalized, received_at=item.received_at, stated=record)
        ],
        "captured": _parsed(normalized.get("captured_at"), datetime.fromisoformat),
        "title": record.get("original_name") or "",
        "derived": derived,
        "stripped": next((d for d in derived if d.kind == DerivedKind.STRIPPED), None),
        "copy_pending": item.stripped_pending and not item.processing_failed_at,
        "poster_pending": item.poster_pending and not item.processing_failed_at,
        "thumbnail": services.thumbnail_data_uri(item),
        "custody": item.custody.order_by("seq"),
        "missing_tools": item.missing_tools,
        # Exact duplicates are shown for review, never rejected (E16).
        "duplicates": _duplicates(user, item).select_related("case__person"),
        "delete_form": DeleteRequestForm(),
        "deletion_requests": services.deletion_requests(item),
    }


def _duplicates(user: User, item: EvidenceItem) -> Any:
    """Other items with the same bytes, in cases the user can see."""
    return EvidenceItem.objects.filter(
        organization=item.organization_id, sha256=item.sha256, case__in=visible_cases(user)
    ).exclude(pk=item.pk)


def _worded(conflict: dict[str, str]) -> dict[str, str]:
    """A conflict's two times in the user's zone and format (a stated date as a date)."""
    return {**conflict, "file": _shown(conflict["file"]), "stated": _shown(conflict["stated"])}


def _shown(value: str) -> str:
    if len(value) == 10:
        day = _parsed(value, date.fromisoformat)
        return formats.date_format(day, "DATE_FORMAT") if day else value
    moment = _parsed(value, datetime.fromisoformat)
    if moment is None:
        return value
    moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return formats.date_format(moment, "DATETIME_FORMAT")


def _parsed(value: Any, parse: Any) -> Any:
    """A stored ISO date or time for the template's localized formats, or None."""
    try:
        return parse(value) if value else None
    except (TypeError, ValueError):
        return None


def _key_erased(request: HttpRequest, item: EvidenceItem) -> HttpResponseBase:
    messages.error(
        request, _("This file can no longer be read: the case's encryption key was destroyed.")
    )
    return redirect(item.get_absolute_url())


@require_POST
@staff_view
def download(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    item = access_item(request.user, code)
    try:
        blocks = services.download(actor=request.user, item=item)
    except vault.KeyErased:
        return _key_erased(request, item)
    name = download_name(_original_name(item), item.extension, str(item.code))
    return _attachment(blocks, name, item.size, fallback=item.generic_name)


@require_POST
@staff_view
def download_stripped(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    item = access_item(request.user, code)
    stripped = item.derived.filter(kind=DerivedKind.STRIPPED).first()
    if stripped is None:
        messages.error(request, _("There is no copy without metadata for this item."))
        return redirect(item.get_absolute_url())
    try:
        blocks = services.download(actor=request.user, item=item, derived=stripped)
    except vault.KeyErased:
        return _key_erased(request, item)
    name = download_name(_original_name(item), item.extension, str(item.code), suffix="-stripped")
    return _attachment(
        blocks, name, stripped.size, fallback=f"{item.code}-stripped.{item.extension}"
    )


def _original_name(item: EvidenceItem) -> str:
    return str(read_summary(item)["name"])


@require_POST
@staff_view
def verify(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    item = access_item(request.user, code)
    result = services.verify_item(actor=request.user, item=item)
    if result.ok:
        messages.success(request, _("Verified: the stored file matches its SHA-256."))
    else:
        messages.error(
            request,
            _("Verification FAILED: %(problems)s") % {"problems": "; ".join(result.problems)},
        )
    return redirect(item.get_absolute_url())


@require_POST
@staff_view
def retry_processing(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    item = access_item(user, code, cap=Cap.ADD_EVIDENCE)
    run_action(
        request,
        lambda: services.retry_processing(actor=user, item=item),
        _("The metadata and copies of this item are being made again."),
    )
    return redirect(item.get_absolute_url())


@require_POST
@staff_view
def delete_request(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    item = access_item(user, code, cap=Cap.ADD_EVIDENCE)
    form = DeleteRequestForm(request.POST)

    def request_deletion() -> None:
        if not form.is_valid():
            raise services.EvidenceError(_("Say why the item should be deleted."))
        services.request_deletion(actor=user, item=item, reason=form.cleaned_data["reason"])

    run_action(
        request, request_deletion, _("Deletion requested. It is recorded in the custody log.")
    )
    return redirect(item.get_absolute_url())


# Exports ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def export_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    case = access_case(user, code, cap=Cap.VIEW_EVIDENCE)
    case_items = EvidenceItem.objects.filter(organization=case.organization_id, case=case)
    items = services.summarize(case_items.prefetch_related("derived").order_by("-created_at"))
    log_action(user, Action.EVIDENCE_EXPORT_FORM_VIEWED, case, items=len(items))
    stripped = {
        str(s.item.code)
        for s in items
        if any(d.kind == DerivedKind.STRIPPED for d in s.item.derived.all())
    }
    form = ExportForm(request.POST or None, items=items, stripped=stripped)
    made: list[Any] = []

    def request_export() -> None:
        recipient = form.cleaned_data["recipient"]
        made.append(
            services.request_export(
                actor=user, case=case, selection=form.selection(), recipient=recipient
            )
        )

    done = _("Export requested. A second person must approve it.")
    if request.method == "POST" and form.is_valid() and run_action(request, request_export, done):
        return redirect(made[0].get_absolute_url())
    return render(request, "evidence/export_new.html", {"case": case, "form": form})


@require_GET
@staff_view
def export_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    export = access_export(user, code)
    chosen = services.summarize(
        EvidenceItem.objects.filter(
            organization=export.organization_id,
            case=export.case,
            code__in=list(export.selection),
        ).order_by("-created_at")
    )
    log_action(user, Action.EVIDENCE_EXPORT_VIEWED, export.case, export=str(export.code))
    rights = export_rights(user, export)  # the services apply the same rules on POST
    context = {
        "export": export,
        "chosen": [(summary, export.selection[str(summary.item.code)]) for summary in chosen],
        "case": export.case,
        "expired": export.expires_at < timezone.now(),
        "may_decide": rights.decide,
        "may_download": rights.download,
        "may_retry": rights.retry,
        "items": len(export.selection),
    }
    return render(request, "evidence/export_detail.html", context)


@require_POST
@staff_view
def export_decide(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    export = access_export(user, code)
    approve = request.POST.get("decision") == "approve"
    run_action(
        request,
        lambda: services.decide_export(actor=user, export=export, approve=approve),
        _("Export approved. The bundle is being built.") if approve else _("Export refused."),
    )
    return redirect(export.get_absolute_url())


@require_POST
@staff_view
def export_retry(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    export = access_export(user, code)
    run_action(
        request,
        lambda: services.retry_export(actor=user, export=export),
        _("The bundle is being built again."),
    )
    return redirect(export.get_absolute_url())


@require_POST
@staff_view
def export_download(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    export = access_export(request.user, code)
    try:
        blocks = services.download_export(actor=request.user, export=export)
    except services.EvidenceError as exc:
        messages.error(request, str(exc))
        return redirect(export.get_absolute_url())
    extension = "tar.age" if export.recipient else "tar"
    return _attachment(blocks, f"bundle-{export.case.code}.{extension}", export.size)
