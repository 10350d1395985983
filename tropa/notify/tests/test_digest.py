"""Tasks and next actions due tomorrow: one message a day from 08:00 in the user's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from tropa.accounts.models import Organization, Role, User
from tropa.cases import services as cases
from tropa.notify import services
from tropa.notify.models import Delivery, Status

from .conftest import Mailbox
from .helpers import opt_in

pytestmark = pytest.mark.django_db

# Asia/Almaty is UTC+5: 02:00 UTC is 07:00 there, 04:00 UTC is 09:00.
TODAY = date(2026, 3, 2)
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture
def bob(astana: Organization, make_user: Callable[..., User]) -> User:
    user = make_user(astana, "bob", Role.CASEWORKER)
    user.time_zone = "Asia/Almaty"
    user.save(update_fields=["time_zone"])
    return user


def _work(bob: User, coordinator: User) -> None:
    org = coordinator.organization
    assert org is not None
    case = cases.create_case(actor=coordinator, organization=org, pseudonym="Skvorets")
    for title, due, who in [
        ("Call lawyer Petrov", TOMORROW, bob),
        ("Later", TOMORROW + timedelta(days=1), bob),
        ("Not his", TOMORROW, coordinator),
    ]:
        cases.add_task(actor=coordinator, case=case, title=title, due_on=due, assignee=who)
    done = cases.add_task(actor=coordinator, case=case, title="Done", due_on=TOMORROW, assignee=bob)
    cases.set_task_done(actor=coordinator, task=done, done=True)
    other = cases.create_case(actor=coordinator, organization=org, pseudonym="Chizh")
    cases.update_case(actor=coordinator, case=other, assignee=bob, next_action_on=TOMORROW)


def test_the_digest_counts_what_is_due_tomorrow_once_a_day(
    smtp: Mailbox, bob: User, coordinator: User
) -> None:
    opt_in(bob, "bob@example.org", digest=True)
    opt_in(coordinator, "alice@example.org", digest=False)  # she did not choose it
    _work(bob, coordinator)
    with freeze_time(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)):  # 07:00 in Almaty
        assert services.send_digests() == 0
    with freeze_time(datetime(2026, 3, 2, 4, 0, tzinfo=UTC)):  # 09:00
        assert services.send_digests() == 1
    with freeze_time(datetime(2026, 3, 2, 10, 0, tzinfo=UTC)):  # later the same day
        assert services.tick()["digests"] == 0
    assert len(smtp.received) == 1
    got = smtp.received[0]
    assert got.recipients == ["bob@example.org"]
    assert "due tomorrow: 2." in got.body  # one task, one next action
    for secret in ("Petrov", "Skvorets", "Chizh", "Call lawyer"):
        assert secret not in got.message.as_string()
    # The next morning is a new day: "Later" is due on the day after it.
    with freeze_time(datetime(2026, 3, 3, 4, 0, tzinfo=UTC)):
        assert services.send_digests() == 1
    assert "due tomorrow: 1." in smtp.received[-1].body
    # And on the third day nothing is due: recorded, not sent.
    with freeze_time(datetime(2026, 3, 4, 4, 0, tzinfo=UTC)):
        assert services.send_digests() == 0
    day = TOMORROW + timedelta(days=1)
    assert Delivery.all_organizations.get(user=bob, day=day).status == Status.EMPTY


def test_nothing_due_means_no_message(smtp: Mailbox, bob: User) -> None:
    opt_in(bob, "bob@example.org", digest=True)
    with freeze_time(datetime(2026, 3, 2, 4, 0, tzinfo=UTC)):
        assert services.send_digests() == 0
    assert smtp.received == []
