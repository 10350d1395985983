"""Every endpoint of /api/v1/: what it answers, that its writes go through the browser's
services (same audit entries, same refusals), and its errors as JSON naming the field."""

from __future__ import annotations

import json
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import user_today
from tropa.accounts.models import Role
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.outreach import services as outreach
from tropa.screening import services as screening

from .helpers import token_for

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: Any, scopes: list[str] | None = None) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scopes)}")

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", query)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/v1/{path}", json.dumps(data or {}), content_type="application/json"
        )


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_the_case_list_filters_and_pages_by_cursor(coordinator: Any, astana: Any) -> None:
    for n in range(5):
        cases.create_case(actor=coordinator, organization=astana, pseudonym=f"Wolf {n}")
    cases.create_case(actor=coordinator, organization=astana, pseudonym="Fox", risk="high")
    api = Api(coordinator)
    first = api.get("cases", q="wolf", size=2).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    seen = [c["pseudonym"] for c in first["results"]]
    cursor = first["next"]
    while cursor:
        page = api.get("cases", q="wolf", size=2, cursor=cursor).json()
        seen += [c["pseudonym"] for c in page["results"]]
        cursor = page["next"]
    assert sorted(seen) == [f"Wolf {n}" for n in range(5)]
    assert [c["pseudonym"] for c in api.get("cases", risk="high").json()["results"]] == ["Fox"]
    assert len(api.get("cases", size=1000).json()["results"]) == 6  # capped at 50, not refused


def test_a_bad_filter_is_a_400_naming_the_field(coordinator: Any) -> None:
    answer = Api(coordinator).get("cases", stage="nonsense")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and list(answer.json()["fields"]) == ["stage"]
    assert "nonsense" not in answer.content.decode()  # a value sent is never echoed


def test_reading_a_case_is_logged_as_the_browser_logs_it(
    coordinator: Any, canary_case: Case
) -> None:
    answer = Api(coordinator).get(f"cases/{canary_case.code}")
    body = answer.json()
    assert answer.status_code == 200 and body["pseudonym"] == "Funker" and body["notes"] == 1
    assert [n["details"] for n in body["needs"]] == ["for a family of 3"]
    entry = AuditEntry.objects.filter(action="case.viewed").latest("seq")
    assert entry.actor_code == str(coordinator.code) and entry.detail == {"sections": ["case"]}


def test_an_unknown_code_and_a_foreign_case_answer_the_same_404(
    coordinator: Any, outsider_case: Case
) -> None:
    api = Api(coordinator)
    foreign = api.get(f"cases/{outsider_case.code}")
    unknown = api.get(f"cases/{uuid.uuid4()}")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.content == unknown.content
    assert api.get("cases/not-a-code").status_code == 404


def test_creating_a_case(coordinator: Any, astana: Any) -> None:
    api = Api(coordinator)
    made = api.post("cases", {"pseudonym": "Falke", "country": "KZ", "risk": "high"})
    assert made.status_code == 201
    case = Case.objects.filter(organization=astana).get(code=made.json()["code"])
    assert case.risk == "high" and case.assignee == coordinator
    assert "case.created" in _actions()
    again = api.post("cases", {"pseudonym": "Falke", "country": "KZ"})
    assert again.status_code == 409 and again.json()["code"] == "same_pseudonym"
    assert (
        api.post(
            "cases", {"pseudonym": "Falke", "country": "KZ", "same_pseudonym": True}
        ).status_code
        == 201
    )
    bad = api.post("cases", {"pseudonym": "", "country": "ZZ"})
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"pseudonym", "country"}
    missing = api.post("cases", {})
    assert missing.status_code == 400 and "pseudonym" in missing.json()["fields"]


def test_a_volunteer_cannot_create_a_case(volunteer: Any) -> None:
    answer = Api(volunteer).post("cases", {"pseudonym": "X", "country": "KZ"})
    assert answer.status_code == 403


def test_moving_a_stage_with_the_services_refusals(coordinator: Any, canary_case: Case) -> None:
    api = Api(coordinator)
    moved = api.post(f"cases/{canary_case.code}/stage", {"stage": "vetting"})
    assert moved.status_code == 200 and moved.json()["stage"] == "vetting"
    entry = AuditEntry.objects.filter(action="case.stage_changed").latest("seq")
    assert entry.detail["to_stage"] == "vetting"
    same = api.post(f"cases/{canary_case.code}/stage", {"stage": "vetting"})
    assert same.status_code == 400 and same.json() == {
        "code": "refused",
        "message": "The case is already in this stage.",
    }
    closing = api.post(f"cases/{canary_case.code}/stage", {"stage": "closed"})
    assert closing.status_code == 400 and list(closing.json()["fields"]) == ["reason"]


def test_adding_a_note_task_need_support_and_alert(coordinator: Any, astana: Any) -> None:
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Sokol")
    api = Api(coordinator)
    base = f"cases/{case.code}"
    assert api.post(f"{base}/notes", {"text": "called back"}).status_code == 201
    assert cases.read_notes(case)[0][1] == "called back"
    task = api.post(f"{base}/tasks", {"title": "SIM card", "due_on": "2026-01-05"}).json()
    assert task["title"] == "SIM card" and task["overdue"] is True
    need = api.post(f"{base}/needs", {"kind": "lodging", "details": "two nights"})
    assert need.status_code == 201 and need.json()["kind"] == "lodging"
    support = api.post(
        f"{base}/support", {"kind": "money_out", "given_on": "2026-01-05", "amount": "50"}
    )
    assert support.status_code == 400 and "currency" in support.json()["fields"]
    support = api.post(
        f"{base}/support",
        {"kind": "money_out", "given_on": "2026-01-05", "amount": "50", "currency": "EUR"},
    )
    assert support.status_code == 201 and support.json()["currency"] == "EUR"
    alert = api.post(f"{base}/alerts", {"kind": "detained", "details": "at the border"})
    assert alert.status_code == 201
    case.refresh_from_db()
    assert case.has_active_alert
    for action in ("note.added", "task.added", "need.added", "support.recorded", "alert.raised"):
        assert action in _actions(), action
    assert api.post(f"{base}/tasks", {"title": ""}).json()["fields"] == {
        "title": ["This field is required."]
    }
    assert api.post(f"{base}/tasks", {"title": "x", "due_on": "soon"}).json()["fields"] == {
        "due_on": ["Enter a valid value."]
    }


def test_open_alerts(coordinator: Any, canary_case: Case, outsider_case: Case) -> None:
    cases.raise_alert(actor=None, case=outsider_case, kind="detained")
    alerts = Api(coordinator).get("alerts").json()
    assert [a["case"] for a in alerts] == [str(canary_case.code)]


def test_my_tasks_overdue_and_done(coordinator: Any, canary_case: Case, volunteer: Any) -> None:
    today = user_today(coordinator)
    late = cases.add_task(
        actor=coordinator,
        case=canary_case,
        title="late",
        due_on=today - timedelta(days=1),
        assignee=coordinator,
    )
    cases.add_task(
        actor=coordinator, case=canary_case, title="soon", due_on=today, assignee=coordinator
    )
    cases.add_task(
        actor=coordinator, case=canary_case, title="theirs", due_on=None, assignee=volunteer
    )
    api = Api(coordinator, ["tasks"])
    assert [t["title"] for t in api.get("tasks/mine").json()] == ["late", "soon"]
    assert [t["title"] for t in api.get("tasks/overdue").json()] == ["late"]
    done = api.post(f"tasks/{late.code}/done")
    assert done.status_code == 200 and done.json()["done"] is True
    assert "task.done" in _actions()
    assert [t["title"] for t in api.get("tasks/mine").json()] == ["soon"]


def _request(coordinator: Any, astana: Any, case: Case) -> Any:
    institution = outreach.create_institution(
        actor=coordinator, organization=astana, name="Embassy", kind="embassy"
    )
    return outreach.record_request(
        actor=coordinator,
        organization=astana,
        institution=institution,
        channel="email",
        sent_on=date(2026, 1, 5),
        subject="s",
        body="b",
        case=case,
    )


def test_outreach_institutions_requests_and_an_answer(
    coordinator: Any, astana: Any, canary_case: Case, volunteer: Any
) -> None:
    request = _request(coordinator, astana, canary_case)
    api = Api(coordinator)
    assert [i["name"] for i in api.get("outreach/institutions").json()] == ["Embassy"]
    listed = api.get("outreach/requests").json()
    assert [r["code"] for r in listed] == [str(request.code)] and listed[0]["status"] == "pending"
    answered = api.post(
        f"outreach/requests/{request.code}/answer", {"status": "granted", "on": "2026-01-06"}
    )
    assert answered.status_code == 200 and answered.json()["status"] == "granted"
    assert "outreach.answer_recorded" in _actions()
    early = api.post(
        f"outreach/requests/{request.code}/answer", {"status": "refused", "on": "2026-01-01"}
    )
    assert early.status_code == 400 and early.json()["message"] == (
        "An answer cannot come before the request was sent."
    )
    assert Api(volunteer).get("outreach/institutions").status_code == 403


def test_screening_hits_of_a_case_by_code_and_status_only(
    coordinator: Any, astana: Any, volunteer: Any
) -> None:
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Hit")
    identity = {"surname": "Чужов", "given_name": "Олег", "birth_date": date(1990, 1, 2)}
    cases.save_identity(actor=coordinator, person=case.person, data=identity)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "own.csv"
        path.write_text("id,name,birth_date\nx1,Chuzhov Oleg,1990-01-02\n", encoding="utf-8")
        screening.import_list(actor=coordinator, path=path, name="Own", organization=astana)
    screening.screen_case(actor=coordinator, case=case)
    answer = Api(coordinator, ["screening:read"]).get(f"screening/cases/{case.code}/hits")
    assert answer.status_code == 200 and [h["status"] for h in answer.json()] == ["pending"]
    text = answer.content.decode()
    assert "Chuzhov" not in text and "Own" not in text and "x1" not in text
    assert (
        Api(coordinator, ["cases:read"]).get(f"screening/cases/{case.code}/hits").status_code == 403
    )
    cases.update_case(actor=coordinator, case=case, assignee=volunteer)
    assert Api(volunteer).get(f"screening/cases/{case.code}/hits").status_code == 403


def test_an_administrators_token_reads_no_case(admin_user: Any, canary_case: Case) -> None:
    api = Api(admin_user)
    assert api.get("cases").json()["results"] == []
    assert api.get(f"cases/{canary_case.code}").status_code == 404
    assert admin_user.role == Role.ADMIN


def test_a_trusted_bot_files_an_intake_submission_into_the_queue(
    coordinator: Any, astana: Any
) -> None:
    from tropa.intake.models import Submission

    api = Api(coordinator, ["intake:write"])
    made = api.post("intake/submissions", {"language": "ru", "answers": {"surname": "Воронов"}})
    assert made.status_code == 201, made.content
    answer = made.json()
    assert set(answer) == {"code", "codename", "status"} and answer["status"] == "new"
    assert len(answer["codename"].split()) >= 5
    submission = Submission.objects.filter(organization=astana).get(code=answer["code"])
    assert submission.source == "bot" and "Воронов" not in str(bytes(submission.sealed_answers))
    assert "intake.submitted" in _actions()
    wrong = api.post("intake/submissions", {"language": "ru", "answers": {"no_such": "x"}})
    assert wrong.status_code == 400 and wrong.json()["code"] == "refused"
    assert "x" not in wrong.json()["message"].split()
    assert Submission.objects.filter(organization=astana).count() == 1
    lang = api.post("intake/submissions", {"language": "xx", "answers": {}})
    assert lang.status_code == 400


def test_intake_needs_its_scope_and_a_role_that_triages(coordinator: Any, volunteer: Any) -> None:
    body = {"language": "ru", "answers": {}}
    assert Api(coordinator, ["cases:write"]).post("intake/submissions", body).status_code == 403
    assert Api(volunteer, ["intake:write"]).post("intake/submissions", body).status_code == 403
