"""Sealing under case keys against the organization key: unseal of N identities, cold
(every case key read from the key store and unwrapped) and warm (the per-process LRU).

    DJANGO_SETTINGS_MODULE=tropa.test_settings \
        .venv/bin/python bench/retention/bench_case_keys.py [N]
"""

from __future__ import annotations

import sys
import time
import uuid

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main(n: int) -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from tropa.accounts.services import create_organization
    from tropa.cases.models import Identity, Person
    from tropa.crypto import fields

    org = create_organization(actor=None, name="Bench")
    rows = []
    for i in range(n):
        person = Person.objects.create(organization=org, pseudonym=f"P{i}")
        identity = Identity(id=uuid.uuid4(), organization=org, person=person)
        identity.sealed = fields.seal(identity, "sealed", {"surname": f"Фамилия{i}"})
        rows.append(identity)
    org_key = fields._org_aead(org.pk)
    org_sealed = [org_key.encrypt(b'{"surname":"x"}', fields._row_ad(r, "sealed")) for r in rows]
    for label, run in (
        (
            "organization key",
            lambda: [
                org_key.decrypt(c, fields._row_ad(r, "sealed"))
                for r, c in zip(rows, org_sealed, strict=True)
            ],
        ),
        (
            "case keys, cold",
            lambda: (
                fields.forget_cached_keys(),
                [fields.unseal(r, "sealed", r.sealed) for r in rows],
            ),
        ),
        ("case keys, warm", lambda: [fields.unseal(r, "sealed", r.sealed) for r in rows]),
    ):
        start = time.perf_counter()
        run()
        took = time.perf_counter() - start
        print(f"{label:18} {n} unseals in {took * 1000:8.1f} ms ({took / n * 1e6:7.1f} µs each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
