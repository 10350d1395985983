"""Every page on a 390 px phone, in Russian and English, and axe-core on each of them.

Demo users of four roles sign in once each; from the header navigation the walk follows every
link in the page (GET only: nothing is changed) two steps deep, one page per URL pattern
(`/cases/<code>/` once, not once per case). On each page at 390 × 844:

* nothing scrolls sideways (`document.documentElement.scrollWidth <= 390`);
* the page title (h1) starts in the first quarter of the screen: the header does not push
  the page off the first screen;
* axe-core finds no violation, at 390 px and again at 1280 px.

Everything found is collected and reported at once, with the page it was found on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from .conftest import Server, axe_violations, login, shot

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ROLES = ["astana-coordinator", "astana-verifier", "astana-volunteer", "astana-admin"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Files and sign-out are not pages; a download or an export would only be fetched.
NOT_PAGES = re.compile(r"(\.(pdf|txt|csv|xlsx)$|/download/|/logout/|^/static/)")
DEPTH = 2


def _pattern(path: str) -> str:
    return UUID.sub("<code>", path)


def _links(page: Page, server: Server) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "header nav a[href], main a[href]", "links => links.map(a => a.href)"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != server.url or NOT_PAGES.search(parts.path):
            continue
        paths.append(parts.path)
    return paths


def _walk(page: Page, server: Server, case: str) -> list[str]:
    """One path per URL pattern reachable from the navigation within DEPTH links.

    The case with evidence comes first, so that its page stands for all case pages."""
    page.goto(f"{server.url}/")
    level = [f"/cases/{case}/", *_links(page, server)]
    seen: dict[str, str] = {_pattern("/"): "/"}
    for depth in range(DEPTH + 1):
        following: list[str] = []
        for path in level:
            if _pattern(path) in seen:
                continue
            seen[_pattern(path)] = path
            if depth < DEPTH:
                page.goto(f"{server.url}{path}")
                following += _links(page, server)
        level = following
    return sorted(seen.values())


def _check(page: Page, server: Server, path: str, label: str) -> list[str]:
    problems: list[str] = []
    page.set_viewport_size(PHONE)
    response = page.goto(f"{server.url}{path}")
    assert response is not None
    if response.status >= 400:
        return [f"{label} {path}: HTTP {response.status}"]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{label} {path}: {width} px wide at 390 px")
    top = page.evaluate("document.querySelector('h1')?.getBoundingClientRect().top ?? -1")
    if not 0 <= top <= PHONE["height"] / 4:
        problems.append(f"{label} {path}: the h1 starts at {top:.0f} px")
    problems += [f"{label} {path} at 390 px: {v}" for v in axe_violations(page)]
    if label.startswith("astana-coordinator"):
        name = _pattern(path).strip("/").replace("/", "-").replace("<code>", "c") or "dashboard"
        shot(page, f"phone-{label.split()[1]}-{name}")
    page.set_viewport_size(DESKTOP)
    problems += [f"{label} {path} at 1280 px: {v}" for v in axe_violations(page)]
    return problems


@pytest.fixture(scope="module")
def material(server: Server, browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Pages the demo does not fill by itself: an evidence item, an export waiting for
    approval, the starter directory and a few imported letters."""
    tmp = tmp_path_factory.mktemp("phone")
    case = server.tropa("cases", "list", "--org", "Demo Astana").split()[0]
    note = tmp / "statement.txt"
    note.write_text("A statement, typed on the phone.\n")
    server.tropa("evidence", "add", case, str(note))
    sheet = tmp / "letters.csv"
    sheet.write_text(
        "Дата;Куда;Ответ\r\n03.10.2022;Посольство Франции;нет ответа\r\n",
        encoding="utf-8",
    )
    server.tropa("outreach", "load-directory", "--org", "Demo Astana")
    server.tropa("outreach", "import", str(sheet), "--org", "Demo Astana")
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/evidence/cases/{case}/export/")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/evidence/exports/*/")
    context.close()
    return case


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(
    phone: Page, server: Server, material: str, username: str
) -> None:
    login(phone, server, username)
    own = phone.get_attribute("html", "lang") or "ru"
    paths = _walk(phone, server, material)
    problems: list[str] = []
    for language in (own, "en" if own == "ru" else "ru"):
        phone.click(f".lang button[value={language}]")
        for path in paths:
            problems += _check(phone, server, path, f"{username} {language}")
    phone.click(f".lang button[value={own}]")
    assert not problems, f"{len(paths)} pages:\n" + "\n".join(problems)


def test_sign_in_fits_a_phone_and_passes_axe(phone: Page, server: Server) -> None:
    problems: list[str] = []
    for language in ("ru", "en"):
        phone.goto(f"{server.url}/accounts/login/")
        phone.click(f".lang button[value={language}]")
        problems += _check(phone, server, "/accounts/login/", f"anonymous {language}")
    assert not problems, "\n".join(problems)


def test_the_walk_reaches_the_pages_of_every_app(
    phone: Page, server: Server, material: str
) -> None:
    """A guard on the walk itself: if links change, it must still see these pages."""
    login(phone, server, "astana-coordinator")
    patterns = {_pattern(path) for path in _walk(phone, server, material)}
    for expected in (
        "/cases/",
        "/cases/<code>/",
        "/evidence/items/<code>/",
        "/evidence/exports/<code>/",
        "/screening/",
        "/screening/hits/<code>/",
        "/outreach/requests/",
        "/outreach/requests/<code>/",
        "/outreach/directory/",
        "/outreach/statistics/",
        "/accounts/approvals/",
    ):
        assert expected in patterns, sorted(patterns)
