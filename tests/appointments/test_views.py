"""Pages: who may open what, outsiders get 404, query counts that do not grow with rows,
htmx partials, and the case page's booking panel."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.models import Appointment, ContactProfile, GroupEvent, Kind, Status
from appointments.selectors import eg_search
from appointments.services.first_consultation import eg_book
from appointments.services.group_events import group_event_invite
from intake.models import Antrag, ErstgespraechState
from jobcenter.roles import Role
from tests.factories import UserFactory, person, register

from .conftest import at, release

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock, profile, people, teams, site):
    for key in ("ifk", "ifk2", "ifk3"):
        release(people[key], site)
        release(
            people[key],
            site,
            kind=Kind.FOLGEGESPRAECH,
            days=[0, 1, 3],
            starts=at(date.min, 10).time(),
            ends=at(date.min, 12).time(),
        )
    return people


def new_case(world, teams, n=0):
    return register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[
            person(f"Vorname{n}", "Sicht", date(1980, 1, 1) + timedelta(days=n), is_head=True)
        ],
        ifk=world["ifk"],
    )


@pytest.fixture
def eg(world, teams):
    antrag = new_case(world, teams)
    return eg_book(
        actor=world["ez"],
        antrag_id=antrag.pk,
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )


@pytest.fixture
def outsider_ifk(db):
    return UserFactory(username="fremd-ifk", role=Role.INTEGRATION)


PAGES = {
    "detail": lambda eg: reverse("appointments:detail", args=[eg.pk]),
    "letter": lambda eg: reverse("appointments:letter", args=[eg.pk]),
    "ical": lambda eg: reverse("appointments:ical", args=[eg.pk]),
    "eg_search": lambda eg: reverse("appointments:eg_search", args=[eg.antrag_id]),
}


@pytest.mark.parametrize(
    "who, page, status",
    [
        ("ez", "detail", 200),
        ("ez", "letter", 200),
        ("ez", "ical", 200),
        ("ez", "eg_search", 200),
        ("ifk", "detail", 200),
        ("ifk", "letter", 200),
        ("ifk2", "detail", 404),  # neither the caseworker nor responsible
        ("teamleitung", "detail", 200),
        ("leistung", "detail", 403),
        ("empfang", "detail", 403),
        ("hotline", "letter", 403),
    ],
)
def test_appointment_pages_by_role(login, world, eg, who, page, status):
    assert login(world[who]).get(PAGES[page](eg)).status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_outsider_gets_404(login, eg, outsider, page):
    assert login(outsider).get(PAGES[page](eg)).status_code == 404


def test_outsider_ifk_gets_404_on_customer_windows_and_group_event(
    login, world, eg, outsider_ifk, site
):
    client = login(outsider_ifk)
    assert client.get(reverse("appointments:contact", args=[eg.kunde_id])).status_code == 404
    assert client.get(reverse("appointments:windows", args=[world["ifk"].pk])).status_code == 404
    event = GroupEvent.objects.create(
        jobcenter=site.jobcenter,
        standort=site,
        starts_at=at(date(2026, 3, 26), 10),
        ends_at=at(date(2026, 3, 26), 12),
        capacity=5,
        host=world["ifk"],
        created_by=world["ifk"],
    )
    assert client.get(reverse("appointments:group_event", args=[event.pk])).status_code == 404
    assert client.post(reverse("appointments:record_held", args=[eg.pk]), {}).status_code == 404
    assert (
        client.get(reverse("appointments:calendar") + f"?ifk={world['ifk'].pk}").status_code == 404
    )


def test_an_ifk_manages_only_their_own_calendar(login, world):
    client = login(world["ifk2"])
    assert client.get(reverse("appointments:windows", args=[world["ifk"].pk])).status_code == 404
    assert client.get(reverse("appointments:windows", args=[world["ifk2"].pk])).status_code == 200
    # The lead of the IFK's team may.
    assert (
        login(world["teamleitung"])
        .get(reverse("appointments:windows", args=[world["ifk"].pk]))
        .status_code
        == 200
    )


def test_letter_and_ical_are_files(login, world, eg):
    client = login(world["ez"])
    pdf = client.get(PAGES["letter"](eg))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    ics = client.get(PAGES["ical"](eg))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content


def test_case_page_offers_the_booking_chain_instead_of_a_free_date(login, world, teams):
    antrag = new_case(world, teams)
    page = login(world["ez"]).get(reverse("intake:case_detail", args=[antrag.pk])).content.decode()
    assert "Erstgespräch buchen" in page
    assert reverse("appointments:eg_search", args=[antrag.pk]) in page
    assert 'name="book_first_consultation-at"' not in page
    assert "Frist für das Erstgespräch" in page
    # The old free-form step is closed: the case moves only with an appointment.
    response = login(world["ez"]).post(
        reverse("intake:case_transition", args=[antrag.pk, "book_first_consultation"]),
        {
            "book_first_consultation-expected_state": "offen",
            "book_first_consultation-at": "2026-03-30T09:00",
            "book_first_consultation-ifk": world["ifk"].pk,
        },
        follow=True,
    )
    assert "über die Terminbuchung" in response.content.decode()
    assert Antrag.objects.get(pk=antrag.pk).eg_state == ErstgespraechState.OFFEN


def test_booking_through_the_pages(login, world, teams):
    antrag = new_case(world, teams)
    client = login(world["ez"])
    page = client.get(reverse("appointments:eg_search", args=[antrag.pk]))
    assert "Gefunden in Schritt 1: zuständige IFK" in page.content.decode()
    choice = page.context["form"].fields["slot"].widget.choices[0][0]
    response = client.post(
        reverse("appointments:eg_book", args=[antrag.pk]),
        {"eg-slot": choice, "eg-form": "persoenlich"},
        follow=True,
    )
    appointment = Appointment.objects.get()
    assert response.redirect_chain[-1][0] == reverse("appointments:detail", args=[appointment.pk])
    assert "Erstgespräch gebucht: 23.03.2026 09:00" in response.content.decode()


def test_booking_a_taken_slot_through_the_page_explains(login, world, teams, eg):
    antrag = new_case(world, teams, 1)
    slot = f"{world['ifk'].pk}:{int(eg.starts_at.timestamp())}"
    response = login(world["ez"]).post(
        reverse("appointments:eg_book", args=[antrag.pk]),
        {"eg-slot": slot, "eg-form": "persoenlich"},
    )
    assert response.status_code == 422
    assert "bereits vergeben" in response.content.decode()
    assert "Es wurde nichts gespeichert" in response.content.decode()


def test_outcome_form_is_an_htmx_partial(login, world, eg, clock):
    clock.set(eg.starts_at + timedelta(hours=1))
    client = login(world["ifk"])
    response = client.post(
        reverse("appointments:record_held", args=[eg.pk]),
        {
            "held-minutes": "55",
            "held-form": "persoenlich",
            "held-text": "Profiling erstellt.",
            "held-kooperationsplan": "vereinbart",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="outcome"')
    assert "qualifizierter Kontakt (Beratungsvermerk)" in body
    # Errors come back in the same region, with status 200 so that htmx swaps them in.
    again = client.post(
        reverse("appointments:record_held", args=[eg.pk]),
        {
            "held-minutes": "30",
            "held-form": "video",
            "held-text": "x",
            "held-kooperationsplan": "vereinbart",
        },
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 200
    assert "bereits ein Ergebnis erfasst" in again.content.decode()


def test_held_form_errors_without_htmx_keep_input(login, world, eg, clock):
    clock.set(eg.starts_at + timedelta(hours=1))
    response = login(world["ifk"]).post(
        reverse("appointments:record_held", args=[eg.pk]),
        {"held-minutes": "0", "held-form": "persoenlich", "held-text": "Notiz"},
    )
    assert response.status_code == 422
    assert "Notiz" in response.content.decode()
    assert Appointment.objects.get(pk=eg.pk).status == Status.GEBUCHT


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_calendar_and_worklist_queries_do_not_grow_with_rows(login, world, teams, clock):
    url = reverse("appointments:calendar")
    later = at(date(2026, 3, 26), 11)  # some appointments wait for their outcome by then

    def book_and_profile(n):
        clock.set(at(date(2026, 3, 23), 8))
        other = new_case(world, teams, n)
        slot = eg_search(antrag=other).found.slots[0]
        eg_book(
            actor=world["ez"], antrag_id=other.pk, caseworker=world["ifk"], starts_at=slot.starts_at
        )
        ContactProfile.objects.create(
            kunde=other.applicant,
            jobcenter=other.jobcenter,
            since=date(2026, 1, 1),
            next_contact_due=date(2026, 3, 25),
            interval_days=90,
        )

    def measure():
        clock.set(later)
        return _count(login(world["ifk"]), url + "?woche=2026-03-23")

    book_and_profile(0)
    measure()  # the first request fills per-process caches (content types): not counted
    before = measure()
    for n in range(1, 6):
        book_and_profile(n)
    assert measure() == before


def test_group_events_and_kpi_queries_do_not_grow_with_rows(login, world, teams, site):
    lead = login(world["teamleitung"])
    pages = [reverse("appointments:group_events"), reverse("appointments:kpi")]
    GroupEvent.objects.create(
        jobcenter=site.jobcenter,
        standort=site,
        starts_at=at(date(2026, 3, 26), 10),
        ends_at=at(date(2026, 3, 26), 12),
        capacity=30,
        host=world["ifk"],
        created_by=world["ifk"],
    )
    before = [_count(lead, p) for p in pages]
    for n in range(4):
        antrag = new_case(world, teams, n)
        group_event_invite(actor=world["ez"], kunde=antrag.applicant, standort=site, antrag=antrag)
        ContactProfile.objects.create(
            kunde=antrag.applicant,
            jobcenter=antrag.jobcenter,
            since=date(2026, 1, 1) + timedelta(days=n),
            next_contact_due=date(2026, 3, 25),
            interval_days=90,
        )
        GroupEvent.objects.create(
            jobcenter=site.jobcenter,
            standort=site,
            starts_at=at(date(2026, 4, 7) + timedelta(days=n), 10),
            ends_at=at(date(2026, 4, 7) + timedelta(days=n), 12),
            capacity=30,
            host=world["ifk2"],
            created_by=world["ifk"],
        )
    assert [_count(lead, p) for p in pages] == before


def test_windows_page_adds_and_refuses_with_german_messages(login, world, site):
    client = login(world["ifk"])
    url = reverse("appointments:window_add", args=[world["ifk"].pk])
    response = client.post(
        url,
        {
            "w-kind": "eg",
            "w-weekday": "2",
            "w-starts": "09:00",
            "w-ends": "10:00",
            "w-standort": site.pk,
            "w-valid_from": "2026-03-23",
        },
    )
    assert response.status_code == 422
    assert "außerhalb der Öffnungszeiten" in response.content.decode()
    response = client.post(
        url,
        {
            "w-kind": "folge",
            "w-weekday": "4",
            "w-starts": "10:00",
            "w-ends": "11:30",
            "w-standort": site.pk,
            "w-valid_from": "2026-03-23",
        },
        follow=True,
    )
    assert "Zeitfenster freigegeben" in response.content.decode()


def test_appointments_awaiting_an_outcome_are_on_the_ifk_worklist(login, world, eg):
    from datetime import timedelta

    from appointments.worklist import appointment_rows

    before = appointment_rows(world["ifk"], eg.starts_at - timedelta(minutes=1))
    assert not any(r.key == f"termin-{eg.pk}" for r in before)  # the case shows the EG
    after = appointment_rows(world["ifk"], eg.starts_at + timedelta(minutes=1))
    (row,) = [r for r in after if r.key == f"termin-{eg.pk}"]
    assert row.level == "warning"
    assert row.url == reverse("appointments:detail", args=[eg.pk])
    assert appointment_rows(world["ifk2"], eg.starts_at + timedelta(minutes=1)) == []
