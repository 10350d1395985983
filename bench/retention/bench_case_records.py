"""Unsealing a case's records under its case key, for the models an erasure now reaches
(issue 16, point 3), against the organization key: N testimony events (a ``case`` foreign
key) and N acts (``event.case``: one more lookup, cached per event), read fresh from the
database, cold (key store read, unwrap, path lookups) and warm (the per-process LRUs).

    DJANGO_SETTINGS_MODULE=tropa.test_settings \
        .venv/bin/python bench/retention/bench_case_records.py [N]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def _timed(label: str, n: int, run: Callable[[], Any]) -> None:
    start = time.perf_counter()
    run()
    took = time.perf_counter() - start
    print(f"{label:32} {n} unseals in {took * 1000:8.1f} ms ({took / n * 1e6:7.1f} µs each)")


def _unseal_all(fields: Any, rows: list[Any]) -> None:
    for row in rows:
        fields.unseal(row, "sealed", row.sealed)


def main(n: int) -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from tropa.accounts.services import create_organization
    from tropa.cases import services as cases
    from tropa.cases.models import Identity
    from tropa.crypto import fields
    from tropa.testimony.models import Act, Event, Testimony

    org = create_organization(actor=None, name="Bench")
    now = timezone.now()
    for i in range(n):
        case = cases.create_case(actor=None, organization=org, pseudonym=f"P{i}")
        identity = Identity(organization=org, person=case.person)
        identity.sealed = fields.seal(identity, "sealed", {"surname": f"Фамилия{i}"})
        identity.save()
        told = Testimony.objects.create(organization=org, case=case, created_at=now)
        event = Event(organization=org, case=case, testimony=told, created_at=now)
        event.sealed = fields.seal(event, "sealed", {"settlement": f"Село {i}"})
        event.save()
        act = Act(organization=org, event=event, created_at=now)
        act.sealed = fields.seal(act, "sealed", {"description": f"Видел {i}"})
        act.save()
    org_key = fields._org_aead(org.pk)
    events = list(Event.objects.filter(organization=org))
    org_sealed = [org_key.encrypt(b'{"x":1}', fields._row_ad(e, "sealed")) for e in events]
    _timed(
        "organization key (raw AEAD)",
        n,
        lambda: [
            org_key.decrypt(c, fields._row_ad(e, "sealed"))
            for e, c in zip(events, org_sealed, strict=True)
        ],
    )
    models = (
        ("identities (person)", Identity),
        ("events (case)", Event),
        ("acts (event.case)", Act),
    )
    for label, model in models:
        fields.forget_cached_keys()
        for state in ("cold", "warm"):
            rows: list[Any] = list(model.objects.filter(organization=org))
            _timed(f"{label}, {state}", n, partial(_unseal_all, fields, rows))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
