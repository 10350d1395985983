"""A fact's dates as precisely as its source gives them: "2024", "April 2024" or the day."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def known_date(value: date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")


@register.filter
def known_short_date(value: date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return f"{value.month:02d}.{value.year}"
    return date_format(value, "SHORT_DATE_FORMAT")
