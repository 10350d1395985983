"""Dual control of a search by identity in the browser: with it on, a coordinator (Russian)
who looks a man up by his surname is sent to ask for it; a second coordinator (English)
approves; the first then runs the search once. Screenshots ru/en at 1280 and 390 px."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from .conftest import Server, assert_accessible, login, shot
from .test_dual_control import _dual_control, _page


def _ask(asker: Page, server: Server) -> None:
    asker.goto(f"{server.url}/cases/")
    asker.fill(".identity-find input[name=who]", "Канарейкин")
    asker.click(".identity-find button[type=submit]")
    expect(asker.locator(".messages")).to_contain_text("второго координатора")
    expect(asker.locator("#held-new")).to_be_visible()
    assert "Канарейкин" not in asker.content()  # what was typed is not sent back
    asker.reload()
    shot(asker, "dual-control-search-ask-ru-1280")
    assert_accessible(asker)
    asker.fill("#held-new input[name=who]", "Канарейкин")
    asker.fill("#held-new textarea[name=reason]", "Юрист проверяет, есть ли у нас его дело")
    asker.click("#held-new button.primary")
    expect(asker.locator(".messages")).to_contain_text("ждёт")
    expect(asker.locator("#held-mine")).to_contain_text("Ждёт одобрения")


def test_a_search_by_identity_approved_by_a_second_coordinator(
    browser: Browser, server: Server
) -> None:
    admin = _page(browser)
    login(admin, server, "astana-admin")
    _dual_control(admin, server, True)
    try:
        asker = _page(browser)
        login(asker, server, "astana-coordinator")
        _ask(asker, server)
        phone_ask = _page(browser, 390)
        login(phone_ask, server, "astana-coordinator")
        phone_ask.goto(f"{server.url}/retention/held/new?what=identity_search")
        shot(phone_ask, "dual-control-search-ask-ru-390")
        assert phone_ask.evaluate("document.documentElement.scrollWidth") <= 390

        approver = _page(browser)
        login(approver, server, "astana-coordinator-2")
        approver.goto(f"{server.url}/retention/requests/")
        row = approver.locator("#held-pending tr", has_text="Юрист проверяет")
        expect(row).to_be_visible()
        assert "Канарейкин" not in approver.content()  # the approver reads the reason only
        shot(approver, "dual-control-search-approve-en-1280")
        assert_accessible(approver)
        phone = _page(browser, 390)
        login(phone, server, "astana-coordinator-2")
        phone.goto(f"{server.url}/retention/requests/")
        shot(phone, "dual-control-search-approve-en-390")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        row.locator("button[value=approve]").click()
        expect(approver.locator("#held-pending")).not_to_contain_text("Юрист проверяет")

        asker.goto(f"{server.url}/retention/held/")
        asker.locator("#held-mine button.primary").first.click()
        expect(asker.locator("table.list")).to_contain_text("Funker")
        shot(asker, "dual-control-search-found-ru-1280")
        asker.goto(f"{server.url}/retention/held/")
        expect(asker.locator("#held-mine button.primary")).to_have_count(0)  # once only
    finally:
        _dual_control(admin, server, False)
