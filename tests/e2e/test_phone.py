"""Every page on a 390 px phone, in Russian and English, and axe-core on each of them.

Demo users of three roles sign in once each; from the dashboard the walk follows every
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
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Server, axe_violations, login, shot
from .test_evidence import _photo, _until

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# The verifier sees the coordinator's pages without their forms: three roles cover every
# kind of page (case work, a volunteer's narrowed case, accounts) at a third of the time.
ROLES = ["astana-coordinator", "astana-volunteer", "astana-admin"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Files and sign-out are not pages; a download or an export would only be fetched.
NOT_PAGES = re.compile(r"(\.(pdf|txt|csv|xlsx)$|/download/|/logout/|^/static/)")
DEPTH = 3


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


def _walk(
    page: Page, server: Server, case: str | None, check: Callable[[str], list[str]] | None = None
) -> tuple[list[str], list[str]]:
    """One path per URL pattern reachable from the dashboard within DEPTH links, and what
    `check` found on each of them (run on each page as the walk loads it).

    The case with evidence (if given) comes first, so that its page stands for all case
    pages."""
    level, seen, problems = ["/", *([f"/cases/{case}/"] if case else [])], set(), []
    paths: list[str] = []
    for depth in range(DEPTH + 1):
        following: list[str] = []
        for path in level:
            if _pattern(path) in seen or path.startswith("/api/"):
                # /api/v1/docs is django-ninja's Swagger UI for developers, with its own
                # colours (their contrast fails axe): left out, and said so in docs/api.md.
                continue
            seen.add(_pattern(path))
            paths.append(path)
            page.set_viewport_size(PHONE)
            response = page.goto(f"{server.url}{path}")
            assert response is not None
            if response.status >= 400:
                problems.append(f"{path}: HTTP {response.status}")
                continue
            if depth < DEPTH:
                following += _links(page, server)
            if check:
                problems += check(path)
        level = following
    return paths, problems


def _check(page: Page, path: str, label: str, *, desktop: bool) -> list[str]:
    """The loaded page at 390 px, then (if `desktop`) axe again at 1280 px.

    Every folded section of the page (<details>: the forms of a case page, raw metadata) is
    opened first, as a user would, so that what it holds is measured and checked too."""
    problems: list[str] = []
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
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
    if desktop:
        page.set_viewport_size(DESKTOP)
        problems += [f"{label} {path} at 1280 px: {v}" for v in axe_violations(page)]
    return problems


def _visit(page: Page, server: Server, path: str, label: str, *, desktop: bool) -> list[str]:
    page.set_viewport_size(PHONE)
    response = page.goto(f"{server.url}{path}")
    assert response is not None
    if response.status >= 400:
        return [f"{label} {path}: HTTP {response.status}"]
    return _check(page, path, label, desktop=desktop)


@pytest.fixture(scope="module")
def material(
    server: Server, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """Pages the demo does not fill by itself: a photo with its metadata and copies, an
    export waiting for approval, the starter directory and a few imported letters."""
    tmp = tmp_path_factory.mktemp("phone")
    case = server.tropa("cases", "list", "--org", "Demo Astana").split()[0]
    item = server.tropa("evidence", "add", case, str(_photo(tmp))).split()[0]
    sheet = tmp / "letters.csv"
    sheet.write_text(
        "Дата;Куда;Канал;Ответ\r\n03.10.2022;Посольство Франции;эл. почта;нет ответа\r\n",
        encoding="utf-8",
    )
    server.tropa("outreach", "load-directory", "--org", "Demo Astana")
    server.tropa("outreach", "import", str(sheet), "--org", "Demo Astana")
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    login(page, server, "astana-coordinator")
    # The item page as it is once the worker has read the metadata and made both copies.
    page.goto(f"{server.url}/evidence/items/{item}/")
    derived = page.locator("#derived tbody tr")
    _until(page, lambda: page.locator("#device").count() == 1 and derived.count() == 2)
    page.goto(f"{server.url}/evidence/cases/{case}/export/")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/evidence/exports/*/")
    context.close()
    return case, item


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(
    phone: Page, server: Server, material: tuple[str, str], username: str
) -> None:
    """In the account's own language at 390 px and 1280 px, in the other one at 390 px:
    the colours are the same in every language, the lengths of words are not."""
    login(phone, server, username)
    own = phone.get_attribute("html", "lang") or "ru"
    other = "en" if own == "ru" else "ru"
    # The volunteer is not given the case with evidence: for him it is (rightly) not there.
    case = material[0] if username == "astana-coordinator" else None
    paths, problems = _walk(
        phone, server, case, lambda path: _check(phone, path, f"{username} {own}", desktop=True)
    )
    # The walk may end on a page outside the site's layout (the API's document page), so the
    # language is switched from the dashboard.
    phone.goto(f"{server.url}/")
    phone.click(f".lang button[value={other}]")
    for path in paths:
        problems += _visit(phone, server, path, f"{username} {other}", desktop=False)
    phone.goto(f"{server.url}/")
    phone.click(f".lang button[value={own}]")
    assert not problems, f"{len(paths)} pages:\n" + "\n".join(problems)


def test_sign_in_fits_a_phone_and_passes_axe(phone: Page, server: Server) -> None:
    problems: list[str] = []
    for language in ("ru", "en"):
        phone.goto(f"{server.url}/accounts/login/")
        phone.click(f".lang button[value={language}]")
        label = f"anonymous {language}"
        problems += _visit(phone, server, "/accounts/login/", label, desktop=True)
    assert not problems, "\n".join(problems)


def test_the_walk_reaches_the_pages_of_every_app(
    phone: Page, server: Server, material: tuple[str, str]
) -> None:
    """A guard on the walk itself: if links change, it must still see these pages."""
    login(phone, server, "astana-coordinator")
    paths, _ = _walk(phone, server, material[0])
    patterns = {_pattern(path) for path in paths}
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


def test_the_header_menu_folds_on_a_phone_and_works_without_javascript(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    login(page, server, "astana-coordinator")
    nav, summary = page.locator("header nav"), page.locator("header .menu > summary")
    expect(summary).to_be_visible()
    expect(nav).to_be_hidden()
    assert page.locator("header").bounding_box()["height"] < 60  # type: ignore[index]
    summary.click()
    expect(nav).to_be_visible()
    nav.locator("a[href='/outreach/']").click()
    page.wait_for_url("**/outreach/")
    expect(nav).to_be_hidden()
    shot(page, "phone-menu-closed-ru")
    summary.click()
    shot(page, "phone-menu-open-ru")
    # On a wider screen the same menu is always open and its summary is not shown.
    page.set_viewport_size(DESKTOP)
    expect(summary).to_be_hidden()
    expect(nav).to_be_visible()
    page.reload()
    expect(nav).to_be_visible()
    shot(page, "desktop-header-ru")
    context.close()


def test_a_hash_on_a_phone_takes_two_lines_at_most_and_is_copied_whole(
    phone: Page, server: Server, material: tuple[str, str]
) -> None:
    login(phone, server, "astana-coordinator")
    phone.goto(f"{server.url}/evidence/items/{material[1]}/")
    full = phone.locator("#item-sha256")
    line = float(full.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert full.bounding_box()["height"] <= 2.5 * line  # type: ignore[index]
    for code in phone.locator("#derived code.hash").all():
        # One line in the table, the whole value in its text (what a copy takes) and title.
        assert code.bounding_box()["height"] <= 1.5 * line  # type: ignore[index]
        assert re.fullmatch(r"[0-9a-f]{64}", code.inner_text())
        assert code.get_attribute("title") == code.inner_text()
