"""Lists in the browser: the coordinator uploads an organization list (a small FollowTheMoney
file), watches the import and the re-screening of open cases, uploads a second version with
JavaScript off (the plain form post), reads what changed, sees the hit on the Artillerist's
case, and deletes the list. Screenshots in Russian and English at 1280 and 390 px.

The import runs in the worker that ``tropa run`` starts; its pages refresh themselves.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Server, login, shot

USER = "astana-coordinator"
SLOW = 180_000  # ms: the worker's first screening loads the engine's name data

SINITSYN: dict[str, Any] = {
    "id": "own-sinitsyn",
    "schema": "Person",
    "properties": {
        "name": ["Sinitsyn Denis Olegovich"],
        "lastName": ["Sinitsyn"],
        "firstName": ["Denis"],
        "fatherName": ["Olegovich"],
        "birthDate": ["1994-11-05"],
    },
}
NAMESAKE: dict[str, Any] = {
    "id": "own-namesake",
    "schema": "Person",
    "properties": {"name": ["Boris Namesakov"], "birthDate": ["1961-02-11"]},
}
NEWCOMER: dict[str, Any] = {
    "id": "own-newcomer",
    "schema": "Person",
    "properties": {"name": ["Gleb Newcomerov"], "birthDate": ["1975-07-07"]},
}


def write(path: Path, *entities: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8")
    return path


def use_language(page: Page, code: str) -> None:
    page.locator(f"header form.lang button[value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.fixture
def coordinator(page: Page, server: Server) -> Iterator[Page]:
    login(page, server, USER)
    language = page.locator("html").get_attribute("lang") or "ru"
    use_language(page, "en")
    yield page
    if not page.is_closed():
        page.goto(f"{server.url}/")
        use_language(page, language)


def wait_done(page: Page) -> None:
    """The import page refreshes itself until the import and the re-screening are done."""
    expect(page.locator(".import-state strong")).to_have_text(
        re.compile("^(Done|Готово|Завершён|Refused)$"), timeout=SLOW
    )


def test_upload_versions_changes_rescreen_and_delete(
    coordinator: Page, server: Server, browser: Browser, tmp_path: Path
) -> None:
    page = coordinator
    name = f"Own list {uuid.uuid4().hex[:6]}"
    page.goto(f"{server.url}/screening/lists/")
    page.fill("#id_name", name)
    page.set_input_files("#id_file", str(write(tmp_path / "v1.ftm.json", SINITSYN, NAMESAKE)))
    page.click("form[data-list-upload] button[type=submit]")
    page.wait_for_url(re.compile(r".*/screening/lists/imports/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("status").first).to_be_visible()
    wait_done(page)
    expect(page.locator("main")).to_contain_text("Version 1: 2 people; 2 added")
    expect(page.locator("main")).to_contain_text("open cases screened against it")
    shot(page, "lists-import-done-en-1280")

    # The second version with JavaScript off: the plain form post.
    plain = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    cookies: list[Any] = list(page.context.cookies())  # the same keys as SetCookieParam
    plain.add_cookies(cookies)
    other = plain.new_page()
    other.goto(f"{server.url}/screening/lists/")
    other.locator("main table").first.get_by_role("link", name=name).click()
    other.set_input_files("#id_file", str(write(tmp_path / "v2.ftm.json", SINITSYN, NEWCOMER)))
    other.click("form[data-list-upload] button[type=submit]")
    other.wait_for_url(re.compile(r".*/screening/lists/imports/[0-9a-f-]{36}/$"))
    wait_done(other)
    expect(other.locator("main")).to_contain_text("1 added, 0 changed, 1 removed")
    shot(other, "lists-import-done-en-390")
    other.get_by_role("link", name="What changed").click()
    other.get_by_role("link", name=re.compile("^Removed")).click()
    expect(other.locator(".change-names")).to_contain_text("Boris Namesakov")
    shot(other, "lists-version-changes-en-390")
    plain.close()

    page.goto(f"{server.url}/screening/lists/")
    page.locator("main table").first.get_by_role("link", name=name).click()
    expect(page.locator("main table").first).to_contain_text("2")
    shot(page, "lists-detail-en-1280")

    # The re-screening found the Artillerist on the list: his case's screening panel says so.
    page.goto(f"{server.url}/cases/")
    page.locator("main table").get_by_role("link", name="Artillerist", exact=True).first.click()
    expect(page.locator("#screening")).to_contain_text(name)

    page.goto(f"{server.url}/screening/lists/")
    page.locator("main table").first.get_by_role("link", name=name).click()
    use_language(page, "ru")
    shot(page, "lists-detail-ru-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "lists-detail-ru-390")
    page.get_by_role("link", name="Удалить этот список").click()
    shot(page, "lists-delete-ru-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Удалить список").click()
    page.wait_for_url(re.compile(r".*/screening/lists/$"))
    expect(page.locator("main table").first).not_to_contain_text(name)
    shot(page, "lists-after-delete-ru-1280")
    use_language(page, "en")
