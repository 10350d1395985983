"""The case desk as a new user meets it in the browser, one test per flow.

Each test makes its own case with a unique pseudonym, so the tests do not depend on their
order. Tests that sign out use an account no other test signs in through the form
(astana-admin, astana-verifier): a TOTP code is refused the second time. The tests work
in English and give each demo account its stored language back afterwards.
(This file took over test_smoke.py: the demo's Rambo alert is checked in flow 5.)
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from tropa.core.demo import ACCOUNTS, ASTANA_PEOPLE

from .conftest import SHOTS, Server, login, shot

CASE_URL = re.compile(r".*/cases/[0-9a-f-]{36}/$")
CANARY = "Канарейкин"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def cyrillic_surname() -> str:
    """A surname nobody else uses, in Cyrillic letters only."""
    letters = "абвгдежзик"
    return "Тестов" + "".join(letters[int(d, 16) % 10] for d in uuid.uuid4().hex[:5])


def local_today() -> date:
    """Today where the demo staff work (TROPA_DEFAULT_USER_TIMEZONE)."""
    return datetime.now(ZoneInfo("Asia/Almaty")).date()


def use_language(page: Page, code: str) -> None:
    """Click the language button in the header (it is also stored as the user's choice)."""
    page.locator(f"header form.lang button[value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def new_case(page: Page, server: Server, pseudonym: str, *, city: str = "Kostanay") -> str:
    """Create a case through Cases → New case; return the case page's URL."""
    page.goto(f"{server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.wait_for_url("**/cases/")
    page.get_by_role("link", name="New case").click()
    page.wait_for_url("**/cases/new/")
    page.fill("#id_pseudonym", pseudonym)
    page.select_option("#id_country", "KZ")
    page.fill("#id_city", city)
    page.fill("#id_arrived_on", (local_today() - timedelta(days=10)).isoformat())
    page.select_option("#id_risk", "high")
    page.locator("main form").get_by_role("button", name="Save").click()
    page.wait_for_url(CASE_URL)
    expect(page.locator("h1")).to_contain_text(pseudonym)
    return page.url


def sign_in_form(page: Page, server: Server, username: str, password: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()


def sign_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name=re.compile("Sign out|Выйти")).click()
    page.wait_for_url("**/accounts/login/")


def latin_phrases(page: Page, known: set[str]) -> list[str]:
    """Runs of Latin-script words in the visible interface, minus data (names, codes...)."""
    text = page.locator("header nav").inner_text() + "\n" + page.locator("main").inner_text()
    word = r"[A-Za-z][A-Za-z0-9’'.,!?-]*"
    found = set()
    for phrase in re.findall(rf"{word}(?: {word})*", text):
        words = [w.strip(".,!?") for w in phrase.split()]
        if all(w in known or re.search(r"\d|^[A-Z][a-z]+-[0-9a-f]{6}$", w) for w in words):
            continue
        found.add(phrase)
    return sorted(found)


def codes_around_now(key: bytes) -> set[str]:
    return {f"{totp(key, drift=d):06d}" for d in (-1, 0, 1)}


@pytest.fixture
def english(page: Page, server: Server) -> Iterator[Callable[[Page], None]]:
    """Switch a signed-in page to English; afterwards give the account its language back.

    The language is stored per account, and other tests (and people) expect the demo
    accounts in their own language, so each test puts it back as it found it.
    """
    found: list[tuple[Page, str]] = []

    def switch(target: Page) -> None:
        found.append((target, target.locator("html").get_attribute("lang") or "ru"))
        use_language(target, "en")

    yield switch
    for target, code in reversed(found):
        if not target.is_closed():
            target.goto(f"{server.url}/")
            use_language(target, code)


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """Another person's browser: its own cookies."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    yield context.new_page()
    context.close()


# 1 ---------------------------------------------------------------------------------------


def test_a_new_user_sets_up_the_authenticator_at_first_sign_in(page: Page, server: Server) -> None:
    sign_in_form(page, server, "astana-admin", server.passwords["astana-admin"])
    page.wait_for_url("**/accounts/verify/")
    page.fill("#id_token", server.code("astana-admin"))
    page.locator("main form button[type=submit]").click()
    # An administrator sees no cases: the dashboard sends them to the user list.
    page.wait_for_url("**/accounts/users/")
    use_language(page, "en")

    username = unique("e2e-cw")
    page.get_by_role("link", name="New user").click()
    page.wait_for_url("**/accounts/users/new/")
    page.fill("#id_username", username)
    page.select_option("#id_role", "caseworker")
    page.select_option("#id_language", "en")
    page.get_by_role("button", name="Create account").click()
    # No password for the administrator to know: a one-time link for the new user.
    link = page.locator("#enrol-link").inner_text().strip()
    assert "/accounts/enrol/" in link
    expect(page.locator("main")).to_contain_text("coordinator of your organization approves")
    shot(page, "01-user-created")
    sign_out(page)
    expect(page.locator("header nav")).to_have_count(0)

    # The new user opens the link, keeps the suggested passphrase, sets up the app.
    page.goto(link)
    page.wait_for_url("**/accounts/enrol/")
    password = page.locator("#suggested-passphrase").inner_text().strip()
    assert len(password.split("-")) == 6
    expect(page.locator("#id_new_password1")).to_have_value(password)
    shot(page, "01-choose-password")
    page.get_by_role("button", name="Save and set up the authenticator").click()
    page.wait_for_url("**/accounts/setup/")
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", secret), secret
    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    shot(page, "01-totp-setup")

    # A mistyped code: a visible error, still on the set-up page, not signed in.
    page.fill("#id_token", "12345")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator("main .errorlist")).to_contain_text("Enter the six digits")
    assert page.url.endswith("/accounts/setup/")
    expect(page.locator("header nav")).to_have_count(0)
    # The key does not change while it is being set up.
    assert page.locator("#totp-secret").inner_text().strip() == secret
    shot(page, "01-totp-mistyped-code")

    page.fill("#id_token", f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("header .who")).to_contain_text(username)
    # A caseworker sees case content: nothing until a coordinator approves the role.
    expect(page.locator("#no-role")).to_be_visible()
    shot(page, "01-first-dashboard")

    # Next time the app asks for the code only; a wrong code is refused visibly.
    # (A wrong code before the right one would make the right one wait out django-otp's
    # back-off, so the wrong code is tried here, where nothing follows it.)
    sign_out(page)
    sign_in_form(page, server, username, password)
    page.wait_for_url("**/accounts/verify/")
    wrong = next(c for c in ("000000", "111111", "222222") if c not in codes_around_now(key))
    page.fill("#id_token", wrong)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .errorlist")).to_contain_text("This code is wrong")
    assert page.url.endswith("/accounts/verify/")
    expect(page.locator("header nav")).to_have_count(0)
    shot(page, "01-wrong-code")
    page.goto(f"{server.url}/")
    page.wait_for_url("**/accounts/login/?next=*")
    expect(page.locator("#id_username")).to_be_visible()


# 2 ---------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_case_and_finds_it(
    page: Page, server: Server, english: Callable[[Page], None]
) -> None:
    login(page, server, "astana-coordinator")
    english(page)
    pseudonym = unique("Shmel")
    url = new_case(page, server, pseudonym, city="Kostanay")

    expect(page.locator("main ul.messages")).to_contain_text("Case created.")
    expect(page.locator("h1 .stage")).to_have_text("Intake")
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("Kostanay, Kazakhstan")
    expect(summary).to_contain_text("High")
    expect(page.locator("#days-in-limbo")).to_have_text("10")
    shot(page, "02-case-created")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("link", name=pseudonym, exact=True)).to_be_visible()

    page.fill("#id_q", pseudonym)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/cases/\?q="))
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(pseudonym)
    expect(rows.first).to_contain_text("Kostanay")
    expect(page.locator("main")).to_contain_text("1 case")
    shot(page, "02-case-search")
    rows.first.get_by_role("link", name=pseudonym).click()
    assert page.url == url


# 3 ---------------------------------------------------------------------------------------


def test_an_identity_is_masked_until_revealed_and_never_shown_to_a_volunteer(
    page: Page, second_page: Page, server: Server, english: Callable[[Page], None]
) -> None:
    login(page, server, "astana-coordinator")
    english(page)
    pseudonym = unique("Sych")
    surname = cyrillic_surname()
    url = new_case(page, server, pseudonym)
    expect(page.locator("#identity")).to_contain_text("No identity recorded yet.")

    page.locator("#identity").get_by_role("link", name="Record identity").click()
    page.wait_for_url("**/identity/edit/")
    page.fill("#id_surname", surname)
    page.fill("#id_given_name", "Пётр")
    page.fill("#id_patronymic", "Ильич")
    page.fill("#id_surname_latin", "TESTOV")
    page.fill("#id_given_name_latin", "PETR")
    page.fill("#id_birth_date", "1995-05-17")
    page.fill("#id_birthplace", "Псков")
    page.fill("#id_documents", "загранпаспорт: 75 7654321")
    page.fill("#id_phone", "+7 700 111 2233")
    page.fill("#id_messengers", "Signal: @sych_e2e")
    page.locator("main form").get_by_role("button", name="Save").click()
    page.wait_for_url(url + "#identity")
    expect(page.locator("main ul.messages")).to_contain_text("Identity saved")

    expect(page.locator("#identity .masked")).to_be_visible()
    assert surname not in page.content()
    assert "7654321" not in page.content()
    shot(page, "03-identity-masked")

    page.locator("#identity").get_by_role("button", name="Reveal identity").click()
    page.wait_for_url("**/identity/reveal/")
    revealed = page.locator("#identity dl.facts")
    expect(revealed).to_contain_text(f"{surname} Пётр Ильич")
    expect(revealed).to_contain_text("TESTOV PETR")
    expect(revealed).to_contain_text("загранпаспорт: 75 7654321")
    shot(page, "03-identity-revealed")
    page.get_by_role("link", name="Hide and go back to the case").click()
    page.wait_for_url(url)
    assert surname not in page.content()
    # Even for a coordinator, family names and the canary appear only on the reveal page.
    page.goto(f"{server.url}/cases/?q=Funker")
    page.get_by_role("link", name="Funker", exact=True).click()
    page.wait_for_url(CASE_URL)
    expect(page.locator("#identity .masked")).to_be_visible()
    assert CANARY not in page.content()

    # The volunteer: only logistics, never identity.
    volunteer = second_page
    login(volunteer, server, "astana-volunteer")
    english(volunteer)
    volunteer.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    volunteer.wait_for_url("**/cases/")
    volunteer.get_by_role("link", name="Volk", exact=True).click()
    volunteer.wait_for_url(CASE_URL)
    expect(volunteer.locator("h1")).to_contain_text("Volk")
    expect(volunteer.locator("#tasks")).to_contain_text("Встретить и заселить")
    expect(volunteer.locator("#identity")).to_have_count(0)
    expect(volunteer.get_by_role("button", name="Reveal identity")).to_have_count(0)
    expect(volunteer.locator("form[action$='/identity/reveal/']")).to_have_count(0)
    assert "Щеглов" not in volunteer.content()
    shot(volunteer, "03-volunteer-case")

    # Posting to the reveal URL directly is refused. The same POST mechanism (CSRF token
    # from the page) is first shown to work on an allowed form, so the refusal is not CSRF.
    token = volunteer.locator("header input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    assert token
    allowed = volunteer.request.post(
        f"{server.url}/i18n/language/",
        form={"csrfmiddlewaretoken": token, "language": "en", "next": "/"},
        max_redirects=0,
    )
    assert allowed.status == 302
    reveal_url = volunteer.url + "identity/reveal/"
    refused = volunteer.request.post(
        reveal_url, form={"csrfmiddlewaretoken": token}, max_redirects=0
    )
    assert refused.status in (403, 404), refused.status
    assert "Щеглов" not in refused.text()
    assert "75 0000008" not in refused.text()
    # The edit form would show the identity too: refused as well.
    edit = volunteer.request.get(volunteer.url + "identity/edit/", max_redirects=0)
    assert edit.status in (403, 404), edit.status
    assert "Щеглов" not in edit.text()

    # A case the volunteer reaches only through a task: the canary's page.
    volunteer.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    volunteer.get_by_role("link", name="Funker", exact=True).click()
    volunteer.wait_for_url(CASE_URL)
    expect(volunteer.locator("#tasks")).to_contain_text("Отвезти продукты семье")
    expect(volunteer.locator("#family")).to_be_visible()
    html = volunteer.content()
    assert CANARY not in html
    assert CANARY.upper() not in html
    assert "KANAREIKIN" not in html
    shot(volunteer, "03-volunteer-funker")


# 4 ---------------------------------------------------------------------------------------


def test_moving_a_case_through_stages_and_closing_needs_a_reason(
    page: Page, server: Server, english: Callable[[Page], None]
) -> None:
    login(page, server, "astana-coordinator")
    english(page)
    pseudonym = unique("Kulik")
    new_case(page, server, pseudonym)
    stage = page.locator("#stage")
    badge = page.locator("h1 .stage")
    expect(badge).to_have_text("Intake")

    stage.locator("#stage_stage").select_option("vetting")
    stage.get_by_role("button", name="Move").click()
    expect(page.locator("main ul.messages")).to_contain_text("Stage changed.")
    expect(badge).to_have_text("Vetting")

    # Closing without a reason: refused with the error at the reason, which has the focus;
    # the stage chosen is kept, and the case's stage stays.
    stage.locator("#stage_stage").select_option("closed")
    stage.locator("#stage_reason").select_option("")
    stage.get_by_role("button", name="Move").click()
    expect(stage.locator("#stage_reason_error")).to_contain_text("Choose why the case is closed.")
    expect(stage.locator("#stage_reason")).to_be_focused()
    expect(stage.locator("#stage_stage")).to_have_value("closed")
    expect(badge).to_have_text("Vetting")
    shot(page, "04-close-without-reason")

    stage.locator("#stage_reason").select_option("protected_elsewhere")
    stage.get_by_role("button", name="Move").click()
    expect(page.locator("main ul.messages")).to_contain_text("Stage changed.")
    expect(badge).to_have_text("Closed")
    expect(page.locator("dl.summary")).to_contain_text("Protected with help from others")

    history = page.locator("#history ol.timeline > li")
    expect(history.filter(has_text="Intake → Vetting")).to_have_count(1)
    expect(
        history.filter(has_text="Vetting → Closed (Protected with help from others)")
    ).to_have_count(1)
    expect(history.filter(has_text="Vetting → Closed").first).to_contain_text("astana-coordinator")
    shot(page, "04-stage-history")


# 5 ---------------------------------------------------------------------------------------


def test_a_detention_alert_reaches_every_coordinator_and_is_worked_off(
    page: Page, second_page: Page, server: Server, english: Callable[[Page], None]
) -> None:
    login(page, server, "astana-coordinator")
    english(page)
    pseudonym = unique("Strizh")
    url = new_case(page, server, pseudonym)

    alerts = page.locator("#alerts")
    alerts.locator("summary", has_text="Raise an alert").click()
    alerts.locator("select[name=kind]").select_option("detained")
    alerts.locator("textarea[name=details]").fill("Задержан на границе (e2e)")
    alerts.get_by_role("button", name="Raise alert").click()
    expect(page.locator("main ul.messages")).to_contain_text("Alert raised.")
    expect(alerts).to_have_class(re.compile(r"\bdanger\b"))
    expect(alerts.locator(".alert-block.active")).to_contain_text("Detained")

    # The dashboard: alerts come first, the newest on top, the demo's Rambo still there.
    page.goto(f"{server.url}/")
    expect(page.locator("main h2").first).to_have_text("Active alerts")
    cards = page.locator(".alerts .alert-card")
    expect(cards.first).to_contain_text(pseudonym)
    expect(cards.first).to_contain_text("Detained")
    expect(cards.first).to_contain_text("0 of 4 steps done")
    expect(cards.filter(has_text="Rambo")).to_have_count(1)
    shot(page, "05-dashboard-alert")

    # Another case-staff account sees it too, before it is resolved.
    login(second_page, server, "astana-caseworker")
    english(second_page)
    second_page.goto(f"{server.url}/")
    expect(second_page.locator(".alerts .alert-card").filter(has_text=pseudonym)).to_have_count(1)
    shot(second_page, "05-caseworker-dashboard-alert")

    page.locator(".alerts .alert-card").filter(has_text=pseudonym).get_by_role("link").click()
    page.wait_for_url(url + "#alerts")
    block = page.locator("#alerts .alert-block.active")
    for label in ("Lawyer informed", "Family told"):
        block.get_by_role("button", name=label).click()
        expect(page.locator("main ul.messages")).to_contain_text("Checklist updated.")
        done = block.locator("ul.checklist li", has_text=label)
        expect(done.locator(".done")).to_have_text(f"✓ {label}")
        expect(done).to_contain_text("astana-coordinator, ")
    # Items not done are still buttons.
    expect(block.get_by_role("button", name="Care package arranged")).to_be_visible()
    page.goto(f"{server.url}/")
    expect(page.locator(".alerts .alert-card").filter(has_text=pseudonym)).to_contain_text(
        "2 of 4 steps done"
    )
    page.goto(url)
    shot(page, "05-alert-ticked")

    # Resolving asks how it ended, and for a confirmation.
    page.locator("#alerts").get_by_role("link", name="Resolve…").click()
    expect(page.locator("main")).to_contain_text("Care package arranged")  # not ticked
    page.get_by_label("Released from detention").check()
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.locator("#id_confirm_error")).to_be_visible()
    page.get_by_label("Yes, resolve the alert").check()
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.locator("main ul.messages")).to_contain_text("Alert resolved.")
    expect(page.locator("#alerts .alert-block").first).to_contain_text("Released from detention")
    expect(page.locator("#alerts .alert-block.active")).to_have_count(0)
    expect(page.locator("#alerts .alert-block")).to_contain_text("resolved by astana-coordinator")
    expect(page.locator("#alerts")).not_to_have_class(re.compile(r"\bdanger\b"))
    shot(page, "05-alert-resolved")

    page.goto(f"{server.url}/")
    expect(page.locator(".alerts .alert-card").filter(has_text=pseudonym)).to_have_count(0)
    second_page.reload()
    expect(second_page.locator(".alerts .alert-card").filter(has_text=pseudonym)).to_have_count(0)


# 6 ---------------------------------------------------------------------------------------


def test_switching_the_interface_to_russian(
    page: Page, server: Server, english: Callable[[Page], None]
) -> None:
    login(page, server, "astana-coordinator")
    english(page)
    pseudonym = unique("Yozh")
    case_url = new_case(page, server, pseudonym)
    pages = {
        "dashboard": f"{server.url}/",
        "case-list": f"{server.url}/cases/",
        "case": case_url,
    }
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        shot(page, f"06-{name}-en")

    page.goto(pages["dashboard"])
    page.locator("header form.lang").get_by_role("button", name="RU").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert page.url == pages["dashboard"]
    expect(page.locator("header form.lang button[value=ru]")).to_have_attribute(
        "aria-current", "true"
    )
    # Data, not interface: pseudonyms, user and organization names, places, the brand.
    known = {"Tropa", "Demo", "Astana", "Almaty", "Uralsk", "Kostanay", "KZT", pseudonym}
    known |= {p.pseudonym for p in ASTANA_PEOPLE} | {p.city for p in ASTANA_PEOPLE}
    known |= {a[1] for a in ACCOUNTS}
    untranslated = []
    for name, url in pages.items():
        page.goto(url)
        # The choice is kept for the account, on every page.
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        assert page.url == url
        shot(page, f"06-{name}-ru")
        untranslated += [f"{name}: {phrase}" for phrase in latin_phrases(page, known)]
    # Translations are still being written: listed for the report, not a failure.
    (SHOTS / "06-untranslated-ru.txt").write_text("\n".join(untranslated) + "\n")
    expect(page.locator("h1")).to_contain_text(pseudonym)

    # And back: English again on the same page.
    page.locator("header form.lang").get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == case_url


# 7 ---------------------------------------------------------------------------------------


def test_after_sign_out_the_case_is_gone_and_nothing_is_kept_in_the_browser(
    page: Page, server: Server
) -> None:
    login(page, server, "astana-verifier", fresh=True)
    use_language(page, "en")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="Funker", exact=True).click()
    page.wait_for_url(CASE_URL)
    case_url = page.url
    expect(page.locator("h1")).to_contain_text("Funker")
    # Something a page might have left behind: sign-out must wipe it (Clear-Site-Data).
    page.evaluate("localStorage.setItem('probe', 'x'); sessionStorage.setItem('probe', 'x')")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 2

    sign_out(page)
    expect(page.locator("main h1")).to_have_text("Sign in")
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("sessionStorage.length") == 0

    page.go_back()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    expect(page.locator("main h1")).to_have_text("Sign in")
    assert "Funker" not in page.content()

    page.goto(case_url)
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.*"))
    expect(page.locator("#id_username")).to_be_visible()
    assert "Funker" not in page.content()
    page.reload()
    assert "/accounts/login/" in page.url
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    shot(page, "07-after-sign-out")
