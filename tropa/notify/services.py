"""Notifications: users' choices, the escalation rule, and sending (from background tasks).

What is sent when (``docs/operations.md`` says the same for operators):

- a new alert: to every user of the organization who may act on alerts and chose it
  (never to the one who raised it), queued when the alert is saved;
- an escalation: an alert with no checklist step and not resolved N minutes after it was
  raised (N per organization, default 15) goes to every coordinator with an address,
  once per alert; alerts waiting in the same run share one message;
- a digest: once a day from 08:00 in the user's zone, to users who chose it, when tasks or
  next actions of theirs are due tomorrow (only the count);
- a test message, on the user's request.

A message never holds case content (``mail.compose``). Sending happens outside any
transaction; every message is audited with codes and counts, a failure is logged by its
exception's class name only, recorded on its ``Delivery`` and retried by the periodic tick.
"""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, Role, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Alert, Case, Stage, Task
from tropa.core.errors import ServiceError
from tropa.crypto.fields import seal, unseal

from . import mail
from .models import DEFAULT_ESCALATION_MINUTES, Delivery, Kind, Policy, Preference, Status

logger = logging.getLogger(__name__)

DIGEST_HOUR = 8  # local time from which the day's digest goes out
MAX_ATTEMPTS = 3
RETRY_WITHIN = timedelta(hours=12)  # a failure older than this is not sent any more
STALE_PENDING = timedelta(minutes=10)  # a worker that died between claim and send
MIN_MINUTES, MAX_MINUTES = 1, 24 * 60


class NotifyError(ServiceError):
    pass


# --- choices -------------------------------------------------------------------------------


def preference_for(user: User) -> Preference | None:
    pref = Preference.all_organizations.filter(user=user).first()
    organization = user.organization
    if pref is None or organization is None or pref.organization_id != organization.pk:
        return None
    return pref


def may_choose_alerts(user: User) -> bool:
    return can(user, Cap.MANAGE_ALERTS)


def may_choose_digest(user: User) -> bool:
    return can(user, Cap.VIEW_CASES)


def is_escalation_recipient(user: User) -> bool:
    return user.role == Role.COORDINATOR


def save_preferences(
    *,
    actor: User,
    address: str | None,
    new_alerts: bool,
    daily_digest: bool,
    remove_address: bool = False,
) -> Preference:
    """Save the actor's own choices. ``address`` None keeps the saved one."""
    organization = actor.organization
    if organization is None:
        raise NotifyError(_("Your account belongs to no organization."))
    address = (address or "").strip() or None
    if address is not None:
        try:
            validate_email(address)
        except ValidationError:
            raise NotifyError(_("Enter a valid e-mail address.")) from None
    with transaction.atomic():
        pref = Preference.all_organizations.select_for_update().filter(user=actor).first()
        if pref is None or pref.organization_id != organization.pk:
            Preference.all_organizations.filter(user=actor).delete()
            pref = Preference(user=actor, organization=organization)
        changed: list[str] = []
        if remove_address and pref.sealed_address:
            pref.sealed_address, changed = None, [*changed, "address"]
        elif address is not None:
            pref.sealed_address, changed = seal(pref, "sealed_address", address), ["address"]
        wanted = {
            "new_alerts": new_alerts and may_choose_alerts(actor),
            "daily_digest": daily_digest and may_choose_digest(actor),
        }
        for field, value in wanted.items():
            if getattr(pref, field) != value:
                setattr(pref, field, value)
                changed.append(field)
        pref.save()
        log_action(actor, Action.NOTIFY_SETTINGS_CHANGED, actor, fields=sorted(changed))
    return pref


def escalation_minutes(organization_id: int) -> int:
    policy = Policy.objects.filter(organization_id=organization_id).first()
    return policy.escalation_minutes if policy else DEFAULT_ESCALATION_MINUTES


def set_escalation_minutes(*, actor: User, minutes: int) -> Policy:
    organization = actor.organization
    if organization is None or not is_escalation_recipient(actor):
        raise NotifyError(_("Only a coordinator sets the organization's escalation time."))
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise NotifyError(
            _("The escalation time is between %(low)s and %(high)s minutes.")
            % {"low": MIN_MINUTES, "high": MAX_MINUTES}
        )
    with transaction.atomic():
        policy, _created = Policy.objects.select_for_update().get_or_create(
            organization=organization
        )
        before = policy.escalation_minutes
        policy.escalation_minutes = minutes
        policy.save()
        log_action(
            actor,
            Action.NOTIFY_POLICY_CHANGED,
            None,
            organization=organization,
            **{"from": before, "to": minutes},
        )
    return policy


def recent_deliveries(user: User, limit: int = 5) -> list[Delivery]:
    return list(Delivery.all_organizations.filter(user=user)[:limit])


# --- sending -------------------------------------------------------------------------------


def _address(user: User, pref: Preference | None) -> str | None:
    if pref is None or not pref.sealed_address or not user.is_active:
        return None
    value = unseal(pref, "sealed_address", pref.sealed_address)
    return value if isinstance(value, str) and value else None


def _deliver(user: User, pref: Preference, kind: str, rows: list[Delivery], **counts: int) -> bool:
    """Send one message for ``rows`` (already claimed) and record the outcome."""
    pks = [row.pk for row in rows]
    address = _address(user, pref)
    if address is None or not mail.is_configured():
        Delivery.all_organizations.filter(pk__in=pks).update(status=Status.EMPTY)
        return False
    try:
        mail.send(user, address, kind, **counts)
    except (smtplib.SMTPException, OSError) as exc:
        error = type(exc).__name__
        Delivery.all_organizations.filter(pk__in=pks).update(status=Status.FAILED, error=error)
        # Neither the address nor the server's answer (it can quote the address).
        logger.warning("notify: a %s message could not be sent (%s)", kind, error)
        log_action(None, Action.NOTIFY_FAILED, user, kind=kind, error=error, deliveries=len(pks))
        return False
    Delivery.all_organizations.filter(pk__in=pks).update(
        status=Status.SENT, error="", sent_at=timezone.now()
    )
    log_action(None, Action.NOTIFY_SENT, user, kind=kind, deliveries=len(pks))
    return True


def _claim(user: User, kind: str, now: datetime, **key: object) -> Delivery | None:
    """The row for this notification if this run made it; None if it exists already."""
    organization = user.organization
    assert organization is not None
    row, created = Delivery.all_organizations.get_or_create(
        user=user,
        kind=kind,
        **key,
        defaults={"organization": organization, "created_at": now, "tried_at": now, "attempts": 1},
    )
    return row if created else None


def send_test(*, actor: User) -> bool:
    """A test message to the actor's saved address; refused when it cannot go out."""
    if not mail.is_configured():
        raise NotifyError(_("E-mail is not set up on this server: nothing is sent."))
    pref = preference_for(actor)
    if pref is None or not pref.has_address:
        raise NotifyError(_("Save an e-mail address first."))
    now = timezone.now()
    row = Delivery.all_organizations.create(
        user=actor,
        organization=pref.organization,
        kind=Kind.TEST,
        created_at=now,
        tried_at=now,
        attempts=1,
    )
    if not _deliver(actor, pref, Kind.TEST, [row]):
        raise NotifyError(
            _(
                "The test message could not be sent. "
                "The server's operator can check the mail settings."
            )
        )
    return True


def _members_with_address(organization_id: int, **pref_filter: object) -> list[Preference]:
    """Preferences with an address of active members of the organization (users joined)."""
    return list(
        Preference.all_organizations.filter(
            organization_id=organization_id,
            sealed_address__isnull=False,
            user__is_active=True,
            user__membership__organization_id=organization_id,
            **pref_filter,
        ).select_related("user__membership")
    )


def notify_new_alert(alert: Alert, now: datetime | None = None) -> int:
    """Tell everyone who chose it that an alert was raised; returns messages sent."""
    if not mail.is_configured():
        return 0
    now = now or timezone.now()
    sent = 0
    for pref in _members_with_address(alert.organization_id, new_alerts=True):
        user = pref.user
        if user.pk == alert.raised_by_id or not may_choose_alerts(user):
            continue
        row = _claim(user, Kind.ALERT, now, alert=alert)
        if row is not None:
            sent += _deliver(user, pref, Kind.ALERT, [row])
    return sent


def _unacknowledged(organization_id: int, raised_before: datetime) -> list[Alert]:
    """Active alerts raised before the limit on which nobody has ticked a step."""
    return list(
        Alert.objects.unscoped().filter(
            organization_id=organization_id,
            resolved_at__isnull=True,
            raised_at__lte=raised_before,
            actions__isnull=True,
        )
    )


def escalate(now: datetime | None = None, organization_id: int | None = None) -> int:
    """Escalate every alert past its organization's limit to all coordinators with an
    address, once per alert and coordinator; returns messages sent."""
    now = now or timezone.now()
    active = Alert.objects.unscoped().filter(resolved_at__isnull=True)
    if organization_id is not None:
        active = active.filter(organization_id=organization_id)
    sent = 0
    for org_id in set(active.values_list("organization_id", flat=True)):
        minutes = escalation_minutes(org_id)
        alerts = _unacknowledged(org_id, now - timedelta(minutes=minutes))
        if not alerts:
            continue
        for pref in _members_with_address(org_id, user__membership__role=Role.COORDINATOR):
            rows = [r for a in alerts if (r := _claim(pref.user, Kind.ESCALATION, now, alert=a))]
            if rows:
                sent += _deliver(pref.user, pref, Kind.ESCALATION, rows, minutes=minutes)
    return sent


def _local_today(user: User, now: datetime) -> datetime:
    zone = zoneinfo.ZoneInfo(user.time_zone or settings.TROPA_DEFAULT_USER_TIMEZONE)
    return now.astimezone(zone)


def due_tomorrow(user: User, organization: Organization, now: datetime) -> int:
    """How many open tasks and next actions of ``user`` fall on tomorrow, in their zone."""
    tomorrow = _local_today(user, now).date() + timedelta(days=1)
    tasks = Task.objects.filter(
        organization=organization, assignee=user, done_at__isnull=True, due_on=tomorrow
    ).count()
    actions = (
        Case.objects.filter(organization=organization, assignee=user, next_action_on=tomorrow)
        .exclude(stage=Stage.CLOSED)
        .count()
    )
    return int(tasks + actions)


def send_digests(now: datetime | None = None) -> int:
    """Each user who chose the digest gets it once a day, from 08:00 in their zone, if
    anything of theirs is due tomorrow; returns messages sent."""
    now = now or timezone.now()
    sent = 0
    for pref in Preference.all_organizations.filter(
        daily_digest=True, sealed_address__isnull=False, user__is_active=True
    ).select_related("user__membership__organization"):
        user, organization = pref.user, pref.user.organization
        local = _local_today(user, now)
        if organization is None or organization.pk != pref.organization_id:
            continue
        if local.hour < DIGEST_HOUR or not may_choose_digest(user):
            continue
        row = _claim(user, Kind.DIGEST, now, day=local.date())
        if row is None:
            continue
        count = due_tomorrow(user, organization, now)
        if count == 0:
            Delivery.all_organizations.filter(pk=row.pk).update(status=Status.EMPTY)
            continue
        sent += _deliver(user, pref, Kind.DIGEST, [row], count=count)
    return sent


def retry_failed(now: datetime | None = None) -> int:
    """Send again what failed (at most three attempts, for twelve hours), and what a dead
    worker left waiting; returns messages sent."""
    now = now or timezone.now()
    candidates = Delivery.all_organizations.filter(
        created_at__gte=now - RETRY_WITHIN, attempts__lt=MAX_ATTEMPTS
    ).exclude(kind=Kind.TEST)
    failed = candidates.filter(status=Status.FAILED)
    stale = candidates.filter(status=Status.PENDING, tried_at__lt=now - STALE_PENDING)
    groups: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for row in (failed | stale).select_related("user"):
        # Claim it: another worker's retry run gets 0 here and leaves it alone.
        claimed = Delivery.all_organizations.filter(
            pk=row.pk, status=row.status, attempts=row.attempts
        ).update(status=Status.PENDING, attempts=row.attempts + 1, tried_at=now)
        if claimed:
            groups[(row.user_id, row.kind)].append(row)
    sent = 0
    for (_user_id, kind), rows in groups.items():
        user = rows[0].user
        pref = preference_for(user)
        if pref is None:
            Delivery.all_organizations.filter(pk__in=[r.pk for r in rows]).update(
                status=Status.EMPTY
            )
            continue
        counts = _counts_for(kind, user, rows[0], now)
        sent += _deliver(user, pref, kind, rows, **counts)
    return sent


def _counts_for(kind: str, user: User, row: Delivery, now: datetime) -> dict[str, int]:
    if kind == Kind.ESCALATION:
        return {"minutes": escalation_minutes(row.organization_id)}
    if kind == Kind.DIGEST and user.organization is not None:
        return {"count": due_tomorrow(user, user.organization, now)}
    return {}


def tick(now: datetime | None = None) -> dict[str, int]:
    """The periodic run: escalations, digests, retries. Nothing at all without a server."""
    if not mail.is_configured():
        return {"escalations": 0, "digests": 0, "retries": 0}
    now = now or timezone.now()
    return {
        "escalations": escalate(now),
        "digests": send_digests(now),
        "retries": retry_failed(now),
    }
