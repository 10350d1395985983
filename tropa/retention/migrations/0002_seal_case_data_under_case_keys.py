"""Re-seal every case's data under its case key, and re-wrap its evidence key with it.

Before, identities, notes, needs, support, family and alerts were sealed under the
organization's key, and evidence keys wrapped by the master keyset, in the database: a
backup kept them readable forever. Now each case's person has a key in the key store
(``tropa/crypto/keystore.py``), which an erasure destroys. A value already under its case
key is left as it is, so running this twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (app, model, sealed columns): every model the cases app registers as case-scoped.
CASE_DATA = (
    ("cases", "Identity", ("sealed",)),
    ("cases", "Note", ("sealed",)),
    ("cases", "Need", ("sealed",)),
    ("cases", "Support", ("sealed",)),
    ("cases", "FamilyMember", ("sealed",)),
    ("cases", "Alert", ("sealed", "sealed_outcome")),
)


def reseal(apps: Any, schema_editor: Any) -> None:
    from tropa.crypto import fields
    from tropa.evidence import vault

    for app, name, columns in CASE_DATA:
        model = apps.get_model(app, name)
        for row in model._base_manager.iterator(chunk_size=500):
            changed = [column for column in columns if fields.reseal(row, column)]
            if changed:
                row.save(update_fields=changed)
    case_model = apps.get_model("cases", "Case")
    for key in apps.get_model("evidence", "CaseKey")._base_manager.iterator(chunk_size=500):
        person_id = case_model._base_manager.values_list("person_id", flat=True).get(pk=key.case_id)
        if vault.rewrap_case_key(key, str(person_id)):
            key.save(update_fields=["wrapped"])


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_retention_and_dual_control"),
        ("cases", "0009_name_index"),
        ("evidence", "0010_seal_summaries"),
    ]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False)]
