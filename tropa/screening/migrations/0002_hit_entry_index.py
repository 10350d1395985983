"""Hits get a blind index for "this man, this list, this entry" (filled by 0003)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="screeninghit",
            name="entry_index",
            field=models.CharField(default="", max_length=64),
        ),
    ]
