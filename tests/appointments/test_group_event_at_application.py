"""Rhein-Lahn 1.2: "Unmittelbar nach Antragstellung meldet das Kundenbüro den Datensatz zur
Arbeitsvermittlung an und vergibt einen Termin mit Rechtsfolgenbelehrung für die nächste
Gruppenveranstaltung für Neukunden" (rule R-GV-02)."""

from datetime import date

import pytest
from django.urls import reverse

from appointments.models import Appointment, GroupEvent, Kind
from minimumstandards.presets import apply_preset
from routing.models import Aufgabe
from tests.factories import person, register

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-GV-02")]

# The clock stands at Monday 23 March 2026; the next events are on Thursdays.
THU_26 = date(2026, 3, 26)
THU_9_APRIL = date(2026, 4, 9)


def event(site, host, day, capacity=10):
    return GroupEvent.objects.create(
        jobcenter=site.jobcenter,
        standort=site,
        starts_at=at(day, 10),
        ends_at=at(day, 12),
        capacity=capacity,
        host=host,
        created_by=host,
    )


def couple_with_child():
    """Two erwerbsfähige Neukunden (39 and 36) and a child of 10, who is invited to nothing."""
    return [
        person("Erika", "Mustermann", date(1986, 5, 4), is_head=True),
        person("Max", "Mustermann", date(1989, 7, 1)),
        person("Lena", "Mustermann", date(2015, 9, 9)),
    ]


def register_couple(people, teams, **kwargs):
    return register(
        actor=people["ez"], leistung_team=teams["leistung"], persons=couple_with_child(), **kwargs
    )


def group_invitations():
    return list(
        Appointment.objects.filter(kind=Kind.GRUPPE)
        .select_related("kunde", "group_event")
        .order_by("kunde__date_of_birth")
    )


@pytest.fixture
def rhein_lahn(jobcenter):
    # The preset's own day: "tritt zum 12.01.2026 in Kraft".
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    return jobcenter


def test_a_couple_is_invited_with_rfb_to_the_next_event(clock, people, site, teams, rhein_lahn):
    first = event(site, people["ifk"], THU_26)
    event(site, people["ifk"], THU_9_APRIL)

    antrag = register_couple(people, teams)

    invited = group_invitations()
    assert [a.kunde.first_name for a in invited] == ["Erika", "Max"]
    for appointment in invited:
        assert appointment.group_event == first
        assert appointment.starts_at == at(THU_26, 10)
        assert appointment.standort == site
        assert appointment.antrag == antrag
        assert appointment.with_rfb is True
        assert appointment.rfb_text
    assert not Aufgabe.objects.filter(title__startswith="Gruppenveranstaltung").exists()


def test_a_full_event_sends_the_next_person_to_the_following_one(
    clock, people, site, teams, rhein_lahn
):
    event(site, people["ifk"], THU_26, capacity=1)
    later = event(site, people["ifk"], THU_9_APRIL)

    register_couple(people, teams)

    erika, max_ = group_invitations()
    # The one place of 26 March goes to the first of the BG; the second goes on 9 April.
    assert erika.starts_at == at(THU_26, 10)
    assert max_.group_event == later
    assert max_.starts_at == at(THU_9_APRIL, 10)


def test_no_event_with_a_place_gives_the_ez_a_task_and_the_intake_stands(
    clock, people, site, teams, rhein_lahn
):
    # No event planned at the site.
    antrag = register_couple(people, teams)

    assert antrag.pk is not None
    assert not group_invitations()
    tasks = Aufgabe.objects.filter(title__startswith="Gruppenveranstaltung").order_by("id")
    assert [t.title for t in tasks] == [
        f"Gruppenveranstaltung: kein freier Platz – bitte einladen (Kd.-Nr. {k.kundennummer})"
        for k in (antrag.persons.get(kunde__first_name=n).kunde for n in ("Erika", "Max"))
    ]
    assert all(t.postfach == teams["ez"].postfach for t in tasks)
    assert "Hauptstelle" in tasks[0].description


def test_cottbus_invites_no_one_at_the_application(clock, people, site, teams, jobcenter):
    apply_preset(jobcenter=jobcenter, name="cottbus")
    event(site, people["ifk"], THU_26)

    register_couple(people, teams)

    assert not group_invitations()
    assert not Aufgabe.objects.filter(title__startswith="Gruppenveranstaltung").exists()


def test_an_application_before_the_rule_applied_is_not_invited(
    clock, people, site, teams, rhein_lahn
):
    event(site, people["ifk"], THU_26)

    # 9 January 2026 is before the instruction's "12.01.2026".
    register_couple(people, teams, application_date=date(2026, 1, 9))

    assert not group_invitations()


def test_the_case_page_shows_the_group_event_to_hand_over(
    clock, people, site, teams, rhein_lahn, login
):
    event(site, people["ifk"], THU_26)
    antrag = register_couple(people, teams)

    page = login(people["ez"]).get(reverse("intake:case_detail", args=[antrag.pk]))

    text = page.content.decode()
    assert "Gruppenveranstaltung für Neukunden" in text
    assert "Erika Mustermann: Do 26.03.2026, 10:00–12:00 Uhr, Hauptstelle, Am Markt 1" in text
    assert "Max Mustermann: Do 26.03.2026, 10:00–12:00 Uhr" in text
    invitation = group_invitations()[0]
    assert reverse("appointments:letter", args=[invitation.pk]) in text


def test_a_call_taken_by_the_service_centre_leaves_the_invitation_to_the_ez(
    clock, people, site, teams, rhein_lahn
):
    event(site, people["ifk"], THU_26)

    antrag = register(
        actor=people["hotline"],
        leistung_team=teams["leistung"],
        channel="phone",
        id_checked=False,
        persons=[person("Ina", "Neu", date(1990, 2, 2), is_head=True)],
    )

    assert not group_invitations()
    [task] = Aufgabe.objects.filter(title__startswith="Gruppenveranstaltung")
    assert task.postfach == teams["ez"].postfach
    assert task.kunde == antrag.applicant
