"""A coordinator records a man's entries into Kazakhstan, reads his last legal day and what a
pathway still lacks, pursues it, and prints the country's safety briefing.

In Russian (the demo coordinator's language), then the case page in English, at desktop
width and at 390 px. Selectors use names and values, not visible text, except where the
text itself is what is checked.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from .conftest import Server, login, shot


def _use_language(page: Page, code: str) -> None:
    page.locator(f"header form.lang button[value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_entries_give_the_last_legal_day_and_a_pathway_its_missing_items(
    page: Page, server: Server
) -> None:
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/cases/?q=Tankist")
    page.click("table.list a:text-is('Tankist')")
    case_url = page.url.split("#")[0]

    # He came to Kazakhstan 29 days ago and is still there: 30 days used of 90.
    # The demo's people have no zone of their own: the server's default, Asia/Almaty.
    entry = (datetime.now(ZoneInfo("Asia/Almaty")).date() - timedelta(days=29)).isoformat()
    panel = page.locator("#pathways")
    panel.locator("details:has(form[action$='/trips/']) > summary").click()
    panel.locator("select[name=trip-country]").select_option("KZ")
    panel.locator("input[name=trip-entry]").fill(entry)
    panel.locator("input[name=trip-border_point]").fill("Жана-Жол")
    panel.locator("form[action$='/trips/'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Поездка записана")
    clock = page.locator("#pathways .clock")
    expect(clock).to_contain_text("использовано дней: 30")
    expect(clock).to_contain_text("последний законный день")
    expect(page.locator("#pathways")).to_contain_text("Жана-Жол")

    # France: visa, then asylum. The call-up paper is there; the rest becomes tasks.
    france = page.locator("#pathways .fit", has_text="Франция")
    expect(france).to_contain_text("✗ Повестка или приказ о мобилизации")
    france.locator("form:has(input[value=call_up]) button[type=submit]").click()
    france = page.locator("#pathways .fit", has_text="Франция")
    expect(france).to_contain_text("✓ Повестка или приказ о мобилизации")
    france.locator("form[action*='/pursue/'] button").click()
    expect(page.locator("main")).to_contain_text("Путь выбран")
    expect(page.locator("main")).to_contain_text(
        "Франция: виза, затем убежище по прибытии: Подтверждение публичной антивоенной позиции"
    )
    # Germany's humanitarian admission says it is suspended, with its date.
    expect(page.locator("#pathways .fit", has_text="§22")).to_contain_text("Приостановлен")
    shot(page, "pathways-case-ru")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(case_url + "#pathways")
    shot(page, "pathways-case-ru-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400

    # The briefing for Kazakhstan, on one printed page.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server.url}/pathways/")
    page.click("table.list a:text-is('Казахстан')")
    page.click("a[href$='briefing/?lang=ru']")
    expect(page.locator("h1")).to_have_text("Памятка по безопасности: Казахстан")
    expect(page.locator("body")).to_contain_text("bureau.kz")
    shot(page, "pathways-briefing-ru")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one printed page

    # The same case page in English, then the account gets its language back.
    page.goto(case_url)
    _use_language(page, "en")
    expect(page.locator("#pathways .clock")).to_contain_text("30 days used")
    shot(page, "pathways-case-en")
    _use_language(page, "ru")
