"""Re-seal what came with each received referral (``Receipt.sealed``: the sender's note,
consent and the carried parts) under the key of the receiver's case, so erasing that case
erases it too.

Reversing does nothing: the values stay under their case keys, which the registration in
the app's ``apps.py`` reads (the same as retention 0002). A value already under its case
key is left as it is: running this twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def reseal(apps: Any, schema_editor: Any) -> None:
    from tropa.crypto import fields

    fields.reseal_rows(apps.get_model("sharing", "Receipt"), ("sealed",))


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0002_copy_code_chosen_at_acceptance"),
        ("cases", "0010_closed_as_referred"),
        ("crypto", "0002_server_keys"),
    ]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False)]
