"""Testimony in the browser, in Russian: record an interview, structure an event with two
acts, link a unit, confirm the corroboration with the demo's witness, export with consent.

The coordinator records and structures; the verifier (switched to Russian) confirms the
corroboration and approves the export; the coordinator downloads the signed bundle.
"""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from playwright.sync_api import Browser, Page, expect

from tropa.evidence.bundle import verify_bundle

from .conftest import Server, login, shot

pytestmark = pytest.mark.e2e
UNIT = (
    "155-я отдельная бригада морской пехоты (вымышленная) / 155th Naval Infantry Brigade"
    " (в/ч 99155)"
)


def _case_code(server: Server, pseudonym: str) -> str:
    for line in server.tropa("cases", "list", "--org", "Demo Astana").splitlines():
        if line.split()[1] == pseudonym:
            return line.split()[0]
    raise AssertionError(pseudonym)


def _russian(page: Page) -> None:
    page.locator("form.lang button[value=ru]").first.click()


def _act(page: Page, kind: str, unit: bool) -> None:
    form = page.locator("#act-form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=description]").fill("по домам на улице Шахтёрской")
    form.locator("select[name=victim_kind]").select_option("civilians")
    form.locator("input[name=victim_count]").fill("4")
    if unit:
        form.locator("select[name=unit_1]").select_option(label=UNIT)
    form.locator("input[name=who_2]").fill("командир батареи")
    form.locator("select[name=involvement_2]").select_option("ordered")
    form.locator("select[name=how_known]").select_option("saw")
    form.locator("select[name=reliability]").select_option("b")
    form.locator("button[type=submit]").click()


def test_record_structure_corroborate_and_export(
    server: Server, page: Page, browser: Browser
) -> None:
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/testimony/case/{_case_code(server, 'Sokol')}/new/")
    page.fill("input[name=interviewer]", "Координатор")
    page.fill("input[name=language]", "русский")
    page.fill("textarea[name=narrative]", "В ночь на 29 июня у Вугледара били фосфором по домам.")
    page.click("#interview-form button[type=submit]")
    expect(page.locator("#narrative")).to_contain_text("фосфором")
    shot(page, "testimony-interview-ru")

    consent = page.locator("#consent-form")
    consent.locator("select[name=kind]").select_option("icc")
    consent.locator("select[name=status]").select_option("given")
    consent.locator("input[name=on]").fill("2026-11-30")
    consent.locator("button[type=submit]").click()
    expect(page.locator("#consent table")).to_contain_text("Международный уголовный суд")

    event = page.locator("#event-form")
    event.locator("input[name=when]").fill("ночь на 29.06.2022")
    event.locator("input[name=settlement]").fill("Вугледар")
    event.locator("select[name=oblast]").select_option("donetsk")
    event.locator("button[type=submit]").click()
    _act(page, "incendiary", unit=True)
    _act(page, "killing", unit=False)
    expect(page.locator("#acts .act")).to_have_count(2)
    expect(page.locator("#acts .unit").first).to_contain_text("в/ч 99155")
    expect(page.locator("#corroboration")).to_contain_text("Funker")
    event_url = page.url
    shot(page, "testimony-event-ru")

    verifier = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    approver = verifier.new_page()
    login(approver, server, "astana-verifier")
    _russian(approver)
    approver.goto(event_url)
    pair = approver.locator("#corroboration .act").filter(has_text="Funker")
    pair.locator("input[name=reason]").fill("та же ночь, та же часть")
    pair.locator("button[value=confirm]").click()
    expect(approver.locator("#corroborated")).to_contain_text("1")
    shot(approver, "testimony-corroborated-ru")

    page.goto(event_url)
    page.locator("a", has_text="Интервью").first.click()
    export = page.locator("#export-form")
    export.locator("select[name=kind]").select_option("icc")
    export.locator("select[name=language]").select_option("en")
    export.locator("button[type=submit]").click()
    expect(page.locator("#export-status")).to_contain_text("Ждёт одобрения")
    export_url = page.url

    approver.goto(export_url)
    approver.locator("button[value=approve]").click()
    expect(approver.locator("#export-status")).to_contain_text("Готово к скачиванию")
    verifier.close()

    page.goto(export_url)
    with page.expect_download() as info:
        page.click("#download")
    data = open(info.value.path(), "rb").read()  # noqa: SIM115 (read at once)
    assert verify_bundle(io.BytesIO(data)).ok
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = tar.extractfile("testimony/testimony.json")
        assert member is not None
        document = json.loads(member.read())
    assert document["recipient"] == "icc" and len(document["events"][0]["acts"]) == 2
    assert document["events"][0]["corroborated_by"] == 1
    shot(page, "testimony-exported-ru")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(event_url)
    shot(page, "testimony-event-ru-390")
    page.locator("form.lang button[value=en]").first.click()
    page.goto(event_url)
    expect(page.locator("#acts h2")).to_have_text("Acts")
    shot(page, "testimony-event-en-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("a", has_text="Interview").first.click()
    shot(page, "testimony-interview-en")
    page.locator("form.lang button[value=ru]").first.click()
