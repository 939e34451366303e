"""Once the installation-wide document checklist.

The checklist is per Jobcenter now: its default rows live in `intake/catalogue.py`, a new
Jobcenter is seeded from there (`intake.services.catalogue_seed`), and 0004 hands the rows
this migration used to create to the Jobcenters that existed then. On a fresh database no
Jobcenter exists yet, so nothing is seeded here.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_initial")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
