"""Letters: downloads (masked, or revealed on purpose), composing from a template, templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases.access import visible_cases
from tropa.cases.services import RevealLimitReached
from tropa.core.views import run_action

from .. import letters, services
from ..access import (
    access_request,
    access_template,
    outreach_organization,
)
from ..forms import (
    ComposeForm,
    RequestForm,
    TemplateForm,
)
from ..models import LetterTemplate, Request
from .common import address_data, download


def _letter_for_download(request: HttpRequest, code: str) -> tuple[Request, dict[str, Any]]:
    """GET: the letter as every reader may see it; POST: as written, an audited reveal
    (past the hourly cap, RevealLimitReached)."""
    outreach_request = access_request(request.user, code)
    if request.method == "POST":
        return outreach_request, services.reveal_letter(
            actor=staff_user(request), request=outreach_request
        )
    return outreach_request, services.read_letter(
        actor=staff_user(request), request=outreach_request
    )


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
    return download(content, "application/pdf", "letter.pdf")


@require_http_methods(["GET", "POST"])
def request_text(request: HttpRequest, code: str) -> HttpResponse:
    try:
        _request, letter = _letter_for_download(request, code)
    except RevealLimitReached as refused:
        return _refused_download(request, code, refused)
    text = f"{letter['subject']}\n\n{letter['body']}\n"
    return download(text.encode(), "text/plain; charset=utf-8", "letter.txt")


@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """Choose a template, an institution and a case; preview; record the letter as sent."""
    user = staff_user(request)
    organization = outreach_organization(user, Cap.WRITE_OUTREACH)
    may_use_identity = can(user, Cap.VIEW_IDENTITY)
    data, initial = address_data(request)
    form = ComposeForm(
        data,
        initial=initial,
        organization=organization,
        cases=visible_cases(user),
        may_use_identity=may_use_identity,
    )
    context: dict[str, Any] = {
        "form": form,
        "placeholders": letters.PLACEHOLDERS,
        "unsigned": not user.shown_name,
    }
    if form.is_bound and form.is_valid():
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
        context["send_form"] = _send_form(data, letter, organization, user)
    return render(request, "outreach/compose.html", context)


@require_POST
def letter_preview_pdf(request: HttpRequest) -> HttpResponse:
    """The letter of the send form as a PDF, before it is recorded as sent: nothing is
    stored or read, the PDF is made from what the form holds."""
    user = staff_user(request)
    organization = outreach_organization(user, Cap.WRITE_OUTREACH)
    form = RequestForm(request.POST, organization=organization, cases=visible_cases(user))
    form.is_valid()  # only what the letter needs has to be right
    data = form.cleaned_data
    if not data.get("institution") or not data.get("subject"):
        messages.error(request, _("Choose the institution and write a subject to preview the PDF."))
        return redirect("outreach:compose")
    content = letters.pdf(
        subject=data["subject"],
        body=data.get("body") or "",
        language=data.get("language") or "",
        institution=data["institution"],
        sent_on=data.get("sent_on") or timezone.localdate(),
    )
    return download(content, "application/pdf", "letter-preview.pdf")


def _send_form(
    data: dict[str, Any], letter: Any, organization: Organization, user: User
) -> RequestForm:
    """The composed letter as a request form, ready to be recorded as sent."""
    return RequestForm(
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
                actor=staff_user(request),
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
