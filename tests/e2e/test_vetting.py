"""Vetting in the browser: a verifier (Russian interface) works the demo's open vetting to a
proposed recommend, a second verifier (English interface) signs it, a dossier is requested,
approved by the second person and downloaded by the first; it verifies."""

from __future__ import annotations

import io
import re
import tarfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tropa.vetting.dossier.verifying import verify_dossier

from .conftest import SHOTS, Server, login, shot


def _context_page(browser: Browser, width: int = 1280) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    return context.new_page()


def _vetting_url(page: Page, server: Server, pseudonym: str) -> str:
    page.goto(f"{server.url}/")
    expect(page.locator("#vetting-queue svg.vetting-chart")).to_be_visible()
    page.locator("#vetting-oldest a", has_text=pseudonym).click()
    page.wait_for_url(re.compile(r".*/vetting/[0-9a-f-]{36}/$"))
    return page.url


def _work_check(page: Page, kind: str, finding: str) -> None:
    page.click(f"#check-{kind} a")
    page.select_option("#id_status", "satisfied")
    page.fill("#id_finding", finding)
    page.click("#save-check")
    expect(page.locator(f"#check-{kind} .check-status.satisfied")).to_be_visible()


def test_a_vetting_worked_to_a_decision_and_a_dossier(browser: Browser, server: Server) -> None:
    vera = _context_page(browser)
    login(vera, server, "astana-verifier-2")
    url = _vetting_url(vera, server, "Rambo")
    expect(vera.locator("h1")).to_contain_text("Верификация")
    expect(vera.locator("#check-infiltration .check-status.concern")).to_be_visible()
    shot(vera, "vetting-ru-1280")
    _work_check(vera, "infiltration", "Дату прибытия подтвердил приказ.")
    _work_check(vera, "exclusion", "Сведений о преступлениях части нет.")
    vera.fill("#id_text", "Задержан по запросу России")
    vera.click("#add-claim")
    vera.locator("#claims a").last.click()
    vera.select_option("#id_basis", "documented")
    vera.select_option("#id_reliability", "B")
    vera.select_option("#id_credibility", "2")
    vera.click("#grade-claim")
    expect(vera.locator("#claims")).to_contain_text("B2")
    vera.select_option("#id_outcome", "recommend")
    vera.fill("#id_reasons", "Рассказ подтверждён; оснований для исключения нет.")
    vera.click("#propose-decision")
    expect(vera.locator("#current-decision")).to_contain_text("Ждёт второй подписи")
    # The proposer is offered no second signature, only the reason why.
    expect(vera.locator("#sign-decision")).to_have_count(0)
    expect(vera.locator("#sign-refusal")).to_contain_text("второго человека")

    walt = _context_page(browser, width=390)
    login(walt, server, "astana-verifier")
    walt.goto(url)
    # An earlier browser test may have left this account in Russian: ask for English.
    walt.locator("header form.lang button[value=en]").click()
    walt.goto(url)
    expect(walt.locator("h1")).to_contain_text("Vetting")
    shot(walt, "vetting-en-390")
    walt.click("#sign-decision")
    expect(walt.locator("#vetting-state")).to_have_text("Decided")

    vera.goto(url)
    vera.select_option("#id_recipient_kind", "embassy")
    vera.fill("#id_recipient_name", "Botschaft in Astana")
    vera.select_option("#id_language", "de")
    vera.click("#request-dossier")
    expect(vera.locator("#dossier-status")).to_have_text("Ждёт одобрения")
    dossier_url = vera.url
    walt.goto(dossier_url)
    walt.click("#approve-dossier")
    deadline = time.monotonic() + 300  # the worker imports WeasyPrint on its first PDF
    while "Ready to download" not in (walt.locator("#dossier-status").text_content() or ""):
        assert time.monotonic() < deadline, "the dossier was not built within five minutes: " + (
            walt.locator("#dossier-status").text_content() or ""
        )
        walt.wait_for_timeout(500)
        walt.reload()
    expect(walt.locator("#download-dossier")).to_have_count(0)
    vera.goto(dossier_url)
    shot(vera, "vetting-dossier-ru-1280")
    with vera.expect_download() as info:
        vera.click("#download-dossier")
    data = Path(info.value.path()).read_bytes()
    report = verify_dossier(io.BytesIO(data))
    assert report.ok, report.problems
    assert report.manifest is not None and report.manifest["decision"]["outcome"] == "recommend"
    assert report.manifest["language"] == "de" and report.manifest["person"]["identity"] == {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        pdf = tar.extractfile("dossier.pdf").read()  # type: ignore[union-attr]  # a file
    assert pdf.startswith(b"%PDF")
    (SHOTS / "vetting-dossier.pdf").write_bytes(pdf)
