"""The case list's substring index: FTS5 trigrams on SQLite, pg_trgm GIN on PostgreSQL.

Neither is part of Django's model state (SQLite would choke on a GIN index when it rebuilds
the table); see ``tropa/cases/search_index.py``.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class PostgresTrigramExtension(TrigramExtension):
    """Django's operation, whose reversal also leaves SQLite alone."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def install(apps, schema_editor):
    from tropa.cases import search_index

    search_index.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from tropa.cases import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_cities_to_codes"),
    ]

    operations = [
        # Does nothing on SQLite.
        PostgresTrigramExtension(),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
