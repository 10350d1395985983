"""The radio operator brings in his spreadsheet, writes to an embassy and records the answer.

The demo coordinator works in Russian (her account's preference); the same pages are then
looked at in English. Selectors use names and values, not visible text.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from .conftest import Server, login, shot

SPREADSHEET = [
    "Когда;Кому отправляли;Контакт;Что ответили",
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

    # Import: "Кому отправляли" is not a header Tropa knows, "молчат" not an answer it knows,
    # and without a channel column the channel of every row is the user's to choose.
    page.goto(f"{server.url}/outreach/import/")
    page.set_input_files("input[name=file]", str(sheet))
    page.click("main form button.primary")
    expect(page.locator("#errors")).to_be_visible()
    page.select_option("select[name=column_1]", "institution")
    page.click("button[value=check]")
    expect(page.locator("#errors")).to_contain_text("молчат")
    answer = page.locator("table.answers tr", has_text="молчат").locator("select")
    answer.select_option("no_answer")
    page.locator("table.channels select").select_option("email")
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
    page.select_option("select[name=template]", label="Гуманитарная виза (de)")
    page.select_option("select[name=institution]", label="Embassy of Germany in Astana")
    page.click("button[value=preview]")
    body = page.locator("#send textarea[name=body]")
    expect(body).to_contain_text("Funker")
    expect(body).to_contain_text("Sehr geehrte Damen und Herren,")
    shot(page, "outreach-letter-preview-ru")
    # The PDF before it is recorded as sent: the browser downloads it, nothing is recorded.
    with page.expect_download() as preview:
        page.click("#send button[formaction$='/letters/preview.pdf']")
    assert preview.value.suggested_filename == "letter-preview.pdf"
    assert Path(preview.value.path()).read_bytes().startswith(b"%PDF")
    page.click("#send button.primary")
    page.wait_for_url("**/outreach/requests/*/")
    pdf = page.request.get(page.url + "letter.pdf")  # and as recorded
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


OLD_SHEET = Path(__file__).resolve().parents[2] / "tropa/outreach/tests/files/old_spreadsheet.csv"


def _upload(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/outreach/import/")
    page.set_input_files("input[name=file]", str(OLD_SHEET))
    page.click("main form button.primary")
    page.wait_for_url("**/outreach/import/*/")


def _choice(page: Page, table: str, label: str) -> Locator:
    """The select of one value of the file (labelled by the value itself)."""
    return page.locator(f"table.{table}").get_by_label(label, exact=True)


def test_the_old_spreadsheet_is_imported_with_every_guess_confirmed_in_russian(
    page: Page, server: Server
) -> None:
    """The real file: "эл. почта", "Telegram", "факс"... are proposed, "через знакомых" must be
    chosen; "Посольство Германии в Астане" is proposed as the directory's English entry; a
    second upload of the same file says every row is already there."""
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/outreach/directory/")
    page.click("form[action$='/directory/starter/'] button")  # the organization's own city
    _upload(page, server)

    channel = _choice(page, "channels", "эл. почта")
    expect(channel).to_have_value("email")
    expect(_choice(page, "channels", "telegram")).to_have_value("messenger")
    expect(_choice(page, "channels", "факс")).to_have_value("fax")
    unknown = _choice(page, "channels", "через знакомых")
    expect(unknown).to_have_value("")
    germany = _choice(page, "institutions", "Посольство Германии в Астане")
    expect(germany.locator("option:checked")).to_have_text("Embassy of Germany in Astana · Astana")
    expect(page.locator("table.institutions")).to_contain_text(
        "предложено: Embassy of Germany in Astana · Astana"
    )
    expect(page.locator("#errors")).to_contain_text("выберите канал для «через знакомых»")
    expect(page.locator("button[value=import]")).to_be_disabled()
    shot(page, "outreach-import-confirm-ru")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "outreach-import-confirm-ru-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Confirm: the unknown channel was in person; Sweden is the embassy in Astana.
    unknown.select_option("in_person")
    _choice(page, "institutions", "Посольство Швеции").select_option(
        label="Embassy of Sweden in Astana · Astana"
    )
    page.click("button[value=check]")
    expect(page.locator("#errors")).to_have_count(0)
    page.click("button[value=import]")
    page.wait_for_url("**/outreach/requests/")
    expect(page.locator(".messages")).to_contain_text("Импортировано 8")
    page.goto(f"{server.url}/outreach/directory/")
    page.click("table.list a:text-is('Embassy of Germany in Astana')")
    expect(page.locator("main")).to_contain_text("Германия")  # the country by name

    # The same file again: nothing is imported twice, and the page says which rows.
    _upload(page, server)
    expect(page.locator("#already")).to_contain_text("8 строк этого файла уже были импортированы")
    shot(page, "outreach-import-again-ru")
    page.click("button[value=discard]")

    # In English, at 1280 and 390 px.
    page.click(".lang button[value=en]")
    _upload(page, server)
    expect(page.locator("#already")).to_contain_text("8 rows of this file were imported before")
    shot(page, "outreach-import-again-en")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "outreach-import-again-en-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("button[value=discard]")
    page.click(".lang button[value=ru]")


def test_an_imported_request_is_armed_for_a_follow_up_only_when_asked(
    page: Page, server: Server, tmp_path: Path
) -> None:
    """Issue 19, 3: imported history is never due unless the user says so (no JS needed)."""
    sheet = tmp_path / "old.csv"
    sheet.write_text(
        "Дата;Организация;Канал;Ответ\n01.02.2023;Посольство Эстонии;e-mail;нет ответа\n",
        encoding="utf-8",
    )
    server.tropa("outreach", "import", str(sheet), "--org", "Demo Astana")
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/outreach/requests/?q=Эстонии")
    page.click("a[href^='/outreach/requests/']:text-is('Посольство Эстонии')")
    expect(page.locator("#reminder")).to_contain_text("напоминать о нём не нужно")
    page.click("#reminder button")
    expect(page.locator(".messages")).to_contain_text("Tropa напомнит")
    expect(page.locator("#reminder button")).to_have_text("Выключить напоминание")
    for language in ("ru", "en"):
        if language == "en":
            page.click(".lang button[value=en]")
        for label, size in (
            ("1280", {"width": 1280, "height": 900}),
            ("390", {"width": 390, "height": 844}),
        ):
            page.set_viewport_size(size)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"reminder {language} is {width} px wide"
            shot(page, f"outreach-reminder-{language}-{label}")
    expect(page.locator("#reminder button")).to_have_text("Turn the reminder off")
    page.click("#reminder button")
    expect(page.locator("#reminder button")).to_have_text("Remind me to follow up")
    page.click(".lang button[value=ru]")
    page.set_viewport_size({"width": 1280, "height": 900})
