"""Re-seal screening hits under their case key: the facts of a hit (the entry it matched, the
spellings) and the reviewer's reason. List entries and duplicate pairs stay as they are.

Reversing does nothing: the values stay under their case keys, which the registration in
the app's ``apps.py`` reads (the same as retention 0002). A value already
under its case key is left as it is: running this twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (model, sealed columns): what screening's ``apps.CASE_SCOPED`` registers.
SEALED = (("ScreeningHit", ("sealed", "sealed_reason")),)


def reseal(apps: Any, schema_editor: Any) -> None:
    from tropa.crypto import fields

    for entry in SEALED:
        name, columns = entry[0], entry[1]
        fields.reseal_rows(
            apps.get_model("screening", name), columns, **(entry[2] if len(entry) > 2 else {})
        )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0007_browser_list_imports"),
        ("cases", "0010_closed_as_referred"),
        ("crypto", "0002_server_keys"),
    ]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False)]
