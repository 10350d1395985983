"""Sign-in with a mandatory second factor, its set-up, sign-out, and enrolment by link."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
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
from tropa.audit.services import log_action

from .. import services, throttle
from ..forms import (
    EnrolmentForm,
    LoginForm,
    TokenForm,
)
from ..models import Enrolment, User
from ..passwords import generate_passphrase

_PENDING = "tropa_pending_login"
_PENDING_SECONDS = 300


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
