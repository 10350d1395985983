"""Screening in the browser: a list imported on the server, a case screened on demand, the hit
confirmed in the review queue, and the same man registered twice found as a duplicate.

The demo's Artillerist is Синицын Денис Олегович, born 1994-11-05 (medium risk); the list
spells him "Sinitsyn Denis Olegovich" and also holds a namesake born in 1971. The tests sign in
as astana-coordinator (who screens and reviews) and give the account its language back.
The first screening in a server process loads the engine's name data, which takes a while:
the steps that screen wait longer than usual.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import Server, login, shot

USER = "astana-coordinator"
SLOW = 120_000  # ms: the first screening in a process loads the engine's name data
CASE_URL = re.compile(r".*/cases/[0-9a-f-]{36}/(#[a-z]+)?$")


def use_language(page: Page, code: str) -> None:
    page.locator(f"header form.lang button[value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.fixture
def coordinator(page: Page, server: Server) -> Iterator[Page]:
    """The coordinator signed in, in English; his own language is given back afterwards."""
    login(page, server, USER)
    language = page.locator("html").get_attribute("lang") or "ru"
    use_language(page, "en")
    yield page
    if not page.is_closed():
        page.goto(f"{server.url}/")
        use_language(page, language)


@pytest.fixture(scope="module")
def sanctions_list(server: Server, tmp_path_factory: pytest.TempPathFactory) -> str:
    entities = [
        {
            "id": "e2e-sinitsyn",
            "schema": "Person",
            "properties": {
                "name": ["Sinitsyn Denis Olegovich"],
                "firstName": ["Denis"],
                "fatherName": ["Olegovich"],
                "lastName": ["Sinitsyn"],
                "birthDate": ["1994-11-05"],
                "topics": ["sanction"],
                "position": ["Commander of an artillery battery"],
            },
        },
        {
            "id": "e2e-namesake",
            "schema": "Person",
            "properties": {"name": ["Denis Sinitsyn"], "birthDate": ["1971-03-08"]},
        },
        {"id": "e2e-company", "schema": "Company", "properties": {"name": ["Artillery LLC"]}},
    ]
    path = tmp_path_factory.mktemp("lists") / "entities.ftm.json"
    path.write_text("\n".join(json.dumps(e) for e in entities) + "\n", encoding="utf-8")
    name = f"E2E sanctions {uuid.uuid4().hex[:6]}"
    out = server.tropa("lists", "import", str(path), "--name", name)
    assert "version 1 stored, 2 people: 2 added, 0 changed, 0 removed" in out
    return name


def open_case(page: Page, server: Server, pseudonym: str) -> None:
    page.goto(f"{server.url}/cases/")
    page.locator("main table").get_by_role("link", name=pseudonym, exact=True).first.click()
    page.wait_for_url(CASE_URL)


def test_a_hit_is_found_on_demand_and_confirmed_in_the_review_queue(
    coordinator: Page, server: Server, sanctions_list: str, tmp_path: Path
) -> None:
    page = coordinator
    open_case(page, server, "Artillerist")
    panel = page.locator("#screening")
    expect(panel.get_by_role("button", name="Screen now")).to_be_visible()
    panel.get_by_role("button", name="Screen now").click(timeout=SLOW)
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}/#screening$"), timeout=SLOW)
    expect(page.locator(".messages")).to_contain_text("Screened against")
    row = panel.locator("tr", has_text=sanctions_list)
    expect(row).to_have_count(1)  # the namesake born in 1971 is not a hit
    expect(row).not_to_contain_text("Sinitsyn")  # names are identity: never in the panel
    expect(row).to_contain_text("Pending review")
    expect(panel).to_contain_text("Last screened")
    shot(page, "screening-1-case-panel")

    page.goto(f"{server.url}/screening/")
    expect(page.locator("h1")).to_have_text("Screening review")
    queued = page.locator("main tr", has_text=sanctions_list)
    expect(queued).to_contain_text("Artillerist")
    assert "Синицын" not in page.locator("main").inner_text()  # pseudonyms only
    shot(page, "screening-2-queue")
    queued.get_by_role("link", name="match").click()
    page.wait_for_url("**/screening/hits/*/")
    explanation = page.locator("main table.explanation")
    expect(explanation).not_to_contain_text("Синицын")  # masked until the audited reveal
    expect(page.locator("main")).to_contain_text("Birth dates agree.")
    page.locator("#names").get_by_role("button", name="Reveal names").click()
    expect(explanation).to_contain_text("Синицын")
    expect(explanation).to_contain_text("the same name in another transliteration")
    expect(page.locator("main")).to_contain_text("Birth dates agree.")
    shot(page, "screening-3-hit")

    # A decision needs a reason.
    page.get_by_label("Confirm: he is the listed person").check()
    page.locator("#decision").get_by_role("button", name="Record decision").click()
    expect(page.locator("#id_reason:invalid")).to_have_count(1)
    page.fill("#id_reason", "Дата рождения, отчество и должность совпадают с документами.")
    page.locator("#decision").get_by_role("button", name="Record decision").click()
    page.wait_for_url("**/screening/")
    expect(page.locator(".messages")).to_contain_text("the case's risk is now critical")
    expect(page.locator("main")).not_to_contain_text(sanctions_list)

    open_case(page, server, "Artillerist")
    expect(page.locator("dl.summary .risk")).to_have_text("Critical")
    expect(page.locator("#screening tr", has_text=sanctions_list)).to_contain_text("Confirmed")

    use_language(page, "ru")
    expect(page.locator("#screening h2")).to_have_text("Сверка со списками")
    shot(page, "screening-4-case-panel-ru")
    page.locator("#screening tr", has_text=sanctions_list).get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("то же имя в другой транслитерации")
    expect(page.locator("#decision")).to_contain_text("Решение: astana-coordinator")
    shot(page, "screening-5-hit-ru")
    use_language(page, "en")


def test_the_same_man_registered_twice_is_offered_as_a_duplicate(
    coordinator: Page, server: Server
) -> None:
    page = coordinator
    pseudonym = f"Denis-{uuid.uuid4().hex[:6]}"
    page.goto(f"{server.url}/cases/new/")
    page.fill("#id_pseudonym", pseudonym)
    page.locator("main form").get_by_role("button", name="Save").click()
    page.wait_for_url(CASE_URL)
    page.locator("#identity").get_by_role("link", name="Record identity").click()
    page.wait_for_url("**/identity/edit/")
    page.fill("#id_surname_latin", "SINITSYN")
    page.fill("#id_given_name_latin", "DENIS")
    page.fill("#id_birth_date", "1994-11-05")
    page.locator("main form").get_by_role("button", name="Save").click()
    page.wait_for_url(CASE_URL)

    page.goto(f"{server.url}/screening/duplicates/")
    page.get_by_role("button", name="Search for duplicates").click(timeout=SLOW)
    page.wait_for_url("**/screening/duplicates/", timeout=SLOW)
    # The search is a background task: the page shows it running and refreshes by itself.
    expect(page.locator(".messages")).to_contain_text(
        re.compile(r"The search for duplicates is running\.|possible duplicate\(s\) found")
    )
    expect(page.locator("main p.running")).to_have_count(0, timeout=SLOW)
    expect(page.locator("main")).to_contain_text("possible duplicate(s) found")
    pair = page.locator("main tr", has_text=pseudonym).filter(has_text="Artillerist")
    expect(pair).to_have_count(1)
    shot(page, "screening-6-duplicates")
    pair.get_by_role("link", name="Compare").click()
    page.wait_for_url("**/screening/duplicates/*/")
    expect(page.locator("main table.explanation")).not_to_contain_text("SINITSYN")
    page.locator("#names").get_by_role("button", name="Reveal names").click()
    # The best pair of spellings is shown: both have the passport's Latin spelling.
    expect(page.locator("main table.explanation")).to_contain_text("SINITSYN")
    expect(page.locator("main")).to_contain_text("Birth dates agree.")
    shot(page, "screening-7-duplicate")
    page.get_by_label("Same person (records the link, merges nothing)").check()
    page.fill("#id_reason", "Тот же загранпаспорт, зарегистрирован повторно в Алматы.")
    page.locator("#decision").get_by_role("button", name="Record decision").click()
    page.wait_for_url("**/screening/duplicates/")
    expect(page.locator(".messages")).to_contain_text("Nothing was merged")
    decided = page.locator("main tr", has_text=pseudonym).filter(has_text="Artillerist")
    expect(decided).to_contain_text("Same person")
    use_language(page, "ru")
    shot(page, "screening-8-duplicates-ru")
    use_language(page, "en")

    # Both cases are still there, each with its own person.
    open_case(page, server, pseudonym)
    expect(page.locator("h1")).to_contain_text(pseudonym)
    open_case(page, server, "Artillerist")
    expect(page.locator("h1")).to_contain_text("Artillerist")
