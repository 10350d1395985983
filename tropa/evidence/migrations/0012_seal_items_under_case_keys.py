"""Re-seal evidence items' names, records and metadata under their case key (and upload
sessions' records, deletion requests' reasons); the blobs' stream keys were wrapped by it
already (retention 0002).

Reversing does nothing: the values stay under their case keys, which the registration in
the app's ``apps.py`` reads (the same as retention 0002). A value already
under its case key is left as it is: running this twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (model, sealed columns): what evidence's ``apps.CASE_SCOPED`` registers.
SEALED = (
    ("EvidenceItem", ("sealed_record", "sealed_metadata", "sealed_summary")),
    ("UploadSession", ("sealed_record",)),
    ("DeletionRequest", ("sealed_reason",)),
)


def reseal(apps: Any, schema_editor: Any) -> None:
    from tropa.crypto import fields

    for entry in SEALED:
        name, columns = entry[0], entry[1]
        fields.reseal_rows(
            apps.get_model("evidence", name), columns, **(entry[2] if len(entry) > 2 else {})
        )


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0011_custody_transferred"),
        ("cases", "0010_closed_as_referred"),
        ("crypto", "0002_server_keys"),
    ]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False)]
