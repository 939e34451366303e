"""No two appointments of one caseworker overlap in time (PostgreSQL only).

The unique constraint `appointment_slot_once` (one occupying appointment per caseworker and
start) works on every database, the demo's SQLite included, and decides a race for the same
slot. This exclusion constraint adds, on PostgreSQL, that no two occupying appointments of
one caseworker overlap at all: slots of different lengths (EG 60, follow-up 45 minutes),
windows changed after booking, or a contact entered afterwards can never double-book a
person. `btree_gist` lets the GiST index compare the caseworker id with `=`; it is a trusted
extension, so the database owner may create it.
"""

from django.db import migrations

EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
CREATE = """
ALTER TABLE appointments_appointment
  ADD CONSTRAINT appointment_no_overlap
  EXCLUDE USING gist (
    caseworker_id WITH =,
    tstzrange(starts_at, ends_at, '[)') WITH &&
  )
  WHERE (group_event_id IS NULL AND status IN ('gebucht', 'durchgefuehrt', 'meldeversaeumnis'))
"""
DROP = "ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
