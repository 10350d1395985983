"""Sign-in with a mandatory second factor, sign-out, password, language and user admin."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.audit.services import log_action
from tropa.core.views import run_action

from . import services, throttle
from .forms import (
    EnrolmentForm,
    LoginForm,
    NewPasswordForm,
    RoleForm,
    TimeZoneForm,
    TokenForm,
    UserCreateForm,
)
from .models import CONTENT_ROLES, Enrolment, RoleRequest, User
from .passwords import generate_passphrase
from .permissions import AuthenticatedHttpRequest, Cap, can, staff_user, staff_view

_PENDING = "tropa_pending_login"
_PENDING_SECONDS = 300
REVEAL_LIMIT_SHOWN_DAYS = 7


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, {request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("cases:dashboard")


def _speak_to(request: HttpRequest, user: User) -> None:
    """Pages before the sign-in ends (enrolment, set-up) in the account's own language."""
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = translation.get_language()


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(_PENDING)
    if not pending or time.time() - pending["at"] > _PENDING_SECONDS:
        return None
    user = User.objects.filter(code=pending["user"], is_active=True).first()
    return (user, pending) if user else None


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        key = throttle.throttle_key(request, username)
        if throttle.is_locked(key):
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                throttle.register_failure(key)
                form.add_error(None, _("User name or password is wrong."))
            else:
                request.session.cycle_key()
                request.session[_PENDING] = {
                    "user": str(user.code),
                    "key": key,
                    "at": time.time(),
                    "next": next_url,
                }
                if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                    return redirect("accounts:verify")
                services.start_totp_setup(actor=user, user=user)
                return redirect("accounts:setup")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _finish_login(
    request: HttpRequest, user: User, device: TOTPDevice, pending: dict[str, Any]
) -> HttpResponse:
    throttle.reset(pending["key"])
    del request.session[_PENDING]
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    response = HttpResponseRedirect(_safe_next(request, pending.get("next")))
    throttle.remember_device(request, response, user.get_username())
    return response


def _check_token(
    request: HttpRequest, pending: dict[str, Any], device: TOTPDevice, form: TokenForm
) -> bool:
    if throttle.is_locked(pending["key"]):
        form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
        return False
    if device.verify_token(form.cleaned_data["token"]):
        return True
    throttle.register_failure(pending["key"])
    log_action(None, Action.AUTH_SECOND_FACTOR_FAILED)
    form.add_error("token", _("This code is wrong or was already used. Wait for the next one."))
    return False


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    found = _pending_user(request)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:setup")
    form = TokenForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _check_token(request, pending, device, form)
    ):
        return _finish_login(request, user, device, pending)
    return render(request, "accounts/verify.html", {"form": form})


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def setup_view(request: HttpRequest) -> HttpResponse:
    found = _pending_user(request)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    _speak_to(request, user)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:verify")
    device = services.totp_setup_device(user)
    if device is None:  # made at the password step; without it, that step again
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _check_token(request, pending, device, form)
    ):
        services.confirm_totp(user=user, device=device)
        return _finish_login(request, user, device, pending)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        # Without a fixed size the SVG keeps its viewBox and scales to the CSS box.
        "qr_svg": qr.svg_inline(scale=5, dark="#111", light="#fff", omitsize=True),
        "secret": _grouped_secret(device),
    }
    return render(request, "accounts/setup.html", context)


def _grouped_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = redirect("accounts:login")
    # Tell the browser to drop everything it may have kept for this origin (R19).
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


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
    return render(request, "accounts/settings.html", {"form": form, "zone_form": zone_form})


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


def _reveal_limits(organization: Any) -> list[dict[str, Any]]:
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


# Enrolment: the user chooses a password and sets up the second factor -----------------

_ENROLMENT = "tropa_enrolment"
_ENROLMENT_SECONDS = 30 * 60


@never_cache
@require_GET
def enrol_start_view(request: HttpRequest, token: str) -> HttpResponse:
    """Takes the token out of the address (and so out of any Referer) into the session."""
    enrolment = services.find_enrolment(token)
    if enrolment is None:
        log_action(None, Action.AUTH_ENROLMENT_LINK_REFUSED)
        return render(request, "accounts/enrol_invalid.html", status=404)
    logout(request)  # whoever was signed in on this browser, the link is for someone else
    request.session[_ENROLMENT] = {"id": enrolment.pk, "at": time.time()}
    return redirect("accounts:enrol")


def _session_enrolment(request: HttpRequest) -> Enrolment | None:
    held = request.session.get(_ENROLMENT)
    if not held or time.time() - held["at"] > _ENROLMENT_SECONDS:
        return None
    return (
        Enrolment.objects.filter(
            pk=held["id"],
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    enrolment = _session_enrolment(request)
    if enrolment is None:
        return render(request, "accounts/enrol_invalid.html", status=404)
    user = enrolment.user
    _speak_to(request, user)
    suggestion = generate_passphrase()
    form = EnrolmentForm(
        user,
        request.POST or None,
        initial={"new_password1": suggestion, "new_password2": suggestion},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_enrolment(
                enrolment=enrolment, password=form.cleaned_data["new_password1"]
            )
        except services.AccountError as refused:
            return render(
                request, "accounts/enrol_invalid.html", {"reason": str(refused)}, status=404
            )
        del request.session[_ENROLMENT]
        # Straight on to the second factor, as after the password step of a sign-in.
        request.session.cycle_key()
        request.session[_PENDING] = {
            "user": str(user.code),
            "key": throttle.throttle_key(request, user.get_username()),
            "at": time.time(),
            "next": "",
        }
        return redirect("accounts:setup")
    context = {"form": form, "enrolling": user, "suggestion": suggestion}
    return render(request, "accounts/enrol.html", context)


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
