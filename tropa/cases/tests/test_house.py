"""Issue 10 for the case desk: audited removals and refusals, fixed query counts."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import user_today
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services
from tropa.cases.models import Case, Deployment, Task


def test_removing_a_deployment_is_audited(
    canary_case: Case, coordinator: User, signed_in: Any
) -> None:
    deployment = services.add_deployment(
        actor=coordinator, person=canary_case.person, place="Bakhmut", start=None, end=None
    )
    url = reverse("cases:deployment_remove", args=[canary_case.code, deployment.code])
    signed_in(coordinator).post(url)
    assert not Deployment.objects.unscoped().filter(pk=deployment.pk).exists()
    entry = AuditEntry.objects.get(action="deployment.removed")
    assert entry.detail["deployment"] == str(deployment.code)


def test_reopening_a_need_is_audited(canary_case: Case, coordinator: User, signed_in: Any) -> None:
    need = canary_case.needs.get()
    client = signed_in(coordinator)
    client.post(reverse("cases:need_toggle", args=[need.code]))
    client.post(reverse("cases:need_toggle", args=[need.code]))
    need.refresh_from_db()
    assert need.met_at is None
    assert AuditEntry.objects.get(action="need.reopened").detail["need"] == str(need.code)


def test_a_refused_item_action_is_audited(
    canary_case: Case, coordinator: User, verifier: User, signed_in: Any
) -> None:
    task = services.add_task(actor=coordinator, case=canary_case, title="Call", due_on=None)
    response = signed_in(verifier).post(reverse("cases:task_toggle", args=[task.code]))
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="access.forbidden")
    assert entry.actor_code == str(verifier.code)
    assert entry.detail["capability"] == "write_logistics"


def _several_cases(organization: Organization, actor: User, n: int = 6) -> list[Case]:
    made = []
    for i in range(n):
        case = services.create_case(
            actor=actor,
            organization=organization,
            pseudonym=f"Person {i + n}",
            next_action_on=user_today(actor),
            assignee=actor,
        )
        services.add_task(actor=actor, case=case, title=f"T{i}", due_on=None, assignee=actor)
        services.add_note(actor=actor, case=case, text="n")
        services.raise_alert(actor=actor, case=case, kind="missing")
        made.append(case)
    return made


def test_list_pages_have_a_fixed_number_of_queries(
    astana: Organization, coordinator: User, signed_in: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(coordinator)
    _several_cases(astana, coordinator, 1)
    pages = ("cases:dashboard", "cases:list", "cases:my_tasks")
    counts = {}
    for name in pages:
        with CaptureQueriesContext(connection) as one_row:
            client.get(reverse(name))
        counts[name] = len(one_row)
    _several_cases(astana, coordinator, 6)
    for name in pages:  # six more rows, not one query more (no N+1)
        with django_assert_num_queries(counts[name]):
            page = client.get(reverse(name))
        assert page.status_code == 200 and "Person 11" in page.content.decode(), name


def test_the_case_page_has_a_fixed_number_of_queries(
    canary_case: Case, coordinator: User, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        services.add_note(actor=coordinator, case=canary_case, text=f"note {i}")
        services.add_need(actor=coordinator, case=canary_case, kind="money", details=f"d{i}")
        services.add_task(actor=coordinator, case=canary_case, title=f"t{i}", due_on=None)
        services.raise_alert(actor=coordinator, case=canary_case, kind="missing")
    client = signed_in(coordinator)
    # The page carries the panels of screening, evidence, outreach, pathways, vetting,
    # testimony, sharing and retention: a fixed number each, whatever the rows.
    with django_assert_max_num_queries(66):
        page = client.get(canary_case.get_absolute_url())
    assert page.status_code == 200 and "t4" in page.content.decode()
    assert Task.objects.for_organization(canary_case.organization).count() == 5


def test_the_language_switch_after_a_reveal_returns_to_a_page_that_answers_get(
    canary_case: Case, coordinator: User, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    url = canary_case.get_absolute_url()
    revealed = client.post(
        reverse("cases:identity_reveal", args=[canary_case.code]), HTTP_REFERER=url
    ).content.decode()
    assert f'name="next" value="{url}"' in revealed
    switched = client.post(reverse("switch_language"), {"language": "en", "next": url})
    assert switched.status_code == 302 and switched["Location"] == url
    assert client.get(switched["Location"]).status_code == 200


def test_a_post_answer_without_a_page_of_its_own_switches_back_to_the_referer(
    canary_case: Case, coordinator: User, signed_in: Any
) -> None:
    from django.test import RequestFactory

    from tropa.accounts.context_processors import language_next

    factory = RequestFactory()
    url = canary_case.get_absolute_url()
    post = factory.post("/screening/hits/x/reveal/", HTTP_REFERER=f"http://testserver{url}")
    assert language_next(post) == url
    foreign = factory.post("/screening/hits/x/reveal/", HTTP_REFERER="https://evil.example/")
    assert language_next(foreign) == reverse("cases:dashboard")
    assert language_next(factory.get("/cases/?page=2")) == "/cases/?page=2"


def test_the_edit_identity_link_says_it_reveals(
    canary_case: Case, coordinator: User, signed_in: Any
) -> None:
    page = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    assert "Edit identity (reveals it; logged with your name)" in page
