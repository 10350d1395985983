"""Astana refers a case with two evidence items and the Latin name to Yerevan; Yerevan sees
only the kind and the sender until it accepts, then exactly that; an advocate of Yerevan
drafts a letter and opens nothing else.

Screenshots in Russian and English at 1280 and 390 px (``test-output/e2e/sharing-*``).
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import Server, assert_accessible, login, shot

# One statement of Rambo's, recorded by Astana: it goes with the referral.
INTERVIEW = """
from tropa.cases.models import Case
from tropa.testimony.services import record_interview
case = Case.objects.unscoped().get(code="%(case)s")
record_interview(actor=None, case=case, data={
    "interviewer": "Ольга", "language": "ru", "method": "written",
    "narrative": "Нас построили и сказали, что завтра штурм; я ушёл ночью.",
})
"""

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def _shots(page: Page, name: str) -> None:
    """The page as it is, in both languages and at both widths; back to the own language."""
    own = page.get_attribute("html", "lang") or "ru"
    other = "en" if own == "ru" else "ru"
    for language in (own, other):
        if language != own:
            page.click(f".lang button[value={language}]")
        for label, size in (("1280", DESKTOP), ("390", PHONE)):
            page.set_viewport_size(size)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{name} {language} is {width} px wide"
            shot(page, f"sharing-{name}-{language}-{label}")
    page.click(f".lang button[value={own}]")
    page.set_viewport_size(DESKTOP)


def _case_code(server: Server, org: str, pseudonym: str) -> str:
    for line in server.tropa("cases", "list", "--org", org).splitlines():
        if line.split()[1] == pseudonym:
            return line.split()[0]
    raise AssertionError(f"no case {pseudonym} in {org}")


def test_a_referral_and_an_advocate(page: Page, server: Server, tmp_path: Path) -> None:
    rambo = _case_code(server, "Demo Astana", "Rambo")
    files = []
    for name, text in (("prikaz.txt", "Приказ об оставлении части"), ("bilet.txt", "Билет")):
        path = tmp_path / name
        path.write_text(text * 50, encoding="utf-8")
        files.append(str(path))
    server.tropa("evidence", "add", rambo, *files)
    server.tropa("shell", "--no-imports", "-c", INTERVIEW % {"case": rambo})

    # Astana: the referral, with the Latin name and both items, nothing else of identity.
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/cases/{rambo}/")
    page.click("#refer-case")
    _shots(page, "refer")
    page.select_option("select[name=receiver]", label="Demo Yerevan")
    page.check("input[name=mode][value=share]")
    page.select_option("select[name=consent_how]", "signed")
    page.fill("textarea[name=consent_for]", "Помощь с визой в Ереване")
    page.check("input[name=identity][value=surname_latin]")
    page.check("input[name=identity][value=given_name_latin]")
    for box in page.locator("input[name=evidence]").all():
        box.check()
    page.locator("input[name=testimony]").first.check()
    page.fill("textarea[name=note]", "Переезжает в Ереван")
    shot(page, "sharing-refer-filled-ru-1280")
    page.click("#refer-form button.primary")
    page.wait_for_url("**/sharing/referrals/*/")
    referral = page.url
    expect(page.locator("#referral-state")).to_be_visible()

    # Yerevan, before accepting: the kind and the sender, nothing of the case.
    login(page, server, "yerevan-coordinator")
    page.goto(referral)
    main = page.locator("main")
    expect(main).to_contain_text("Demo Astana")
    for secret in ("Rambo", "SNEGIREV", "Переезжает", "визой", "штурм"):
        expect(main).not_to_contain_text(secret)
    assert_accessible(page)
    _shots(page, "incoming")
    page.click("#accept")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f-]+/$"))
    new_case = page.url
    # The evidence arrives in the background: the page shows both once the worker copied them.
    for _attempt in range(120):
        if page.locator("#evidence tbody tr").count() == 2:
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#evidence tbody tr")).to_have_count(2)
    expect(page.locator("#evidence")).to_contain_text("prikaz.txt")
    expect(page.locator("#sharing")).to_contain_text("Demo Astana")
    page.click("#identity form button")
    identity = page.locator("#identity")
    expect(identity).to_contain_text("SNEGIREV")
    expect(identity).to_contain_text("PAVEL")
    for absent in ("Снегирёв", "Андреевич", "75 0000002", "+7 700"):
        expect(identity).not_to_contain_text(absent)
    expect(page.locator("main")).not_to_contain_text("изоляторе")  # his alert stayed in Astana
    _shots(page, "received-case")
    # The statement came, re-sealed for Yerevan, with who recorded it and from where.
    page.goto(referral)
    page.click("#received-testimony a")
    expect(page.locator("#narrative")).to_contain_text("завтра штурм")
    expect(page.locator("#came-by-referral")).to_contain_text("Demo Astana")
    expect(page.locator("#came-by-referral")).to_contain_text("Ольга")
    _shots(page, "received-testimony")
    page.goto(f"{server.url}/sharing/referrals/")
    _shots(page, "list")
    # The directory and templates the advocate will write with.
    page.goto(f"{server.url}/outreach/directory/")
    page.click("form[action$='/directory/starter/'] button")

    # The demo advocate of Yerevan (Funker's case, referred in the demo): a letter, and
    # nothing else.
    login(page, server, "yerevan-advocate")
    expect(page.locator("main")).to_contain_text("Funker")
    page.click("main table.list a")
    expect(page.locator("#public-summary")).to_contain_text("humanitarian visa")
    advocate_case = page.url
    _shots(page, "advocate-case")
    page.click("#draft-letter")
    page.select_option("select[name=template]", index=1)
    page.select_option("select[name=institution]", index=1)
    page.click("button[value=preview]")
    expect(page.locator("#send textarea[name=body]")).to_contain_text("Funker")
    page.click("#send button.primary")
    page.wait_for_url("**/outreach/requests/*/")
    page.goto(advocate_case)
    expect(page.locator("main table.list tbody tr")).not_to_contain_text("No letters yet")
    funker = _case_code(server, "Demo Yerevan", "Funker")
    for path in (
        f"/cases/{funker}/",
        f"/cases/{new_case.rstrip('/').rsplit('/', 1)[1]}/",
        "/cases/",
        "/outreach/",
        "/outreach/directory/",
        f"/evidence/cases/{funker}/upload/",
        referral.removeprefix(server.url),
    ):
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 404, path
    shot(page, "sharing-advocate-404-en-1280")
