"""Run by test_migration.py in its own process and database: hits stored by the 0001 schema
(plaintext entry link, score, digest) are migrated; prints a JSON report on stdout.

Its own process because a migration cannot run backwards inside a test's transaction.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import django

OLD = [("screening", "0001_initial")]


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from tropa.accounts import services as accounts
    from tropa.cases import services as cases
    from tropa.crypto.fields import seal
    from tropa.lib.screening.lists import read_list
    from tropa.screening import engine, services
    from tropa.screening.models import ListEntry, ScreeningHit
    from tropa.screening.tests.conftest import SHCHERBAKOV

    call_command("migrate", "--no-input", verbosity=0)
    executor = MigrationExecutor(connection)
    latest = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "screening"]
    executor.migrate(OLD)
    old = executor.loader.project_state(OLD).apps

    org = accounts.create_organization(actor=None, name="Migrated")
    case = cases.create_case(actor=None, organization=org, pseudonym="Grach")
    identity = {"surname": "Щербаков", "given_name": "Юрий", "patronymic": "Фёдорович"}
    cases.save_identity(
        actor=None, person=case.person, data={**identity, "birth_date": date(1980, 5, 3)}
    )
    path = Path(sys.argv[1]) / "os.ftm.json"
    path.write_text(json.dumps(SHCHERBAKOV, ensure_ascii=False) + "\n", encoding="utf-8")
    data = engine.entry_data(read_list(path)[0], SHCHERBAKOV["id"])

    WatchList = old.get_model("screening", "WatchList")
    ListVersion = old.get_model("screening", "ListVersion")
    OldEntry = old.get_model("screening", "ListEntry")
    OldHit = old.get_model("screening", "ScreeningHit")
    now = timezone.now()
    watchlist = WatchList.objects.create(name="OS")
    v1 = ListVersion.objects.create(watchlist=watchlist, number=1, imported_at=now, sha256="a")
    v2 = ListVersion.objects.create(watchlist=watchlist, number=2, imported_at=now, sha256="b")
    listed = OldEntry.objects.create(
        watchlist=watchlist,
        key=SHCHERBAKOV["id"],
        digest=hashlib.sha256(services._canonical(data).encode()).hexdigest(),
        data=data,
        added_in=v1,
        changed_in=v1,
    )
    # Dropped from the list in v2, kept (0001's way) only because a hit refers to it.
    gone_data = {"id": "os-gone", "names": ["Shcherbakov Iurii"], "birth_dates": ["1980"]}
    gone = OldEntry.objects.create(
        watchlist=watchlist,
        key="os-gone",
        digest=hashlib.sha256(b"gone").hexdigest(),
        data=gone_data,
        added_in=v1,
        changed_in=v1,
        removed_in=v2,
    )
    explanation: dict[str, Any] = {"decision": "match", "name": {"query": "Щербаков Юрий"}}
    hit_ids = {}
    for entry, status, decided in ((listed, "dismissed", listed.digest), (gone, "pending", "")):
        hit = OldHit(
            organization_id=org.pk,
            case_id=case.pk,
            person_id=case.person_id,
            entry=entry,
            score=0.93,
            match=True,
            decision="match",
            decided_digest=decided,
            status=status,
            found_at=now,
            screened_at=now,
        )
        hit.sealed = seal(hit, "sealed", explanation)
        hit.save()
        hit_ids[entry.key] = str(hit.pk)

    MigrationExecutor(connection).migrate(latest)

    report: dict[str, Any] = {
        "gone_entry_kept": ListEntry.objects.filter(pk=gone.pk).exists(),
        "gone_data": gone_data,
        "explanation": explanation,
        "hits": {},
    }
    for row in services.hit_rows(ScreeningHit.objects.unscoped().all()):
        facts = row.facts
        report["hits"][facts.entry_key] = {
            "same_row": str(row.hit.pk) == hit_ids[facts.entry_key],
            "status": row.hit.status,
            "score": facts.score,
            "match": facts.match,
            "decision": facts.decision,
            "explanation": facts.explanation,
            "entry": facts.entry,
            "watchlist": row.watchlist.name if row.watchlist else None,
            "listed": row.listed,
            "decided_is_digest": facts.decided_digest == listed.digest,
            "index_agrees": row.hit.entry_index
            == services.hit_index(org.pk, case.person_id, watchlist.pk, facts.entry_key),
        }
    # Screening again finds the migrated hit (no second one) and its dismissal holds.
    services.screen_case(actor=None, case=case)
    report["after_screening"] = {
        "hits": ScreeningHit.objects.unscoped().count(),
        "status": ScreeningHit.objects.unscoped().get(pk=hit_ids[listed.key]).status,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM screening_screeninghit")
        raw = repr(cursor.fetchall())
    report["raw_names_entry"] = any(
        mark in raw for mark in (str(listed.pk), listed.pk.hex, listed.digest, listed.key)
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
