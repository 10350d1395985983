"""The person's pages: no account, no cookie, no JavaScript, nothing else of Tropa.

State between pages is a signed form token in a hidden field (``services.form_token``);
coming back later needs the codename. The pages set no cookie at all: every POST carries a
signed, time-limited token issued by the page before it (that is the CSRF defence: with no
cookie there is no ambient credential to ride on), and a POST without one is a 403. Used,
expired, revoked and unknown links all get the same 404 page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import definitions, services
from ..models import IntakeSettings, Invitation, Status, Submission

_START_SALT = "tropa.intake.start"
_RETURN_SALT = "tropa.intake.return"
_DAY = 24 * 3600


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    status: int = 200,
) -> HttpResponse:
    with translation.override(language if language in definitions.LANGUAGES else "ru"):
        response = render(request, f"intake/public/{template}", context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _look(link: IntakeSettings | None) -> dict[str, str]:
    return {"title": link.neutral_title, "intro": link.neutral_intro} if link else {}


def _gone(request: HttpRequest) -> HttpResponse:
    return _render(request, "gone.html", {}, language="ru", status=404)


def _refused(request: HttpRequest) -> HttpResponse:
    return _render(request, "gone.html", {}, language="ru", status=403)


def _landing(
    request: HttpRequest, link: IntakeSettings, start: dict[str, str], language: str
) -> HttpResponse:
    context = {
        "look": _look(link),
        "start_token": signing.dumps(start, salt=_START_SALT),
        "public": start["k"] == "p",
        "languages": [("ru", "Русский"), ("uk", "Українська"), ("en", "English")],
    }
    return _render(request, "landing.html", context, language=language)


@require_GET
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = services.usable_invitation(token)
    if found is None:
        return _gone(request)
    link = services.intake_settings(found.organization)
    return _landing(request, link, {"k": "i", "id": str(found.code)}, found.language)


@require_GET
def public_link(request: HttpRequest, slug: str) -> HttpResponse:
    link = services.open_public_link(slug)
    if link is None:
        return _gone(request)
    start = {"k": "p", "id": link.public_slug}
    return _landing(request, link, start, link.public_language)


def _start(data: dict[str, str], language: str) -> services.Started | str:
    if data.get("k") == "i":
        found = Invitation.objects.unscoped().filter(code=data.get("id")).first()
        if found is None or services.usable_invitation_row(found) is None:
            return "gone"
        return services.start_from_invitation(invitation=found)
    link = services.open_public_link(str(data.get("id", "")))
    if link is None:
        return "gone"
    started = services.start_from_public_link(
        link=link, language=language, budget=settings.TROPA_INTAKE_PUBLIC_PER_MINUTE
    )
    return "busy" if started is None else started


@csrf_exempt
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("start", ""), salt=_START_SALT, max_age=_DAY)
    except signing.BadSignature:
        return _refused(request)
    try:
        started = _start(data, request.POST.get("language", ""))
    except services.IntakeError:
        started = "gone"
    if started == "busy":
        return _render(request, "busy.html", {}, language="ru", status=429)
    if isinstance(started, str):
        return _gone(request)
    submission = started.submission
    context = {**_person(submission), "codename": started.codename}
    return _render(request, "codename.html", context, language=submission.language)


def _person(submission: Submission) -> dict[str, Any]:
    look: dict[str, str] | None = getattr(submission, "_look", None)
    if look is None:  # once per request, however many pages it renders
        look = _look(services.intake_settings(submission.organization))
        submission._look = look  # type: ignore[attr-defined]  # a per-request memo
    return {
        "look": look,
        "form_token": services.form_token(submission),
        "submission": submission,
    }


def _page(
    request: HttpRequest,
    submission: Submission,
    number: int,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> HttpResponse:
    answers = services.read_answers(submission)
    pages = definitions.pages(services.definition_of(submission), answers)
    if number >= len(pages):
        context = {**_person(submission), "number": len(pages), "total": len(pages)}
        return _render(request, "send.html", context, language=submission.language)
    values = {**answers, **(typed or {})}
    questions = [
        {**q, "value": values.get(q["id"], ""), "error": (errors or {}).get(q["id"], "")}
        for q in pages[number]["questions"]
    ]
    context = {
        **_person(submission),
        "section": pages[number],
        "questions": questions,
        "number": number,
        "shown_number": number + 1,
        "total": len(pages),
        "has_errors": bool(errors),
    }
    return _render(request, "page.html", context, language=submission.language)


def status_page(request: HttpRequest, submission: Submission, note: str = "") -> HttpResponse:
    context = {
        **_person(submission),
        "status": services.person_status(submission),
        "messages_shown": services.read_messages(submission),
        "note": note,
    }
    return _render(request, "status.html", context, language=submission.language)


def _withdrawal(request: HttpRequest, submission: Submission, confirmed: bool) -> HttpResponse:
    """Deleting his own submission: a confirmation page first, then the deletion."""
    language = submission.language
    if not confirmed:
        return _render(request, "withdraw.html", _person(submission), language=language)
    look = _person(submission)["look"]
    services.withdraw(submission=submission)
    return _render(request, "withdrawn.html", {"look": look}, language=language)


def _step(request: HttpRequest, submission: Submission) -> HttpResponse:
    go = request.POST.get("go", "")
    if go in ("withdraw", "withdraw_confirmed"):
        return _withdrawal(request, submission, go == "withdraw_confirmed")
    try:
        number = int(request.POST.get("page", "0"))
    except ValueError:
        number = 0
    if go in ("next", "back") and submission.status == Status.DRAFT:
        raw = {key: str(value) for key, value in request.POST.items()}
        errors = services.save_page(submission=submission, number=number, raw=raw)
        if errors:
            return _page(request, submission, number, errors, raw)
        return _page(request, submission, max(0, number + (1 if go == "next" else -1)))
    if go == "send":
        services.finish(submission=submission)
        return status_page(request, submission, "sent")
    if go == "reply":
        services.reply_from_person(submission=submission, text=request.POST.get("text", ""))
        return status_page(request, submission, "replied")
    upload = request.FILES.get("file")
    if go == "attach" and upload is not None:
        services.attach_file(
            submission=submission, upload=upload, name=upload.name or "", size=upload.size or 0
        )
        return _after_attach(request, submission)
    if submission.status == Status.DRAFT:
        return _page(request, submission, min(max(number, 0), 40))
    return status_page(request, submission)


def _after_attach(request: HttpRequest, submission: Submission) -> HttpResponse:
    if submission.status == Status.DRAFT:
        return _page(request, submission, 99)
    return status_page(request, submission, "attached")


@csrf_exempt
@require_POST
def answer(request: HttpRequest) -> HttpResponse:
    submission = services.submission_from_token(request.POST.get("form", ""))
    if submission is None:
        return _refused(request)
    try:
        return _step(request, submission)
    except services.IntakeError as exc:
        return _render(
            request,
            "problem.html",
            {**_person(submission), "problem": str(exc)},
            language=submission.language,
            status=400,
        )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def come_back(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("lang", request.POST.get("lang", "ru"))
    context: dict[str, Any] = {
        "return_token": signing.dumps("r", salt=_RETURN_SALT),
        "lang": language,
    }
    if request.method == "GET":
        return _render(request, "return.html", context, language=language)
    try:
        signing.loads(request.POST.get("ret", ""), salt=_RETURN_SALT, max_age=_DAY)
    except signing.BadSignature:
        return _refused(request)
    if not services.take_from_budget(settings.TROPA_INTAKE_RETURNS_PER_MINUTE, kind="return"):
        return _render(request, "busy.html", {}, language=language, status=429)
    submission = services.find_by_codename(request.POST.get("codename", ""))
    if submission is None:
        return _render(request, "return.html", {**context, "unknown": True}, language=language)
    if submission.status == Status.DRAFT:
        return _page(request, submission, submission.page)
    return status_page(request, submission)
