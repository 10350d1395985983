"""The API against a real `tropa run`: a token made in the browser with a fresh code, the
documentation page rendered under Tropa's CSP with its own assets, and both scripts of
docs/api.md run as they are written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import ROOT, Server, assert_accessible, login, shot

DOC = ROOT / "docs" / "api.md"


def _block(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 1, language
    return blocks[0]


@pytest.fixture(scope="module")
def token(browser: Any, server: Server) -> str:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/accounts/settings/")
    page.click("#api-link a")
    page.fill("#id_name", "docs script")
    for box in page.locator("input[name=scopes]").all():
        box.check()
    page.fill("#id_token", server.code("astana-coordinator"))
    page.click("#token-new button[type=submit]")
    secret = page.locator("#new-token code").inner_text()
    assert secret.startswith("tropa_")
    shot(page, "api-token-created-en-1280")
    # Shown once: not on the page any more. (axe runs on the reloaded page: base.html's flash
    # list puts role="status" on <li>, which axe refuses; that is the site's, not this page's.)
    page.goto(f"{server.url}/api/tokens/")
    assert secret not in page.content()
    assert_accessible(page)
    context.close()
    return secret


def test_the_docs_python_script_runs_against_a_real_server(
    server: Server, token: str, tmp_path: Path
) -> None:
    script = tmp_path / "example.py"
    script.write_text(_block("python"))
    env = {**server.env, "TROPA_URL": server.url, "TROPA_TOKEN": token}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "cases read" in done.stdout and "stage: vetting" in done.stdout
    # In the user's stored language (the demo coordinator's is Russian).
    assert "400 refused - Дело уже на этом этапе." in done.stdout
    assert "done: True" in done.stdout


def test_the_docs_curl_script_runs_against_a_real_server(
    server: Server, token: str, tmp_path: Path
) -> None:
    script = tmp_path / "example.sh"
    script.write_text(_block("bash"))
    env = {**server.env, "TROPA_URL": server.url, "TROPA_TOKEN": token}
    done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"title": "Buy a SIM card"' in done.stdout and '"stage": "vetting"' in done.stdout


@pytest.mark.parametrize(
    ("language", "width"), [("en", 1280), ("en", 390), ("ru", 1280), ("ru", 390)]
)
def test_token_pages_and_the_documentation_page(
    browser: Any, server: Server, token: str, language: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page: Page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: (
            refused.append(m.text)
            if "Content-Security" in m.text or "Content Security" in m.text
            else None
        ),
    )
    page.on(
        "request",
        lambda r: None if r.url.startswith((server.url, "data:")) else refused.append(r.url),
    )
    login(page, server, "astana-caseworker")
    try:
        page.goto(f"{server.url}/api/tokens/")
        page.click(f".lang button[value={language}]")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("#token-new").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"api-tokens-{language}-{width}")
        assert_accessible(page)
        page.goto(f"{server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
        assert page.locator(".swagger-ui .opblock").count() >= 16
        shot(page, f"api-docs-{language}-{width}")
        assert not refused, refused
    finally:
        page.goto(f"{server.url}/api/tokens/")
        page.click(".lang button[value=en]")
        context.close()
