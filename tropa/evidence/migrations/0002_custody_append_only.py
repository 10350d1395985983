"""The database itself refuses UPDATE and DELETE on the custody log (E5, R6)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER evidence_custody_no_update BEFORE UPDATE ON evidence_custodyentry "
    "BEGIN SELECT RAISE(ABORT, 'custody log is append-only'); END;",
    "CREATE TRIGGER evidence_custody_no_delete BEFORE DELETE ON evidence_custodyentry "
    "BEGIN SELECT RAISE(ABORT, 'custody log is append-only'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS evidence_custody_no_update;",
    "DROP TRIGGER IF EXISTS evidence_custody_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION evidence_custody_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'custody log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER evidence_custody_no_update BEFORE UPDATE OR DELETE ON evidence_custodyentry "
    "FOR EACH ROW EXECUTE FUNCTION evidence_custody_append_only();",
    "CREATE TRIGGER evidence_custody_no_truncate BEFORE TRUNCATE ON evidence_custodyentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION evidence_custody_append_only();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS evidence_custody_no_update ON evidence_custodyentry;",
    "DROP TRIGGER IF EXISTS evidence_custody_no_truncate ON evidence_custodyentry;",
    "DROP FUNCTION IF EXISTS evidence_custody_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
