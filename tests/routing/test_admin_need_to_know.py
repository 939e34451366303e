"""The administration sees how mailbox work flows, not whom it is about (need to know)."""

from django.urls import reverse

from routing.services import aufgabe_create


def test_the_administration_does_not_read_a_tasks_customer_or_content(client, staff, antrag):
    kunde = antrag.applicant
    aufgabe = aufgabe_create(
        created_by=staff["ez"],
        title="Rückruf erbeten",
        description="Schulden beim Vermieter, bitte dringend zurückrufen",
        assignee=staff["ifk"],
        kunde=kunde,
    )
    client.force_login(staff["admin"])
    page = client.get(reverse("admin:routing_aufgabe_change", args=[aufgabe.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Rückruf erbeten" in body
    assert "Schulden beim Vermieter" not in body
    assert kunde.kundennummer not in body and kunde.last_name not in body
    found = client.get(reverse("admin:routing_aufgabe_changelist"), {"q": kunde.kundennummer})
    assert "Rückruf erbeten" not in found.content.decode()
