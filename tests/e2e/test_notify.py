"""Notifications in the browser: a caseworker chooses new alerts, a coordinator raises one,
the mail reaches the real SMTP server (without case content) and the caseworker's open
dashboard shows the alert by itself, through htmx polling or, without JavaScript, a meta
refresh. Screenshots in Russian and English at 1280 and 390 px."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from .conftest import Mailbox, Server, login, shot
from .test_case_desk import new_case, unique, use_language

ADDRESS = "caseworker.e2e@example.org"


def _wait_for_mail(mailbox: Mailbox, found: Callable[[], bool]) -> None:
    """The worker sends within a few seconds; give it up to a minute on a busy machine."""
    deadline = time.monotonic() + 60
    while not found():
        if time.monotonic() > deadline:
            raise AssertionError(f"no such message; received: {len(mailbox.received)}")
        time.sleep(0.2)


def _to(mailbox: Mailbox, address: str) -> list[bytes]:
    return [body for rcpts, body in mailbox.received if address in rcpts]


def _screens(page: Page, server: Server, name: str) -> None:
    """The page in Russian and English, at 1280 and 390 px."""
    for code in ("ru", "en"):
        use_language(page, code)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"19-{name}-{code}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_caseworker_is_told_of_an_alert_and_the_dashboard_shows_it_by_itself(
    page: Page, browser: Browser, server: Server, mailbox: Mailbox
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    worker = context.new_page()
    errors: list[str] = []
    worker.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        login(worker, server, "astana-caseworker")
        use_language(worker, "en")
        worker.goto(f"{server.url}/accounts/settings/")
        worker.locator("#notify-link").get_by_role("link", name="Notifications").click()
        worker.wait_for_url("**/notify/")
        expect(worker.locator("#notify-off")).to_have_count(0)  # configured
        worker.fill("#id_address", ADDRESS)
        worker.check("#id_new_alerts")
        worker.locator("main form.notify-form").get_by_role("button", name="Save").click()
        expect(worker.locator("main ul.messages")).to_contain_text("Notification settings saved.")
        expect(worker.locator("#address-saved")).to_be_visible()
        expect(worker.locator("main")).not_to_contain_text(ADDRESS)
        worker.get_by_role("button", name="Send a test message").click()
        expect(worker.locator("main ul.messages")).to_contain_text("A test message was sent")
        _wait_for_mail(mailbox, lambda: len(_to(mailbox, ADDRESS)) >= 1)
        _screens(worker, server, "notify-settings")

        # The caseworker's dashboard is open, with a clock the test moves.
        use_language(worker, "en")
        worker.clock.install()
        worker.goto(f"{server.url}/")
        expect(worker.locator("#dashboard-live")).to_be_visible()

        # A coordinator raises an alert on a new case.
        login(page, server, "astana-coordinator")
        use_language(page, "en")
        pseudonym = unique("Sinitsa")
        new_case(page, server, pseudonym)
        alerts = page.locator("#alerts")
        alerts.locator("summary", has_text="Raise an alert").click()
        alerts.locator("select[name=kind]").select_option("detained")
        alerts.locator("textarea[name=details]").fill("Задержан в аэропорту (e2e)")
        alerts.get_by_role("button", name="Raise alert").click()
        expect(page.locator("main ul.messages")).to_contain_text("Alert raised.")
        use_language(page, "ru")

        # The message reaches the caseworker, and says nothing about the case.
        _wait_for_mail(mailbox, lambda: len(_to(mailbox, ADDRESS)) >= 2)
        message = _to(mailbox, ADDRESS)[-1].decode()
        assert "A new alert was raised in your organization." in message
        for secret in (pseudonym, "Задержан", "detained", "Detained"):
            assert secret not in message

        # A minute later the open dashboard polls, and the alert is on it without a reload.
        cards = worker.locator(".alerts .alert-card").filter(has_text=pseudonym)
        expect(cards).to_have_count(0)
        with worker.expect_response(re.compile(r"/\?auto=1$")) as polled:
            worker.clock.fast_forward("01:05")
        assert polled.value.status == 200
        expect(cards).to_have_count(1)
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
        _screens(worker, server, "dashboard")
    finally:
        worker.goto(f"{server.url}/notify/")
        worker.uncheck("#id_new_alerts")
        worker.locator("main form.notify-form").get_by_role("button", name="Save").click()
        use_language(worker, "ru")
        context.close()


def test_without_javascript_the_dashboard_reloads_itself(browser: Browser, server: Server) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, server, "astana-coordinator")
        page.goto(f"{server.url}/")
        # With scripting off, the <noscript> in the head is a real meta refresh.
        refresh = page.locator('head meta[http-equiv="refresh"]')
        expect(refresh).to_have_count(1)
        assert refresh.get_attribute("content") == "60; url=/?auto=1"
        page.goto(f"{server.url}/notify/")
        expect(page.locator('head meta[http-equiv="refresh"]')).to_have_count(0)
    finally:
        context.close()
