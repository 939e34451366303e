"""Every read of social data leaves a trace, and need to know (domain.md §5).

Each page that shows a customer writes one `AuditEvent` (action "view") per customer shown,
with the reader and the customer's id in `subject_id`: "who looked at this person in the
last year" is one query. The reception and the hotline never read a Beratungsvermerk; a
visit is for the desks that handle it and for those who may open the customer anyway.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontdesk.models import Desk, Visit, VisitState
from jobcenter.models import AuditEvent, Standort
from jobcenter.roles import Role
from minimumstandards.presets import apply_preset
from routing.models import Vermerk
from routing.services import aufgabe_create, vermerk_create
from tests.factories import UserFactory, person, register

pytestmark = pytest.mark.django_db


def reads(actor, subject_id, summary=None):
    qs = AuditEvent.objects.filter(action="view", actor=actor, subject_id=subject_id)
    return qs.filter(summary=summary) if summary else qs


def assert_read(actor, subject_id, summary=None):
    assert reads(actor, subject_id, summary).exists(), list(
        AuditEvent.objects.filter(action="view").values_list(
            "actor__username", "summary", "subject_id"
        )
    )


@pytest.fixture
def case(staff, teams):
    """A BG of two in Team leistung, with IFK `ifk` (Integration Ü25)."""
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Sabine", "Kowalski", is_head=True), person("Tim", "Kowalski")],
    )


@pytest.fixture
def kunde(case):
    return case.applicant


@pytest.fixture
def other_ifk(jobcenter, teams):
    """An IFK of another team: may not open `kunde`."""
    return UserFactory(
        username="ifk-u25", jobcenter=jobcenter, role=Role.INTEGRATION, teams=[teams["u25"]]
    )


# --- the trail is answerable --------------------------------------------------------------


def test_who_looked_at_this_person_in_the_last_year_is_one_query(
    login, staff, kunde, django_assert_num_queries
):
    login(staff["ez"]).get(reverse("intake:customer_detail", args=[kunde.pk]))
    login(staff["leistung"]).get(reverse("intake:case_detail", args=[kunde.antraege.first().pk]))
    year_ago = timezone.now() - timedelta(days=365)
    with django_assert_num_queries(1):
        readers = set(
            AuditEvent.objects.filter(
                subject_id=kunde.pk, action="view", at__gte=year_ago
            ).values_list("actor__username", flat=True)
        )
    assert readers == {"ez", "leistung"}


# --- intake -------------------------------------------------------------------------------


def test_case_list_detail_letter_and_search_are_audited(login, staff, case):
    member = case.persons.exclude(kunde=case.applicant).get().kunde
    client = login(staff["leistung"])
    assert client.get(reverse("intake:case_list")).status_code == 200
    assert_read(staff["leistung"], case.applicant_id, "Fallliste eingesehen")
    assert client.get(reverse("intake:case_detail", args=[case.pk])).status_code == 200
    assert_read(staff["leistung"], case.applicant_id, "Fall eingesehen")
    assert_read(staff["leistung"], member.pk, "Fall eingesehen")
    assert client.get(reverse("intake:handout_letter", args=[case.pk])).status_code == 200
    assert_read(staff["leistung"], member.pk, "Schreiben zur Antragsabgabe abgerufen")
    client = login(staff["empfang"])
    assert client.get(reverse("intake:customer_search"), {"q": "Kowalski"}).status_code == 200
    assert_read(staff["empfang"], case.applicant_id, "Kundensuche: Treffer angezeigt")
    assert_read(staff["empfang"], member.pk, "Kundensuche: Treffer angezeigt")


def test_customer_record_audits_every_member_of_the_bg_it_shows(login, staff, case):
    member = case.persons.exclude(kunde=case.applicant).get().kunde
    login(staff["ez"]).get(reverse("intake:customer_detail", args=[case.applicant_id]))
    assert_read(staff["ez"], case.applicant_id, "Kundendatensatz geöffnet")
    assert_read(staff["ez"], member.pk, "Kundendatensatz geöffnet")


# --- need to know: consultation notes -------------------------------------------------------


@pytest.fixture
def notes(staff, kunde):
    today = timezone.localdate()
    return {
        "beratung": vermerk_create(
            kunde=kunde,
            author=staff["ifk"],
            subject="Erstgespräch am Montag",
            text="Schulden und Sucht besprochen",
            known_on=today,
            kind=Vermerk.Kind.BERATUNG,
        ),
        "allgemein": vermerk_create(
            kunde=kunde,
            author=staff["ez"],
            subject="Rückruf nicht erreicht",
            known_on=today,
        ),
        "empfang": vermerk_create(
            kunde=kunde,
            author=staff["empfang"],
            subject="Unterlagen an der Theke abgegeben",
            known_on=today,
        ),
    }


@pytest.mark.rule("R-DS-01")
def test_the_hotline_does_not_read_consultation_notes(login, staff, kunde, notes):
    client = login(staff["hotline"])
    page = client.get(reverse("intake:customer_detail", args=[kunde.pk])).content.decode()
    assert "Rückruf nicht erreicht" in page
    assert "Schulden und Sucht" not in page and "Erstgespräch am Montag" not in page
    detail = reverse("routing:vermerk_detail", args=[notes["beratung"].pk])
    assert client.get(detail).status_code == 404
    assert (
        client.get(reverse("routing:vermerk_detail", args=[notes["allgemein"].pk])).status_code
        == 200
    )
    assert not Vermerk.objects.visible_to(staff["hotline"]).filter(pk=notes["beratung"].pk).exists()


@pytest.mark.rule("R-DS-01")
def test_the_reception_reads_only_what_the_reception_took_in(login, staff, kunde, notes):
    client = login(staff["empfang"])
    page = client.get(reverse("intake:customer_detail", args=[kunde.pk])).content.decode()
    assert "Unterlagen an der Theke abgegeben" in page
    assert "Rückruf nicht erreicht" not in page
    assert "Schulden und Sucht" not in page and "Erstgespräch am Montag" not in page
    for key, status in (("beratung", 404), ("allgemein", 404), ("empfang", 200)):
        url = reverse("routing:vermerk_detail", args=[notes[key].pk])
        assert client.get(url).status_code == status, key


def test_the_caseworkers_still_read_consultation_notes(login, staff, kunde, notes):
    for who in ("ifk", "ez"):
        page = login(staff[who]).get(reverse("intake:customer_detail", args=[kunde.pk]))
        assert "Schulden und Sucht" in page.content.decode()
    assert (
        login(staff["ifk"])
        .get(reverse("routing:vermerk_detail", args=[notes["beratung"].pk]))
        .status_code
        == 200
    )


def test_a_mailbox_item_does_not_open_a_consultation_note_to_the_reception(
    login, staff, teams, kunde, notes
):
    aufgabe = aufgabe_create(
        created_by=staff["ifk"],
        title="Bitte Termin vergeben",
        assignee=staff["empfang"],
        kunde=kunde,
    )
    aufgabe.vermerk = notes["beratung"]
    aufgabe.save(update_fields=["vermerk"])
    page = login(staff["empfang"]).get(reverse("routing:item", args=[aufgabe.pk])).content.decode()
    assert "Bitte Termin vergeben" in page
    assert reverse("routing:vermerk_detail", args=[notes["beratung"].pk]) not in page


# --- routing ------------------------------------------------------------------------------


def test_vermerk_mailbox_item_and_worklist_are_audited(login, staff, teams, kunde, notes):
    client = login(staff["ez"])
    client.get(reverse("routing:vermerk_detail", args=[notes["allgemein"].pk]))
    assert_read(staff["ez"], kunde.pk, "Vermerk eingesehen")
    aufgabe = aufgabe_create(
        created_by=staff["ez"],
        title="Umzug prüfen",
        postfach=teams["leistung"].postfach,
        kunde=kunde,
        due_at=timezone.now() + timedelta(days=3),
    )
    personal = aufgabe_create(
        created_by=staff["ez"], title="Anruf", assignee=staff["leistung"], kunde=kunde
    )
    client = login(staff["leistung"])
    assert (
        client.get(reverse("routing:mailbox", args=[teams["leistung"].postfach.pk])).status_code
        == 200
    )
    assert_read(staff["leistung"], kunde.pk, "Postfach eingesehen")
    assert client.get(reverse("routing:personal")).status_code == 200
    assert_read(staff["leistung"], kunde.pk, "Persönliches Postfach eingesehen")
    assert client.get(reverse("routing:item", args=[aufgabe.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        actor=staff["leistung"],
        subject_id=kunde.pk,
        target_id=aufgabe.pk,
        summary="Postfacheintrag eingesehen",
    ).exists()
    personal_page = client.get(reverse("routing:personal")).content.decode()
    assert personal.title in personal_page  # the personal item is what that read showed
    assert client.get(reverse("routing:worklist")).status_code == 200
    assert_read(staff["leistung"], kunde.pk, "Arbeitsliste eingesehen")


def test_note_form_search_results_are_audited(login, staff, kunde):
    client = login(staff["hotline"])
    client.get(reverse("routing:vermerk_new"), {"q": "Kowalski"})
    assert_read(staff["hotline"], kunde.pk, "Vermerkformular: Kundinnen und Kunden angezeigt")
    AuditEvent.objects.all().delete()
    client.get(reverse("routing:kunde_search"), {"q": kunde.kundennummer}, HTTP_HX_REQUEST="true")
    assert_read(staff["hotline"], kunde.pk)


# --- front desk: need to know and the trail -------------------------------------------------


@pytest.fixture
def site(jobcenter):
    return Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")


@pytest.fixture
def visit(staff, teams, site, kunde):
    """The customer waits for Team leistung at the site."""
    now = timezone.now()
    return Visit.objects.create(
        jobcenter=kunde.jobcenter,
        standort=site,
        day=timezone.localdate(),
        number="A001",
        kunde=kunde,
        team=teams["leistung"],
        checked_in_at=now,
        checked_in_by=staff["empfang"],
        queued_at=now,
    )


def test_a_visit_is_not_open_to_an_ifk_of_another_team(login, staff, visit, other_ifk):
    detail = reverse("frontdesk:visit_detail", args=[visit.pk])
    assert login(other_ifk).get(detail).status_code == 404
    response = login(other_ifk).post(reverse("frontdesk:visit_cancel", args=[visit.pk]))
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.state == VisitState.WAITING
    assert not reads(other_ifk, visit.kunde_id).exists()


@pytest.mark.parametrize("who", ["empfang", "ez", "teamleitung", "leistung", "ifk"])
def test_a_visit_is_open_to_reception_its_queue_and_who_may_open_the_customer(
    login, staff, visit, who
):
    # leistung: the queue's team; ifk: the customer's own IFK.
    assert (
        login(staff[who]).get(reverse("frontdesk:visit_detail", args=[visit.pk])).status_code == 200
    )
    assert_read(staff[who], visit.kunde_id, "Besuch eingesehen")


def test_a_visit_of_another_team_is_open_at_the_desk_that_serves_its_queue(
    login, staff, teams, site, visit, other_ifk
):
    desk = Desk.objects.create(standort=site, name="Raum 1", occupied_by=other_ifk)
    desk.teams.set([teams["leistung"]])
    assert (
        login(other_ifk).get(reverse("frontdesk:visit_detail", args=[visit.pk])).status_code == 200
    )


def test_reception_lookup_is_audited(login, staff, kunde):
    client = login(staff["empfang"])
    response = client.get(reverse("frontdesk:checkin_lookup"), {"q": kunde.kundennummer})
    assert response.status_code == 200
    assert_read(staff["empfang"], kunde.pk, "Empfang: Kundensuche, Treffer angezeigt")


def test_desk_page_audits_who_it_shows_and_polling_adds_only_newcomers(
    login, staff, teams, site, visit, case
):
    desk = Desk.objects.create(standort=site, name="Raum 204", occupied_by=staff["leistung"])
    desk.teams.set([teams["leistung"]])
    client = login(staff["leistung"])
    assert client.get(reverse("frontdesk:desk")).status_code == 200
    assert_read(staff["leistung"], visit.kunde_id, "Aufrufplatz eingesehen")
    before = AuditEvent.objects.filter(action="view").count()
    poll = reverse("frontdesk:desk_queue")
    for _ in range(3):
        assert client.get(poll, HTTP_HX_REQUEST="true").status_code == 200
    assert AuditEvent.objects.filter(action="view").count() == before  # unchanged: no rows
    member = case.persons.exclude(kunde=case.applicant).get().kunde
    now = timezone.now()
    Visit.objects.create(
        jobcenter=member.jobcenter,
        standort=site,
        day=timezone.localdate(),
        number="A002",
        kunde=member,
        team=teams["leistung"],
        checked_in_at=now,
        checked_in_by=staff["empfang"],
        queued_at=now,
    )
    client.get(poll, HTTP_HX_REQUEST="true")
    client.get(poll, HTTP_HX_REQUEST="true")
    assert reads(staff["leistung"], member.pk).count() == 1
    assert AuditEvent.objects.filter(action="view").count() == before + 1


# --- the deadline dashboard ---------------------------------------------------------------


@pytest.fixture
def deadline_case(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="demo")
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Frida", "Frist", is_head=True)],
    )


def test_deadline_dashboard_and_exports_are_audited(login, staff, deadline_case):
    lead = staff["teamleitung"]
    client = login(lead)
    assert client.get(reverse("minimumstandards:dashboard")).status_code == 200
    assert_read(lead, deadline_case.applicant_id, "Fristen-Übersicht eingesehen")
    before = AuditEvent.objects.count()
    client.get(reverse("minimumstandards:dashboard_live"), HTTP_HX_REQUEST="true")
    assert AuditEvent.objects.count() == before  # the poll shows nobody new
    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel")):
        response = client.get(reverse("minimumstandards:dashboard_export", args=[fmt]))
        assert response.status_code == 200
        assert_read(lead, deadline_case.applicant_id, f"Offene Fristen exportiert ({label})")


def test_changes_are_on_the_persons_trail_too(staff, kunde):
    vermerk = vermerk_create(
        kunde=kunde, author=staff["ez"], subject="Umzug gemeldet", known_on=timezone.localdate()
    )
    created = AuditEvent.objects.get(
        target_type__model="vermerk", target_id=vermerk.pk, action="create"
    )
    assert created.subject_id == kunde.pk
