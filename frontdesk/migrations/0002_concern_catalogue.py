"""Once the installation-wide concern catalogue.

The catalogue is per Jobcenter now: its default rows live in `frontdesk/catalogue.py`, a new
Jobcenter is seeded from there (`frontdesk.services.catalogue.catalogue_seed`), and 0004 hands the rows
this migration used to create to the Jobcenters that existed then. On a fresh database no
Jobcenter exists yet, so nothing is seeded here.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("frontdesk", "0001_initial")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
