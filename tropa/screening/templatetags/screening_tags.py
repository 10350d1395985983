from __future__ import annotations

from django import template

from tropa.screening.explain import short_decision

register = template.Library()


@register.filter
def decision_label(code: str) -> str:
    """The engine's decision code as a short label in the reader's language."""
    return short_decision(code)


@register.filter
def percent(score: float) -> str:
    return f"{round(score * 100)} %"
