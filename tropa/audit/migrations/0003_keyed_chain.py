"""Key the audit chain: every existing entry hashed again with HMAC-SHA256 (issue 9).

See tropa/audit/rechain.py: the old chain is checked first and a broken one stops the
migration; the append-only triggers are lifted inside this transaction only.
"""

from django.db import migrations

from tropa.audit.rechain import rechain_keyed, rechain_plain


def forwards(apps, schema_editor):
    rechain_keyed(
        apps.get_model("audit", "AuditEntry"),
        apps.get_model("audit", "AuditHead"),
        apps.get_model("crypto", "ServerKey"),
        schema_editor.connection,
    )


def backwards(apps, schema_editor):
    rechain_plain(
        apps.get_model("audit", "AuditEntry"),
        apps.get_model("audit", "AuditHead"),
        apps.get_model("crypto", "ServerKey"),
        schema_editor.connection,
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only"), ("crypto", "0002_server_keys")]
    operations = [migrations.RunPython(forwards, backwards)]
