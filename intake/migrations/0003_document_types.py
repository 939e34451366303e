from django.db import migrations

# The usual checklist of an SGB II application (Hauptantrag and its Anlagen); a Jobcenter
# edits this list in the admin.
DOCUMENTS = [
    "Hauptantrag",
    "Anlage WEP – weitere Person ab 15 Jahren",
    "Anlage KI – Kind unter 15 Jahren",
    "Anlage KDU – Kosten der Unterkunft und Heizung",
    "Anlage EK – Einkommen",
    "Anlage EKS – Einkommen aus Selbständigkeit",
    "Anlage VM – Vermögen",
    "Anlage UH – Unterhalt",
    "Anlage MEB – Mehrbedarfe",
    "Anlage SV – Sozialversicherung",
    "Personalausweis / Reisepass",
    "Mietvertrag",
    "Kontoauszüge der letzten drei Monate",
    "Verdienstbescheinigung",
    "Kündigung / Arbeitsbescheinigung",
    "Arbeitspaket SGB II",
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("intake", "DocumentType")
    for position, name in enumerate(DOCUMENTS, start=1):
        DocumentType.objects.get_or_create(name=name, defaults={"position": position})


def unseed(apps, schema_editor):
    apps.get_model("intake", "DocumentType").objects.filter(name__in=DOCUMENTS).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
