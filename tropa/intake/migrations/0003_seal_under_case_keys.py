"""Re-seal a case's intake under its case key: the answers, messages and held files of every
submission that has a case (accepted, merged, or started from an invitation for a case).
A submission without a case stays under the organization's key until it gets one
(``services.exchange.reseal_for_case``).

Reversing does nothing: the values stay under their case keys, which the registration in
the app's ``apps.py`` reads (the same as retention 0002). A value already under its case
key is left as it is: running this twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (model, sealed columns): what intake's ``apps.CASE_SCOPED`` registers.
SEALED = (
    ("Submission", ("sealed_answers",)),
    ("Message", ("sealed",)),
    ("HeldAttachment", ("sealed",)),
)


def reseal(apps: Any, schema_editor: Any) -> None:
    from tropa.crypto import fields

    for name, columns in SEALED:
        fields.reseal_rows(apps.get_model("intake", name), columns)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_drafts_touched_invitation_pages"),
        ("cases", "0010_closed_as_referred"),
        ("crypto", "0002_server_keys"),
    ]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False)]
