"""A mailbox's done items newest first, read in index order (issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0007_h12hotline_hotline_ticket"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="aufgabe",
            index=models.Index(
                condition=models.Q(("status", "done")),
                fields=["postfach", "-done_at", "-id"],
                name="aufgabe_done",
            ),
        ),
    ]
