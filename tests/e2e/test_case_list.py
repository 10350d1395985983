"""Finding a case by a legal name or a document number, in the browser, without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Server, login, shot

CANARY = "Канарейкин"


def _page(browser: Browser, width: int, language: str) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=language, java_script_enabled=False
    )
    return context.new_page()


@pytest.mark.parametrize(("language", "width"), [("ru", 1280), ("en", 390)])
def test_a_coordinator_finds_a_case_by_legal_name_and_nothing_of_it_is_in_the_address(
    browser: Browser, server: Server, language: str, width: int
) -> None:
    page = _page(browser, width, language)
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/cases/")
    page.locator(f"header form.lang button[value={language}]").click()  # a plain POST
    page.goto(f"{server.url}/cases/")
    field = page.locator("input[name=who]")
    expect(field).to_be_visible()
    shot(page, f"19-case-list-{language}-{width}")
    field.fill(CANARY.upper())
    page.locator("form.identity-find button[type=submit]").click()
    page.wait_for_url(f"{server.url}/cases/find/")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Funker")
    assert CANARY not in page.content() and CANARY.upper() not in page.content()
    assert page.url == f"{server.url}/cases/find/"
    shot(page, f"19-find-by-name-{language}-{width}")
    page.locator("input[name=who]").fill("00 0000000")
    page.locator("form.identity-find button[type=submit]").click()
    expect(page.locator("#found-count")).to_be_visible()
    expect(page.locator("table.list")).to_have_count(0)
    page.goto(f"{server.url}/cases/")
    page.locator("header form.lang button[value=ru]").click()  # the account's own language
    page.context.close()


def test_a_volunteer_has_no_identity_search(browser: Browser, server: Server) -> None:
    page = _page(browser, 390, "ru")
    login(page, server, "astana-volunteer")
    page.goto(f"{server.url}/cases/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("input[name=who]")).to_have_count(0)
    page.context.close()
