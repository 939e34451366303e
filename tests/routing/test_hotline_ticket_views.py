"""The hotline's ticket page and the ticket in the team's mailbox (issue 12; rules R-RU-01,
R-OE-02): one word throughout, errors at their field, the clock in list and detail, the
identity of an unknown caller completed on the ticket."""

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jobcenter.hours import BERLIN
from jobcenter.models import PhoneHours, Standort
from minimumstandards.presets import apply_preset
from routing.models import Aufgabe, HotlineTicket

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-RU-01", "R-OE-02")]

THURSDAY = date(2026, 3, 19)
FRIDAY = date(2026, 3, 20)
URL = reverse("routing:ticket_new")


def at(hour, minute=0, day=THURSDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def clock(monkeypatch):
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(at(15))
    return set_to


@pytest.fixture
def site(jobcenter, teams, clock):
    standort = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    for weekday in range(4):
        PhoneHours.objects.create(
            standort=standort, weekday=weekday, opens=time(8), closes=time(18)
        )
    PhoneHours.objects.create(standort=standort, weekday=4, opens=time(8), closes=time(14))
    for team in teams.values():
        team.standort = standort
        team.save(update_fields=["standort"])
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    return standort


def form_data(**kwargs):
    data = {
        "action": "anlegen",
        "kind": "rueckrufbitte",
        "kunde": "",
        "caller_name": "Jana Neumann",
        "callback_number": "0202 123456",
        "area": "leistung",
        "reachable": "telefonzeiten",
        "concern": "Frage zum Bescheid",
    }
    data.update(kwargs)
    return data


def test_the_hotline_takes_a_ticket_and_is_told_so_in_one_word(login, staff, teams, site):
    client = login(staff["hotline"])
    page = client.get(URL).content.decode()
    assert "Ticket aufnehmen" in page and "Telefonzeiten heute" in page
    response = client.post(URL, form_data(), follow=True)
    text = response.content.decode()
    assert "Rückrufbitte angelegt: an Postfach Team ez, Rückruf bis Fr 20.03.2026 15:00." in text
    assert "Vermerk gespeichert" not in text
    assert HotlineTicket.objects.get().aufgabe.postfach == teams["ez"].postfach


def test_a_sachstandsanfrage_is_confirmed_as_such(login, staff, site, kunde):
    client = login(staff["hotline"])
    response = client.post(
        URL,
        form_data(kind="sachstandsanfrage", kunde=kunde.pk, caller_name="", reachable=""),
        follow=True,
    )
    assert "Sachstandsanfrage angelegt" in response.content.decode()


def test_a_window_outside_the_phone_hours_is_refused_at_its_field(login, staff, site):
    client = login(staff["hotline"])
    response = client.post(
        URL,
        form_data(
            reachable="zeitraum",
            reachable_date="2026-03-20",
            reachable_from="15:00",
            reachable_until="16:00",
        ),
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["reachable_from"] == [
        "Außerhalb der Telefonzeiten: Mo–Do 08:00–18:00, Fr 08:00–14:00"
    ]
    assert 'value="0202 123456"' in response.content.decode()  # the input is kept
    assert not Aufgabe.objects.exists()


def test_a_bad_number_and_a_missing_reachability_stand_at_their_fields(login, staff, site):
    client = login(staff["hotline"])
    response = client.post(URL, form_data(callback_number="123456", reachable=""))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "Vorwahl" in errors["callback_number"][0]
    assert errors["reachable"] == ["Bitte angeben, wann die Person erreichbar ist."]


def test_the_search_offers_the_customers_found(login, staff, site, kunde):
    client = login(staff["hotline"])
    response = client.post(
        URL, {"action": "suchen", "q": "Kowalski"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Kowalski, Sabine" in response.content.decode()


def test_only_the_hotline_opens_the_ticket_page(login, staff, site):
    assert login(staff["ez"]).get(URL).status_code == 403


def test_the_hotlines_information_ticket_is_not_confirmed_as_a_vermerk(login, staff, kunde):
    client = login(staff["hotline"])
    response = client.post(
        reverse("routing:vermerk_new"),
        {
            "action": "speichern",
            "kunde": kunde.pk,
            "information_type": "umzug",
            "known_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Ticket angelegt und weitergeleitet an" in text
    assert "Vermerk gespeichert" not in text


# --- the mailbox ---------------------------------------------------------------------------------


def _take(client, n=1):
    for i in range(n):
        client.post(URL, form_data(caller_name=f"Anrufer {i}"))


def test_the_mailbox_shows_the_ticket_with_its_clock(login, staff, teams, site, clock):
    _take(login(staff["hotline"]))
    client = login(staff["ez"])
    mailbox = reverse("routing:mailbox", args=[teams["ez"].postfach.pk])
    page = client.get(mailbox).content.decode()
    assert "Rückrufbitte: Frage zum Bescheid" in page
    assert "Anrufer 0" in page and "nicht im Bestand" in page
    assert "Rückruf auf ein Ticket bis 20.03.2026 15:00" in page
    assert "routing-standout" not in page
    # Friday 15:30: the callback is overdue, and says so in words.
    clock(at(15, 30, day=FRIDAY))
    client = login(staff["ez"])  # a new working day, a new session
    page = client.get(mailbox).content.decode()
    assert "Rückruf auf ein Ticket überfällig seit 20.03.2026 15:00" in page
    assert "routing-standout" in page


def test_the_team_lead_sees_it_too(login, staff, teams, site):
    _take(login(staff["hotline"]))
    page = login(staff["teamleitung"]).get(
        reverse("routing:mailbox", args=[teams["ez"].postfach.pk])
    )
    assert "Rückrufbitte: Frage zum Bescheid" in page.content.decode()


def test_the_mailbox_queries_do_not_grow_with_tickets(login, staff, teams, site):
    hotline = login(staff["hotline"])
    _take(hotline, 1)
    mailbox = reverse("routing:mailbox", args=[teams["ez"].postfach.pk])
    client = login(staff["ez"])
    with CaptureQueriesContext(connection) as one:
        client.get(mailbox)
    _take(login(staff["hotline"]), 4)
    client = login(staff["ez"])
    with CaptureQueriesContext(connection) as five:
        assert client.get(mailbox).content.decode().count("Rückrufbitte: Frage") == 5
    assert len(five) == len(one)


def test_the_identity_is_completed_on_the_ticket(login, staff, site, kunde):
    _take(login(staff["hotline"]))
    aufgabe = HotlineTicket.objects.get().aufgabe
    client = login(staff["ez"])
    item = reverse("routing:item", args=[aufgabe.pk])
    page = client.get(item).content.decode()
    assert "0202 123456" in page and "Identität ergänzen" in page
    assert "Rückruf bis" in page
    page = client.get(item, {"q": "Kowalski"}).content.decode()
    assert "Kowalski, Sabine" in page
    response = client.post(
        reverse("routing:item_identify", args=[aufgabe.pk]), {"id-kunde": kunde.pk}, follow=True
    )
    assert "Identität ergänzt: Sabine Kowalski" in response.content.decode()
    aufgabe.refresh_from_db()
    assert aufgabe.kunde == kunde
    assert "Identität ergänzen" not in client.get(item).content.decode()


def test_identifying_without_a_choice_is_refused_at_the_field(login, staff, site):
    _take(login(staff["hotline"]))
    aufgabe = HotlineTicket.objects.get().aufgabe
    response = login(staff["ez"]).post(reverse("routing:item_identify", args=[aufgabe.pk]), {})
    assert response.status_code == 422
    assert response.context["identify_form"].errors["kunde"]


@pytest.mark.parametrize(
    "bad",
    [
        {"kunde": "99999999999999999999"},
        {"kunde": "abc"},
        {"reachable": "zeitraum", "reachable_date": "2026-02-30", "reachable_from": "25:99"},
        {"kind": "beschwerde"},
    ],
)
def test_bad_input_gets_a_german_answer_and_writes_nothing(login, staff, site, bad):
    response = login(staff["hotline"]).post(URL, form_data(**bad))
    assert response.status_code == 422
    assert not Aufgabe.objects.exists()


def test_a_huge_customer_number_on_identify_is_refused(login, staff, site):
    _take(login(staff["hotline"]))
    aufgabe = HotlineTicket.objects.get().aufgabe
    response = login(staff["ez"]).post(
        reverse("routing:item_identify", args=[aufgabe.pk]), {"id-kunde": "9" * 30}
    )
    assert response.status_code == 422
