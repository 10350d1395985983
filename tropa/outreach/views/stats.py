"""Statistics: the page and its export (the figures come from ``tropa.outreach.stats``)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tropa.accounts.permissions import staff_user

from .. import exports, services, stats
from ..access import (
    outreach_organization,
)
from ..forms import (
    PeriodForm,
)
from ..models import Status
from .common import csv_response, xlsx_response

INSTITUTIONS_SHOWN = 30


def _period(request: HttpRequest) -> tuple[PeriodForm, date | None, date | None]:
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["since"], form.cleaned_data["until"]
    return form, None, None


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    organization = outreach_organization(request.user)
    form, since, until = _period(request)
    numbers = stats.cached(organization, since, until)
    kind_bars, kind_height = stats.rate_bars(numbers.by_kind)
    country_bars, country_height = stats.rate_bars(numbers.by_country[:15])
    return render(
        request,
        "outreach/statistics.html",
        {
            "form": form,
            "query": request.GET.urlencode(),
            "numbers": numbers,
            "institutions": numbers.by_institution[:INSTITUTIONS_SHOWN],
            "kind_bars": kind_bars,
            "kind_height": kind_height,
            "country_bars": country_bars,
            "country_height": country_height,
            "columns": stats.month_columns(numbers.months),
            "segments": stats.outcome_segments(numbers.total),
            "chart_width": stats.CHART_WIDTH,
            "label_width": stats.LABEL_WIDTH,
            "track_width": stats.TRACK_WIDTH,
            "outcome_labels": [Status(s).label for s in stats.OUTCOMES],
        },
    )


@require_GET
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = staff_user(request)
    organization = outreach_organization(user)
    _form, since, until = _period(request)
    numbers = stats.cached(organization, since, until)
    services.export_logged(actor=user, organization=organization, what="statistics", fmt=fmt)
    if fmt == "csv":
        header, rows = exports.statistics_csv(numbers)
        return csv_response(header, rows, "outreach-statistics.csv")
    return xlsx_response(exports.statistics_sheets(numbers), "outreach-statistics.xlsx")
