"""Each Jobcenter gets its own document checklist; a BG number is unique per Jobcenter.

The shared checklist goes to the first Jobcenter; every other Jobcenter gets a copy and its
cases' checklist lines point at its own copy. With no Jobcenter yet (a fresh database) there
is nobody to give the rows to: a Jobcenter is seeded from `intake/catalogue.py` when it is
created.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from intake import catalogue


def _constraints_now(schema_editor) -> None:
    # Rows are rewritten before ALTER TABLE in the same transaction: with PostgreSQL's
    # deferred foreign keys that would fail with "pending trigger events".
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _delete_rows(schema_editor, model, column: str, value: int) -> None:
    # Every use has been moved to the kept row already: no collector needed (the historical
    # models' collector trips over related models of other states).
    schema_editor.execute(
        f"DELETE FROM {schema_editor.quote_name(model._meta.db_table)} "
        f"WHERE {schema_editor.quote_name(column)} = %s",
        [value],
    )


def per_jobcenter(apps, schema_editor):
    _constraints_now(schema_editor)
    Jobcenter = apps.get_model("jobcenter", "Jobcenter")
    DocumentType = apps.get_model("intake", "DocumentType")
    Nachweis = apps.get_model("intake", "Nachweis")

    jobcenters = list(Jobcenter.objects.order_by("pk").values_list("pk", flat=True))
    shared = DocumentType.objects.filter(jobcenter__isnull=True)
    if not jobcenters:
        shared.delete()
        return
    if not shared.exists():
        for jobcenter_id in jobcenters:
            catalogue.seed(jobcenter_id, document_type_model=DocumentType)
        return

    first, others = jobcenters[0], jobcenters[1:]
    originals = list(shared.order_by("pk").values_list("pk", flat=True))
    shared.update(jobcenter_id=first)
    for jobcenter_id in others:
        for original_pk in originals:
            copy = DocumentType.objects.get(pk=original_pk)
            copy.pk = None
            copy.jobcenter_id = jobcenter_id
            copy._state.adding = True
            copy.save()
            Nachweis.objects.filter(
                document_type_id=original_pk, antrag__jobcenter_id=jobcenter_id
            ).update(document_type_id=copy.pk)


def shared_again(apps, schema_editor):
    """Back to one checklist: per name the oldest row stays, the checklist lines move to it."""
    _constraints_now(schema_editor)
    DocumentType = apps.get_model("intake", "DocumentType")
    Nachweis = apps.get_model("intake", "Nachweis")
    kept: dict[str, int] = {}
    for document in DocumentType.objects.order_by("pk"):
        if document.name not in kept:
            kept[document.name] = document.pk
            continue
        Nachweis.objects.filter(document_type_id=document.pk).update(
            document_type_id=kept[document.name]
        )
        _delete_rows(schema_editor, DocumentType, "id", document.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_document_types"),
        ("jobcenter", "0003_audit_jobcenter_subject"),
    ]

    operations = [
        migrations.AddField(
            model_name="documenttype",
            name="jobcenter",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="document_types",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AlterField(
            model_name="documenttype",
            name="name",
            field=models.CharField(max_length=200, verbose_name="Bezeichnung"),
        ),
        migrations.RunPython(per_jobcenter, shared_again),
        migrations.AlterField(
            model_name="documenttype",
            name="jobcenter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="document_types",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AddConstraint(
            model_name="documenttype",
            constraint=models.UniqueConstraint(
                fields=("jobcenter", "name"),
                name="uniq_document_type_name",
                violation_error_message="Diese Unterlage gibt es in diesem Jobcenter bereits.",
            ),
        ),
        migrations.AlterField(
            model_name="bedarfsgemeinschaft",
            name="number",
            field=models.CharField(
                max_length=14,
                validators=[
                    django.core.validators.RegexValidator(
                        "^\\d{5}BG\\d{7}$", "Die BG-Nummer hat das Format 12345BG1234567."
                    )
                ],
                verbose_name="BG-Nummer",
            ),
        ),
        migrations.AddConstraint(
            model_name="bedarfsgemeinschaft",
            constraint=models.UniqueConstraint(
                fields=("jobcenter", "number"),
                name="uniq_bg_number",
                violation_error_message="Diese BG-Nummer gibt es in diesem Jobcenter bereits.",
            ),
        ),
    ]
