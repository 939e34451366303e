"""Indexes the back office's long lists read (issue 13, bench/backoffice.py).

- `antrag_jobcenter_state`: the cases of a Jobcenter by state, for the case list's
  filters and its capped count.
- `antrag_jobcenter_received`, `kunde_jobcenter_lower_name`: Leistung's worklist sorted
  by arrival or by name (the row's sort key is the casefolded name).
- `deadline_open_due_case`: the Jobcenter's open case deadlines in due order. The case
  list walks it to show the cases by their nearest deadline without sorting all of them.

Plain (partial) B-tree indexes, created on SQLite (the demo) as well. Kept outside the
model state like 0005, so that the deadline model's index list (the scan's) stays as it is.
"""

from django.db import migrations

INDEXES = {
    # Leistung's worklist by arrival and by the applicant's name.
    "antrag_jobcenter_received": "intake_antrag (jobcenter_id, received_at)",
    "kunde_jobcenter_lower_name": "intake_kunde (jobcenter_id, LOWER(last_name), LOWER(first_name))",
    # The case list's filters by state, counted up to a cap (an index-only scan).
    "antrag_jobcenter_state": "intake_antrag (jobcenter_id, state)",
    # A Leistung team's cases (through its households) by state, for the same counts.
    "antrag_bg_state": "intake_antrag (bedarfsgemeinschaft_id, state)",
    "deadline_open_due_case": (
        "minimumstandards_deadline (jobcenter_id, due_at)"
        " WHERE status = 'open' AND antrag_id IS NOT NULL"
    ),
}


def create_indexes(apps, schema_editor):
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0009_relation_and_contact"),
        ("minimumstandards", "0007_follow_up_kinds"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
