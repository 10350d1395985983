"""Evidence in the browser: upload with progress, see metadata, download, export, approve.

The coordinator (Russian interface) uploads a photo with GPS and a video, downloads the
original, and requests an export; the verifier (English interface) approves it; the
coordinator downloads the signed bundle, which verifies.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tropa.evidence.bundle import verify_bundle

from .conftest import Server, login, shot


def _photo(folder: Path) -> Path:
    path = folder / "IMG_20240301_142205.jpg"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=800x600:rate=1",
            "-frames:v",
            "1",
            str(path),
        ],
        check=True,
    )
    subprocess.run(
        [
            "exiftool",
            "-q",
            "-overwrite_original",
            "-Make=Xiaomi",
            "-Model=Redmi Note 8",
            "-DateTimeOriginal=2024:03:01 14:22:05",
            "-GPSLatitude=51.128207",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=71.430411",
            "-GPSLongitudeRef=E",
            str(path),
        ],
        check=True,
    )
    return path


def _video(folder: Path) -> Path:
    path = folder / "VID_20240220.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=320x240:rate=10",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    return path


def _until(page: Page, ready: Callable[[], bool], seconds: float = 240) -> None:
    """Reload until the background worker has done its part."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, "the background worker did not finish in time"
        time.sleep(0.5)
        page.reload()


def _approve(context: BrowserContext, server: Server, export_url: str) -> Page:
    """The verifier (English) finds the export on the dashboard, approves it and waits
    until the worker is done."""
    page = context.new_page()
    login(page, server, "astana-verifier")
    page.goto(f"{server.url}/")
    page.click(f"#exports-waiting a[href='{export_url.removeprefix(server.url)}']")
    page.click("button[value=approve]")
    status = page.locator("#export-status")
    waiting = ("Waiting for approval", "Approved", "Being built")
    _until(page, lambda: status.inner_text() not in waiting)
    return page


def test_evidence_upload_metadata_download_and_export(
    page: Page, browser: Browser, server: Server, tmp_path: Path
) -> None:
    photo, video = _photo(tmp_path), _video(tmp_path)
    case = server.tropa("cases", "list", "--org", "Demo Astana").split()[0]
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/cases/{case}/")
    page.click(f"a[href='/evidence/cases/{case}/upload/']")
    page.fill("#id_source", "Funker")
    page.select_option("#id_method", "messenger")
    page.fill("#id_taken_on", "2024-03-01")
    page.set_input_files("#evidence-files", [str(photo), str(video)])
    page.click("#evidence-upload button[type=submit]")
    expect(page.locator("#evidence-progress .state.done")).to_have_count(2, timeout=60_000)
    shot(page, "evidence-upload-ru")

    page.locator("#evidence-progress a").first.click()
    # Metadata first, then the thumbnail and the stripped copy: wait for all three.
    device, derived = page.locator("#device"), page.locator("#derived tbody tr")
    _until(page, lambda: device.count() == 1 and derived.count() == 2)
    assert "Xiaomi Redmi Note 8" in device.inner_text()
    sha = page.inner_text("#item-sha256")
    assert sha == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert "51.128207" in page.inner_text("#gps")
    assert page.locator("img.thumb").count() == 1
    shot(page, "evidence-item-ru")
    item_url = page.url
    with page.expect_download() as download:
        page.click("#download-original")
    assert download.value.suggested_filename == photo.name  # named after the original
    assert page.inner_text("h1") == photo.name
    assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == sha

    page.goto(f"{server.url}/cases/{case}/")
    panel = page.inner_text("#evidence")
    assert photo.name in panel and video.name in panel
    assert "фото" in panel and "видео" in panel and "image/jpeg" not in panel
    shot(page, "evidence-panel-ru")
    # The video has its index at the end, as phones write it: it still gets its poster.
    page.click(f"#evidence a:has-text('{video.name}')")
    poster = page.locator("img.thumb")
    _until(page, lambda: poster.count() == 1)
    shot(page, "evidence-video-ru")
    page.goto(f"{server.url}/cases/{case}/")
    page.click(f"a[href='/evidence/cases/{case}/export/']")
    page.locator("main form select").first.select_option("stripped")
    page.click("main form button[type=submit]")
    export_url = page.url
    assert "/evidence/exports/" in export_url

    approver = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    other = _approve(approver, server, export_url)
    assert other.inner_text("#export-status") == "Ready to download"
    shot(other, "evidence-export-en")
    other.goto(f"{server.url}/cases/{case}/")
    other.locator("#evidence a[href^='/evidence/items/']").first.click()
    shot(other, "evidence-item-en")
    other.set_viewport_size({"width": 390, "height": 844})
    other.reload()
    assert other.evaluate("document.documentElement.scrollWidth") <= 390
    shot(other, "evidence-item-phone-en")
    approver.close()

    page.goto(export_url)
    with page.expect_download() as bundle:
        page.click("#download-bundle")
    with open(bundle.value.path(), "rb") as handle:
        report = verify_bundle(handle)
    assert report.ok, report.problems
    assert report.items == 2

    # On a phone (390 px), the item page with its hashes and tables fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(item_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "evidence-item-phone-ru")


def test_a_bundle_that_cannot_be_built_says_why_and_is_built_again(
    page: Page, browser: Browser, server: Server, tmp_path: Path
) -> None:
    """A stored file goes missing (a failed disk, a bad restore): the export page says so,
    names the item, and once the file is back the bundle is built again."""
    case = server.tropa("cases", "list", "--org", "Demo Astana").split()[0]
    letter = tmp_path / "letter.txt"
    letter.write_text("Рапорт об увольнении", encoding="utf-8")
    store = Path(server.env["TROPA_DATA_DIR"]) / "evidence"
    before = {p for p in store.glob("*/*") if p.parent.name != "tmp"}
    item = server.tropa("evidence", "add", case, str(letter)).split()[0]
    (blob,) = {p for p in store.glob("*/*") if p.parent.name != "tmp"} - before
    kept = blob.read_bytes()
    blob.unlink()

    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/evidence/cases/{case}/export/")
    selects = page.locator("main form select")
    for index in range(selects.count()):
        selects.nth(index).select_option("exclude")
    page.locator(f"select[name='item_{item}']").select_option("original")
    page.click("main form button[type=submit]")
    export_url = page.url

    approver = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    other = _approve(approver, server, export_url)
    assert other.inner_text("#export-status") == "Building failed"
    assert "stored file is missing" in other.inner_text("#export-failure")
    shot(other, "evidence-export-failed-en")
    approver.close()

    page.goto(export_url)
    failure = page.inner_text("#export-failure")
    assert "Не удалось собрать пакет" in failure and item in failure
    shot(page, "evidence-export-failed-ru")
    blob.write_bytes(kept)
    page.click("#retry-export")
    ru_status = page.locator("#export-status")
    _until(page, lambda: ru_status.inner_text() == "Готово к скачиванию")
    with page.expect_download() as bundle:
        page.click("#download-bundle")
    with open(bundle.value.path(), "rb") as handle:
        report = verify_bundle(handle)
    assert report.ok, report.problems


def test_an_upload_whose_last_answer_is_lost_still_completes_once(
    page: Page, server: Server, tmp_path: Path
) -> None:
    """A proxy gives up while the server joins and hashes the file (504): the page asks
    the server, finds the finished item and shows it; nothing is stored twice by it."""
    case = server.tropa("cases", "list", "--org", "Demo Astana").split()[0]
    note = tmp_path / "note.txt"
    note.write_bytes(b"handwritten resignation letter, page 2\n" * 1000)
    login(page, server, "astana-coordinator")
    page.goto(f"{server.url}/cases/{case}/")
    items = page.locator("#evidence a[href^='/evidence/items/']")
    before = items.count()

    def lose_the_answer(route: Route) -> None:
        route.fetch()  # the server finishes the upload...
        route.fulfill(status=504, body="Gateway Time-out")  # ...but the answer is lost

    page.route("**/finish/", lose_the_answer, times=1)
    page.goto(f"{server.url}/evidence/cases/{case}/upload/")
    page.set_input_files("#evidence-files", [str(note)])
    space = page.inner_text("#evidence-space")
    page.click("#evidence-upload button[type=submit]")
    expect(page.locator("#evidence-progress .state.done")).to_have_count(1, timeout=60_000)
    assert page.inner_text("#evidence-space") != space  # the used space follows the uploads
    sha = hashlib.sha256(note.read_bytes()).hexdigest()
    assert sha[:16] in page.inner_text("#evidence-progress .state.done")
    # The same file once more: stored again (never refused), and the page says so at once.
    page.click("#evidence-upload button[type=submit]")
    expect(page.locator("#evidence-progress .state.done a.duplicate")).to_have_count(1)
    shot(page, "evidence-upload-duplicate-ru")
    page.goto(f"{server.url}/cases/{case}/")
    assert items.count() == before + 2
