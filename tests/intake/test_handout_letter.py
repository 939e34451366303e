"""The hand-out letter (issue 12): the duty to cooperate and its consequence (§§ 60, 66
SGB I), a contact, the site's opening hours, the missing documents with their date, and
the return address above the recipient in the DIN 5008 address window."""

import re
from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from jobcenter.models import OpeningHours, PhoneHours, Standort, Team
from jobcenter.roles import Role
from tests.factories import JobcenterFactory, UserFactory, person, register

pytestmark = pytest.mark.django_db

FROZEN = datetime(2026, 3, 10, 9, 30, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)


@pytest.fixture
def site(jobcenter, teams):
    jobcenter.phone = "0202 74763-0"
    jobcenter.email = "jobcenter.wuppertal@jobcenter-ge.de"
    jobcenter.save()
    standort = Standort.objects.create(
        jobcenter=jobcenter, name="Barmen", address="Bachstraße 2\n42275 Wuppertal"
    )
    for weekday in range(4):
        OpeningHours.objects.create(
            standort=standort, weekday=weekday, opens=time(8), closes=time(12, 30)
        )
    OpeningHours.objects.create(standort=standort, weekday=4, opens=time(8), closes=time(12))
    PhoneHours.objects.create(standort=standort, weekday=0, opens=time(8), closes=time(16))
    team = teams["leistung"]
    team.standort = standort
    team.save()
    team.postfach.email = "leistung-a@jobcenter-wuppertal.de"
    team.postfach.save()
    return standort


@pytest.fixture
def case(frozen, site, staff, teams):
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Erika", "Mustermann", date(1985, 3, 27), is_head=True)],
        return_date=date(2026, 3, 24),
    )
    applicant = antrag.applicant
    applicant.street, applicant.postcode, applicant.city = "Hofaue 7", "42103", "Wuppertal"
    applicant.save()
    return antrag


def _letter(client, case) -> str:
    response = client.get(reverse("intake:handout_letter", args=[case.pk]))
    assert response.status_code == 200
    # Compare text, not markup: tags and line breaks out, spaces folded.
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", text)


def test_letter_names_the_duty_to_cooperate_and_its_consequence(login, staff, case):
    text = _letter(login(staff["ez"]), case)
    assert "Ihre Pflicht zur Mitwirkung" in text
    assert "(§ 60 Erstes Buch Sozialgesetzbuch – SGB I)" in text
    assert (
        "Wenn die genannten Unterlagen bis zum 24.03.2026 fehlen und wir Ihren Anspruch "
        "deshalb nicht prüfen können, kann das Jobcenter die Leistungen ganz oder teilweise "
        "versagen oder entziehen, bis Sie die Mitwirkung nachholen (§ 66 SGB I)."
    ) in text


def test_letter_lists_the_missing_documents_with_their_date(login, staff, case):
    documents = [n.document_type.name for n in case.nachweise.select_related("document_type")]
    assert len(documents) == 3
    received = case.nachweise.select_related("document_type").first()
    received.received_on = date(2026, 3, 10)
    received.save()
    text = _letter(login(staff["ez"]), case)
    assert "Bitte reichen Sie bis zum 24.03.2026 noch ein:" in text
    for name in documents:
        if name == received.document_type.name:
            assert f"☐ {name}" not in text  # what is in is not asked for again
        else:
            assert f"☐ {name}" in text


def test_letter_gives_contact_and_the_sites_hours(login, staff, case):
    text = _letter(login(staff["ez"]), case)
    assert "Für Ihren Antrag ist das Leistungsteam „Team leistung“ zuständig." in text
    assert "Telefon: 0202 74763-0 (erreichbar Mo 08:00–16:00)" in text
    assert "E-Mail: leistung-a@jobcenter-wuppertal.de" in text
    assert (
        "Öffnungszeiten: Mo–Do 08:00–12:30, Fr 08:00–12:00 – Bachstraße 2, 42275 Wuppertal" in text
    )
    # The information block on the right.
    assert "Ihr Zeichen (BG-Nummer) " + case.bedarfsgemeinschaft.number in text
    assert "Ansprechpartner Leistungsteam „Team leistung“" in text
    assert "Datum 10.03.2026" in text


def test_letter_has_the_return_address_above_the_recipient(login, staff, case):
    page = login(staff["ez"]).get(reverse("intake:handout_letter", args=[case.pk])).content
    page = page.decode()
    window = page[page.index('class="app-letter__window"') : page.index("</address>")]
    assert "Jobcenter Wuppertal · Bachstraße 2 · 42275 Wuppertal" in window
    recipient = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", window.split("<address")[1]))
    assert "Erika Mustermann Hofaue 7 42103 Wuppertal" in recipient
    assert window.index("Bachstraße 2") < window.index("Hofaue 7")


def test_letter_without_a_site_falls_back_to_the_jobcenter(login, staff, teams, frozen):
    """No site anywhere: the Jobcenter's own address, no opening hours sentence."""
    jobcenter = staff["ez"].jobcenter
    jobcenter.address = "Postfach 1234\n42001 Wuppertal"
    jobcenter.save()
    case = register(actor=staff["ez"], leistung_team=teams["leistung"])
    text = _letter(login(staff["ez"]), case)
    assert "Jobcenter Wuppertal · Postfach 1234 · 42001 Wuppertal" in text
    assert "Öffnungszeiten" not in text


def test_another_jobcenters_staff_cannot_open_the_letter(client, case):
    other = JobcenterFactory(slug="bochum", name="Jobcenter Bochum")
    team = Team.objects.create(jobcenter=other, name="Leistung Bochum", kind=Team.Kind.LEISTUNG)
    for role in (Role.EINGANGSZONE, Role.LEISTUNG, Role.TEAMLEITUNG):
        user = UserFactory(jobcenter=other, role=role, teams=[team])
        client.force_login(user)
        response = client.get(reverse("intake:handout_letter", args=[case.pk]))
        assert response.status_code == 404
        assert "Mustermann" not in response.content.decode()
