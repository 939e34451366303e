"""The open deadlines of a team by due moment (`deadline_open_team_due`, made by 0011_h32…
outside the model state) widened with warning moment, rule and pause, and taken into the
model state: the dashboard's and forecast's counts near now read it index-only (issue 13,
minimumstandards/tally.py); and a small index of the deadlines met late, for the chart of
breaches per week. One index instead of a second one on the same key: every index
of the deadlines costs each write. The list's queries read the same key and a superset of
its columns."""

from django.db import migrations, models


def drop_narrow(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS deadline_open_team_due")


def make_narrow(apps, schema_editor):
    # Back to 0011_h32's index (RemoveIndex, run before this in reverse, dropped the wide one).
    covering = schema_editor.connection.features.supports_covering_indexes
    include = " INCLUDE (id, kind, jobcenter_id)" if covering else ""
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS deadline_open_team_due ON minimumstandards_deadline"
        f" (team_id, due_at){include} WHERE status = 'open'"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("minimumstandards", "0014_h31dashboard_tally"),
    ]

    operations = [
        migrations.RunPython(drop_narrow, make_narrow, elidable=False),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["team", "due_at"],
                include=("id", "kind", "jobcenter", "warn_at", "rule", "paused_at"),
                name="deadline_open_team_due",
            ),
        ),
        # The breaches-per-week chart's late ones by due moment (few: the late only).
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("status", "late")),
                fields=["team", "due_at"],
                include=("id", "jobcenter"),
                name="deadline_late_team_due",
            ),
        ),
    ]
