"""Hits and duplicate pairs on the house's bases (``ReviewableDecision``, ``OrganizationOwned``).

Model state only: a hit's ``reviewed_by``/``reviewed_at`` are now ``decided_by``/``decided_at``,
like a duplicate pair's, over the same columns; no table changes.
"""

from __future__ import annotations

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0004_drop_hit_link_columns"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("screeninghit", "reviewed_by", "decided_by"),
                migrations.RenameField("screeninghit", "reviewed_at", "decided_at"),
                migrations.AlterField(
                    model_name="screeninghit",
                    name="decided_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_column="reviewed_by_id",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="screeninghit",
                    name="decided_at",
                    field=models.DateTimeField(blank=True, db_column="reviewed_at", null=True),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelOptions(
            name="duplicatecandidate",
            options={
                "default_manager_name": "all_organizations",
                "ordering": ["-score"],
                "verbose_name": "duplicate candidate",
                "verbose_name_plural": "duplicate candidates",
            },
        ),
        migrations.AlterModelOptions(
            name="screeninghit",
            options={
                "default_manager_name": "all_organizations",
                "verbose_name": "screening hit",
                "verbose_name_plural": "screening hits",
            },
        ),
        migrations.AlterModelManagers(
            name="duplicatecandidate",
            managers=[("all_organizations", django.db.models.manager.Manager())],
        ),
        migrations.AlterModelManagers(
            name="screeninghit",
            managers=[("all_organizations", django.db.models.manager.Manager())],
        ),
    ]
