"""Token pages: your own tokens (create one with a fresh code, see it once, revoke), and an
administrator's list of every token of the organization."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, can, staff_view
from tropa.cases.access import deny
from tropa.core.access import forbid
from tropa.core.views import run_action, submit

from . import services
from .forms import NewTokenForm
from .models import ApiToken


@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
@staff_view
def tokens_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NewTokenForm(request.POST or None)
    created: list[services.NewToken] = []
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: created.append(
            services.create_token(
                actor=request.user,
                name=data["name"],
                days=data["days"],
                scopes=data["scopes"],
                totp_code=data["token"],
            )
        ),
        _("Token created. Copy it now: it is not shown again."),
    ):
        form = NewTokenForm()
    context = {
        "form": form,
        "created": created[0] if created else None,
        "tokens": services.tokens_of(request.user),
        "language_next": request.path,
    }
    return render(request, "api/tokens.html", context)


@require_GET
@staff_view
def organization_tokens_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can(request.user, Cap.MANAGE_USERS):
        forbid(request.user, Cap.MANAGE_USERS)
    tokens = services.organization_tokens(request.user)
    return render(request, "api/organization_tokens.html", {"tokens": tokens})


@require_POST
@staff_view
def revoke_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    organization = request.user.organization
    token = ApiToken.objects.filter(organization=organization, code=code).first()
    if token is None or not services.may_revoke(request.user, token):
        raise deny(request.user, code, "api_token")
    run_action(
        request,
        lambda: services.revoke_token(actor=request.user, token=token),
        _("Token revoked."),
    )
    own = token.user_id == request.user.pk
    return redirect("api:tokens" if own else "api:organization_tokens")
