"""Trips, the stay clock each country's rule sets, deadlines and their reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.cases.services import add_task
from tropa.crypto.fields import seal, unseal
from tropa.lib.stay import Stay, StayError, check_trips, parse_rule
from tropa.lib.stay import Trip as Span

from ..countries import country_name
from ..errors import PathwayError
from ..models import REMINDER_DAYS, CountryProfile, Deadline, DeadlineKind, Trip


@dataclass(frozen=True)
class Clock:
    """The stay clock of one country for one case, on one day."""

    country: str
    rule: str
    stay: Stay

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def rule_in_words(self) -> str:
        from ..rules import rule_in_words

        return rule_in_words(self.rule)


def _spans(trips: list[Trip]) -> list[Span]:
    return [Span(t.entry, t.exit, line=n) for n, t in enumerate(trips, start=1)]


def _check(case: Case, trips: list[Trip]) -> None:
    """He is in one country at a time: no two trips overlap, whichever countries they go to."""
    ordered = sorted(trips, key=lambda t: (t.entry, t.exit or date.max))
    try:
        check_trips([Span(t.entry, t.exit) for t in ordered])
    except StayError:
        raise PathwayError(
            _(
                "These dates overlap another trip of this case, or come after a trip without an "
                "exit."
            )
        ) from None
    for trip in trips:
        if trip.exit is not None and trip.exit < trip.entry:
            raise PathwayError(_("The exit cannot be before the entry."))
        if trip.entry > timezone.localdate() + timedelta(days=366):
            raise PathwayError(_("The entry is more than a year away."))


def add_trip(
    *,
    actor: User | None,
    case: Case,
    country: str,
    entry: date,
    exit: date | None,
    border_point: str = "",
) -> Trip:
    with transaction.atomic():
        Case.objects.unscoped().select_for_update().filter(pk=case.pk).first()
        trip = Trip(
            organization_id=case.organization_id, case=case, country=country, entry=entry, exit=exit
        )
        _check(case, [*case.trips.all(), trip])
        trip.sealed = seal(trip, "sealed", border_point.strip()) if border_point.strip() else None
        trip.save(force_insert=True)
        log_action(actor, Action.TRIP_ADDED, case, trip=str(trip.code), country=country)
        recompute_case(case)
    return trip


def edit_trip(*, actor: User | None, trip: Trip, entry: date, exit: date | None) -> None:
    with transaction.atomic():
        Case.objects.unscoped().select_for_update().filter(pk=trip.case_id).first()
        trip.entry, trip.exit = entry, exit
        others = [t for t in trip.case.trips.all() if t.pk != trip.pk]
        _check(trip.case, [*others, trip])
        trip.save(update_fields=["entry", "exit"])
        log_action(actor, Action.TRIP_EDITED, trip.case, trip=str(trip.code))
        recompute_case(trip.case)


def delete_trip(*, actor: User | None, trip: Trip) -> None:
    with transaction.atomic():
        case = trip.case
        log_action(actor, Action.TRIP_DELETED, case, trip=str(trip.code))
        trip.delete()
        recompute_case(case)


def border_point(trip: Trip) -> str:
    return unseal(trip, "sealed", trip.sealed) if trip.sealed else ""


def _rule_of(case: Case, country: str) -> str:
    profile = (
        CountryProfile.objects.filter(organization_id=case.organization_id, country=country)
        .only("stay_rule")
        .first()
    )
    return profile.stay_rule if profile else ""


def clocks(case: Case, on: date | None = None, trips: list[Trip] | None = None) -> list[Clock]:
    """One clock per country the case's trips went to that has a stay rule."""
    from tropa.lib.stay import calculate

    on = on or timezone.localdate()
    trips = list(case.trips.all()) if trips is None else trips
    countries = {t.country for t in trips}
    rules = (
        dict(
            CountryProfile.objects.filter(
                organization_id=case.organization_id, country__in=countries
            )
            .exclude(stay_rule="")
            .values_list("country", "stay_rule")
        )
        if countries
        else {}
    )
    return [
        Clock(
            country,
            rules[country],
            calculate(
                parse_rule(rules[country]), _spans([t for t in trips if t.country == country]), on
            ),
        )
        for country in sorted(countries)
        if country in rules
    ]


def current_country(case: Case, trips: list[Trip] | None = None) -> str | None:
    """The country of the trip he has not left yet, if any."""
    if trips is None:
        open_trip = case.trips.filter(exit=None).order_by("-entry").first()
    else:
        open_trip = max((t for t in trips if t.exit is None), key=lambda t: t.entry, default=None)
    return open_trip.country if open_trip else None


def recompute_case(case: Case) -> None:
    """Keep the computed "last legal day" deadline of the case current with its trips."""
    from tropa.lib.stay import calculate

    open_trip = case.trips.filter(exit=None).order_by("-entry").first()
    rule = _rule_of(case, open_trip.country) if open_trip else ""
    existing = Deadline.objects.filter(
        organization_id=case.organization_id, case=case, kind=DeadlineKind.STAY, computed=True
    )
    if open_trip is None or not rule:
        existing.delete()
        return
    trips = [t for t in case.trips.all() if t.country == open_trip.country]
    on = max(timezone.localdate(), open_trip.entry)
    stay = calculate(parse_rule(rule), _spans(trips), on)
    due = stay.last_legal_day or _overstayed_since(rule, trips, on)
    current = existing.first()
    if current is None:
        Deadline.objects.create(
            organization_id=case.organization_id,
            case=case,
            kind=DeadlineKind.STAY,
            due_on=due,
            country=open_trip.country,
            computed=True,
        )
    elif current.due_on != due or current.country != open_trip.country:
        current.due_on, current.country, current.reminded_at = due, open_trip.country, None
        current.done_at = None
        current.save(update_fields=["due_on", "country", "reminded_at", "done_at"])


def _overstayed_since(rule: str, trips: list[Trip], on: date) -> date:
    """He is over the limit already: the last legal day was the day before he went over."""
    from tropa.lib.stay import calculate

    day = on
    parsed = parse_rule(rule)
    for _n in range(400):
        day -= timedelta(days=1)
        if not calculate(parsed, _spans([t for t in trips if t.entry <= day]), day).overstay:
            return day
    return day


def recompute_country(profile: CountryProfile) -> int:
    """A country's stay rule changed: every case with an open trip there is recomputed."""
    cases = (
        Case.objects.for_organization(profile.organization)
        .filter(trips__country=profile.country, trips__exit=None)
        .distinct()
    )
    count = 0
    for case in cases:
        recompute_case(case)
        count += 1
    return count


def add_deadline(
    *, actor: User | None, case: Case, kind: str, due_on: date, country: str = "", note: str = ""
) -> Deadline:
    if kind == DeadlineKind.STAY:
        raise PathwayError(_("The last legal day is computed from the trips; record the trips."))
    with transaction.atomic():
        deadline = Deadline(
            organization_id=case.organization_id,
            case=case,
            kind=kind,
            due_on=due_on,
            country=country,
        )
        deadline.sealed = seal(deadline, "sealed", note.strip()) if note.strip() else None
        deadline.save(force_insert=True)
        log_action(actor, Action.DEADLINE_ADDED, case, deadline=str(deadline.code), kind=kind)
    return deadline


def set_deadline_done(*, actor: User | None, deadline: Deadline, done: bool) -> None:
    with transaction.atomic():
        deadline.done_at = timezone.now() if done else None
        deadline.save(update_fields=["done_at"])
        log_action(
            actor,
            Action.DEADLINE_DONE if done else Action.DEADLINE_REOPENED,
            deadline.case,
            deadline=str(deadline.code),
        )


def deadline_note(deadline: Deadline) -> str:
    return unseal(deadline, "sealed", deadline.sealed) if deadline.sealed else ""


def remind_deadlines(today: date | None = None) -> int:
    """Tasks for the assignee 14, 7 and 3 days before each open deadline (once per step).

    Runs daily (``tropa pathways schedule``); a deadline already closer than a step gets the
    reminder of the nearest step it has passed, never all of them at once.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    made = 0
    due = Deadline.objects.unscoped().filter(done_at=None, due_on__gte=today, due_on__lte=horizon)
    for deadline in due.select_related("case"):
        left = deadline.days_left(today)
        step = min(d for d in REMINDER_DAYS if d >= left)
        if deadline.reminded_at is not None and deadline.reminded_at <= step:
            continue
        with transaction.atomic():
            claimed = Deadline.objects.unscoped().filter(
                pk=deadline.pk, reminded_at=deadline.reminded_at
            )
            if not claimed.update(reminded_at=step):
                continue
            assignee = deadline.case.assignee
            # The task is read by its assignee: written in his language, not the server's.
            with translation.override(getattr(assignee, "language", "") or settings.LANGUAGE_CODE):
                title = ngettext(
                    "%(deadline)s in %(days)s day", "%(deadline)s in %(days)s days", left
                ) % {"deadline": DeadlineKind(deadline.kind).label, "days": left}
            add_task(
                actor=None,
                case=deadline.case,
                due_on=deadline.due_on,
                title=title,
                assignee=assignee,
            )
            log_action(
                None,
                Action.DEADLINE_REMINDED,
                deadline.case,
                deadline=str(deadline.code),
                days=step,
            )
        made += 1
    return made
