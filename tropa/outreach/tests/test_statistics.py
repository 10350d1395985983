"""Statistics on known data: answer rates, medians, outcomes, months; charts and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time
from openpyxl import load_workbook

from tropa.accounts.models import Organization, User
from tropa.outreach import services, stats
from tropa.outreach.models import Institution, Request


@pytest.fixture
def known(astana: Organization, coordinator: User) -> dict[str, Institution]:
    """Germany (embassy): 4 requests answered after 2, 4, 6 and 10 days (one granted).
    France (embassy): 3 requests, 1 refused after 5 days, 2 without answer.
    Pro Asyl (NGO, DE): 2 requests, 1 acknowledged after 1 day, 1 still waiting.
    """
    make = services.create_institution
    de = make(actor=coordinator, organization=astana, name="DE", kind="embassy", country="DE")
    fr = make(actor=coordinator, organization=astana, name="FR", kind="embassy", country="FR")
    ngo = make(actor=coordinator, organization=astana, name="Pro Asyl", kind="ngo", country="DE")
    plan = [
        (de, date(2026, 1, 5), "acknowledged", 2),
        (de, date(2026, 1, 20), "asked_more", 4),
        (de, date(2026, 2, 2), "meeting", 6),
        (de, date(2026, 2, 10), "granted", 10),
        (fr, date(2026, 1, 6), "refused", 5),
        (fr, date(2026, 1, 7), None, None),
        (fr, date(2026, 2, 1), None, None),
        (ngo, date(2026, 2, 3), "acknowledged", 1),
        (ngo, date(2026, 3, 25), None, None),
    ]
    with freeze_time("2026-03-30"):
        for institution, sent_on, status, days in plan:
            request = services.record_request(
                actor=coordinator,
                organization=astana,
                institution=institution,
                channel="email",
                sent_on=sent_on,
                subject="s",
            )
            if status:
                services.record_answer(
                    actor=coordinator,
                    request=request,
                    status=status,
                    on=sent_on + timedelta(days=days),
                )
        services.run_followups()
    return {"de": de, "fr": fr, "ngo": ngo}


def test_it_computes_rates_medians_and_outcomes(astana: Organization, known: object) -> None:
    numbers = stats.compute(astana.pk)

    total = numbers.total
    assert (total.requests, total.answered, total.no_answer, total.pending) == (9, 6, 2, 1)
    assert total.rate_percent == 75  # 6 of the 8 whose time is up
    assert total.median_days == 4.5  # 1, 2, 4, 5, 6, 10
    by_kind = {g.key: g for g in numbers.by_kind}
    assert (by_kind["embassy"].requests, by_kind["embassy"].rate_percent) == (7, 71)
    assert by_kind["embassy"].median_days == 5
    assert by_kind["ngo"].rate_percent == 100 and by_kind["ngo"].pending == 1
    by_country = {g.key: g for g in numbers.by_country}
    assert by_country["DE"].requests == 6 and by_country["DE"].median_days == 4
    assert by_country["FR"].statuses["refused"] == 1 and by_country["FR"].rate_percent == 33
    assert [g.name for g in numbers.by_institution] == ["DE", "FR", "Pro Asyl"]
    with translation.override("en"):
        assert [g.name for g in numbers.by_kind] == ["Embassy", "NGO"]
    with translation.override("de"):
        assert [g.name for g in numbers.by_kind] == ["Botschaft", "NGO"]
    assert [(m.month.month, m.sent, m.answered) for m in numbers.months] == [
        (1, 4, 3),
        (2, 4, 3),
        (3, 1, 0),
    ]


def test_it_limits_numbers_to_a_period(astana: Organization, known: object) -> None:
    numbers = stats.compute(astana.pk, since=date(2026, 2, 1), until=date(2026, 2, 28))
    assert numbers.total.requests == 4
    assert numbers.total.median_days == 6  # 1, 6, 10


def test_it_draws_charts_as_inline_svg_without_outside_assets(
    coordinator: User, known: object, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(coordinator).get(reverse("outreach:statistics"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<svg class="chart') == 4
    assert 'class="status-fill-granted"' in html and "75%" in html
    assert "style=" not in html and "<script" not in html
    assert "http://" not in html and "https://" not in html


def test_it_exports_statistics_as_csv_and_xlsx(
    coordinator: User, known: object, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    response = client.get(reverse("outreach:stats_csv"))
    assert response["Content-Disposition"] == 'attachment; filename="outreach-statistics.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Grouping", "Name", "Requests", "Answered"]
    assert rows[4][:8] == ["By country", "France", "3", "1", "2", "0", "33", "5"]
    assert rows[-1] == ["By month", "2026-03", "1", "0"]

    response = client.get(reverse("outreach:stats_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["By type", "By country", "By institution", "By month"]
    assert list(workbook["By month"].iter_rows(values_only=True))[1] == ("2026-01", 4, 3)
    institutions = list(workbook["By institution"].iter_rows(values_only=True))
    assert institutions[1][:7] == ("DE", 4, 4, 0, 0, 100, 5)


def test_it_reuses_figures_until_a_write_changes_them(
    astana: Organization, coordinator: User, known: dict[str, Institution]
) -> None:
    assert stats.cached(astana).total.statuses["granted"] == 1
    # A change behind the services' back is not seen: the figures come from the cache.
    Request.objects.unscoped().filter(status="refused").update(status="granted")
    assert stats.cached(astana).total.statuses["granted"] == 1
    with freeze_time("2026-03-30"):
        request = services.record_request(
            actor=coordinator,
            organization=astana,
            institution=known["fr"],
            channel="email",
            sent_on=date(2026, 3, 28),
            subject="s",
        )
        assert stats.cached(astana).total.requests == 10
        services.record_answer(
            actor=coordinator, request=request, status="granted", on=date(2026, 3, 29)
        )
    assert stats.cached(astana).total.statuses["granted"] == 3
