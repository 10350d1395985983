"""Outreach at 100,000 requests: import a spreadsheet, export it, show the statistics.

Run:  .venv/bin/python bench/outreach/bench_outreach.py [--rows 100000] [--repeat 40]
      (PostgreSQL: scripts/test-postgres .venv/bin/python bench/outreach/bench_outreach.py)

1. Writes a realistic spreadsheet (Windows-1251, semicolons, Russian headers, dd.mm.yyyy,
   free-text answers, a few formula-looking cells) and imports it with
   ``tropa outreach import`` exactly as a user would: parse, all-or-nothing transaction,
   every request sealed.
2. Exports all requests as CSV and XLSX through the views (streaming), and measures how
   much the process's resident peak grows while exporting a twentieth and all of the rows:
   flat memory means the two are about the same.
3. Times the statistics page through Django's full stack (middleware, session, OTP check,
   template with SVG charts) with the test client, and reports median and p95: while the
   figures are cached, and for the first view after a write (figures computed afresh).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
# A data dir of its own (removed at the end) unless TROPA_DATA_DIR names one.
OWN_DATA_DIR = "TROPA_DATA_DIR" not in os.environ
os.environ.setdefault("TROPA_DATA_DIR", tempfile.mkdtemp(prefix="tropa-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tropa.accounts import services as accounts  # noqa: E402
from tropa.accounts.models import User  # noqa: E402
from tropa.outreach.models import Request, StatsVersion  # noqa: E402

KINDS = ["Посольство", "Консульство", "Министерство", "Фонд", "Депутат", "Омбудсмен"]
COUNTRIES = ["Германия", "Франция", "Канада", "Швеция", "Швейцария", "Польша", "Литва", "США"]
CHANNELS = ["e-mail", "эл. почта", "E-Mail", "письмо", "Telegram", "лично", "факс"]
ANSWERS = (
    ["нет ответа"] * 12
    + ["", "подтвердили получение", "просят документы", "отказ", "перенаправили в МИД"]
    + ["приглашение на встречу", "виза выдана"]
)


def write_spreadsheet(path: Path, rows: int) -> None:
    rng = random.Random(5)
    names = [f"{rng.choice(KINDS)} №{n} ({rng.choice(COUNTRIES)})" for n in range(600)]
    start = date(2022, 9, 21)
    lines = ["Дата;Организация;Страна;Контактное лицо;Канал;Ответ;Дата ответа;Комментарий"]
    for n in range(rows):
        sent = start + timedelta(days=rng.randrange(1000))
        answer = rng.choice(ANSWERS)
        answered = answer not in ("", "нет ответа")
        answer_on = (sent + timedelta(days=rng.randrange(40))).strftime("%d.%m.%Y")
        note = '"=HYPERLINK(""x"")"' if n % 997 == 0 else f"письмо {n}"
        lines.append(
            f"{sent:%d.%m.%Y};{rng.choice(names)};{rng.choice(COUNTRIES)};"
            f"Контакт {n % 50};{rng.choice(CHANNELS)};{answer};{answer_on if answered else ''};"
            f"{note}"
        )
    path.write_bytes("\r\n".join(lines).encode("cp1251"))


def signed_in_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def drain(response: object) -> tuple[int, int]:
    """Read a streaming response to the end; returns (bytes, growth of the resident peak).

    Linux resets the peak (VmHWM) when "5" is written to clear_refs, so the growth of the
    peak over the resident size before the export is what the export itself needed.
    """
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb("VmRSS")
    size = sum(len(chunk) for chunk in response.streaming_content)  # type: ignore[attr-defined]
    return size, (_status_kb("VmHWM") - before) * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    setup_test_environment()
    print(f"database: {connection.vendor}, rows: {args.rows}")
    org = accounts.create_organization(actor=None, name="Bench")
    user, _ = accounts.create_user(
        actor=None, organization=org, username="bench", role="coordinator"
    )

    sheet = Path(os.environ["TROPA_DATA_DIR"]) / "bench-sheet.csv"
    write_spreadsheet(sheet, args.rows)
    print(f"spreadsheet: {sheet.stat().st_size / 1e6:.1f} MB")
    out = io.StringIO()
    began = time.perf_counter()
    call_command("outreach", "import", str(sheet), "--org", "Bench", stdout=out)
    print(f"import: {time.perf_counter() - began:.1f} s")
    print("  " + out.getvalue().strip().splitlines()[-2])
    assert Request.objects.unscoped().count() == args.rows
    # The same file again: every row is recognised by its fingerprint, nothing is added.
    out = io.StringIO()
    began = time.perf_counter()
    call_command("outreach", "import", str(sheet), "--org", "Bench", stdout=out)
    print(f"re-import of the same file: {time.perf_counter() - began:.1f} s")
    print("  " + out.getvalue().strip().splitlines()[-2][:90])
    assert Request.objects.unscoped().count() == args.rows
    if connection.vendor == "postgresql":
        # Steady state: autovacuum visits a table after a large insert (visibility map for
        # index-only scans, planner statistics); the bench does not wait a minute for it.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE outreach_request")

    client = signed_in_client(user)
    for name in ("outreach:export_csv", "outreach:export_xlsx"):
        # About a twentieth of the rows (one status), then all of them.
        _size, small_peak = drain(client.get(reverse(name), {"status": "meeting"}))
        began = time.perf_counter()
        size, peak = drain(client.get(reverse(name)))
        elapsed = time.perf_counter() - began
        print(
            f"{name.split(':')[1]}: {elapsed:.1f} s, {size / 1e6:.1f} MB, "
            f"memory +{peak / 1e6:.1f} MB (+{small_peak / 1e6:.1f} MB for ~5% of the rows)"
        )

    url = reverse("outreach:statistics")
    client.get(url)  # warm caches and keys
    timings = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    print(f"statistics page, figures cached: {_summary(timings)}")
    # After every write the figures are computed again: the first view pays for it.
    cold = []
    for _ in range(max(args.repeat // 4, 5)):
        StatsVersion.objects.filter(organization=org).update(version=F("version") + 1)
        began = time.perf_counter()
        client.get(url)
        cold.append((time.perf_counter() - began) * 1000)
    print(f"statistics page, first view after a write: {_summary(cold)}")


def _summary(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    return f"median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms"


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if OWN_DATA_DIR:
            shutil.rmtree(os.environ["TROPA_DATA_DIR"], ignore_errors=True)
