"""Display keys are kept only as a SHA-256 hash (plus a short lookup prefix).

Existing keys are hashed in place, so the addresses already set up on the waiting-room
screens keep working. Going back cannot recover them: every display then gets a new key.
"""

import hashlib
import secrets

from django.db import migrations, models

import frontdesk.models

PREFIX_LENGTH = 12  # frontdesk.models.DISPLAY_TOKEN_PREFIX_LENGTH, frozen here


def hash_keys(apps, schema_editor):
    Display = apps.get_model("frontdesk", "Display")
    for display in Display.objects.all().only("pk", "token"):
        display.token_prefix = display.token[:PREFIX_LENGTH]
        display.token_hash = hashlib.sha256(display.token.encode()).hexdigest()
        display.save(update_fields=["token_prefix", "token_hash"])


def fresh_keys(apps, schema_editor):
    Display = apps.get_model("frontdesk", "Display")
    for display in Display.objects.all().only("pk"):
        display.token = secrets.token_urlsafe(24)
        display.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("frontdesk", "0002_concern_catalogue"),
    ]

    operations = [
        migrations.AddField(
            model_name="display",
            name="token_prefix",
            field=models.CharField(
                editable=False, max_length=16, null=True, verbose_name="Schlüssel-Präfix"
            ),
        ),
        migrations.AddField(
            model_name="display",
            name="token_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        # Not unique while it is dropped, so that going back can fill it row by row.
        migrations.AlterField(
            model_name="display",
            name="token",
            field=models.CharField(
                editable=False,
                default=frontdesk.models.new_display_token,
                max_length=64,
                null=True,
                verbose_name="Zugangsschlüssel",
            ),
        ),
        migrations.RunPython(hash_keys, fresh_keys, elidable=False),
        migrations.RemoveField(model_name="display", name="token"),
        migrations.AlterField(
            model_name="display",
            name="token_prefix",
            field=models.CharField(
                default=frontdesk.models._no_key_prefix,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="Schlüssel-Präfix",
            ),
        ),
    ]
