"""The follow-up rule over time: no answer after N days means a task for the request's owner."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case, Task
from tropa.outreach import services
from tropa.outreach.models import Institution, Request, Status, StatusChange
from tropa.outreach.tasks import evaluate_followups, hourly_followups_task


def _embassy(astana: Organization, coordinator: User, kind: str = "embassy") -> Institution:
    return services.create_institution(
        actor=coordinator, organization=astana, name=f"Embassy ({kind})", kind=kind
    )


def _send(
    astana: Organization, coordinator: User, institution: Institution, **kw: object
) -> Request:
    return services.record_request(
        actor=coordinator,
        organization=astana,
        institution=institution,
        channel="email",
        sent_on=date(2026, 3, 2),
        subject="Humanitarian visa",
        **kw,  # type: ignore[arg-type]
    )


def test_it_waits_the_default_14_days(
    astana: Organization, coordinator: User, canary_case: Case
) -> None:
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator), case=canary_case)
    assert request.answer_due_on == date(2026, 3, 16)
    with freeze_time("2026-03-16 23:00"):
        assert services.run_followups() == 0
    with freeze_time("2026-03-17 08:00"):
        assert services.run_followups() == 1

    request.refresh_from_db()
    assert (request.status, request.status_on) == (Status.NO_ANSWER, date(2026, 3, 17))
    assert [c.status for c in request.changes.all()] == ["no_answer"]
    task = Task.objects.unscoped().get(case=canary_case)
    assert task.assignee == coordinator and task.due_on == date(2026, 3, 17)
    assert "Embassy (embassy)" in task.title


def test_it_creates_one_task_however_often_it_runs(
    astana: Organization, coordinator: User, canary_case: Case
) -> None:
    with freeze_time("2026-03-02"):
        _send(astana, coordinator, _embassy(astana, coordinator), case=canary_case)
    with freeze_time("2026-04-01"):
        results = [services.run_followups(), services.run_followups()]
        evaluate_followups.enqueue()
        out = io.StringIO()
        call_command("outreach", "followups", stdout=out)
    assert results == [1, 0]
    assert out.getvalue().startswith("0 requests")
    assert Task.objects.unscoped().filter(case=canary_case).count() == 1


def test_it_uses_the_period_of_the_institution_type(
    astana: Organization, coordinator: User
) -> None:
    services.set_followup_days(actor=coordinator, organization=astana, days={"journalist": 3})
    with freeze_time("2026-03-02"):
        quick = _send(astana, coordinator, _embassy(astana, coordinator, "journalist"))
        slow = _send(astana, coordinator, _embassy(astana, coordinator, "ministry"))
    with freeze_time("2026-03-06"):
        services.run_followups()
    quick.refresh_from_db()
    slow.refresh_from_db()
    assert (quick.status, slow.status) == (Status.NO_ANSWER, Status.PENDING)
    assert slow.answer_due_on == date(2026, 3, 16)


def test_it_leaves_answered_requests_alone(astana: Organization, coordinator: User) -> None:
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator))
    with freeze_time("2026-03-10"):
        services.record_answer(
            actor=coordinator, request=request, status="acknowledged", on=date(2026, 3, 9)
        )
    with freeze_time("2026-05-01"):
        assert services.run_followups() == 0
    request.refresh_from_db()
    assert (request.status, request.days_to_answer) == ("acknowledged", 7)


def test_it_records_a_late_answer_after_no_answer(astana: Organization, coordinator: User) -> None:
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator))
    with freeze_time("2026-03-20"):
        services.run_followups()
        services.record_answer(
            actor=coordinator,
            request=request,
            status="refused",
            on=date(2026, 3, 19),
            note="territoriality principle",
        )
    request.refresh_from_db()
    assert (request.status, request.days_to_answer) == ("refused", 17)
    assert request.followup_done_at is not None


def test_the_dashboard_only_reads(
    astana: Organization, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator), group="Astana six")
    with freeze_time("2026-03-20"):
        client = signed_in(coordinator)
        entries = AuditEntry.objects.count()
        client.get(reverse("outreach:index"))
    request.refresh_from_db()
    assert request.status == Status.PENDING and request.followup_created_at is None
    assert not request.changes.exists()
    assert AuditEntry.objects.count() == entries


def test_the_worker_runs_the_rule_every_hour(astana: Organization, coordinator: User) -> None:
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator))
    with freeze_time("2026-03-17 08:00"):
        assert hourly_followups_task.enqueue().return_value == 1
    request.refresh_from_db()
    assert request.status == Status.NO_ANSWER


def test_it_lists_due_follow_ups_on_the_dashboard_once_the_worker_evaluated_them(
    astana: Organization, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator), group="Astana six")
    with freeze_time("2026-03-20"):
        hourly_followups_task.enqueue()  # the worker's hourly run (tasks.py)
        client = signed_in(coordinator)
        page = client.get(reverse("outreach:index")).content.decode()
        assert "Astana six" in page and 'class="badge danger">1<' in page
        client.post(reverse("outreach:followed_up", args=[request.code]))
        page = client.get(reverse("outreach:index")).content.decode()
    assert "Nothing to follow up." in page
    request.refresh_from_db()
    assert request.status == Status.NO_ANSWER and request.followup_done_at is not None


def test_two_workers_claiming_the_same_follow_up_create_one_task(
    astana: Organization, coordinator: User, canary_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deterministic interleaving of two workers: A has read the request as due, then B
    claims it entirely, then A's conditional UPDATE runs. Only the condition (still pending,
    not yet claimed) keeps A from a second status change and a second task."""
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator), case=canary_case)
    original = QuerySet.update
    results: list[int] = []
    b_ran = []

    def interleaved(self: QuerySet[Any], **kwargs: Any) -> int:
        if self.model is Request and not b_ran:
            b_ran.append(True)
            results.append(services.run_followups())  # worker B, between A's read and claim
        return original(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", interleaved)
    with freeze_time("2026-04-01"):
        results.insert(0, services.run_followups())  # worker A
    assert results == [0, 1]  # A lost, B won
    assert Task.objects.unscoped().filter(case=canary_case).count() == 1
    assert StatusChange.objects.filter(request=request).count() == 1
    assert AuditEntry.objects.filter(action="outreach.followup_due").count() == 1


def test_tropa_run_schedules_the_hourly_rule(astana: Organization, coordinator: User) -> None:
    with freeze_time("2026-03-02"):
        request = _send(astana, coordinator, _embassy(astana, coordinator))
    out = io.StringIO()
    with freeze_time("2026-03-17 08:00"):
        call_command("outreach", "schedule", stdout=out)  # what ``tropa run`` calls
    assert "hourly follow-up rule queued" in out.getvalue()
    request.refresh_from_db()
    assert request.status == Status.NO_ANSWER  # the immediate backend ran it at once
