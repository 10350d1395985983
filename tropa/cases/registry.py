"""How later apps (evidence, screening, vetting, outreach...) add to the case page and the
dashboard.

``cases`` never imports a later app. A later app registers a panel (a template and a
function that builds its context), a timeline source or a dashboard panel in its
``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from .models import Case


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[HttpRequest, Case], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_panels: dict[str, Panel] = {}
_dashboard_panels: dict[str, DashboardPanel] = {}
_timeline_sources: dict[str, Callable[[HttpRequest, Case], list[TimelineEntry]]] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def register_dashboard_panel(panel: DashboardPanel) -> None:
    _dashboard_panels[panel.key] = panel


def register_timeline(key: str, source: Callable[[HttpRequest, Case], list[TimelineEntry]]) -> None:
    _timeline_sources[key] = source


def panels_for(request: HttpRequest, case: Case) -> list[tuple[str, dict[str, Any]]]:
    """The (template, context) pairs of every panel that has something for this user."""
    from tropa.crypto.fields import KeyErased

    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        try:
            context = panel.context(request, case)
        except KeyErased:  # the case was erased: the panel says so (docs/retention.md)
            rendered.append(("cases/_panel_erased.html", {"key": panel.key}))
            continue
        if context is not None:
            rendered.append((panel.template, context))
    return rendered


def timeline_for(request: HttpRequest, case: Case) -> list[TimelineEntry]:
    from tropa.crypto.fields import KeyErased

    entries: list[TimelineEntry] = []
    for source in _timeline_sources.values():
        try:
            entries.extend(source(request, case))
        except KeyErased:  # an erased case's entries are gone with it
            continue
    return entries


def dashboard_panels_for(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    """The (template, context) pairs of every dashboard panel with something for this user."""
    rendered = []
    for panel in sorted(_dashboard_panels.values(), key=lambda p: p.order):
        context = panel.context(request)
        if context is not None:
            rendered.append((panel.template, context))
    return rendered


# Cases granted to a user for a limited time (an advocate's, tropa/sharing): the app that
# keeps the grants registers a function that answers, for a user, a Q over case primary
# keys (``pk__in=…``). Without one, nothing is granted.
_granted_cases: list[Callable[[Any, str], Q]] = []


def register_granted_cases(source: Callable[[Any, str], Q]) -> None:
    _granted_cases[:] = [source]


def granted_cases(user: Any, case_path: str = "pk") -> Q:
    """A filter for the cases granted to ``user`` (at ``case_path``); matches none without a
    registered source."""
    if not _granted_cases:
        return Q(pk__in=[])
    return _granted_cases[0](user, case_path)


# A later app may hold a reveal back (dual control, tropa/retention): a gate raises a
# ServiceError to refuse ``actor`` the identities of ``people`` for ``purpose``.
RevealGate = Callable[[Any, list[Any], str], None]
_reveal_gates: list[RevealGate] = []


def register_reveal_gate(gate: RevealGate) -> None:
    if gate not in _reveal_gates:
        _reveal_gates.append(gate)


def check_reveal_gates(actor: Any, people: list[Any], purpose: str) -> None:
    for gate in _reveal_gates:
        gate(actor, people, purpose)


# A later app may hold a bulk read back (dual control, tropa/retention): finding a case by
# identity (``what="identity_search"``) or a bulk export (``"outreach.requests"``…). A hold
# raises a ServiceError (a RevealLimitReached, with a ``url`` where to ask) unless
# ``approval`` is the code of an approved request of ``actor`` for exactly this ``payload``.
HoldGate = Callable[[Any, Any, str, dict[str, Any], str | None], None]
_hold_gates: list[HoldGate] = []


def register_hold_gate(gate: HoldGate) -> None:
    if gate not in _hold_gates:
        _hold_gates.append(gate)


def check_hold_gates(
    actor: Any, organization: Any, what: str, payload: dict[str, Any], approval: str | None
) -> None:
    for gate in _hold_gates:
        gate(actor, organization, what, payload, approval)
