"""The default document checklist of an SGB II application (rule R-AN-01).

Each Jobcenter gets its own copy when it is created and edits it in the admin. Plain data
and one function over the model class passed in, so that the migration (with its historical
model) and `intake.services.catalogue_seed` read the same list.
"""

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


def seed(jobcenter_id: int, *, document_type_model) -> int:
    """Create the default documents the Jobcenter does not have yet (matched by name)."""
    names = set(
        document_type_model.objects.filter(jobcenter_id=jobcenter_id).values_list("name", flat=True)
    )
    new = [
        document_type_model(jobcenter_id=jobcenter_id, name=name, position=position)
        for position, name in enumerate(DOCUMENTS, start=1)
        if name not in names
    ]
    document_type_model.objects.bulk_create(new)
    return len(new)
