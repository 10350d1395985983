"""Re-seal testimony under case keys: consent, flags, every saved version, events, acts,
corroborations and exports were sealed under the organization's key, which an erasure does
not destroy. Versions are immutable in the database (0002): its triggers are lifted for
the re-sealing alone and put back in the same transaction.

Reversing does nothing: the values stay under their case keys, which the registration in
the app's ``apps.py`` reads (the same as retention 0002). A value already
under its case key is left as it is: running this twice changes nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations

# (model, sealed columns[, how a row finds its organization]): testimony's ``CASE_SCOPED``.
SEALED = (
    ("Witness", ("sealed_consent", "sealed_flag")),
    ("TestimonyVersion", ("sealed",), {"organization_via": "testimony"}),
    ("Event", ("sealed",)),
    ("Act", ("sealed", "sealed_claimed", "sealed_potential")),
    ("Corroboration", ("sealed_basis", "sealed_reason")),
    ("TestimonyExport", ("sealed_recipient",)),
)


def reseal(apps: Any, schema_editor: Any) -> None:
    from tropa.crypto import fields

    immutable = importlib.import_module("tropa.testimony.migrations.0002_versions_immutable")
    immutable.backwards(apps, schema_editor)
    for entry in SEALED:
        name, columns = entry[0], entry[1]
        fields.reseal_rows(
            apps.get_model("testimony", name), columns, **(entry[2] if len(entry) > 2 else {})
        )
    immutable.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("testimony", "0002_versions_immutable"),
        ("cases", "0010_closed_as_referred"),
        ("crypto", "0002_server_keys"),
    ]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False)]
