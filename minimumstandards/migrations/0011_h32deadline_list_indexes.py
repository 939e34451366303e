"""Indexes of the deadline list (`/fristen/liste/`, minimumstandards/listing.py; issue 13).

The list reads each of the user's teams, and the user's own deadlines outside them, as a
part of its own, counted up to a cap and read in due order. Each filter of the list is one
range of one of these (PostgreSQL: with INCLUDE columns, so counts and pages are read
index-only, the Jobcenter checked from the index):

- `deadline_open_team_due`: a team's open deadlines by due moment (open, not yet due,
  breached, Versagung possible, a period of due days);
- `deadline_open_team_kind_due`: the same for one rule (a rule a team has few or none of
  would otherwise be searched for through all the team's deadlines);
- `deadline_open_team_warn`: by warning moment (at risk, at risk or breached, flagged);
- `deadline_paused_team_due`: the paused ones (few: a partial index of them);
- `deadline_done_team_completed`: completed on time or late, by day of completion;
- `deadline_owner_team`: a user's own deadlines by team (those outside the user's teams);
- `alert_open_team_deadline`: a team's flagged deadlines (the badge's alerts) with the
  deadline, for the "gemeldet" list.

PostgreSQL also gets statistics of owner and team together (`deadline_owner_team_stats`):
a user's own deadlines lie in their own team, which the planner, counting the columns
apart, would not know; it would expect thousands of an IFK's own outside their team and
plan a hash of every alert for the "gemeldet" list.

Kept outside the model state like intake 0010 and 0011. On SQLite (the demo) the same
partial indexes without INCLUDE.
"""

from django.db import migrations

D = "minimumstandards_deadline"
A = "minimumstandards_deadlinealert"
INDEXES = {
    "deadline_open_team_due": (
        f"{D} (team_id, due_at)",
        "id, kind, jobcenter_id",
        "status = 'open'",
    ),
    "deadline_open_team_kind_due": (
        f"{D} (team_id, kind, due_at)",
        "id, jobcenter_id",
        "status = 'open'",
    ),
    "deadline_open_team_warn": (
        f"{D} (team_id, warn_at)",
        "id, due_at, kind, jobcenter_id",
        "status = 'open'",
    ),
    "deadline_paused_team_due": (
        f"{D} (team_id, due_at)",
        "id, kind, warn_at, jobcenter_id",
        "status = 'open' AND paused_at IS NOT NULL",
    ),
    "deadline_done_team_completed": (
        f"{D} (team_id, status, completed_at)",
        "id, due_at, kind, jobcenter_id",
        "status IN ('met', 'late')",
    ),
    "deadline_owner_team": (f"{D} (owner_user_id, team_id)", "", "owner_user_id IS NOT NULL"),
    "alert_open_team_deadline": (
        f"{A} (team_id, deadline_id)",
        "",
        'closed_at IS NULL AND "first"',
    ),
}


STATISTICS = f"deadline_owner_team_stats (mcv) ON owner_user_id, team_id FROM {D}"


def create_indexes(apps, schema_editor):
    covering = schema_editor.connection.features.supports_covering_indexes
    for name, (on, include, where) in INDEXES.items():
        include_sql = f" INCLUDE ({include})" if include and covering else ""
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {on}{include_sql} WHERE {where}"
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS}")
        schema_editor.execute(f"ANALYZE {D}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS deadline_owner_team_stats")
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("minimumstandards", "0010_h13scan_alerts_are_the_flags")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
