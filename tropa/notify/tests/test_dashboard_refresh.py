"""The dashboard refreshes itself (meta refresh without JavaScript, htmx with it), and a
refresh is not activity: an unattended dashboard still reaches the idle timeout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from tropa.accounts.models import User

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_dashboard_refreshes_itself_within_the_policy(
    coordinator: User, signed_in: Callable[[User], Any]
) -> None:
    client = signed_in(coordinator)
    response = client.get("/")
    page = response.content.decode()
    assert '<noscript><meta http-equiv="refresh" content="60; url=/?auto=1"></noscript>' in page
    assert 'hx-get="/?auto=1" hx-trigger="every 60s"' in page
    assert "/static/core/vendor/htmx-2.0.11.min.js" in page
    assert '"allowEval":false' in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    # Pages with forms do not reload under the user's typing.
    assert 'http-equiv="refresh"' not in client.get("/notify/").content.decode()
    assert 'http-equiv="refresh"' not in client.get("/accounts/settings/").content.decode()


def test_refreshes_do_not_keep_an_idle_session_alive(
    coordinator: User, signed_in: Callable[[User], Any], settings: Any
) -> None:
    idle = settings.SESSION_COOKIE_AGE
    with freeze_time(START) as clock:
        client = signed_in(coordinator)
        assert client.get("/").status_code == 200  # the user was here
        for _ in range(idle // 60 - 1):
            clock.tick(timedelta(seconds=60))
            assert client.get("/?auto=1").status_code == 200
        clock.tick(timedelta(seconds=120))  # past the idle time since the last real visit
        response = client.get("/?auto=1", headers={"HX-Request": "true"})
        assert response.headers["HX-Redirect"] == "/accounts/login/"
        assert client.get("/").status_code == 302  # signed out, not just this request


def test_a_real_visit_counts_as_activity(
    coordinator: User, signed_in: Callable[[User], Any], settings: Any
) -> None:
    idle = settings.SESSION_COOKIE_AGE
    with freeze_time(START) as clock:
        client = signed_in(coordinator)
        client.get("/")
        clock.tick(timedelta(seconds=idle - 60))
        assert client.get("/cases/").status_code == 200
        clock.tick(timedelta(seconds=idle - 60))
        assert client.get("/?auto=1").status_code == 200


def test_a_poll_of_an_ended_session_loads_the_sign_in_page(client: Any) -> None:
    response = client.get("/?auto=1", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/accounts/login/"
    assert client.get("/?auto=1").status_code == 302  # without htmx: the usual redirect
