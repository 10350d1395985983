"""Settings (password, time zone), user administration and role approvals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.audit.services import log_action
from tropa.core.views import run_action, submit

from .. import services
from ..forms import (
    DisplayNameForm,
    NewPasswordForm,
    OrganizationSettingsForm,
    RoleForm,
    TimeZoneForm,
    UserCreateForm,
)
from ..models import CONTENT_ROLES, Organization, RoleRequest, User
from ..permissions import AuthenticatedHttpRequest, Cap, can, staff_user, staff_view

REVEAL_LIMIT_SHOWN_DAYS = 7


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@staff_view
def password_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(
            actor=user, user=user, new_password=form.cleaned_data["new_password1"]
        )
        # Keeps this session; every other session of the account ends with the old hash.
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed. Other sessions were ended."))
        return redirect("accounts:settings")
    zone_form = TimeZoneForm(
        initial={"time_zone": user.time_zone or settings.TROPA_DEFAULT_USER_TIMEZONE}
    )
    name_form = DisplayNameForm(initial={"display_name": user.display_name})
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "zone_form": zone_form, "name_form": name_form},
    )


@require_POST
@staff_view
def display_name_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = DisplayNameForm(request.POST)
    if form.is_valid():
        services.set_display_name(
            actor=user, user=user, display_name=form.cleaned_data["display_name"]
        )
        messages.success(request, _("Display name saved."))
    return redirect("accounts:settings")


@require_POST
@staff_view
def time_zone_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        services.set_time_zone(actor=user, user=user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Time zone saved."))
    else:
        messages.error(request, _("Choose a time zone from the list."))
    return redirect("accounts:settings")


# User administration -------------------------------------------------------------------


def _require_admin(request: HttpRequest) -> None:
    if not can(request.user, Cap.MANAGE_USERS):
        raise Http404


def _user_of_org(request: HttpRequest, code: str) -> User:
    _require_admin(request)
    organization = staff_user(request).organization
    user = (
        User.objects.filter(code=code, membership__organization=organization)
        .select_related("membership")
        .first()
    )
    if user is None:
        log_action(request.user, Action.ACCESS_DENIED, requested=str(code), kind="user")
        raise Http404
    return user


@require_http_methods(["GET", "POST"])
@staff_view
def organization_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organization's own settings, set by its administrator (default currency)."""
    _require_admin(request)
    org = request.user.organization
    assert org is not None  # an admin always belongs to one
    form = OrganizationSettingsForm(
        request.POST or None, initial={"default_currency": org.default_currency}
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: services.set_organization_settings(
            actor=request.user, organization=org, **data
        ),
        _("Organization settings saved."),
    ):
        return redirect("accounts:organization")
    return render(request, "accounts/organization.html", {"form": form, "organization": org})


@require_http_methods(["GET"])
@staff_view
def users_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    org = staff_user(request).organization
    users = (
        User.objects.filter(membership__organization=org)
        .select_related("membership")
        .order_by("username")
    )
    with_device = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    assert org is not None  # an admin always belongs to one
    pending = {r.subject_id: r for r in services.pending_role_requests(org)}
    rows = [(u, u.pk in with_device, pending.get(u.pk)) for u in users]
    context = {"rows": rows, "role_form": RoleForm(), "reveal_limits": _reveal_limits(org)}
    return render(request, "accounts/users.html", context)


def _reveal_limits(organization: Organization) -> list[dict[str, Any]]:
    """Who hit the hourly identity reveal cap in the last week: name, last time, refusals."""
    since = timezone.now() - timedelta(days=REVEAL_LIMIT_SHOWN_DAYS)
    return [
        dict(row)
        for row in AuditEntry.objects.filter(
            action=Action.IDENTITY_REVEAL_REFUSED,  # written by tropa.cases.services
            organization_code=str(organization.code),
            at__gte=since,
        )
        .values("actor_name")
        .annotate(last=Max("at"), refused=Count("id"))
        .order_by("-last")
    ]


@require_http_methods(["GET", "POST"])
@staff_view
def user_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        admin = staff_user(request)
        assert admin.organization is not None  # an admin always belongs to one
        user, token, role_request = services.invite_user(
            actor=admin,
            organization=admin.organization,
            username=form.cleaned_data["username"],
            role=form.cleaned_data["role"],
            language=form.cleaned_data["language"],
        )
        return _enrolment_link_page(request, user, token, role_request, created=True)
    return render(request, "accounts/user_new.html", {"form": form})


def _enrolment_link_page(
    request: HttpRequest,
    user: User,
    token: str,
    role_request: RoleRequest | None,
    *,
    created: bool,
) -> HttpResponse:
    """The one-time link, shown once in this response; only its digest is stored."""
    link = request.build_absolute_uri(reverse("accounts:enrol_start", args=[token]))
    context = {
        "new_user": user,
        "link": link,
        "role_request": role_request,
        "created": created,
        "hours": settings.TROPA_ENROLMENT_HOURS,
    }
    return render(request, "accounts/user_created.html", context)


@require_POST
@staff_view
def user_role_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = _user_of_org(request, code)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return redirect("accounts:users")
    try:
        role_request = services.request_role_change(
            actor=staff_user(request), user=user, role=form.cleaned_data["role"]
        )
    except services.AccountError as refused:
        messages.error(request, str(refused))
        return redirect("accounts:users")
    if role_request is None:
        messages.success(request, _("Role saved."))
    else:
        messages.success(
            request,
            _(
                "Role change requested. It takes effect when a coordinator of your "
                "organization approves it."
            ),
        )
    return redirect("accounts:users")


@require_POST
@staff_view
def user_active_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = _user_of_org(request, code)
    if user == request.user:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        services.set_active(actor=request.user, user=user, active=not user.is_active)
        messages.success(request, _("Account updated."))
    return redirect("accounts:users")


@require_http_methods(["GET", "POST"])
@staff_view
def user_reset_2fa_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """GET: what a reset does (the role waits for approval again), to confirm; POST: do it."""
    user = _user_of_org(request, code)
    if user == request.user:
        messages.error(
            request, _("You cannot reset your own two-factor. Another administrator can.")
        )
        return redirect("accounts:users")
    if request.method == "GET" or request.POST.get("confirmed") != "yes":
        suspends = user.role in CONTENT_ROLES
        context = {"subject": user, "suspends": suspends}
        return render(request, "accounts/user_reset_confirm.html", context)
    token, role_request = services.reset_two_factor(actor=request.user, user=user)
    return _enrolment_link_page(request, user, token, role_request, created=False)


@require_POST
@staff_view
def role_request_withdraw_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """An administrator takes back a role change they asked for and nobody decided yet."""
    _require_admin(request)
    role_request = _request_of_org(request.user, code)
    run_action(
        request,
        lambda: services.withdraw_role_request(actor=request.user, request=role_request),
        _("Request withdrawn: the role of %(name)s stays as it was.")
        % {"name": role_request.subject.get_username()},
    )
    return redirect("accounts:users")


# Approvals: a coordinator decides on role changes -------------------------------------


def _require_approver(request: HttpRequest) -> User:
    user = staff_user(request)
    if not can(user, Cap.APPROVE_ROLES):
        raise Http404
    return user


@require_GET
@staff_view
def approvals_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _require_approver(request)
    assert user.organization is not None  # a coordinator always belongs to one
    rows = [
        (r, services.may_decide(user, r)) for r in services.pending_role_requests(user.organization)
    ]
    return render(request, "accounts/approvals.html", {"rows": rows})


def _request_of_org(user: User, code: str) -> RoleRequest:
    found = (
        RoleRequest.objects.filter(code=code, organization=user.organization)
        .select_related("subject", "requested_by", "organization")
        .first()
    )
    if found is None:
        log_action(user, Action.ACCESS_DENIED, requested=str(code), kind="role_request")
        raise Http404
    return found


@require_POST
@staff_view
def approval_decide_view(
    request: AuthenticatedHttpRequest, code: str, decision: str
) -> HttpResponse:
    user = _require_approver(request)
    role_request = _request_of_org(user, code)
    try:
        name = role_request.subject.get_username()
        if decision == "approve":
            services.approve_role_request(actor=user, request=role_request)
            messages.success(
                request,
                _("Approved: %(name)s is now %(role)s; the new role applies now.")
                % {"name": name, "role": role_request.get_to_role_display()},
            )
        else:
            services.refuse_role_request(actor=user, request=role_request)
            messages.success(
                request, _("Refused: the role of %(name)s stays as it was.") % {"name": name}
            )
    except services.AccountError as refused:
        messages.error(request, str(refused))
    return redirect("accounts:approvals")
