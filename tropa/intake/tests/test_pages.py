"""The coordinators' pages: who reaches them, the queue with its filters and pages, and a
submission worked from the queue to a case."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.intake import listing, services
from tropa.intake.models import Invitation, Status, Submission

SignedIn = Callable[[User], Client]


def _bot(org: Organization, **answers: str) -> Submission:
    return services.create_submission(organization=org, answers=answers, language="ru").submission


def test_only_coordinators_reach_intake(
    astana: Organization, volunteer: User, admin_user: User, signed_in: SignedIn, make_user: Any
) -> None:
    submission = _bot(astana, needs="жильё")
    caseworker = make_user(astana, "cw", "caseworker")
    for user in (volunteer, admin_user, caseworker):
        client = signed_in(user)
        for url in (
            reverse("intake:queue"),
            reverse("intake:invitations"),
            reverse("intake:settings"),
            reverse("intake:submission", kwargs={"code": submission.code}),
        ):
            assert client.get(url).status_code == 404, (user.username, url)
    # The admin edits interview definitions (no case content there); a volunteer may not.
    assert signed_in(admin_user).get(reverse("intake:definitions")).status_code == 200
    assert signed_in(volunteer).get(reverse("intake:definitions")).status_code == 404


def test_the_queue_filters_and_pages_by_keyset(
    astana: Organization, coordinator: User, signed_in: SignedIn, django_assert_max_num_queries: Any
) -> None:
    for number in range(listing.PAGE_SIZE + 3):
        _bot(astana, needs=f"n{number}")
    rejected = _bot(astana, needs="spam")
    services.reject(actor=coordinator, submission=rejected, reason="spam")
    client = signed_in(coordinator)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("intake:queue")).content.decode()
    assert first.count('href="/intake/') - first.count('href="/intake/invitations') > 0
    assert "after=" in first
    rows = first.count("<tr>") - 1
    assert rows >= listing.PAGE_SIZE
    only_rejected = client.get(reverse("intake:queue"), {"status": "rejected"}).content.decode()
    assert only_rejected.count(f'href="/intake/{rejected.code}/"') == 1
    page = listing.page_of(services.queue(astana), None)
    second = listing.page_of(services.queue(astana), page.next)
    assert len(page.rows) == listing.PAGE_SIZE and len(second.rows) == 4
    assert not {r.pk for r in page.rows} & {r.pk for r in second.rows}


def test_a_submission_from_the_queue_to_a_case(
    astana: Organization, coordinator: User, signed_in: SignedIn
) -> None:
    submission = _bot(astana, surname="Канарейкин", given_name="Алексей", country="KZ")
    client = signed_in(coordinator)
    page = client.get(reverse("intake:submission", kwargs={"code": submission.code}))
    assert "Канарейкин" in page.content.decode()
    url = reverse("intake:message", kwargs={"code": submission.code})
    client.post(url, {"text": "Есть ли у вас паспорт?", "question": "on"})
    assert (
        "Есть ли у вас паспорт?"
        in client.get(
            reverse("intake:submission", kwargs={"code": submission.code})
        ).content.decode()
    )
    client.post(reverse("intake:review", kwargs={"code": submission.code}))
    response = client.post(
        reverse("intake:accept", kwargs={"code": submission.code}), {"pseudonym": "Сокол"}
    )
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED
    assert response.status_code == 302 and str(submission.case.code) in response["Location"]


def test_an_invitation_is_shown_once_with_its_qr_code(
    astana: Organization, coordinator: User, signed_in: SignedIn
) -> None:
    client = signed_in(coordinator)
    html = client.post(reverse("intake:invitations"), {"language": "ru", "hours": "24"}).content
    page = html.decode()
    assert "<svg" in page and "/f/" in page
    invitation = Invitation.objects.filter(organization=astana).get()
    token = page.split("/f/")[1].split("/")[0]
    assert services.usable_invitation(token) == invitation
    listing_page = client.get(reverse("intake:invitations")).content.decode()
    assert (
        token not in listing_page and "Unused" in listing_page
    ) or "Не использовано" in listing_page
    client.post(reverse("intake:revoke", kwargs={"code": invitation.code}))
    assert services.usable_invitation(token) is None


def test_settings_open_the_public_link(
    astana: Organization, coordinator: User, signed_in: SignedIn
) -> None:
    client = signed_in(coordinator)
    response = client.post(
        reverse("intake:settings"),
        {
            "public_enabled": "on",
            "public_language": "ru",
            "neutral_title": "Анкета",
            "neutral_intro": "",
            "invitation_hours": "0",
        },
    )
    assert response.status_code == 302
    row = services.intake_settings(astana)
    assert row.public_enabled and row.neutral_title == "Анкета"
    assert AuditEntry.objects.filter(action="intake.settings_changed").exists()
    assert services.open_public_link(row.public_slug) is not None


def test_the_day_filter_is_the_readers_day(astana: Organization, coordinator: User) -> None:
    """01:00 in Astana on 1 December is still 30 November in UTC: it belongs to the 1st."""
    late = _bot(astana, needs="late")
    early = _bot(astana, needs="early")
    Submission.objects.unscoped().filter(pk=late.pk).update(
        submitted_at=datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 01:00 on the 1st in Astana
    )
    Submission.objects.unscoped().filter(pk=early.pk).update(
        submitted_at=datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 23:00 on the 30th there
    )
    with timezone.override(zoneinfo.ZoneInfo("Asia/Almaty")):
        first = {s.pk for s in services.queue(astana, day=date(2026, 12, 1))}
        thirtieth = {s.pk for s in services.queue(astana, day=date(2026, 11, 30))}
    assert first == {late.pk}
    assert thirtieth == {early.pk}
