"""The answer to Art. 15 DSGVO / § 83 SGB X: complete against every model of the project,
audited, PDF and JSON."""

import io
import json

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from intake.models import Kunde
from jobcenter.models import AuditEvent
from privacy.models import Anonymisation
from privacy.registry import REGISTRY, covered_labels

from .conftest import LONG_AGO


def models_about_a_customer() -> set[str]:
    """Every model whose foreign keys lead to a customer, however many steps away (the
    Bedarfsgemeinschaft, the case, a visit, a note, a deadline …), found from django.apps,
    not from the registry."""
    found = {Kunde}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in found:
                continue
            for field in model._meta.get_fields():
                if field.is_relation and field.concrete and field.related_model in found:
                    found.add(model)
                    grew = True
                    break
    # The Bedarfsgemeinschaft is referenced by the customer (Kunde.bedarfsgemeinschaft) and
    # references the head; the walk finds it through `head`.
    return {model._meta.label for model in found}


def test_every_model_that_references_a_customer_is_in_the_export_registry():
    missing = models_about_a_customer() - covered_labels()
    assert missing == set(), f"models about a customer missing in privacy/registry.py: {missing}"


def test_the_walk_finds_what_a_person_has():
    """The walk is not vacuous: it finds the kinds the issue names, directly or not."""
    found = models_about_a_customer()
    for label in (
        "intake.Bedarfsgemeinschaft",
        "intake.Antrag",
        "intake.Nachweis",
        "routing.Vermerk",
        "routing.AufgabeEvent",
        "frontdesk.Visit",
        "frontdesk.VisitEvent",
        "appointments.Appointment",
        "minimumstandards.Deadline",
        "minimumstandards.DeadlineAlert",
    ):
        assert label in found, label


def test_the_read_audit_is_in_the_registry_too():
    assert "jobcenter.AuditEvent" in covered_labels()


def test_registry_names_each_model_once_and_each_path_resolves():
    labels = [entry.label for entry in REGISTRY]
    assert len(labels) == len(set(labels))
    for entry in REGISTRY:
        assert entry.on_erase in ("delete", "unlink", "cascade"), entry


@pytest.mark.django_db
def test_json_of_a_hand_built_person_contains_each_record(build_person, login, dsb, clock):
    built = build_person(LONG_AGO)
    Anonymisation.objects.create(kunde=built.kunde)
    other = build_person(LONG_AGO, last_name="Fremd", first_name="Otto")
    client = login(dsb)
    response = client.get(reverse("privacy:export_json", args=[built.kunde.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    sections = {s["model"]: s for s in data["sections"]}
    assert set(sections) == covered_labels()
    for label, section in sections.items():
        assert section["records"], f"no record of {label} in the export"
    # Hand-picked records, by their content.
    assert [r["last_name"] for r in sections["intake.Kunde"]["records"]] == ["Kranich"]
    texts = [r["text"] for r in sections["routing.Vermerk"]["records"]]
    assert "Karla Kranich zieht in die Talstraße 5" in texts
    assert sections["appointments.Appointment"]["records"][0]["booking_note"] == (
        "Karla Kranich bringt den Bescheid mit"
    )
    assert sections["routing.HotlineTicket"]["records"][0]["caller_name"] == "Karla Kranich"
    assert sections["frontdesk.Visit"]["records"][0]["id"] == built.visit.pk
    assert sections["appointments.PlacementProposal"]["records"][0]["reference"] == "VV-1"
    # Who read the person: the export's own read is among them, with the officer's name.
    reads = sections["jobcenter.AuditEvent"]["records"]
    assert any(r["summary"] == "Auskunft nach Art. 15 DSGVO (JSON)" for r in reads)
    # Nothing of the other person.
    assert "Fremd" not in response.content.decode()
    assert other.kunde.kundennummer not in response.content.decode()


@pytest.mark.django_db
def test_pdf_export_is_a_pdf_with_the_persons_records_and_is_audited(build_person, login, dsb):
    built = build_person(LONG_AGO)
    client = login(dsb)
    before = AuditEvent.objects.filter(subject_id=built.kunde.pk).count()
    response = client.get(reverse("privacy:export_pdf", args=[built.kunde.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Auskunft nach Art. 15 DSGVO" in text
    assert "Kranich" in text
    assert "Talstraße 5" in text
    assert "Pflege der Mutter" in text
    # German labels and dates, also where a field was declared without a label.
    assert "Geburtsdatum: 14.07.1981" in text
    assert "angelegt am" in text
    assert "created at" not in text
    events = AuditEvent.objects.filter(subject_id=built.kunde.pk)
    assert events.count() == before + 1
    event = events.order_by("-pk").first()
    assert event.actor == dsb
    assert event.action == AuditEvent.Action.VIEW
    assert event.summary == "Auskunft nach Art. 15 DSGVO (PDF)"
