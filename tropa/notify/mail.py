"""Composing and sending one notification: no case content, in the recipient's language.

A message says only that something happened and where Tropa is: no pseudonym, no case code,
no alert kind or text. The subject is the same for every kind.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.utils import translation
from django.utils.translation import gettext as _

from tropa.accounts.models import User

from .models import Kind


def is_configured() -> bool:
    """Mail goes out only when the operator named a server and a sender."""
    return bool(settings.TROPA_EMAIL_HOST and settings.TROPA_EMAIL_FROM)


def connection() -> EmailBackend:
    """An SMTP connection from ``TROPA_EMAIL_*`` (never Django's EMAIL_BACKEND setting)."""
    backend = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=settings.TROPA_EMAIL_HOST,
        port=settings.TROPA_EMAIL_PORT,
        username=settings.TROPA_EMAIL_USER or None,
        password=settings.TROPA_EMAIL_PASSWORD or None,
        use_tls=settings.TROPA_EMAIL_USE_TLS,
        use_ssl=settings.TROPA_EMAIL_USE_SSL,
        timeout=settings.TROPA_EMAIL_TIMEOUT,
        fail_silently=False,
    )
    assert isinstance(backend, EmailBackend)
    return backend


def _line(kind: str, **counts: int) -> str:
    if kind == Kind.ALERT:
        return _("A new alert was raised in your organization.")
    if kind == Kind.ESCALATION:
        return _("An alert in your organization has had no step taken for %(minutes)s minutes.") % {
            "minutes": counts.get("minutes", 0)
        }
    if kind == Kind.DIGEST:
        return _("Tasks and next actions of yours due tomorrow: %(count)s.") % {
            "count": counts.get("count", 0)
        }
    return _("This is a test message: notifications from Tropa reach this address.")


def compose(user: User, kind: str, **counts: int) -> tuple[str, str]:
    """(subject, body) in the user's language."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Tropa: a notification")
        site = settings.TROPA_SITE_URL
        where = _("Open Tropa: %(url)s") % {"url": site} if site else _("Open Tropa.")
        footer = _(
            "This message holds no case details. You choose your notifications in Tropa "
            "under Settings, Notifications."
        )
        body = f"{_line(kind, **counts)}\n\n{where}\n\n-- \n{footer}\n"
    return subject, body


def send(user: User, address: str, kind: str, **counts: int) -> None:
    """Send one message; an SMTP error propagates to the caller, which records it."""
    subject, body = compose(user, kind, **counts)
    message = EmailMessage(
        subject,
        body,
        settings.TROPA_EMAIL_FROM,
        [address],
        connection=connection(),
    )
    message.send()
