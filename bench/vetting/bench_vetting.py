"""Vetting at scale: the verifier's queue at 10,000 open vettings, and a large dossier.

Run:  .venv/bin/python bench/vetting/bench_vetting.py [--vettings 10000] [--repeat 30]
      (PostgreSQL: scripts/test-postgres .venv/bin/python bench/vetting/bench_vetting.py)

It fills a throw-away data dir: one organization with 10,000 cases in vetting (bulk inserts,
opened over the last 400 days, one in five awaiting its second sign-off) and 2,000 decisions
over the last twelve weeks; then one case with 200 evidence items and 50 graded claims,
decided by two verifiers through the services. It times the dashboard (the whole page
through Django's stack, and the vetting panel's context alone) and `export_dossier` (the
PDF, the signed manifest and the tar file written to disk).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("TROPA_DATA_DIR", tempfile.mkdtemp(prefix="tropa-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tropa.accounts import services as accounts  # noqa: E402
from tropa.accounts.models import Organization, User  # noqa: E402
from tropa.cases.models import Case, Person, Stage  # noqa: E402
from tropa.crypto.fields import seal  # noqa: E402
from tropa.vetting import services  # noqa: E402
from tropa.vetting.models import Decision, Vetting  # noqa: E402
from tropa.vetting.panel import dashboard_context  # noqa: E402


def _populate(org: Organization, count: int, opener: User) -> None:
    rng = random.Random(11)
    now = timezone.now()
    for start in range(0, count, 5000):
        people = [
            Person(organization=org, pseudonym=f"V{n:06d}")
            for n in range(start, min(start + 5000, count))
        ]
        Person.objects.bulk_create(people)
        cases = [
            Case(organization=org, person=p, stage=Stage.VETTING, search_text=p.pseudonym)
            for p in people
        ]
        Case.objects.bulk_create(cases)
        Vetting.objects.bulk_create(
            [
                Vetting(
                    organization=org,
                    case=c,
                    opened_by=opener,
                    opened_at=now - timedelta(days=rng.uniform(0, 400)),
                    state="proposed" if rng.random() < 0.2 else "open",
                )
                for c in cases
            ]
        )
    decided_cases = [
        Case(
            organization=org,
            person=Person.objects.create(organization=org, pseudonym=f"D{n}"),
            stage=Stage.PATHWAY,
        )
        for n in range(2000)
    ]
    Case.objects.bulk_create(decided_cases)
    vettings = [
        Vetting(
            organization=org,
            case=c,
            opened_by=opener,
            opened_at=now - timedelta(days=120),
            state="decided",
            outcome="recommend",
        )
        for c in decided_cases
    ]
    Vetting.objects.bulk_create(vettings)
    decisions = []
    for v in vettings:
        d = Decision(
            organization=org,
            vetting=v,
            outcome=rng.choice(["recommend", "not_recommend", "defer"]),
            state="decided",
            proposed_at=now,
            decided_at=now - timedelta(days=rng.uniform(0, 84)),
        )
        d.sealed_reasons = seal(d, "sealed_reasons", "bench")
        decisions.append(d)
    Decision.objects.bulk_create(decisions)


def _big_case(org: Organization, opener: User, first: User, second: User) -> Vetting:
    from tropa.evidence.models import EvidenceItem

    case = Case.objects.create(
        organization=org, person=Person.objects.create(organization=org, pseudonym="Big")
    )
    vetting = services.open_vetting(actor=opener, case=case)
    now = timezone.now()
    items = []
    for n in range(200):
        item = EvidenceItem(
            organization=org,
            case=case,
            blob=f"bench-{n:04d}-{case.code}",
            sha256=hashlib.sha256(str(n).encode()).hexdigest(),
            size=1000 + n,
            mime="image/jpeg",
            method="usb",
            received_at=now,
            created_at=now,
        )
        item.sealed_record = seal(item, "sealed_record", {"method": "usb"})
        items.append(item)
    EvidenceItem.objects.bulk_create(items)
    for check in vetting.checks.all():
        services.update_check(
            actor=first, check=check, status="satisfied", finding="Seen and consistent. " * 10
        )
    for n in range(50):
        claim = services.add_claim(
            actor=first,
            vetting=vetting,
            text=f"Claim {n}: served in military unit {10000 + n} from 03.2021 to 09.2022",
        )
        services.grade_claim(
            actor=first,
            claim=claim,
            basis="corroborated",
            reliability="B",
            credibility="2",
            basis_text="Two independent sources",
        )
    decision = services.propose_decision(
        actor=first, vetting=vetting, outcome="recommend", reasons="Holds."
    )
    services.sign_decision(actor=second, decision=decision)
    vetting.refresh_from_db()
    return vetting


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _times(run, repeat: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]  # a bench script
    """p50 and p95 of the wall time, and p95 of the CPU time (what the request itself costs
    when other processes share the cores), in ms."""
    run()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    cpu.sort()
    p95 = max(0, int(len(wall) * 0.95) - 1)
    return statistics.median(wall), wall[p95], cpu[p95]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vettings", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    setup_test_environment()
    org = Organization.objects.filter(name="Bench vetting").first()
    if org is None:
        org = accounts.create_organization(actor=None, name="Bench vetting")
        accounts.create_user(
            actor=None, organization=org, username="bench-coordinator", role="coordinator"
        )
        accounts.create_user(actor=None, organization=org, username="bench-v1", role="verifier")
        accounts.create_user(actor=None, organization=org, username="bench-v2", role="verifier")
        start = time.perf_counter()
        _populate(org, args.vettings, User.objects.get(username="bench-coordinator"))
        print(f"populated {args.vettings} open vettings in {time.perf_counter() - start:.0f} s")
    opener, first, second = (
        User.objects.get(username=n) for n in ("bench-coordinator", "bench-v1", "bench-v2")
    )
    client = _signed_in(first)
    request = RequestFactory().get("/")
    request.user = first
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| request | p50 ms | p95 ms | p95 CPU ms |\n|---|---|---|---|")
    p50, p95, cpu = _times(lambda: dashboard_context(request), args.repeat)
    open_count = Vetting.objects.filter(organization=org, state__in=["open", "proposed"]).count()
    print(f"| vetting panel context ({open_count} open) | {p50:.1f} | {p95:.1f} | {cpu:.1f} |")
    p50, p95, cpu = _times(lambda: client.get("/"), args.repeat)
    print(f"| dashboard page | {p50:.1f} | {p95:.1f} | {cpu:.1f} |")
    vetting = Vetting.objects.filter(organization=org, case__person__pseudonym="Big").first()
    vetting = vetting or _big_case(org, opener, first, second)
    print()
    out = Path(tempfile.mkdtemp(prefix="tropa-dossier-")) / "dossier.tar"
    # The first run in a process also imports WeasyPrint and loads its fonts (a server's
    # worker does that once); both runs are shown.
    for run in ("first in this process", "second"):
        start, start_cpu = time.perf_counter(), time.process_time()
        services.export_dossier(
            actor=None, vetting=vetting, language="en", identity_fields=[], path=str(out)
        )
        seconds, cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
        size = out.stat().st_size // 1024
        print(
            f"dossier, 200 evidence items and 50 claims ({run}): {seconds:.2f} s "
            f"({cpu_s:.2f} s CPU), {size} KiB"
        )
    assert os.system(f".venv/bin/tropa dossier verify {out} > /dev/null") == 0  # noqa: S605 (our own command)


if __name__ == "__main__":
    main()
