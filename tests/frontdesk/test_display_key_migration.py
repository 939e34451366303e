"""Hashing the display keys keeps the addresses already on the waiting-room screens working."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from frontdesk.access import display_for_token
from frontdesk.models import Display

BEFORE = [("frontdesk", "0002_concern_catalogue")]
# Forward to the newest state of every app, which includes 0003_display_token_hash: stopping
# at 0003, or at frontdesk's newest, would leave later migrations (the per-Jobcenter
# catalogue; apps that depend on frontdesk, such as the reminders) unapplied for the next tests.
AFTER = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_display_addresses_keep_working(client, jobcenter):
    old_apps = migrate(BEFORE)
    OldStandort = old_apps.get_model("jobcenter", "Standort")
    OldDisplay = old_apps.get_model("frontdesk", "Display")
    site = OldStandort.objects.create(jobcenter_id=jobcenter.pk, name="Hauptstelle")
    keys = ["Abc-_" + "x" * 27, "ZZZ" + "y" * 29]
    for n, key in enumerate(keys):
        OldDisplay.objects.create(standort_id=site.pk, name=f"Wartebereich {n}", token=key)

    migrate(AFTER)

    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), Display._meta.db_table
        )
    }
    assert "token" not in columns
    for key in keys:
        display = display_for_token(key)
        assert display is not None
        assert display.token_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in display.token_prefix + display.token_hash
        assert client.get(reverse("frontdesk:display", args=[key])).status_code == 200
    assert display_for_token(keys[0][:-1] + "z") is None

    # Going back cannot recover the keys: each display gets a new, distinct one.
    old_apps = migrate(BEFORE)
    tokens = set(old_apps.get_model("frontdesk", "Display").objects.values_list("token", flat=True))
    assert len(tokens) == 2 and not tokens & set(keys)
    migrate(AFTER)
