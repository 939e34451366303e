"""pg_trgm and GIN trigram indexes for the typo-tolerant customer search (intake.selectors).

The indexes are on UPPER(name), the expression the search filters on (prefix and `%`), so
both use them. They live outside the model state on purpose: SQLite (the demo) has no GIN,
and a table rebuild there must not try to recreate them. On SQLite this migration does
nothing and the search falls back to substring matching.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "intake_kunde_last_name_trgm": "last_name",
    "intake_kunde_first_name_trgm": "first_name",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON intake_kunde "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_document_types_per_jobcenter")]

    operations = [
        # A no-op on other databases (CreateExtension checks the vendor itself).
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
