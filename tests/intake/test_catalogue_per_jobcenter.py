"""Each Jobcenter has its own document checklist; a BG number is unique per Jobcenter."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from intake.forms import IntakeForm
from intake.models import Bedarfsgemeinschaft, DocumentType
from intake.services import IntakeError, antrag_register
from jobcenter.roles import Role
from tests.factories import JobcenterFactory, UserFactory, intake_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    jobcenter = JobcenterFactory(slug="herford", name="Jobcenter Herford")
    admin = UserFactory(username="admin_hf", jobcenter=jobcenter, role=Role.ADMINISTRATION)
    return {"jobcenter": jobcenter, "admin": admin}


def test_each_jobcenter_has_its_own_checklist(jobcenter, other):
    def checklist(jc):
        return list(DocumentType.objects.filter(jobcenter=jc).values_list("name", flat=True))

    ours, theirs = checklist(jobcenter), checklist(other["jobcenter"])
    assert ours == theirs  # the same defaults, in the same order ...
    assert not set(
        DocumentType.objects.filter(jobcenter=jobcenter).values_list("pk", flat=True)
    ) & set(
        DocumentType.objects.filter(jobcenter=other["jobcenter"]).values_list("pk", flat=True)
    )  # ... as rows of their own
    # Written out here, not read from intake.catalogue: the main form first, then its annexes
    # and the usual proofs.
    assert ours[0] == "Hauptantrag"
    for name in (
        "Anlage KDU – Kosten der Unterkunft und Heizung",
        "Anlage EK – Einkommen",
        "Personalausweis / Reisepass",
        "Mietvertrag",
        "Kontoauszüge der letzten drei Monate",
    ):
        assert name in ours, name
    assert len(ours) == len(set(ours)) == 16


def test_admin_edits_only_the_own_checklist(login, staff, jobcenter, other):
    client = login(staff["admin"])
    ours = DocumentType.objects.get(jobcenter=jobcenter, name="Mietvertrag")
    theirs = DocumentType.objects.get(jobcenter=other["jobcenter"], name="Mietvertrag")
    response = client.post(
        reverse("admin:intake_documenttype_change", args=[ours.pk]),
        {"name": "Mietvertrag mit Nebenkosten", "position": 3, "active": "on"},
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.name == "Mietvertrag mit Nebenkosten" and theirs.name == "Mietvertrag"
    page = client.get(reverse("admin:intake_documenttype_changelist"))
    assert {d.jobcenter_id for d in page.context["cl"].result_list} == {jobcenter.pk}
    change = reverse("admin:intake_documenttype_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    client.post(change, {"name": "Gekapert", "position": 1, "active": "on"})
    theirs.refresh_from_db()
    assert theirs.name == "Mietvertrag"


def test_a_document_added_in_the_admin_is_the_admins_and_unique_there(login, staff, jobcenter):
    client = login(staff["admin"])
    url = reverse("admin:intake_documenttype_add")
    assert client.post(url, {"name": "Meldebescheinigung", "position": 30}).status_code == 302
    assert DocumentType.objects.get(name="Meldebescheinigung").jobcenter_id == jobcenter.pk
    again = client.post(url, {"name": "Meldebescheinigung", "position": 31})
    assert again.status_code == 200
    assert "gibt es in diesem Jobcenter bereits" in again.content.decode()


def test_intake_form_and_service_take_only_the_own_documents(staff, teams, jobcenter, other):
    form = IntakeForm(jobcenter=jobcenter, user=staff["ez"])
    assert {d.jobcenter_id for d in form.fields["documents"].queryset} == {jobcenter.pk}
    foreign = list(DocumentType.objects.filter(jobcenter=other["jobcenter"])[:1])
    with pytest.raises(IntakeError, match="Checkliste dieses Jobcenters"):
        antrag_register(
            actor=staff["ez"],
            jobcenter=jobcenter,
            data=intake_data(leistung_team=teams["leistung"], documents=foreign),
        )


def test_a_bg_number_is_unique_within_its_jobcenter_only(jobcenter, other):
    Bedarfsgemeinschaft.objects.create(jobcenter=jobcenter, number="96201BG0000001")
    Bedarfsgemeinschaft.objects.create(jobcenter=other["jobcenter"], number="96201BG0000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Bedarfsgemeinschaft.objects.create(jobcenter=jobcenter, number="96201BG0000001")
    assert Bedarfsgemeinschaft.objects.filter(number="96201BG0000001").count() == 2
