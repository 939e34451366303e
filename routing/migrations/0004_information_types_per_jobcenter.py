"""Each Jobcenter gets its own information types and routing rules (issue 9).

The rows that were shared go to the first Jobcenter; every other Jobcenter gets a copy with
the same rules, and its notes and deliveries are pointed at its own copy. Rules name a kind
of target (the BG's Leistung team, the customer's Integration team, the IFK, a team kind),
never a team, so a copy routes within its Jobcenter without translation. With no Jobcenter
yet (a fresh database) there is nobody to give the rows to: a Jobcenter is seeded from
`routing/catalogue.py` when it is created.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

from routing import catalogue


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
    InformationType = apps.get_model("routing", "InformationType")
    RoutingRule = apps.get_model("routing", "RoutingRule")
    Vermerk = apps.get_model("routing", "Vermerk")
    Aufgabe = apps.get_model("routing", "Aufgabe")
    AufgabeEvent = apps.get_model("routing", "AufgabeEvent")

    jobcenters = list(Jobcenter.objects.order_by("pk").values_list("pk", flat=True))
    shared = InformationType.objects.filter(jobcenter__isnull=True)
    if not jobcenters:
        shared.delete()
        return
    if not shared.exists():
        for jobcenter_id in jobcenters:
            catalogue.seed(
                jobcenter_id, information_type_model=InformationType, routing_rule_model=RoutingRule
            )
        return

    first, others = jobcenters[0], jobcenters[1:]
    originals = list(shared.order_by("pk").values_list("pk", flat=True))
    shared.update(jobcenter_id=first)
    for jobcenter_id in others:
        own_aufgaben = Q(kunde__jobcenter_id=jobcenter_id) | Q(
            kunde__isnull=True, created_by__jobcenter_id=jobcenter_id
        )
        for original_pk in originals:
            copy = InformationType.objects.get(pk=original_pk)
            rules = list(RoutingRule.objects.filter(information_type_id=original_pk))
            copy.pk = None
            copy.jobcenter_id = jobcenter_id
            copy._state.adding = True
            copy.save()
            Vermerk.objects.filter(
                information_type_id=original_pk, kunde__jobcenter_id=jobcenter_id
            ).update(information_type_id=copy.pk)
            for rule in rules:
                original_rule = rule.pk
                rule.pk = None
                rule.information_type_id = copy.pk
                rule._state.adding = True
                rule.save()
                Aufgabe.objects.filter(Q(rule_id=original_rule) & own_aufgaben).update(
                    rule_id=rule.pk
                )
                AufgabeEvent.objects.filter(
                    rule_id=original_rule,
                    aufgabe__in=Aufgabe.objects.filter(own_aufgaben).values("pk"),
                ).update(rule_id=rule.pk)


def shared_again(apps, schema_editor):
    """Back to one catalogue: per code the oldest row stays, the others' uses move to it."""
    _constraints_now(schema_editor)
    InformationType = apps.get_model("routing", "InformationType")
    RoutingRule = apps.get_model("routing", "RoutingRule")
    Vermerk = apps.get_model("routing", "Vermerk")
    Aufgabe = apps.get_model("routing", "Aufgabe")
    AufgabeEvent = apps.get_model("routing", "AufgabeEvent")
    kept: dict[str, int] = {}
    for t in InformationType.objects.order_by("pk"):
        if t.code not in kept:
            kept[t.code] = t.pk
            continue
        keep = kept[t.code]
        Vermerk.objects.filter(information_type_id=t.pk).update(information_type_id=keep)
        for rule in RoutingRule.objects.filter(information_type_id=t.pk):
            same = RoutingRule.objects.filter(
                information_type_id=keep, target=rule.target, team_kind=rule.team_kind
            ).first()
            target = same.pk if same else None
            Aufgabe.objects.filter(rule_id=rule.pk).update(rule_id=target)
            AufgabeEvent.objects.filter(rule_id=rule.pk).update(rule_id=target)
        _delete_rows(schema_editor, RoutingRule, "information_type_id", t.pk)
        _delete_rows(schema_editor, InformationType, "id", t.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("jobcenter", "0003_audit_jobcenter_subject"),
        ("routing", "0003_information_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="informationtype",
            name="jobcenter",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="information_types",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AlterField(
            model_name="informationtype",
            name="code",
            field=models.SlugField(
                help_text="Kurzname für die Schnittstelle, z. B. „schwangerschaft“.",
                max_length=60,
                verbose_name="Kennung",
            ),
        ),
        migrations.AlterField(
            model_name="informationtype",
            name="name",
            field=models.CharField(max_length=200, verbose_name="Bezeichnung"),
        ),
        migrations.RunPython(per_jobcenter, shared_again),
        migrations.AlterField(
            model_name="informationtype",
            name="jobcenter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="information_types",
                to="jobcenter.jobcenter",
                verbose_name="Jobcenter",
            ),
        ),
        migrations.AddConstraint(
            model_name="informationtype",
            constraint=models.UniqueConstraint(
                fields=("jobcenter", "code"),
                name="uniq_information_type_code",
                violation_error_message="Diese Kennung gibt es in diesem Jobcenter bereits.",
            ),
        ),
        migrations.AddConstraint(
            model_name="informationtype",
            constraint=models.UniqueConstraint(
                fields=("jobcenter", "name"),
                name="uniq_information_type_name",
                violation_error_message="Diese Bezeichnung gibt es in diesem Jobcenter bereits.",
            ),
        ),
    ]
