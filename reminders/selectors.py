"""What the reminders read about a case (shared by the services and the texts)."""

from intake.models import Antrag, Nachweis


def owed_documents(antrag: Antrag) -> list[str]:
    return [
        n.document_type.name
        for n in Nachweis.objects.filter(antrag=antrag, received_on__isnull=True, waived_reason="")
        .select_related("document_type")
        .order_by("document_type__position", "document_type__name")
    ]
