"""Re-seal vetting under case keys: findings and their revisions, claims, decisions' reasons,
sign-off overrides and dossiers' recipients.

Reversing does nothing: the values stay under their case keys, which the registration in
the app's ``apps.py`` reads (the same as retention 0002). A value already
under its case key is left as it is: running this twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (model, sealed columns): what vetting's ``apps.CASE_SCOPED`` registers.
SEALED = (
    ("Check", ("sealed",)),
    ("CheckRevision", ("sealed",)),
    ("Claim", ("sealed",)),
    ("Decision", ("sealed_reasons", "sealed_reopen_reason")),
    ("SignOff", ("sealed_override",)),
    ("Dossier", ("sealed_recipient",)),
)


def reseal(apps: Any, schema_editor: Any) -> None:
    from tropa.crypto import fields

    for entry in SEALED:
        name, columns = entry[0], entry[1]
        fields.reseal_rows(
            apps.get_model("vetting", name), columns, **(entry[2] if len(entry) > 2 else {})
        )


class Migration(migrations.Migration):
    dependencies = [
        ("vetting", "0001_vetting"),
        ("cases", "0010_closed_as_referred"),
        ("crypto", "0002_server_keys"),
    ]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False)]
