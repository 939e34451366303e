"""The Leistung team of a deadline's case, copied onto the deadline (issue 13).

Leistung's worklist and case list show a team's cases by their nearest open deadline. The
team is the case's household's (`bedarfsgemeinschaft.leistung_team`); without a copy on the
deadline the lists walked the open deadlines of every team of the Jobcenter in due order
and dropped seven in eight. `case_team` is backfilled here from the households; the models
keep it right (Deadline.save, Bedarfsgemeinschaft.save, Antrag.save: `sync_case_team`).

- `deadline_open_case_team`: a team's open case deadlines in due order (on PostgreSQL
  with the case and the warning moment, read index-only).
- `deadline_open_case_due`: a case's open deadlines in due order: whether one of them is
  earlier than the deadline at hand (each case at its earliest) or warned, one index-only
  probe instead of reading the case's deadline rows.

Kept outside the model state like the list indexes of intake 0010/0011 (the deadline
model's index list is the scan's).
"""

import django.db.models.deletion
from django.db import migrations, models

# name: (columns, PostgreSQL's INCLUDE, condition)
INDEXES = {
    "deadline_open_case_team": (
        "case_team_id, due_at, id",
        "antrag_id, warn_at, jobcenter_id",
        "status = 'open' AND case_team_id IS NOT NULL",
    ),
    "deadline_open_case_due": (
        "antrag_id, due_at, id",
        "warn_at, jobcenter_id",
        "status = 'open' AND antrag_id IS NOT NULL",
    ),
}


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE minimumstandards_deadline d SET case_team_id = bg.leistung_team_id"
            " FROM intake_antrag a JOIN intake_bedarfsgemeinschaft bg"
            " ON bg.id = a.bedarfsgemeinschaft_id"
            " WHERE a.id = d.antrag_id AND bg.leistung_team_id IS NOT NULL"
        )
    else:
        schema_editor.execute(
            "UPDATE minimumstandards_deadline SET case_team_id = (SELECT bg.leistung_team_id"
            " FROM intake_antrag a JOIN intake_bedarfsgemeinschaft bg"
            " ON bg.id = a.bedarfsgemeinschaft_id"
            " WHERE a.id = minimumstandards_deadline.antrag_id)"
            " WHERE antrag_id IS NOT NULL"
        )


def create_index(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (columns, include, condition) in INDEXES.items():
        include = f" INCLUDE ({include})" if postgresql else ""
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON minimumstandards_deadline"
            f" ({columns}){include} WHERE {condition}"
        )


def drop_index(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("jobcenter", "0016_h14remind_reminder_settings"),
        ("intake", "0012_h14remind_message_language"),
        ("minimumstandards", "0011_h32deadline_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="case_team",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="jobcenter.team",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
