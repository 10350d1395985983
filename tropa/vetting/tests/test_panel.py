"""The case panel and the verifier's dashboard panel: the queue, ages, the decisions chart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tropa.accounts.models import User
from tropa.cases import services as cases
from tropa.vetting.models import Decision, Vetting
from tropa.vetting.panel import decisions_chart

SignedIn = Callable[[User], Client]


def test_the_dashboard_shows_the_queue_by_state_and_age(
    decided: Decision, vetting: Vetting, verifier: User, coordinator: User, signed_in: SignedIn
) -> None:
    from tropa.vetting import services

    for n, days in enumerate((2, 40, 120)):
        case = cases.create_case(
            actor=coordinator, organization=vetting.organization, pseudonym=f"Q{n}"
        )
        opened = services.open_vetting(actor=coordinator, case=case)
        Vetting.objects.filter(organization=vetting.organization_id, pk=opened.pk).update(
            opened_at=timezone.now() - timedelta(days=days)
        )
    client = signed_in(verifier)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert 'id="vetting-queue"' in page and "<svg" in page and "<rect" in page
    oldest = page[page.index('id="vetting-oldest"') :]
    assert oldest.index("Q2") < oldest.index("Q1") < oldest.index("Q0")
    assert ">120<" in oldest
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:dashboard"))
    for n in range(5):
        case = cases.create_case(
            actor=coordinator, organization=vetting.organization, pseudonym=f"R{n}"
        )
        services.open_vetting(actor=coordinator, case=case)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:dashboard"))
    assert len(many) == len(few)


def test_volunteers_see_no_vetting_panel(
    vetting: Vetting, volunteer: User, signed_in: SignedIn
) -> None:
    cases.update_case(actor=None, case=vetting.case, assignee=volunteer)
    client = signed_in(volunteer)
    assert 'id="vetting-queue"' not in client.get(reverse("cases:dashboard")).content.decode()
    assert (
        'id="vetting"'
        not in client.get(reverse("cases:detail", args=[vetting.case.code])).content.decode()
    )


def test_the_chart_counts_decisions_per_week(decided: Decision, vetting: Vetting) -> None:
    chart: dict[str, Any] = decisions_chart(vetting.organization_id, timezone.now())
    assert chart["total"] == 1
    assert [b["n"] for b in chart["bars"]] == [1] and chart["bars"][-1]["x"] == 6 + 11 * 30
    later = decisions_chart(vetting.organization_id, timezone.now() + timedelta(weeks=20))
    assert later["total"] == 0 and later["bars"] == []
