"""The case list at 100,000 cases: latency of the pages a coordinator uses most.

Run:  .venv/bin/python bench/cases/bench_case_list.py [--cases 100000] [--repeat 30]
      (PostgreSQL: scripts/test-postgres .venv/bin/python bench/cases/bench_case_list.py)

It builds a throw-away organization in a fresh data dir (bulk inserts, not the services:
100,000 audited creates would measure the audit log, not the list), then times each request
through Django's full stack (middleware, session, OTP check, template) with the test client.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("TROPA_DATA_DIR", tempfile.mkdtemp(prefix="tropa-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")
os.environ.setdefault("TROPA_REVEAL_LIMIT_PER_HOUR", "1000000")  # the bench searches a lot

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tropa.accounts import services as accounts  # noqa: E402
from tropa.accounts.models import User  # noqa: E402
from tropa.cases import listing, name_index, search_index  # noqa: E402
from tropa.cases.models import (  # noqa: E402
    RISK_ORDER,
    Case,
    DocumentIndex,
    Identity,
    NameIndex,
    Person,
    Risk,
    ServiceRecord,
    Stage,
)
from tropa.cases.services import search_text_of  # noqa: E402
from tropa.crypto.fields import blind_index, seal  # noqa: E402

CITIES = ["Astana", "Almaty", "Uralsk", "Yerevan", "Gyumri", "Tbilisi", "Batumi"]
SYLLABLES = ["ка", "на", "рей", "ки", "во", "ло", "ше", "ба", "ри", "до", "ми", "зу", "гор", "тен"]
ENDINGS = ["ов", "ев", "ин", "ский", "енко", "ых"]
GIVEN = ["Иван", "Алексей", "Дмитрий", "Сергей", "Андрей", "Павел", "Олег", "Артём", "Никита"]


def _populate(count: int) -> User:
    """Fill a fresh data dir (reused on the next run with the same TROPA_DATA_DIR)."""
    org = accounts.create_organization(actor=None, name="Bench")
    user, _ = accounts.create_user(
        actor=None, organization=org, username="bench", role="coordinator"
    )
    rng = random.Random(7)
    batch = 5000
    for start in range(0, count, batch):
        people = [
            Person(organization=org, pseudonym=f"P{n:06d}")
            for n in range(start, min(start + batch, count))
        ]
        Person.objects.bulk_create(people)
        cases, records = [], []
        for person in people:
            risk, city, unit = (
                rng.choice(list(Risk)),
                rng.choice(CITIES),
                f"unit {rng.randint(1, 900)}",
            )
            records.append(ServiceRecord(organization=org, person=person, unit=unit))
            cases.append(
                Case(
                    organization=org,
                    person=person,
                    stage=rng.choice(list(Stage)),
                    risk=risk,
                    risk_rank=RISK_ORDER[risk],
                    city=city,
                    country="KZ",
                    has_active_alert=rng.random() < 0.001,
                    search_text=search_text_of(person.pseudonym, city, unit),
                )
            )
        Case.objects.bulk_create(cases)
        ServiceRecord.objects.bulk_create(records)
    return user


def _surname(rng: random.Random) -> str:
    return (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(ENDINGS)).capitalize()


def _populate_identities(user: User, count: int) -> None:
    """A sealed identity for every person, with its document and name index rows (as
    ``save_identity`` writes them, in bulk)."""
    from tropa.lib.screening.keys import transliterate_cyrillic

    org_id = user.organization.pk
    rng = random.Random(11)
    people = Person.objects.for_organization(user.organization).order_by("pseudonym")
    ids = list(people.values_list("pk", flat=True)[:count])
    for start in range(0, len(ids), 5000):
        identities, documents, names = [], [], []
        for n, person_id in enumerate(ids[start : start + 5000], start=start):
            surname, given = _surname(rng), rng.choice(GIVEN)
            data = {
                "surname": surname,
                "given_name": given,
                "patronymic": rng.choice(GIVEN) + "ович",
                "surname_latin": transliterate_cyrillic(surname).upper(),
                "documents": [{"kind": "passport", "number": f"75 {n:07d}"}],
            }
            identity = Identity(organization_id=org_id, person_id=person_id)
            identity.sealed = seal(identity, "sealed", data)
            identities.append(identity)
            number = f"75{n:07d}"
            documents.append(
                DocumentIndex(
                    organization_id=org_id,
                    identity=identity,
                    digest=blind_index(org_id, "document", number),
                )
            )
            names += [
                NameIndex(organization_id=org_id, identity=identity, digest=value)
                for value in name_index.digests(org_id, name_index.name_keys(data))
            ]
        Identity.objects.bulk_create(identities)
        DocumentIndex.objects.bulk_create(documents)
        NameIndex.objects.bulk_create(names, batch_size=5000)


def build(count: int, identities: int) -> Client:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    user = User.objects.filter(username="bench").first() or _populate(count)
    if not Identity.objects.filter(organization=user.organization).exists():
        _populate_identities(user, identities)
    # What `migrate` does on SQLite (the planner's statistics), and autovacuum on PostgreSQL.
    if connection.vendor == "sqlite":
        search_index.analyze(connection)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(
    client: Client, url: str, params: dict[str, str], repeat: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of this process per request. On SQLite the CPU time
    holds the database's work too and barely depends on how busy the machine is."""
    samples, cpu = [], []
    send = client.post if url == FIND else client.get
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = send(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples, cpu


FIND = "/cases/find/"


def _a_name() -> str:
    rng = random.Random(11)
    return f"{_surname(rng)} {rng.choice(GIVEN)}"  # the first person's


def _cursor_of_page(client: Client, number: int) -> str:
    """The cursor the "next" link of page ``number - 1`` carries."""
    user = User.objects.get(username="bench")
    cases = Case.objects.for_organization(user.organization).order_by(*listing.ORDER)
    above = cases[(number - 1) * listing.PAGE_SIZE - 1]
    return listing.make_cursor(above, before=False, number=number)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--identities", type=int, default=100_000, help="people with one")
    args = parser.parse_args()
    setup_test_environment()
    started = time.perf_counter()
    client = build(args.cases, args.identities)
    print(
        f"{connection.vendor}: built {args.cases} cases ({args.identities} identities) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    scenarios = [
        ("list, first page", "/cases/", {}),
        ("list, page 1000 (cursor)", "/cases/", {"cursor": _cursor_of_page(client, 1000)}),
        ("list, last page", "/cases/", {"cursor": "last"}),
        ("filter stage=vetting", "/cases/", {"stage": "vetting"}),
        ("search pseudonym 'P0123'", "/cases/", {"q": "P0123"}),
        ("search unit 'unit 42'", "/cases/", {"q": "unit 42"}),
        ("stage + city search", "/cases/", {"stage": "intake", "q": "Almaty"}),
        ("dashboard", "/", {}),
        ("find by document number", FIND, {"who": "75 0012345"}),
        ("find by surname + given name", FIND, {"who": _a_name()}),
        ("find by surname", FIND, {"who": _a_name().split()[0]}),
    ]
    print("| request | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |\n|---|---|---|---|---|")
    for label, url, params in scenarios:
        wall, cpu = (sorted(x) for x in timed(client, url, params, args.repeat))
        p95, cpu95 = (x[int(len(x) * 0.95) - 1] for x in (wall, cpu))
        print(
            f"| {label} | {statistics.median(wall):.1f} | {p95:.1f} "
            f"| {statistics.median(cpu):.1f} | {cpu95:.1f} |"
        )


if __name__ == "__main__":
    main()
