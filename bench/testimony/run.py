# ruff: noqa: E501 (a benchmark script: long literal rows read better on one line)
"""Testimony benchmark: corroboration suggestions among 10,000 events of one organization,
and search over 10,000 testimonies (targets: ≤ 1 s; p95 ≤ 200 ms).

    TROPA_DATA_DIR=$(mktemp -d) .venv/bin/python -m bench.testimony.run [--events 10000]

Builds a throw-away organization in a fresh data dir (SQLite unless TROPA_DATABASE_URL):
1,000 witnesses (cases) with 10 testimonies each, one event and one act per testimony,
sealed exactly as the services seal them, 60 units, 40 settlements, dates over 2022-2024,
narratives of 40 words drawn from a small Russian/Ukrainian vocabulary; then indexes every
testimony through the real ``index_testimony``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date, timedelta
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


WORDS = (
    "обстрел фосфор снаряды дома горели ночью утром бригада командир приказал стреляли "
    "пленные связанные руки тела видел слышал рассказал кандидаты деревня посёлок улица "
    "жители погибли раненые обстріл будинки вночі снаряди загинули поранені полонені "
    "мародёрство забрали машины телефоны депортация вывезли автобусы"
).split()
_SYLLABLES = "ка ло ми ре ду бо ва ше ты зо гу на пе ри со".split()
PLACES = sorted(
    {"".join(random.Random(i).sample(_SYLLABLES, 3)).capitalize() + "ка" for i in range(60)}
)[:40]


def build(n: int) -> tuple[Any, list[str]]:
    from django.utils import timezone

    from tropa.accounts import services as accounts
    from tropa.cases import services as cases
    from tropa.crypto.fields import blind_index, seal
    from tropa.testimony import services
    from tropa.testimony.models import Act, Event, SearchTerm, Testimony, TestimonyVersion, Witness
    from tropa.testimony.services.search import PURPOSE, terms_from

    terms: list[tuple[Any, set[str]]] = []
    rng = random.Random(12)
    org = accounts.create_organization(actor=None, name=f"Bench {time.time()}")
    units = [
        str(
            services.save_unit(
                actor=None, organization=org, names=[f"Бригада {i}"], number=f"{90000 + i}"
            ).code
        )
        for i in range(60)
    ]
    witnesses = [
        cases.create_case(actor=None, organization=org, pseudonym=f"W{i}") for i in range(n // 10)
    ]
    now = timezone.now()

    testimonies, versions, events, acts, witness_rows = [], [], [], [], []
    for case in witnesses:
        w = Witness(organization=org, case=case)
        w.sealed_consent = seal(w, "sealed_consent", [])
        w.sealed_flag = seal(w, "sealed_flag", {"flagged": False})
        witness_rows.append(w)
        for _ in range(10):
            t = Testimony(organization=org, case=case, created_at=now, versions_count=1)
            v = TestimonyVersion(testimony=t, number=1, saved_at=now)
            narrative = " ".join(rng.choice(WORDS) for _ in range(40))
            v.sealed = seal(
                v, "sealed", {"interviewer": "b", "narrative": narrative, "evidence": []}
            )
            day = date(2022, 1, 1) + timedelta(days=rng.randrange(3 * 365))
            e = Event(organization=org, case=case, testimony=t, created_at=now)
            event_record = {
                "when": day.isoformat(),
                "settlement": rng.choice(PLACES),
                "oblast": "donetsk",
                "lat": None,
                "lon": None,
                "summary": "",
                "period": {
                    "start": day.isoformat(),
                    "end": (day + timedelta(days=rng.choice([0, 0, 1, 30]))).isoformat(),
                    "approximate": False,
                },
            }
            e.sealed = seal(e, "sealed", event_record)
            a = Act(organization=org, event=e, created_at=now)
            act_record = {
                "kind": rng.choice(["incendiary", "killing", "pillage"]),
                "description": "",
                "victims": [],
                "source": {"testimony": str(t.code), "how_known": "saw", "reliability": "b"},
                "perpetrators": [{"unit": rng.choice(units), "who": "", "involvement": "did"}],
            }
            a.sealed = seal(a, "sealed", act_record)
            terms.append((t, terms_from(narrative, [(event_record, [act_record])])))
            testimonies.append(t)
            versions.append(v)
            events.append(e)
            acts.append(a)
    Witness.objects.bulk_create(witness_rows)
    Testimony.objects.bulk_create(testimonies)
    TestimonyVersion.objects.bulk_create(versions)
    Event.objects.bulk_create(events)
    Act.objects.bulk_create(acts)
    # The terms index_testimony writes, computed from the records in memory (index_testimony
    # itself reads each testimony back: minutes for 10,000 on a shared machine).
    rows = [
        SearchTerm(organization=org, testimony=t, digest=blind_index(org.pk, PURPOSE, term))
        for t, found in terms
        for term in found
    ]
    SearchTerm.objects.bulk_create(rows, batch_size=5000)
    services.index_testimony(testimonies[0])  # and the real one agrees on a sample
    print(f"built {len(testimonies)} testimonies, {len(rows)} search terms", flush=True)
    return org, units


def measure(org: Any, units: list[str], rounds: int) -> None:
    from tropa.accounts.models import Role
    from tropa.accounts.services import create_user
    from tropa.testimony.models import Event
    from tropa.testimony.services import Query, search
    from tropa.testimony.services.corroboration import facts_of_organization, find_pairs

    org_id = org.pk
    times = []
    for _ in range(3):
        started = time.perf_counter()
        facts = facts_of_organization(org_id)
        pairs = find_pairs(facts)
        times.append(time.perf_counter() - started)
    print(
        f"corroboration, all {len(facts)} events: {min(times):.2f} s (best of 3), {len(pairs)} pairs"
    )
    times = []
    for fact in facts[:20]:
        started = time.perf_counter()
        find_pairs(facts_of_organization(org_id), only=fact)
        times.append(time.perf_counter() - started)
    print(
        f"corroboration, one new event among {Event.objects.filter(organization=org_id).count()}: median {statistics.median(times):.2f} s"
    )

    user, _ = create_user(
        actor=None,
        organization=org,
        username=f"bench{time.time()}",
        role=Role.LAWYER,
        password="correct-horse-battery-staple-42",  # noqa: S106 (a throw-away bench account)
    )
    rng = random.Random(5)
    queries = []
    for i in range(rounds):
        kind = i % 4
        if kind == 0:
            queries.append(Query(text=rng.choice(WORDS)))
        elif kind == 1:
            queries.append(Query(unit=rng.choice(units), kind="incendiary"))
        elif kind == 2:
            day = date(2022, 1, 1) + timedelta(days=rng.randrange(900))
            queries.append(Query(place=rng.choice(PLACES), start=day, end=day + timedelta(days=30)))
        else:
            queries.append(Query(text="кандидат обстрел", unit=rng.choice(units)))
    times = []
    by_kind: dict[int, list[float]] = {0: [], 1: [], 2: [], 3: []}
    for i, query in enumerate(queries):
        started = time.perf_counter()
        search(actor=user, query=query)
        times.append(time.perf_counter() - started)
        by_kind[i % 4].append(times[-1])
    for kind, name in enumerate(("words", "unit+act", "place+30 days", "words+unit")):
        print(f"  {name}: max {max(by_kind[kind]) * 1000:.0f} ms", flush=True)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"search over {Event.objects.filter(organization=org_id).count()} testimonies: median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({rounds} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="measure the data dir's last bench")
    args = parser.parse_args()
    _setup()
    if args.reuse:
        from tropa.accounts.models import Organization
        from tropa.testimony.models import Unit

        org = Organization.objects.filter(name__startswith="Bench").order_by("-pk").first()
        units = [str(u.code) for u in Unit.objects.filter(organization=org)]
    else:
        org, units = build(args.events)
    measure(org, units, args.queries)


if __name__ == "__main__":
    main()
