"""The database itself refuses UPDATE and DELETE on testimony versions (E17), the same
triggers as the evidence custody log (evidence/0002)."""

from django.db import migrations

TABLE = "testimony_testimonyversion"
SQLITE = [
    f"CREATE TRIGGER testimony_version_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'testimony versions are immutable'); END;",
    f"CREATE TRIGGER testimony_version_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'testimony versions are immutable'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS testimony_version_no_update;",
    "DROP TRIGGER IF EXISTS testimony_version_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION testimony_version_immutable() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'testimony versions are immutable'; END; $$ LANGUAGE plpgsql;""",
    f"CREATE TRIGGER testimony_version_no_update BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION testimony_version_immutable();",
    f"CREATE TRIGGER testimony_version_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION testimony_version_immutable();",
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS testimony_version_no_update ON {TABLE};",
    f"DROP TRIGGER IF EXISTS testimony_version_no_truncate ON {TABLE};",
    "DROP FUNCTION IF EXISTS testimony_version_immutable();",
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
    dependencies = [("testimony", "0001_testimony")]
    operations = [migrations.RunPython(forwards, backwards)]
