"""Intake in the browser: a coordinator makes an invitation; the man opens it on a phone
(390 px) with JavaScript off, in Russian, answers, sends, and gets a codename; the
coordinator asks a follow-up question; the man comes back with his codename and answers it;
the coordinator accepts the submission and a case is made."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from .conftest import Server, assert_accessible, login, shot


def _phone(browser: Browser, *, javascript: bool = False) -> Page:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="ru-RU",
        java_script_enabled=javascript,
    )
    page = context.new_page()
    # The machine is shared and loaded: give a slow answer time, never a fixed sleep.
    page.set_default_timeout(90_000)
    return page


def _invite(page: Page, server: Server) -> str:
    page.goto(f"{server.url}/intake/invitations/")
    page.select_option("#id_language", "ru")
    page.fill("#id_hours", "24")
    page.click("#invite-form button[type=submit]")
    expect(page.locator("#new-link svg")).to_be_visible()
    shot(page, "intake-invitation-1280")
    return page.locator("#invitation-url").inner_text().strip()


def _answer(phone: Page) -> None:
    phone.fill("#q-surname", "Канарейкин")
    phone.fill("#q-given_name", "Алексей")
    phone.fill("#q-birth_date", "1994-03-02")
    shot(phone, "intake-page1-ru-390-nojs")
    phone.click("button[value=next]")
    phone.check("input[name=country][value=KZ]")
    phone.fill("#q-city", "Астана")
    phone.click("button[value=next]")
    phone.check("input[name=served][value=yes]")
    phone.check("input[name=left_how][value=deserted]")
    phone.click("button[value=next]")
    expect(phone.locator("h1")).to_have_text("Ваша часть")  # asked because he served
    phone.fill("#q-unit", "в/ч 12345")
    phone.click("button[value=next]")
    phone.check("input[name=family_came][value=no]")
    phone.click("button[value=next]")
    expect(phone.locator("h1")).to_have_text("Что вам нужно")  # no family page
    phone.fill("#q-needs", "Жильё и юрист")
    phone.click("button[value=next]")
    expect(phone.locator("h1")).to_have_text("Готово к отправке")
    phone.click("button[value=send]")
    expect(phone.locator("h1")).to_have_text("Статус")
    shot(phone, "intake-sent-ru-390-nojs")


def test_from_invitation_to_accepted_case_on_a_phone_without_javascript(
    browser: Browser, server: Server
) -> None:
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU").new_page()
    desk.set_default_timeout(90_000)
    login(desk, server, "astana-coordinator")
    link = _invite(desk, server)
    assert link.startswith(server.url + "/f/")

    phone = _phone(browser)
    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("Анкета")
    assert "Tropa" not in phone.title() and "Tropa" not in phone.content()
    assert phone.context.cookies() == []
    shot(phone, "intake-landing-ru-390-nojs")
    phone.click("button[type=submit]")
    codename = phone.locator("#codename").inner_text().strip()
    assert len(codename.split()) == 7
    shot(phone, "intake-codename-ru-390-nojs")
    phone.click("button[value=show]")
    expect(phone.locator("h1")).to_have_text("О вас")
    _answer(phone)
    assert phone.context.cookies() == []
    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("Эта ссылка не работает")  # one time only
    phone.context.close()

    desk.goto(f"{server.url}/intake/?status=new")
    desk.locator("#queue tbody tr a").first.click()
    desk.wait_for_url(re.compile(r".*/intake/[0-9a-f-]{36}/$"))
    expect(desk.locator("main")).to_contain_text("Канарейкин")
    submission_url = desk.url
    desk.fill("#id_text", "Когда вы получили повестку?")
    desk.check("#id_question")
    desk.click("#message-form button[type=submit]")
    desk.click("#take")
    desk.check("input[name=documents][value=summons]")
    desk.click("#documents-form button[type=submit]")
    shot(desk, "intake-submission-1280")

    back = _phone(browser)
    back.goto(f"{server.url}/f/return/")
    back.fill("#codename", codename)
    back.click("button[type=submit]")
    expect(back.locator("main")).to_contain_text("Когда вы получили повестку?")
    expect(back.locator("main")).to_contain_text("Повестка")
    shot(back, "intake-status-ru-390-nojs")
    back.fill("#reply", "В сентябре 2022 года")
    back.click("button[value=reply]")
    expect(back.locator(".ok")).to_be_visible()
    assert back.context.cookies() == []
    back.context.close()

    desk.goto(submission_url)
    expect(desk.locator("main")).to_contain_text("В сентябре 2022 года")
    desk.fill("#id_pseudonym", "Сокол-2")
    desk.click("#accept-form button[type=submit]")
    desk.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}/$"))
    expect(desk.locator("h1")).to_contain_text("Сокол-2")
    shot(desk, "intake-accepted-case-1280")


def test_the_persons_pages_fit_a_phone_and_pass_axe(browser: Browser, server: Server) -> None:
    phone = _phone(browser, javascript=True)
    for path in ("/f/return/", "/f/nothing-here/"):
        phone.goto(f"{server.url}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        assert_accessible(phone)
        assert phone.evaluate("localStorage.length + sessionStorage.length") == 0
    phone.context.close()
