"""Rhein-Lahn 1.3: "Erstgespräche sollen in Präsenz erfolgen. … Ausnahmefälle können sein:
Vollzeit-Integrierte Kunden (Arbeit oder Ausbildung) und bei Schülern, deren Aktivierung
länger als 6 Monate in der Zukunft liegt (Ende §10-Eintrag)" (rule R-TE-08)."""

from datetime import date

import pytest
from django.urls import reverse

from appointments.errors import AppointmentError
from appointments.models import Appointment, Form, RemoteReason
from appointments.services.first_consultation import eg_book
from minimumstandards.presets import apply_preset
from tests.factories import JobcenterFactory, person, register

from .conftest import at, release

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-TE-08")]

# The clock stands at Monday 23 March 2026 08:00; the IFK's first free EG is at 09:00.
EG_DAY = date(2026, 3, 23)
EG_AT = at(EG_DAY, 9)


@pytest.fixture
def in_person(clock, profile, people, site):
    """The demo order (EG bookable at intake) with the Rhein-Lahn rule from its day."""
    profile.eg_in_person_from = date(2026, 1, 12)
    profile.save()
    release(people["ifk"], site)
    return people


def new_case(people, teams):
    return register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Jonas", "Schulz", date(2009, 2, 1), is_head=True)],
        ifk=people["ifk"],
    )


def book(people, antrag, **kwargs):
    return eg_book(
        actor=people["ez"], antrag_id=antrag.pk, caseworker=people["ifk"], starts_at=EG_AT, **kwargs
    )


@pytest.mark.parametrize("form", [Form.VIDEO, Form.TELEFON])
def test_video_or_phone_without_an_exception_is_refused(in_person, teams, form):
    antrag = new_case(in_person, teams)
    with pytest.raises(AppointmentError, match="Erstgespräche finden in Präsenz statt") as error:
        book(in_person, antrag, form=form)
    assert error.value.field == "remote_reason"
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("form", [Form.PERSOENLICH, Form.WALK_AND_TALK])
def test_in_person_needs_no_exception_and_records_none(in_person, teams, form):
    appointment = book(
        in_person, new_case(in_person, teams), form=form, remote_reason=RemoteReason.VOLLZEIT
    )
    assert appointment.form == form
    assert appointment.remote_reason == ""
    assert appointment.activation_on is None


def test_full_time_work_or_training_allows_video(in_person, teams):
    appointment = book(
        in_person, new_case(in_person, teams), form=Form.VIDEO, remote_reason=RemoteReason.VOLLZEIT
    )
    appointment.refresh_from_db()
    assert appointment.form == Form.VIDEO
    assert appointment.remote_reason == "vollzeit"
    assert appointment.activation_on is None


def test_a_pupil_needs_the_end_of_the_paragraph_10_entry(in_person, teams):
    antrag = new_case(in_person, teams)
    with pytest.raises(AppointmentError, match="Ende des § 10-Eintrags") as error:
        book(in_person, antrag, form=Form.VIDEO, remote_reason=RemoteReason.SCHUELER)
    assert error.value.field == "activation_on"
    assert not Appointment.objects.exists()


def test_a_pupil_activated_within_six_months_comes_in_person(in_person, teams):
    antrag = new_case(in_person, teams)
    # EG on 23 March 2026: six calendar months later is 23 September 2026, not "longer".
    with pytest.raises(AppointmentError, match="nicht mehr als 6 Monate") as error:
        book(
            in_person,
            antrag,
            form=Form.VIDEO,
            remote_reason=RemoteReason.SCHUELER,
            activation_on=date(2026, 9, 23),
        )
    assert error.value.field == "activation_on"
    assert "23.09.2026" in error.value.message
    assert not Appointment.objects.exists()


def test_a_pupil_activated_later_than_six_months_may_have_video(in_person, teams):
    appointment = book(
        in_person,
        new_case(in_person, teams),
        form=Form.VIDEO,
        remote_reason=RemoteReason.SCHUELER,
        activation_on=date(2026, 9, 24),
    )
    appointment.refresh_from_db()
    assert appointment.remote_reason == "schueler"
    assert appointment.activation_on == date(2026, 9, 24)


def test_without_the_rule_video_stays_open(clock, profile, people, site, teams):
    # The demo profile follows Cottbus, which has no such rule.
    assert profile.eg_in_person_from is None
    release(people["ifk"], site)
    appointment = book(people, new_case(people, teams), form=Form.VIDEO)
    assert appointment.form == Form.VIDEO
    assert appointment.remote_reason == ""


def test_before_its_valid_from_date_the_rule_does_not_apply(in_person, teams):
    in_person["ez"].jobcenter.eg_in_person_from = date(2026, 4, 1)
    in_person["ez"].jobcenter.save()
    appointment = book(in_person, new_case(in_person, teams), form=Form.VIDEO)
    assert appointment.remote_reason == ""


def test_the_presets_set_the_rule_for_rhein_lahn_only(db):
    rhein_lahn = JobcenterFactory(slug="rhein-lahn")
    apply_preset(jobcenter=rhein_lahn, name="rhein-lahn")
    assert rhein_lahn.eg_in_person_from == date(2026, 1, 12)
    assert rhein_lahn.group_event_at_application_from == date(2026, 1, 12)
    for name in ("cottbus", "deutsche-weinstrasse", "demo"):
        other = JobcenterFactory(slug=name)
        apply_preset(jobcenter=other, name=name)
        assert other.eg_in_person_from is None
        assert other.group_event_at_application_from is None


# --- the booking page -----------------------------------------------------------------------


def _slot(client, antrag):
    page = client.get(reverse("appointments:eg_search", args=[antrag.pk]))
    return page, page.context["form"].fields["slot"].widget.choices[0][0]


def test_the_page_refuses_video_at_the_field_and_keeps_the_input(in_person, teams, login):
    antrag = new_case(in_person, teams)
    client = login(in_person["ez"])
    page, slot = _slot(client, antrag)
    assert "Ausnahme, falls nicht persönlich" in page.content.decode()

    response = client.post(
        reverse("appointments:eg_book", args=[antrag.pk]),
        {
            "eg-slot": slot,
            "eg-form": "video",
            "eg-remote_reason": "schueler",
            "eg-activation_on": "2026-08-01",
        },
    )

    assert response.status_code == 422
    form = response.context["form"]
    assert "nicht mehr als 6 Monate" in form.errors["activation_on"][0]
    assert form["form"].value() == "video"
    assert form["remote_reason"].value() == "schueler"
    assert 'value="2026-08-01"' in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_page_books_video_with_the_exception_and_shows_it(in_person, teams, login):
    antrag = new_case(in_person, teams)
    client = login(in_person["ez"])
    _page, slot = _slot(client, antrag)

    response = client.post(
        reverse("appointments:eg_book", args=[antrag.pk]),
        {"eg-slot": slot, "eg-form": "video", "eg-remote_reason": "vollzeit"},
        follow=True,
    )

    appointment = Appointment.objects.get()
    assert appointment.remote_reason == "vollzeit"
    text = response.content.decode()
    assert "Ausnahme von der Präsenz" in text
    assert "in Vollzeit in Arbeit oder Ausbildung" in text
    case = client.get(reverse("intake:case_detail", args=[antrag.pk])).content.decode()
    assert "Video – Ausnahme von der Präsenz: in Vollzeit in Arbeit oder Ausbildung" in case


def test_without_the_rule_the_page_does_not_ask(clock, profile, people, site, teams, login):
    release(people["ifk"], site)
    antrag = new_case(people, teams)
    page, _slot_value = _slot(login(people["ez"]), antrag)
    assert "remote_reason" not in page.context["form"].fields
    assert "Ausnahme, falls nicht persönlich" not in page.content.decode()
