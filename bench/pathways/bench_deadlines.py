"""The dashboard's "deadlines this week" at 100,000 cases with their trips and deadlines.

Run:  .venv/bin/python bench/pathways/bench_deadlines.py [--cases 100000] [--repeat 30]
      (PostgreSQL: scripts/test-postgres .venv/bin/python bench/pathways/bench_deadlines.py)

It fills a throw-away data dir with one organization of 100,000 cases, each with one or two
trips to a transit country and the deadlines those set (the stay's last legal day, and a
passport expiry for one case in ten), by bulk inserts. It then times the panel's context
function alone (what the panel adds to the dashboard) and the whole dashboard through
Django's stack, as a coordinator and as a volunteer with 40 cases.
"""

from __future__ import annotations

import argparse
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
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tropa.accounts import services as accounts  # noqa: E402
from tropa.accounts.models import User  # noqa: E402
from tropa.cases.models import Case, Person  # noqa: E402
from tropa.pathways.models import Deadline, Trip  # noqa: E402
from tropa.pathways.panel import dashboard_panel  # noqa: E402


def _populate(count: int) -> tuple[User, User]:
    org = accounts.create_organization(actor=None, name="Bench")
    coordinator, _ = accounts.create_user(
        actor=None, organization=org, username="bench", role="coordinator"
    )
    volunteer, _ = accounts.create_user(
        actor=None, organization=org, username="bench-volunteer", role="volunteer"
    )
    rng = random.Random(13)
    today = timezone.localdate()
    batch = 5000
    for start in range(0, count, batch):
        people = [
            Person(organization=org, pseudonym=f"P{n:06d}")
            for n in range(start, min(start + batch, count))
        ]
        Person.objects.bulk_create(people)
        cases = [
            Case(
                organization=org,
                person=p,
                country="KZ",
                assignee=volunteer if start == 0 and i < 40 else coordinator,
            )
            for i, p in enumerate(people)
        ]
        Case.objects.bulk_create(cases)
        trips, deadlines = [], []
        for case in cases:
            entry = today - timedelta(days=rng.randint(1, 89))
            if rng.random() < 0.5:
                old = entry - timedelta(days=rng.randint(100, 300))
                trips.append(
                    Trip(
                        organization=org,
                        case=case,
                        country="KZ",
                        entry=old,
                        exit=old + timedelta(days=rng.randint(1, 30)),
                    )
                )
            trips.append(Trip(organization=org, case=case, country="KZ", entry=entry))
            deadlines.append(
                Deadline(
                    organization=org,
                    case=case,
                    kind="stay",
                    country="KZ",
                    due_on=entry + timedelta(days=89),
                    computed=True,
                )
            )
            if rng.random() < 0.1:
                deadlines.append(
                    Deadline(
                        organization=org,
                        case=case,
                        kind="passport",
                        due_on=today + timedelta(days=rng.randint(-20, 400)),
                    )
                )
        Trip.objects.bulk_create(trips)
        Deadline.objects.bulk_create(deadlines)
    return coordinator, volunteer


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _p(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    started = time.perf_counter()
    existing = User.objects.filter(username="bench").first()
    if existing is None:
        coordinator, volunteer = _populate(args.cases)
    else:
        coordinator, volunteer = existing, User.objects.get(username="bench-volunteer")
    print(
        f"{connection.vendor}: {Case.objects.unscoped().count()} cases, "
        f"{Trip.objects.unscoped().count()} trips, {Deadline.objects.unscoped().count()} "
        f"deadlines ready in {time.perf_counter() - started:.0f} s"
    )
    print("| request | p50 ms | p95 ms |\n|---|---|---|")
    factory = RequestFactory()
    for label, user in (("coordinator", coordinator), ("volunteer (40 cases)", volunteer)):
        request = factory.get("/")
        request.user = user
        samples = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            context = dashboard_panel(request)
            samples.append((time.perf_counter() - t) * 1000)
        assert context is not None and context["deadlines"]
        p50, p95 = _p(samples)
        print(f"| panel alone, {label} | {p50:.1f} | {p95:.1f} |")
        client = _client(user)
        samples = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get("/")
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        p50, p95 = _p(samples)
        print(f"| whole dashboard, {label} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
