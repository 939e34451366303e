"""Master data (IFK, contact, address) corrected after intake, audited by field name (issue 12)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Kunde
from jobcenter.models import AuditEvent

pytestmark = pytest.mark.django_db


def post(antrag, **fields):
    kunde = antrag.applicant
    data = {
        "ifk": "",
        "street": kunde.street,
        "postcode": kunde.postcode,
        "city": kunde.city,
        "phone": "",
        "email": "",
        **fields,
    }
    return reverse("intake:customer_master_data", args=[kunde.pk]), data


def test_ez_corrects_ifk_address_and_contact_and_the_audit_names_only_fields(login, staff, antrag):
    url, data = post(
        antrag,
        ifk=str(staff["ifk2"].pk),
        street="Neue Straße 5",
        postcode="42103",
        city="Wuppertal",
        phone="0202 555",
        contact_consent="on",
    )
    response = login(staff["ez"]).post(url, data)
    assert response.status_code == 302
    kunde = Kunde.objects.get(pk=antrag.applicant_id)
    assert (kunde.ifk, kunde.street, kunde.phone) == (staff["ifk2"], "Neue Straße 5", "0202 555")
    assert kunde.contact_consent_on == timezone.localdate()
    event = AuditEvent.objects.filter(
        subject_id=kunde.pk, summary="Stammdaten nach der Antragsaufnahme berichtigt"
    ).get()
    assert set(event.changes["fields"]) == {
        "ifk",
        "street",
        "postcode",
        "city",
        "phone",
        "contact_consent_on",
    }
    assert "0202 555" not in str(event.changes) and "Neue Straße" not in str(event.changes)


def test_withdrawn_consent_deletes_phone_and_email(login, staff, antrag):
    Kunde.objects.filter(pk=antrag.applicant_id).update(
        phone="0202 555", email="a@example.org", contact_consent_on=timezone.localdate()
    )
    url, data = post(antrag)
    login(staff["ez"]).post(url, data)
    kunde = Kunde.objects.get(pk=antrag.applicant_id)
    assert (kunde.phone, kunde.email, kunde.contact_consent_on) == ("", "", None)


def test_phone_without_consent_stands_at_the_consent_field(login, staff, antrag):
    url, data = post(antrag, phone="0202 555")
    response = login(staff["ez"]).post(url, data)
    assert response.status_code == 422
    assert "nur mit Einwilligung" in response.context["master_form"].errors["contact_consent"][0]
    assert Kunde.objects.get(pk=antrag.applicant_id).phone == ""


def test_leistung_may_not_correct_master_data(login, staff, antrag):
    url, data = post(antrag, street="Anderswo 1")
    assert login(staff["leistung"]).post(url, data).status_code in (403, 404)
    page = login(staff["leistung"]).get(
        reverse("intake:customer_detail", args=[antrag.applicant_id])
    )
    assert "Stammdaten berichtigen" not in page.content.decode()
