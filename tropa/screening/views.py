"""Screening views: parse, fetch through an access helper, call a service, render."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases import services as cases
from tropa.cases.access import access_case
from tropa.core.views import form_errors, run_action

from . import services, uploads
from .access import (
    LIST_CAPS,
    LIST_NAMES_CAP,
    MANAGE_CAPS,
    READ_CAPS,
    access_duplicate,
    access_hit,
    access_import,
    access_own_list,
    access_version,
    access_watchlist,
    may_manage_lists,
    require,
)
from .explain import entry_facts, masked, readable
from .forms import DecisionForm, DuplicateDecisionForm, HitDecisionForm, ListUploadForm
from .models import (
    ChangeKind,
    DuplicateCandidate,
    DuplicateStatus,
    HitStatus,
    ImportState,
    ListImport,
    ListVersion,
    ReviewableDecision,
    RunState,
    ScreeningHit,
)


def _decide(
    request: HttpRequest,
    obj: ReviewableDecision,
    form: DecisionForm,
    decide: Callable[[str, str], object],
    success: dict[str, str],
    done: str,
) -> HttpResponse:
    """The decision button of a hit or a pair: the form, one service call, its message.

    ``decide(choice, reason)`` calls the service; ``success`` is the message per choice.
    """
    if not form.is_valid():
        form_errors(request, form)
        return redirect(obj.get_absolute_url())
    choice, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    if run_action(request, lambda: decide(choice, reason), success[choice]):
        return redirect(done)
    return redirect(obj.get_absolute_url())


# Lists -------------------------------------------------------------------------------------


@require_GET
def lists(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, *LIST_CAPS)
    watchlists = services.visible_lists(user.organization).order_by("organization", "name")
    versions = ListVersion.objects.filter(watchlist__in=watchlists).order_by("number")
    latest = {v.watchlist_id: v for v in versions}
    rows = [(w, latest.get(w.pk)) for w in watchlists]
    organization = user.organization if may_manage_lists(user) else None
    context = {
        "rows": rows,
        "form": ListUploadForm() if organization else None,
        "imports": services.recent_imports(organization) if organization else [],
        "max_bytes": uploads.max_bytes(),
    }
    return render(request, "screening/lists.html", context)


@csrf_exempt  # checked below, once the upload handler is in place (Django's documented way)
@require_POST
def list_upload(request: HttpRequest) -> HttpResponse:
    """A plain form post: the file is streamed to disk encrypted, then imported in the worker."""
    user = staff_user(request)
    require(user, *MANAGE_CAPS)
    if user.organization is None:
        raise PermissionDenied
    row = services.new_import(actor=user, organization=user.organization)
    handler = uploads.SealedListUpload(request, row)
    request.upload_handlers = [handler]
    return _receive_list(request, row, handler)


@csrf_protect
def _receive_list(
    request: HttpRequest, row: ListImport, handler: uploads.SealedListUpload
) -> HttpResponse:
    form = ListUploadForm(request.POST, request.FILES)
    if handler.too_big:
        uploads.discard(row)
        limit = uploads.max_bytes() // (1024 * 1024)
        messages.error(request, _("The file is larger than %(mb)d MB.") % {"mb": limit})
        return redirect("screening:lists")
    if not form.is_valid():
        uploads.discard(row)
        form_errors(request, form)
        return redirect("screening:lists")
    user = staff_user(request)
    name = form.cleaned_data["name"]
    if not run_action(
        request,
        lambda: services.queue_import(actor=user, row=row, name=name),
        _("The file was received; it is being imported."),
    ):
        return redirect("screening:lists")
    return redirect(row.get_absolute_url())


@require_GET
def import_detail(request: HttpRequest, code: str) -> HttpResponse:
    row = access_import(request.user, code)
    context = {
        "row": row,
        "progress": services.read_progress(row) if row.state == ImportState.IMPORTING else None,
        "error": services.read_error(row) if row.state == ImportState.FAILED else {},
    }
    return render(request, "screening/import.html", context)


@require_GET
def list_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    watchlist = access_watchlist(user, code)
    versions = watchlist.versions.select_related("imported_by")
    manage = not watchlist.is_published and may_manage_lists(user)
    context = {
        "watchlist": watchlist,
        "versions": versions,
        "form": ListUploadForm(initial={"name": watchlist.name}) if manage else None,
        "may_delete": manage,
    }
    return render(request, "screening/list_detail.html", context)


@require_GET
def version_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    version = access_version(user, code)
    changes = services.version_changes(
        actor=user,
        version=version,
        kind=request.GET.get("kind", ChangeKind.ADDED),
        page=request.GET.get("page", 1),
        names=can(user, LIST_NAMES_CAP),
    )
    context = {"version": version, "changes": changes, "kinds": ChangeKind.choices}
    return render(request, "screening/version.html", context)


@require_http_methods(["GET", "POST"])
def list_delete(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what deleting does, and the button. POST: delete."""
    user = staff_user(request)
    watchlist = access_own_list(user, code)
    if request.method == "GET":
        return render(request, "screening/list_delete.html", {"watchlist": watchlist})
    if run_action(
        request,
        lambda: services.delete_list(actor=user, watchlist=watchlist),
        _("The list was deleted. Its pending hits were dismissed; decided hits are kept."),
    ):
        return redirect("screening:lists")
    return redirect(watchlist.get_absolute_url())


# Screening a case and reviewing hits -------------------------------------------------------


@require_POST
def screen_case(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    case = access_case(user, code, cap=Cap.SCREEN)
    run = services.screen_case(actor=user, case=case)
    if not run.screened:
        messages.error(request, _("No identity recorded: there are no names to screen."))
    elif not run.lists:
        messages.error(request, _("No watchlists have been imported yet."))
    else:
        messages.success(
            request,
            _("Screened against %(lists)d list(s): %(hits)d hit(s).")
            % {"lists": run.lists, "hits": run.found},
        )
    return redirect(f"{case.get_absolute_url()}#screening")


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, Cap.REVIEW_SCREENING)
    page = services.pending_hits(user.organization, request.GET.get("page", 1))
    return render(request, "screening/queue.html", {"page": page})


def _hit_page(request: HttpRequest, hit: ScreeningHit, *, revealed: bool) -> HttpResponse:
    """The hit page. Without ``revealed`` it shows what matched and how, but no names."""
    user = staff_user(request)
    row = services.read_hit(actor=user, hit=hit)
    explanation = readable(row.facts.explanation)
    may_decide = hit.status == HitStatus.PENDING and can(user, Cap.REVIEW_SCREENING)
    entry = row.facts.entry if revealed else None
    context = {
        "hit": hit,
        "row": row,
        "revealed": revealed,
        "may_reveal": can(user, Cap.VIEW_IDENTITY),
        "explanation": explanation if revealed else masked(explanation),
        "entry": entry,
        "entry_facts": entry_facts(entry) if entry else [],
        "caption": services.entry_caption(entry) if entry else "",
        "reason": services.read_reason(hit) if hit.sealed_reason else "",
        "form": HitDecisionForm() if may_decide else None,
    }
    return render(request, "screening/hit.html", context)


@require_GET
def hit_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _hit_page(request, access_hit(request.user, code), revealed=False)


@require_POST
def hit_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """The names of a hit are identity: shown after the case page's audited reveal only."""
    hit = access_hit(request.user, code)
    case = access_case(request.user, hit.case.code, cap=Cap.VIEW_IDENTITY)
    try:
        cases.reveal_identity(
            actor=staff_user(request), person=case.person, purpose="screening_hit"
        )
    except cases.RevealLimitReached as refused:
        messages.error(request, str(refused))
        return redirect(hit.get_absolute_url())
    return _hit_page(request, hit, revealed=True)


@require_POST
def hit_decide(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    hit = access_hit(user, code, decide=True)
    success = {
        "confirm": _("Hit confirmed; the case's risk is now critical."),
        "dismiss": _("Hit dismissed."),
    }

    def decide(choice: str, reason: str) -> None:
        services.decide_hit(actor=user, hit=hit, confirm=choice == "confirm", reason=reason)

    return _decide(request, hit, HitDecisionForm(request.POST), decide, success, "screening:queue")


# Duplicates --------------------------------------------------------------------------------


@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, *READ_CAPS)
    candidates = services.open_duplicates(user.organization)
    context = {
        "open": [c for c in candidates if c.status == DuplicateStatus.OPEN],
        "decided": [c for c in candidates if c.status != DuplicateStatus.OPEN],
        "last_run": services.last_duplicate_run(user.organization),
        "active_run": services.active_duplicate_run(user.organization)
        if user.organization
        else None,
        "may_run": can(user, Cap.SCREEN),
    }
    return render(request, "screening/duplicates.html", context)


@require_POST
def duplicates_run(request: HttpRequest) -> HttpResponse:
    """Queue the search (a background task): the duplicates page shows its progress."""
    user = staff_user(request)
    require(user, Cap.SCREEN)
    if user.organization is None:
        raise PermissionDenied
    run = services.start_duplicate_search(actor=user, organization=user.organization)
    run.refresh_from_db()
    if run.state == RunState.DONE:  # a backend that runs tasks at once
        count = run.candidates
        messages.success(request, _("%(count)d possible duplicate(s) found.") % {"count": count})
    else:
        messages.success(request, _("The search for duplicates is running."))
    return redirect("screening:duplicates")


def _duplicate_page(
    request: HttpRequest, candidate: DuplicateCandidate, *, revealed: bool
) -> HttpResponse:
    """The pair's page. Both sides of the explanation are identity: masked unless revealed."""
    user = staff_user(request)
    raw = services.read_duplicate(actor=user, candidate=candidate)
    # The explanation's "query" side is whichever person the engine started from.
    query_is_a = raw.get("query_person") == str(candidate.person_a_id)
    may_decide = candidate.status == DuplicateStatus.OPEN and can(user, Cap.REVIEW_SCREENING)
    explanation = readable(raw, duplicate=True)
    context = {
        "candidate": candidate,
        "revealed": revealed,
        "may_reveal": can(user, Cap.VIEW_IDENTITY),
        "explanation": explanation if revealed else masked(explanation),
        "first": candidate.person_a if query_is_a else candidate.person_b,
        "second": candidate.person_b if query_is_a else candidate.person_a,
        "cases_first": (candidate.person_a if query_is_a else candidate.person_b).cases.all(),
        "cases_second": (candidate.person_b if query_is_a else candidate.person_a).cases.all(),
        "reason": services.read_reason(candidate) if candidate.sealed_reason else "",
        "form": DuplicateDecisionForm() if may_decide else None,
    }
    return render(request, "screening/duplicate.html", context)


@require_GET
def duplicate_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _duplicate_page(request, access_duplicate(request.user, code), revealed=False)


@require_POST
def duplicate_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """Both men's names, after the case page's audited reveal of each identity."""
    candidate = access_duplicate(request.user, code)
    require(request.user, Cap.VIEW_IDENTITY)
    try:
        for person in (candidate.person_a, candidate.person_b):
            cases.reveal_identity(
                actor=staff_user(request), person=person, purpose="duplicate_view"
            )
    except cases.RevealLimitReached as refused:
        messages.error(request, str(refused))
        return redirect(candidate.get_absolute_url())
    return _duplicate_page(request, candidate, revealed=True)


@require_POST
def duplicate_decide(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    candidate = access_duplicate(user, code, decide=True)
    success = {
        "same": _("Recorded as the same person. Nothing was merged."),
        "different": _("Recorded as different people."),
    }

    def decide(choice: str, reason: str) -> None:
        services.decide_duplicate(
            actor=user, candidate=candidate, same=choice == "same", reason=reason
        )

    form = DuplicateDecisionForm(request.POST)
    return _decide(request, candidate, form, decide, success, "screening:duplicates")
