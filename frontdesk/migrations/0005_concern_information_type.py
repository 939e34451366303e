"""A concern says which information type it records; routing's rules alone say where it goes.

Replaces the concern's own routing (`inform`: Leistung / Integration / both / the handling
team) by a link to the Jobcenter's own `routing.InformationType` (issue 10, architecture
point 12). Each existing concern is linked by its code (`frontdesk.catalogue`'s defaults:
Veränderung → Umzug, AU → AU-Bescheinigung, Personen im Haushalt → Änderung der Personen
der BG, Miet- oder Energieschulden → Mietschulden / Stromsperre; "Arbeitsaufnahme, Kündigung
oder Einkommensänderung" names three types and gets the generic one, as do documents and
Eigenbemühungen handed in). A concern of the Jobcenter's own that informed Leistung and/or Integration without a
clearly matching type gets the generic "sonstiges" (Leistung and Integration). One that
informed only "the handling team" (the BuT-Team) has no matching type: it keeps a Vermerk in
the history and the Jobcenter can give it a type of its own with a rule to that team.
"""

import django.db.models.deletion
from django.db import migrations, models

from frontdesk import catalogue

GENERIC = "sonstiges"


def link_types(apps, schema_editor):
    Concern = apps.get_model("frontdesk", "Concern")
    InformationType = apps.get_model("routing", "InformationType")
    defaults = catalogue.information_type_codes()
    types = {
        (jobcenter_id, code): pk
        for jobcenter_id, code, pk in InformationType.objects.values_list(
            "jobcenter_id", "code", "pk"
        )
    }
    for concern in Concern.objects.all():
        code = defaults.get(concern.code)
        if code is None and concern.inform in ("leistung", "integration", "leistung_integration"):
            code = GENERIC
        type_id = types.get((concern.jobcenter_id, code)) if code else None
        informed = concern.record in ("task", "both")
        concern.information_type_id = type_id
        if type_id is not None:
            record = ""
        elif concern.record == "vermerk" or informed:
            record = "vermerk"
        else:
            record = ""
        concern.record = record
        concern.save(update_fields=["information_type", "record"])


def unlink_types(apps, schema_editor):
    Concern = apps.get_model("frontdesk", "Concern")
    for concern in Concern.objects.exclude(information_type=None):
        concern.record = "both"
        concern.inform = "leistung_integration"
        concern.save(update_fields=["record", "inform"])


class Migration(migrations.Migration):
    dependencies = [
        ("frontdesk", "0004_concern_catalogue_per_jobcenter"),
        ("routing", "0004_information_types_per_jobcenter"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="information_type",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Was dieses Anliegen erfasst. Wird es am Schalter erledigt oder "
                    "weitergegeben, entsteht ein Vermerk dieser Art; an welche Postfächer er "
                    "geht, bestimmen allein die Weiterleitungsregeln der Informationsart."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="concerns",
                to="routing.informationtype",
                verbose_name="Informationsart",
            ),
        ),
        migrations.RunPython(link_types, unlink_types),
        migrations.RemoveField(model_name="concern", name="inform"),
        migrations.AlterField(
            model_name="concern",
            name="record",
            field=models.CharField(
                blank=True,
                choices=[("", "nichts"), ("vermerk", "Vermerk in der Kundenhistorie")],
                default="",
                help_text=(
                    "Nur für Anliegen ohne Informationsart: ein Vermerk in der Kundenhistorie, "
                    "der an niemanden weitergeleitet wird."
                ),
                max_length=10,
                verbose_name="ohne Informationsart",
            ),
        ),
    ]
