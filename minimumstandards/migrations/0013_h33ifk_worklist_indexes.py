"""Indexes for the IFK's worklist ("Heute") at the size of a large Jobcenter (issue 13).

PostgreSQL only, partial on the open deadlines; each index range holds only the rows the
worklist shows, so the one statement that orders its customers reads no more:

- `deadline_open_owner_warn`: the warned deadlines of the IFK's own, beside
  `deadline_open_team_warn` of the teams (migration 0011, with INCLUDE), as one bitmap of
  two ranges ("Frist gefährdet").
- `deadline_open_owner_kind_due` (INCLUDE): the IFK's contacts due within the horizon
  ("Kontakt fällig"), index-only with every value the order needs.
- `antrag_applicant_by_id` (INCLUDE): a case deadline's customer (the case's applicant)
  looked up index-only, once per warned deadline.

Kept outside the model state like intake 0005, 0010 and 0011 (the deadline model's index
list is the scan's).
"""

from django.db import migrations

POSTGRESQL_INDEXES = {
    "deadline_open_owner_warn": (
        "minimumstandards_deadline (owner_user_id, warn_at) WHERE status = 'open'"
    ),
    "deadline_open_owner_kind_due": (
        "minimumstandards_deadline (owner_user_id, kind, due_at)"
        " INCLUDE (jobcenter_id, kunde_id, warn_at, started_at, id) WHERE status = 'open'"
    ),
    "antrag_applicant_by_id": "intake_antrag (id) INCLUDE (applicant_id)",
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
    dependencies = [
        ("intake", "0009_relation_and_contact"),
        ("minimumstandards", "0012_h34_deadline_case_team"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
