"""End-to-end tests: a real `tropa run` (gunicorn) with the demo, driven by Debian's Chromium.

The server runs in its own process and data dir, as `make run` starts it: the data dir is a
fresh copy of one that `tropa migrate`, `tropa collectstatic` and `tropa demo` made once for the
session (tests/e2e/datadir.py). Demo passwords come from the output of `tropa demo`, TOTP codes
from `tropa demo --code`. Screenshots go to test-output/e2e/.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import hotp
from playwright.sync_api import Browser, Page, sync_playwright

from .datadir import TEMPLATE_ENV, copy_template, make_template, tropa_env

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "e2e"
CHROMIUM = os.environ.get("TROPA_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The hook sees every collected item of the session, not only this folder's.
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@dataclass
class Server:
    url: str
    env: dict[str, str]
    passwords: dict[str, str] = field(default_factory=dict)
    # Cookies of one completed sign-in per account: a TOTP code cannot be used twice.
    sessions: dict[str, list[Any]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    used_steps: dict[str, int] = field(default_factory=dict)

    def tropa(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "tropa.cli", *args],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout

    def code(self, username: str) -> str:
        """A TOTP code for a demo account that has not been used yet.

        Tropa refuses a code twice (and accepts one step either side). Two sign-ins of one
        account within a 30-second step take the next step's code, as an authenticator
        would a moment later; a third would have to wait, and is refused here.
        """
        key = base64.b32decode(self.secrets[username])
        now = int(time.time()) // 30
        step = max(now, self.used_steps.get(username, now - 1) + 1)
        if step > now + 1:
            raise RuntimeError(f"{username} signed in more than twice within 30 seconds")
        self.used_steps[username] = step
        return f"{hotp(key, step):06d}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """A real SMTP server (aiosmtpd) the e2e server sends its notifications to."""

    port: int = 0
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(port=_free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir made once by the real commands: the one `make test` made beside its checks
    (TROPA_E2E_TEMPLATE), else one made now. Servers start on copies of it."""
    given = os.environ.get(TEMPLATE_ENV)
    if given:
        return Path(given)
    template = tmp_path_factory.mktemp("tropa-e2e-template")
    make_template(template)
    return template


def demo_server(template: Path, data_dir: Path, **env: str) -> Server:
    """A Server on a fresh copy of the template in ``data_dir``, with the demo's accounts."""
    output = copy_template(template, data_dir)
    server = Server(url=f"http://127.0.0.1:{_free_port()}", env=tropa_env(data_dir, **env))
    for line in output.splitlines():
        match = re.match(r"\s+(\S+)\s+([a-z]+(?:-[a-z]+){5})\s+TOTP (\S+)", line)
        if match:
            server.passwords[match.group(1)] = match.group(2)
            server.secrets[match.group(1)] = match.group(3)
    return server


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox, demo_template: Path
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("tropa-e2e")
    server = demo_server(
        demo_template,
        data_dir,
        # Notifications go to the test's own SMTP server (tests/e2e/test_notify.py).
        TROPA_EMAIL_HOST="127.0.0.1",
        TROPA_EMAIL_PORT=str(mailbox.port),
        TROPA_EMAIL_FROM="Tropa <tropa@example.org>",
    )
    bind = server.url.removeprefix("http://")
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "tropa.cli", "run", "--bind", bind, "--workers", "2"],
        env=server.env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data_dir / "server.log").read_text()) from None
            time.sleep(0.2)
    yield server
    process.terminate()
    try:
        # Gunicorn lets running requests finish (30 s), then `tropa run` stops its worker.
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Page, server: Server, username: str, *, fresh: bool = False) -> None:
    """Sign in a demo account with its password and current TOTP code.

    The first sign-in of an account goes through the form; later ones reuse its session
    cookies, because the same TOTP code is (rightly) refused twice. ``fresh`` forces the
    form and does not share the session (for tests that sign out).
    """
    if not fresh and username in server.sessions:
        page.context.add_cookies(server.sessions[username])
        page.goto(f"{server.url}/")
        if "/accounts/login/" not in page.url:
            return
        # An earlier test ended that session (a sign-out, a changed setting): sign in again.
        page.context.clear_cookies()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", server.passwords[username])
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/verify/")
    page.fill("#id_token", server.code(username))
    page.click("main form button[type=submit]")
    # The dashboard, or for an administrator (no case work) the user list it sends him to.
    # An advocate (tropa/sharing) lands on their own list of cases.
    page.wait_for_url(re.compile(re.escape(server.url) + r"/(accounts/users/|sharing/advocate/)?$"))
    if not fresh:
        server.sessions[username] = page.context.cookies()


# axe-core, vendored from npm (tests/e2e/vendor/README.md): run in the page, every rule of
# its default set (WCAG 2.x A/AA and best practices). No rule is switched off.
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """What axe-core finds on the page as it is now, one line per rule and element."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol: Tropa's CSP (rightly) refuses inline scripts.
        page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{rule['id']} ({rule['impact']}): {' '.join(node['target'])} — "
        + " ".join(node["failureSummary"].split())
        for rule in result["violations"]
        for node in rule["nodes"]
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n" + "\n".join(violations)
