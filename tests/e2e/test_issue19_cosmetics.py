"""Issue 19's review, in the browser: the settings page offers a grouped list of places
(no "localtime"), the menu at 390 px, and a refused country edit that comes back with its
error and what was typed, in Russian and English, at 1280 and 390 px (screenshots)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import Server, assert_accessible, login, shot

NAMES = {"ru": "Казахстан", "en": "Kazakhstan"}


def _use_language(page: Page, code: str) -> None:
    page.locator(f"header form.lang button[value={code}]").first.click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_settings_menu_and_a_refused_edit_in_both_languages(page: Page, server: Server) -> None:
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/accounts/settings/")
    try:
        for language in ("ru", "en"):
            _use_language(page, language)
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{server.url}/accounts/settings/")
                zone = page.locator("select[name=time_zone]")
                assert zone.locator("option[value=localtime]").count() == 0
                assert zone.locator("option[value^='posix/']").count() == 0
                first = zone.locator("optgroup").first.locator("option").first
                expect(first).to_have_attribute("value", "Asia/Almaty")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                shot(page, f"i19-settings-{language}-{width}")
                if width == 390:
                    page.locator("details.menu > summary").click()
                    shot(page, f"i19-menu-{language}-{width}")
                    page.locator("details.menu > summary").click()

                page.goto(f"{server.url}/pathways/")
                page.locator(f"a:text-is('{NAMES[language]}')").first.click()
                page.locator("details.card > summary").last.click()
                page.locator("input[name=stay_rule]").fill("rolling:200/100")
                page.locator("input[name=stay_rule]").press("Enter")
                expect(page.locator(".form-errors[role=alert]")).to_be_visible()
                expect(page.locator("input[name=stay_rule]")).to_have_value("rolling:200/100")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                assert_accessible(page)
                shot(page, f"i19-country-error-{language}-{width}")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
        _use_language(page, "ru")  # the demo coordinator's own language, for later tests
