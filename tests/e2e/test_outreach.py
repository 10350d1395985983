"""The radio operator brings in his spreadsheet, writes to an embassy and records the answer.

The demo coordinator works in Russian (her account's preference); the same pages are then
looked at in English. Selectors use names and values, not visible text.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import Server, login, shot

SPREADSHEET = [
    "Когда;Куда писал;Контакт;Что ответили",
    "03.10.2022;Посольство Великобритании;;нет ответа",
    "04.10.2022;Посольство Франции;Консул;молчат",
    "10.10.2022;Pro Asyl;;ответили, просят документы",
]


def test_it_imports_corrects_a_mapping_sends_a_letter_and_records_an_answer(
    page: Page, server: Server, tmp_path: Path
) -> None:
    login(page, server, "astana-coordinator")
    sheet = tmp_path / "funker.csv"
    sheet.write_bytes("\r\n".join(SPREADSHEET).encode("cp1251"))

    # Import: "Куда писал" is not a header Tropa knows, "молчат" not an answer it knows.
    page.goto(f"{server.url}/outreach/import/")
    page.set_input_files("input[name=file]", str(sheet))
    page.click("main form button.primary")
    expect(page.locator("#errors")).to_be_visible()
    page.select_option("select[name=column_1]", "institution")
    page.click("button[value=check]")
    expect(page.locator("#errors")).to_contain_text("молчат")
    answer = page.locator("table.answers tr", has_text="молчат").locator("select")
    answer.select_option("no_answer")
    page.click("button[value=check]")
    expect(page.locator("#errors")).to_have_count(0)
    shot(page, "outreach-import-preview-ru")
    page.click("button[value=import]")
    page.wait_for_url("**/outreach/requests/")
    expect(page.locator("table.list tbody tr")).to_have_count(3)

    # The starter directory and templates, then a letter from the case page.
    page.goto(f"{server.url}/outreach/directory/")
    page.click("form[action$='/directory/starter/'] button")
    expect(page.locator("table.list")).to_contain_text("Embassy of Germany in Astana")
    page.goto(f"{server.url}/cases/?q=Funker")
    page.click("table.list a:text-is('Funker')")
    page.click("#outreach a[href*='/outreach/letters/']")
    page.select_option("select[name=template]", label="Humanitarian visa (de)")
    page.select_option("select[name=institution]", label="Embassy of Germany in Astana")
    page.click("button[value=preview]")
    body = page.locator("#send textarea[name=body]")
    expect(body).to_contain_text("Funker")
    expect(body).to_contain_text("Sehr geehrte Damen und Herren,")
    shot(page, "outreach-letter-preview-ru")
    page.click("#send button[type=submit]")
    page.wait_for_url("**/outreach/requests/*/")
    pdf = page.request.get(page.url + "letter.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="letter.pdf"'

    # The embassy answers: record it.
    page.select_option("select[name=status]", "asked_more")
    page.fill("textarea[name=note]", "Просят копию военного билета")
    page.click("#answers form button.primary")
    expect(page.locator("h1 .status-asked_more")).to_be_visible()
    shot(page, "outreach-request-ru")

    page.goto(f"{server.url}/outreach/statistics/")
    expect(page.locator("svg.chart")).to_have_count(4)
    shot(page, "outreach-statistics-ru")
    page.goto(f"{server.url}/outreach/")
    shot(page, "outreach-index-ru")

    # The same pages in English.
    page.click(".lang button[value=en]")
    page.goto(f"{server.url}/outreach/statistics/")
    expect(page.locator("h1")).to_have_text("Where writing works")
    shot(page, "outreach-statistics-en")
    page.goto(f"{server.url}/outreach/")
    shot(page, "outreach-index-en")
    page.goto(f"{server.url}/outreach/letters/")
    shot(page, "outreach-compose-en")
    page.click(".lang button[value=ru]")
