"""The copy without metadata is the worker's: the item page says it is being made (issue 19).

A server of its own without a task worker (``tropa run --no-worker``), so the state between
``tropa evidence add`` and the worker's copy holds still for the screenshots: the coordinator
(Russian) and the verifier (English) at 1280 and 390 px. Then the worker runs once and the
page offers the copy instead.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .conftest import ROOT, Server, demo_server, login, shot

TEXT = {
    "ru": "Копия без метаданных: создаётся",
    "en": "Copy without metadata: being made",
}


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("tropa-e2e-no-worker")
    server = demo_server(demo_template, data_dir)
    bind = server.url.removeprefix("http://")
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "tropa.cli", "run", "--bind", bind, "--workers", "1", "--no-worker"],
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
    process.wait(timeout=90)
    log.close()


def _video(folder: Path) -> Path:
    """A phone-like clip: index at the end (ffmpeg's default), a creation time."""
    path = folder / "VID_20240220_080000.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=640x360"),
            *("-metadata", "creation_time=2024-02-20T08:00:00Z", "-c:v", "libx264"),
            *("-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )
    return path


def test_the_item_page_says_the_copy_is_being_made_until_the_worker_made_it(
    browser: Browser, quiet_server: Server, tmp_path: Path
) -> None:
    server = quiet_server
    case = server.tropa("cases", "list", "--org", "Demo Astana").split()[0]
    code = server.tropa("evidence", "add", case, str(_video(tmp_path))).split()[0]
    url = f"{server.url}/evidence/items/{code}/"
    for language, user in (("ru", "astana-coordinator"), ("en", "astana-verifier")):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        login(page, server, user)
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#stripped-pending")).to_contain_text(TEXT[language])
        expect(page.locator("#stripped-pending-action")).to_have_text(TEXT[language])
        expect(page.locator("#download-stripped")).to_have_count(0)
        # Metadata came with the command itself; the poster is the worker's, like the copy.
        expect(page.locator("#poster-pending")).to_be_visible()
        expect(page.locator("img.thumb")).to_have_count(0)
        expect(page.locator("#captured-at")).not_to_have_text("—")
        shot(page, f"evidence-copy-pending-{language}-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
        shot(page, f"evidence-copy-pending-{language}-390")
        context.close()
    server.tropa("worker", "--batch", "--no-startup-delay")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    login(page, server, "astana-verifier")
    page.goto(url)
    expect(page.locator("#download-stripped")).to_be_visible()
    expect(page.locator("#stripped-pending")).to_have_count(0)
    expect(page.locator("#poster-pending")).to_have_count(0)
    expect(page.locator("img.thumb")).to_be_visible()
    shot(page, "evidence-copy-made-en-1280")
    context.close()
