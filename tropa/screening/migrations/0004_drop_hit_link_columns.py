"""Drop the plaintext columns that linked a hit to its list entry (sealed by 0003), the
entries kept only because hits referred to them, and the hit counts of screening runs."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def delete_removed_entries(apps: Any, schema_editor: Any) -> None:
    apps.get_model("screening", "ListEntry").objects.filter(removed_in__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0003_seal_hit_links")]

    operations = [
        migrations.RemoveConstraint(model_name="screeninghit", name="one_hit_per_person_entry"),
        migrations.RemoveIndex(model_name="screeninghit", name="screening_s_organiz_5eaf95_idx"),
        migrations.AlterModelOptions(
            name="screeninghit",
            options={"verbose_name": "screening hit", "verbose_name_plural": "screening hits"},
        ),
        migrations.RemoveField(model_name="screeninghit", name="entry"),
        migrations.RemoveField(model_name="screeninghit", name="score"),
        migrations.RemoveField(model_name="screeninghit", name="match"),
        migrations.RemoveField(model_name="screeninghit", name="decision"),
        migrations.RemoveField(model_name="screeninghit", name="decided_digest"),
        migrations.RemoveField(model_name="screeninghit", name="found_at"),
        migrations.RemoveField(model_name="screeninghit", name="screened_at"),
        migrations.RemoveField(model_name="screeningrun", name="found"),
        migrations.AlterField(
            model_name="screeninghit",
            name="entry_index",
            field=models.CharField(max_length=64),
        ),
        migrations.AddIndex(
            model_name="screeninghit",
            index=models.Index(
                fields=["organization", "status"], name="screening_s_organiz_35a060_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="screeninghit",
            constraint=models.UniqueConstraint(
                fields=("person", "entry_index"), name="one_hit_per_person_entry"
            ),
        ),
        migrations.RunPython(delete_removed_entries, migrations.RunPython.noop),
    ]
