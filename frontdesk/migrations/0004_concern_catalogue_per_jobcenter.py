"""Each Jobcenter gets its own concern catalogue (issue 9).

The classes and concerns that were shared go to the first Jobcenter; every other Jobcenter
gets a copy, and its visits are pointed at its own concerns. With no Jobcenter yet (a fresh
database) there is nobody to give the rows to: a Jobcenter is seeded from
`frontdesk/catalogue.py` when it is created.
"""

import django.db.models.deletion
from django.db import migrations, models

from frontdesk import catalogue


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
    ConcernClass = apps.get_model("frontdesk", "ConcernClass")
    Concern = apps.get_model("frontdesk", "Concern")
    VisitConcern = apps.get_model("frontdesk", "VisitConcern")

    jobcenters = list(Jobcenter.objects.order_by("pk").values_list("pk", flat=True))
    shared_classes = ConcernClass.objects.filter(jobcenter__isnull=True)
    shared_concerns = Concern.objects.filter(jobcenter__isnull=True)
    if not jobcenters:
        shared_concerns.delete()
        shared_classes.delete()
        return
    if not shared_classes.exists() and not shared_concerns.exists():
        for jobcenter_id in jobcenters:
            catalogue.seed(jobcenter_id, concern_class_model=ConcernClass, concern_model=Concern)
        return

    first, others = jobcenters[0], jobcenters[1:]
    class_pks = list(shared_classes.order_by("pk").values_list("pk", flat=True))
    concern_pks = list(shared_concerns.order_by("pk").values_list("pk", flat=True))
    shared_classes.update(jobcenter_id=first)
    shared_concerns.update(jobcenter_id=first)
    for jobcenter_id in others:
        class_of: dict[int, int] = {}
        for original_pk in class_pks:
            copy = ConcernClass.objects.get(pk=original_pk)
            copy.pk = None
            copy.jobcenter_id = jobcenter_id
            copy._state.adding = True
            copy.save()
            class_of[original_pk] = copy.pk
        for original_pk in concern_pks:
            copy = Concern.objects.get(pk=original_pk)
            copy.pk = None
            copy.jobcenter_id = jobcenter_id
            copy.concern_class_id = class_of[copy.concern_class_id]
            copy._state.adding = True
            copy.save()
            VisitConcern.objects.filter(
                concern_id=original_pk, visit__jobcenter_id=jobcenter_id
            ).update(concern_id=copy.pk)


def shared_again(apps, schema_editor):
    """Back to one catalogue: per name or code the oldest row stays, uses move to it."""
    _constraints_now(schema_editor)
    ConcernClass = apps.get_model("frontdesk", "ConcernClass")
    Concern = apps.get_model("frontdesk", "Concern")
    VisitConcern = apps.get_model("frontdesk", "VisitConcern")
    kept_concerns: dict[str, int] = {}
    for concern in Concern.objects.order_by("pk"):
        if concern.code not in kept_concerns:
            kept_concerns[concern.code] = concern.pk
            continue
        VisitConcern.objects.filter(concern_id=concern.pk).update(
            concern_id=kept_concerns[concern.code]
        )
        _delete_rows(schema_editor, Concern, "id", concern.pk)
    kept_classes: dict[str, int] = {}
    for concern_class in ConcernClass.objects.order_by("pk"):
        if concern_class.name not in kept_classes:
            kept_classes[concern_class.name] = concern_class.pk
            continue
        Concern.objects.filter(concern_class_id=concern_class.pk).update(
            concern_class_id=kept_classes[concern_class.name]
        )
        _delete_rows(schema_editor, ConcernClass, "id", concern_class.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("frontdesk", "0003_display_token_hash"),
        ("jobcenter", "0003_audit_jobcenter_subject"),
    ]

    operations = [
        migrations.AddField(
            model_name="concernclass",
            name="jobcenter",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="concern_classes",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="jobcenter",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="concerns",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AlterField(
            model_name="concernclass",
            name="name",
            field=models.CharField(max_length=100, verbose_name="Bezeichnung"),
        ),
        migrations.AlterField(
            model_name="concern",
            name="code",
            field=models.SlugField(
                help_text="Fester Schlüssel, z. B. unterlagen.",
                max_length=40,
                verbose_name="Kürzel",
            ),
        ),
        migrations.RunPython(per_jobcenter, shared_again),
        migrations.AlterField(
            model_name="concernclass",
            name="jobcenter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="concern_classes",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AlterField(
            model_name="concern",
            name="jobcenter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="concerns",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AddConstraint(
            model_name="concernclass",
            constraint=models.UniqueConstraint(
                fields=("jobcenter", "name"),
                name="uniq_concern_class_name",
                violation_error_message="Diese Klasse gibt es in diesem Jobcenter bereits.",
            ),
        ),
        migrations.AddConstraint(
            model_name="concern",
            constraint=models.UniqueConstraint(
                fields=("jobcenter", "code"),
                name="uniq_concern_code",
                violation_error_message="Dieses Kürzel gibt es in diesem Jobcenter bereits.",
            ),
        ),
    ]
