"""Indexes for the back office's lists at the size of a large Jobcenter (issue 13).

- `deadline_open_case_lead` (PostgreSQL only: an expression over two timestamps): the
  longest warning lead (due minus warning moment) of a Jobcenter's open case deadlines, read
  as one index entry. Leistung's worklist sorted by urgency looks for the cases warned but
  not yet due only within that lead from now, instead of walking every later deadline.
- `kunde_jobcenter_upper_name`: the customers carrying exactly the surname typed, in the
  search's order by name (a common surname has thousands of similar ones to rank).
- `antrag_applicant_state` (PostgreSQL: INCLUDE): the cases of the customers a name search
  found (trigram indexes), read index-only; otherwise the planner hashes every case.

Kept outside the model state like 0005 and 0010 (the deadline model's index list is the
scan's).
"""

from django.db import migrations

POSTGRESQL_INDEXES = {
    "deadline_open_case_lead": (
        "minimumstandards_deadline (jobcenter_id, (due_at - warn_at))"
        " WHERE status = 'open' AND antrag_id IS NOT NULL"
    ),
    "kunde_jobcenter_upper_name": (
        "intake_kunde (jobcenter_id, UPPER(last_name::text), last_name, first_name,"
        " date_of_birth, id)"
    ),
    "antrag_applicant_state": (
        "intake_antrag (applicant_id, state)"
        " INCLUDE (id, bedarfsgemeinschaft_id, jobcenter_id, received_at, application_date)"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in POSTGRESQL_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in POSTGRESQL_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_h13back_list_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
