"""Who wants which notification, the organization's escalation rule, and every delivery.

A user's notification address is contact data: it links a person to Tropa, so it is sealed
like an identity (``sealed_address``) and never shown on a page or written to a log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tropa.core.models import OrganizationOwned

DEFAULT_ESCALATION_MINUTES = 15


class Preference(OrganizationOwned):
    """One user's choices. Escalations go to every coordinator with an address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    sealed_address = models.BinaryField(null=True, blank=True)
    new_alerts = models.BooleanField(_("a new alert in the organization"), default=False)
    daily_digest = models.BooleanField(_("tasks and next actions due tomorrow"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.code)

    @property
    def has_address(self) -> bool:
        return bool(self.sealed_address)


class Policy(models.Model):
    """The organization's rule: an alert nobody acted on within N minutes is escalated."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="notify_policy"
    )
    escalation_minutes = models.PositiveIntegerField(
        _("escalate after (minutes)"), default=DEFAULT_ESCALATION_MINUTES
    )

    def __str__(self) -> str:
        return str(self.escalation_minutes)


class Kind(models.TextChoices):
    ALERT = "alert", _("new alert")
    ESCALATION = "escalation", _("escalation")
    DIGEST = "digest", _("due tomorrow")
    TEST = "test", _("test message")


class Status(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    EMPTY = "empty", _("nothing to send")


class Delivery(OrganizationOwned):
    """One notification for one user: what it was about (codes), whether it went out.

    The unique constraints make every notification happen once: a second run of the
    escalation check or of the digest finds the row and sends nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_deliveries"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    alert = models.ForeignKey(
        "cases.Alert", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    day = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The exception's class name only: an SMTP error's text can hold the address.
    error = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()
    tried_at = models.DateTimeField(null=True, blank=True)  # claimed for a send attempt
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrganizationOwned.Meta):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "alert"],
                condition=models.Q(alert__isnull=False),
                name="notify_once_per_alert",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "day"],
                condition=models.Q(day__isnull=False),
                name="notify_once_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"
