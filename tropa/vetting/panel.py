"""The vetting panel on the case page, and the verifier's dashboard panel (the queue)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases.models import Case

from .models import Decision, DecisionState, Outcome, Vetting, VettingState

_OPEN = [VettingState.OPEN, VettingState.PROPOSED]
_WEEKS = 12


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, Cap.VIEW_NOTES):
        return None
    vetting = Vetting.objects.filter(organization=case.organization_id, case=case).first()
    return {
        "case": case,
        "vetting": vetting,
        "may_open": vetting is None and can(request.user, Cap.OPEN_VETTING),
        "days": (timezone.now() - vetting.opened_at).days if vetting else None,
    }


def _ages(vettings: Any, now: Any) -> list[tuple[str, int]]:
    """How many open vettings fall in each age band (one query)."""
    bands = [
        (_("under a week"), Q(opened_at__gt=now - timedelta(days=7))),
        (
            _("1–4 weeks"),
            Q(opened_at__lte=now - timedelta(days=7), opened_at__gt=now - timedelta(days=28)),
        ),
        (
            _("1–3 months"),
            Q(opened_at__lte=now - timedelta(days=28), opened_at__gt=now - timedelta(days=91)),
        ),
        (_("over 3 months"), Q(opened_at__lte=now - timedelta(days=91))),
    ]
    counts = vettings.aggregate(
        **{f"b{n}": Count("pk", filter=q) for n, (_l, q) in enumerate(bands)}
    )
    return [(label, counts[f"b{n}"]) for n, (label, _q) in enumerate(bands)]


def decisions_chart(organization: Any, now: Any) -> dict[str, Any]:
    """Decisions per week over the last twelve weeks, by outcome, as SVG bar geometry."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=today.weekday(), weeks=_WEEKS - 1)  # a Monday
    rows = Decision.objects.filter(
        organization=organization,
        state__in=[DecisionState.DECIDED, DecisionState.REOPENED],
        decided_at__gte=start,
    ).values_list("decided_at", "outcome")
    weeks: list[dict[str, int]] = [{o: 0 for o in Outcome.values} for _w in range(_WEEKS)]
    for decided_at, outcome in rows:
        weeks[min((decided_at - start).days // 7, _WEEKS - 1)][outcome] += 1
    top = max([sum(w.values()) for w in weeks] + [1])
    width, height, bar = 360, 120, 24
    colours: dict[str, str] = {
        Outcome.RECOMMEND: "#2e7d32",
        Outcome.NOT_RECOMMEND: "#c62828",
        Outcome.DEFER: "#9e9e9e",
    }
    bars = []
    for n, week in enumerate(weeks):
        y = height
        for outcome in Outcome.values:
            h = round(week[outcome] * (height - 10) / top)
            if h:
                y -= h
                bars.append(
                    {
                        "x": 6 + n * 30,
                        "y": y,
                        "h": h,
                        "w": bar,
                        "fill": colours[outcome],
                        "n": week[outcome],
                        "label": Outcome(outcome).label,
                    }
                )
    return {
        "width": width,
        "height": height + 16,
        "bars": bars,
        "baseline": height,
        "total": sum(sum(w.values()) for w in weeks),
        "top": top,
        "legend": [(Outcome(o).label, colours[o]) for o in Outcome.values],
        "start": start,
    }


def dashboard_context(request: HttpRequest) -> dict[str, Any] | None:
    """The verifier's queue: open vettings by state and age, the oldest first, decisions."""
    if not can(request.user, Cap.VET):
        return None
    organization = staff_user(request).organization
    now = timezone.now()
    open_vettings = Vetting.objects.filter(organization=organization, state__in=_OPEN)
    by_state = dict(open_vettings.values_list("state").annotate(n=Count("pk")).order_by())
    # The ten oldest of each state, read along the (organization, state, opened_at) index,
    # then merged: one query over both states would sort every open vetting.
    candidates = [
        v
        for state in _OPEN
        for v in Vetting.objects.filter(organization=organization, state=state)
        .select_related("case__person")
        .order_by("opened_at")[:10]
    ]
    oldest = [
        (v, (now - v.opened_at).days) for v in sorted(candidates, key=lambda v: v.opened_at)[:10]
    ]
    return {
        "states": [(VettingState(s).label, by_state.get(s, 0)) for s in _OPEN],
        "ages": _ages(open_vettings, now),
        "oldest": oldest,
        "chart": decisions_chart(organization, now),
    }
