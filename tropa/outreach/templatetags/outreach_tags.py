"""``{% load outreach_tags %}``: ``{{ institution.country|country_name }}``."""

from __future__ import annotations

from django import template

from tropa.core.countries import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return _country_name(code) or "—"
