"""Where writing is worth it: answer rates, time to answer and outcomes, with SVG charts.

Three grouped queries carry all the numbers: per institution by status, per institution by
days to the first answer, and per day sent; each is answered from an index alone (hence
``Count("*")``: counting the primary key would visit every row). They return groups, not
requests: their number depends on institutions and days, not on how many requests there
are. Type and country come from the institutions, and medians come from the day
histograms exactly, so the page needs neither a percentile function in the database nor a
pass over every request in Python.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.db.models import Count, Q

from tropa.accounts.models import Organization
from tropa.core.countries import country_name

from .models import ANSWERED, Institution, Kind, Request, StatsVersion, Status

CHART_WIDTH = 640
BAR_HEIGHT = 18
LABEL_WIDTH = 190
TRACK_WIDTH = CHART_WIDTH - LABEL_WIDTH - 90
KIND_LABELS = dict(Kind.choices)
OUTCOMES = [value for value in Status.values if value in ANSWERED]


@dataclass
class Group:
    key: str
    label: str
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    days: Counter[int] = field(default_factory=Counter)

    @property
    def name(self) -> str:
        """The label in the current language. Types are translated when shown, not when
        computed, because computed figures are cached for every language alike."""
        if self.label:
            return self.label
        if self.key in KIND_LABELS:
            return str(KIND_LABELS[self.key])
        return country_name(self.key) or self.key

    @property
    def outcomes(self) -> list[int]:
        """Counts of each kind of answer, in the order of ``OUTCOMES``."""
        return [self.statuses[s] for s in OUTCOMES]

    @property
    def answered(self) -> int:
        return sum(n for s, n in self.statuses.items() if s in ANSWERED)

    @property
    def no_answer(self) -> int:
        return self.statuses[Status.NO_ANSWER]

    @property
    def pending(self) -> int:
        return self.statuses[Status.PENDING]

    @property
    def rate(self) -> float | None:
        """Share answered among requests whose time is up (still-pending ones don't count)."""
        decided = self.answered + self.no_answer
        return self.answered / decided if decided else None

    @property
    def rate_percent(self) -> int | None:
        return round(self.rate * 100) if self.rate is not None else None

    @property
    def median_days(self) -> float | None:
        total = sum(self.days.values())
        if not total:
            return None
        ordered = sorted(self.days.items())

        def nth(k: int) -> int:
            seen = 0
            for value, n in ordered:
                seen += n
                if seen > k:
                    return value
            return ordered[-1][0]

        if total % 2:
            return nth(total // 2)
        middle = (nth(total // 2 - 1) + nth(total // 2)) / 2
        return int(middle) if middle.is_integer() else middle

    def merge(self, other: Group) -> None:
        self.requests += other.requests
        self.statuses.update(other.statuses)
        self.days.update(other.days)

    def add(self, status: str, days: int | None, n: int) -> None:
        self.requests += n
        self.statuses[status] += n
        if days is not None:
            self.days[days] += n


@dataclass
class Month:
    month: date
    sent: int = 0
    answered: int = 0


@dataclass
class Statistics:
    total: Group
    by_kind: list[Group]
    by_country: list[Group]
    by_institution: list[Group]
    months: list[Month]


def cached(
    organization: Organization, since: date | None = None, until: date | None = None
) -> Statistics:
    """``compute``, reused until a write changes the figures (see ``StatsVersion``).

    The version lives in the database, so every web process and the task worker agree on
    when figures are stale; the figures themselves stay in each process's memory, as
    objects (unpickling them from Django's cache cost as much as rendering the page).
    """
    version = (
        StatsVersion.objects.filter(organization=organization)
        .values_list("version", flat=True)
        .first()
    )
    return _figures(organization.pk, organization.code, version, since, until)


@lru_cache(maxsize=64)
def _figures(
    organization_id: int,
    code: uuid.UUID,  # primary keys come back after a rollback; codes do not
    version: int | None,
    since: date | None,
    until: date | None,
) -> Statistics:
    return compute(organization_id, since, until)


def compute(
    organization_id: int, since: date | None = None, until: date | None = None
) -> Statistics:
    """Figures of one organization's requests sent between ``since`` and ``until``."""
    requests = Request.objects.filter(organization_id=organization_id)
    if since:
        requests = requests.filter(sent_on__gte=since)
    if until:
        requests = requests.filter(sent_on__lte=until)
    institutions: dict[int, Group] = {}
    by_status = requests.values_list("institution_id", "status").annotate(n=Count("*"))
    for institution_id, status, n in by_status.order_by():
        group = institutions.setdefault(institution_id, Group("", ""))
        group.requests += n
        group.statuses[status] += n
    by_days = (
        requests.filter(days_to_answer__isnull=False)
        .values_list("institution_id", "days_to_answer")
        .annotate(n=Count("*"))
    )
    for institution_id, days, n in by_days.order_by():
        institutions[institution_id].days[days] += n
    total = Group("", "")
    kinds: dict[str, Group] = {}
    countries: dict[str, Group] = {}
    for pk, code, name, kind, country in Institution.objects.filter(
        pk__in=list(institutions)
    ).values_list("pk", "code", "name", "kind", "country"):
        group = institutions[pk]
        group.key, group.label = str(code), name
        for merged in (
            total,
            kinds.setdefault(kind, Group(kind, "")),
            countries.setdefault(country, Group(country, "" if country else "—")),
        ):
            merged.merge(group)

    by_day = (
        requests.values_list("sent_on")
        .annotate(n=Count("*"), answered=Count("status", filter=Q(status__in=ANSWERED)))
        .order_by("sent_on")
    )
    months: dict[date, Month] = {}
    for sent_on, n, answered in by_day:
        first = sent_on.replace(day=1)
        month = months.setdefault(first, Month(first))
        month.sent += n
        month.answered += answered

    def ranked(groups: dict[Any, Group]) -> list[Group]:
        return sorted(groups.values(), key=lambda g: (-g.requests, g.label or g.key))

    return Statistics(
        total=total,
        by_kind=ranked(kinds),
        by_country=ranked(countries),
        by_institution=ranked(institutions),
        months=_fill_months(months),
    )


def totals(organization: Organization) -> Group:
    """Counts by status for the dashboard (one small grouped query)."""
    total = Group("", "")
    for status, n in (
        Request.objects.filter(organization=organization)
        .values_list("status")
        .annotate(n=Count("*"))
        .order_by()
    ):
        total.add(status, None, n)
    return total


def institution_summary(institution: Institution) -> Group:
    """Counts by status and days to answer for one institution's page (one grouped query).

    ``institution`` comes from ``access.access_institution``: the figures are of the
    organization that owns it, whoever asks.
    """
    summary = Group("", "")
    for status, days, n in (
        Request.objects.filter(organization=institution.organization_id, institution=institution)
        .values_list("status", "days_to_answer")
        .annotate(n=Count("*"))
        .order_by()
    ):
        summary.add(status, days, n)
    return summary


def _fill_months(months: dict[date, Month]) -> list[Month]:
    """Every month from the first to the last, empty ones included (a chart needs the gaps)."""
    if not months:
        return []
    first, last = min(months), max(months)
    result, current = [], first
    while current <= last:
        result.append(months.get(current, Month(current)))
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return result


# Charts: geometry computed here, drawn by the template as inline SVG -----------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    y: int
    width: int
    text_x: int


def rate_bars(groups: list[Group]) -> tuple[list[Bar], int]:
    """Horizontal bars of answer rate; returns the bars and the chart height."""
    span = TRACK_WIDTH
    bars = []
    for i, group in enumerate(g for g in groups if g.rate is not None):
        width = round((group.rate or 0) * span)
        bars.append(
            Bar(
                label=group.name[:32],
                value_label=f"{group.rate_percent}% · {group.answered + group.no_answer}",
                y=i * (BAR_HEIGHT + 6),
                width=max(width, 1),
                text_x=LABEL_WIDTH + width + 6,
            )
        )
    return bars, max(len(bars), 1) * (BAR_HEIGHT + 6)


@dataclass(frozen=True)
class Column:
    label: str
    x: int
    width: int
    sent_y: int
    sent_height: int
    answered_y: int
    answered_height: int
    sent: int
    answered: int
    show_label: bool


def _quarters(months: list[Month]) -> list[Month]:
    quarters: dict[date, Month] = {}
    for month in months:
        first = month.month.replace(month=(month.month.month - 1) // 3 * 3 + 1)
        quarter = quarters.setdefault(first, Month(first))
        quarter.sent += month.sent
        quarter.answered += month.answered
    return list(quarters.values())


def month_columns(months: list[Month], height: int = 160, most: int = 36) -> list[Column]:
    """Vertical bars, sent and (in front) answered: per month, or per quarter for long spans."""
    by_quarter = len(months) > most
    shown = _quarters(months)[-most:] if by_quarter else months
    if not shown:
        return []
    peak = max(m.sent for m in shown) or 1
    step = CHART_WIDTH // len(shown)
    every = 1 if len(shown) <= 12 else 3
    columns = []
    for i, month in enumerate(shown):
        sent_h = round(month.sent / peak * height)
        answered_h = round(month.answered / peak * height)
        label = (
            f"Q{(month.month.month - 1) // 3 + 1}.{month.month:%y}"
            if by_quarter
            else month.month.strftime("%m.%y")
        )
        columns.append(
            Column(
                label=label,
                x=i * step + 2,
                width=max(step - 4, 2),
                sent_y=height - sent_h,
                sent_height=sent_h,
                answered_y=height - answered_h,
                answered_height=answered_h,
                sent=month.sent,
                answered=month.answered,
                show_label=i % every == 0,
            )
        )
    return columns


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    x: int
    width: int
    count: int


def outcome_segments(total: Group) -> list[Segment]:
    """One stacked bar: how all requests ended, in the order of the status list."""
    if not total.requests:
        return []
    segments, x = [], 0
    for status, label in Status.choices:
        n = total.statuses[status]
        if not n:
            continue
        width = round(n / total.requests * CHART_WIDTH)
        segments.append(Segment(status, str(label), x, width, n))
        x += width
    return segments


def table_rows(groups: list[Group]) -> list[list[Any]]:
    """Rows for export: one per group, counts per status at the end."""
    return [
        [
            g.name,
            g.requests,
            g.answered,
            g.no_answer,
            g.pending,
            g.rate_percent if g.rate_percent is not None else "",
            g.median_days if g.median_days is not None else "",
            *(g.statuses[s] for s in Status.values),
        ]
        for g in groups
    ]
