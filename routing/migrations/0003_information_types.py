"""Once the installation-wide catalogue of information types.

The catalogue is per Jobcenter now: its default rows live in `routing/catalogue.py`, a new
Jobcenter is seeded from there (`routing.services.catalogue_seed`), and 0004 hands the rows
this migration used to create to the Jobcenters that existed then. On a fresh database no
Jobcenter exists yet, so nothing is seeded here.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_routing_rules_mailboxes")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
