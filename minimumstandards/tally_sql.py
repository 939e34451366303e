"""The PostgreSQL triggers that keep minimumstandards.DeadlineTally (migration 0014_h31…).

Statement-level triggers with transition tables: one INSERT … SELECT … GROUP BY per
statement, however many deadlines it writes (the bench seed's 1,050,000 in one statement),
the buckets taken in key order (two statements never lock them crosswise). A write that
changes no bucket (an owner, a note, the extended due date) writes no tally row. The
triggers fire ALWAYS, also under `session_replication_role = replica` (the bench seed
loads with it): a tally that missed a load would be wrong, not slow.
"""

TALLY = "minimumstandards_deadlinetally"
DEADLINE = "minimumstandards_deadline"
KEY = "team_id, status, day, kind, rule_id, paused, jobcenter_id"

# One deadline's bucket, or no row if it is not tallied (cancelled, no team).
_ROWS = """
SELECT jobcenter_id, team_id, kind, rule_id, status,
       CASE WHEN status = 'open' THEN (due_at AT TIME ZONE 'Europe/Berlin')::date
            ELSE (completed_at AT TIME ZONE 'Europe/Berlin')::date END AS day,
       (status = 'open' AND paused_at IS NOT NULL) AS paused,
       CASE WHEN status = 'open' THEN due_at - warn_at END AS lead,
       {sign} AS delta
  FROM {source}
 WHERE team_id IS NOT NULL
   AND (status = 'open' OR (status IN ('met', 'late') AND completed_at IS NOT NULL))
"""


def _upsert(sources: str) -> str:
    return f"""
    INSERT INTO {TALLY} AS t (jobcenter_id, team_id, kind, rule_id, status, day, paused, n, lead)
    SELECT jobcenter_id, team_id, kind, rule_id, status, day, paused, n, new_lead
      FROM (SELECT jobcenter_id, team_id, kind, rule_id, status, day, paused,
                   sum(delta) AS n,
                   max(lead) FILTER (WHERE delta > 0) AS new_lead,
                   max(lead) FILTER (WHERE delta < 0) AS old_lead
              FROM ({sources}) AS r
             GROUP BY {KEY}) AS d
     WHERE n <> 0 OR new_lead > old_lead
     ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE
       SET n = t.n + EXCLUDED.n, lead = GREATEST(t.lead, EXCLUDED.lead);
    """


# Empty buckets are dropped (the readers' cost follows the buckets that hold deadlines).
_DROP_EMPTY = f"""
    DELETE FROM {TALLY} AS t
     USING (SELECT DISTINCT {KEY} FROM ({_ROWS.format(sign=-1, source="old_rows")}) AS o) AS o
     WHERE t.n = 0 AND t.team_id = o.team_id AND t.status = o.status AND t.day = o.day
       AND t.kind = o.kind AND t.rule_id = o.rule_id AND t.paused = o.paused
       AND t.jobcenter_id = o.jobcenter_id;
"""

FUNCTION = f"""
CREATE OR REPLACE FUNCTION minimumstandards_deadline_tally() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_upsert(_ROWS.format(sign=1, source="new_rows"))}
  ELSIF TG_OP = 'UPDATE' THEN
    {_upsert(_ROWS.format(sign=1, source="new_rows") + " UNION ALL " + _ROWS.format(sign=-1, source="old_rows"))}
    {_DROP_EMPTY}
  ELSIF TG_OP = 'DELETE' THEN
    {_upsert(_ROWS.format(sign=-1, source="old_rows"))}
    {_DROP_EMPTY}
  ELSE
    -- TRUNCATE of the deadlines: a DELETE, since a TRUNCATE here fails when the same
    -- statement truncates the tally too (Django's flush truncates every table at once).
    DELETE FROM {TALLY};
  END IF;
  RETURN NULL;
END
$$;
"""

TRIGGERS = [
    f"""CREATE TRIGGER deadline_tally_insert AFTER INSERT ON {DEADLINE}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION minimumstandards_deadline_tally()""",
    f"""CREATE TRIGGER deadline_tally_update AFTER UPDATE ON {DEADLINE}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION minimumstandards_deadline_tally()""",
    f"""CREATE TRIGGER deadline_tally_delete AFTER DELETE ON {DEADLINE}
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION minimumstandards_deadline_tally()""",
    f"""CREATE TRIGGER deadline_tally_truncate AFTER TRUNCATE ON {DEADLINE}
        FOR EACH STATEMENT EXECUTE FUNCTION minimumstandards_deadline_tally()""",
]
TRIGGER_NAMES = [
    "deadline_tally_insert",
    "deadline_tally_update",
    "deadline_tally_delete",
    "deadline_tally_truncate",
]
ENABLE_ALWAYS = [f"ALTER TABLE {DEADLINE} ENABLE ALWAYS TRIGGER {name}" for name in TRIGGER_NAMES]

# The tally from scratch: the migration's backfill, and a repair if it was ever bypassed.
REBUILD = [
    f"TRUNCATE {TALLY}",
    f"""INSERT INTO {TALLY} (jobcenter_id, team_id, kind, rule_id, status, day, paused, n, lead)
        SELECT jobcenter_id, team_id, kind, rule_id, status, day, paused, count(*), max(lead)
          FROM ({_ROWS.format(sign=1, source=DEADLINE)}) AS r
         GROUP BY {KEY}""",
]

DROP = [f"DROP TRIGGER IF EXISTS {name} ON {DEADLINE}" for name in TRIGGER_NAMES] + [
    "DROP FUNCTION IF EXISTS minimumstandards_deadline_tally()"
]


def install(cursor) -> None:
    """Create the function and triggers and fill the tally from the deadlines (PostgreSQL)."""
    cursor.execute(FUNCTION)
    for sql in [*DROP[:-1], *TRIGGERS, *ENABLE_ALWAYS, *REBUILD]:
        cursor.execute(sql)


def rebuild(cursor) -> None:
    for sql in REBUILD:
        cursor.execute(sql)
