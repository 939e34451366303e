"""The Kooperationsplan (rule R-KO-01): agreed at the EG or one of the seed's exceptions,
updated at the latest every six calendar months, each time a deadline."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse

from appointments.errors import AppointmentError
from appointments.models import Appointment, Kind, Kooperationsplan, Status
from appointments.selectors import eg_search
from appointments.services.first_consultation import eg_book
from appointments.services.kooperationsplan import kooperationsplan_update
from appointments.services.outcomes import appointment_record_held
from minimumstandards.models import Deadline, DeadlineRule, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN, end_of_day
from tests.factories import person, register

from .conftest import release

pytestmark = [pytest.mark.django_db, pytest.mark.rule("R-KO-01")]
Outcome = Kooperationsplan.Outcome


@pytest.fixture
def eg(clock, profile, people, teams, site):
    """An EG on Monday 23 March 2026 09:00 with the customer's IFK, one hour later."""
    release(people["ifk"], site)
    antrag = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Erika", "Plan", date(1985, 3, 27), is_head=True)],
        ifk=people["ifk"],
    )
    when = eg_search(antrag=antrag).found.slots[0].starts_at
    appointment = eg_book(
        actor=people["ez"], antrag_id=antrag.pk, caseworker=people["ifk"], starts_at=when
    )
    assert appointment.starts_at == datetime(2026, 3, 23, 9, 0, tzinfo=BERLIN)
    clock.set(appointment.starts_at + timedelta(minutes=90))
    return appointment


def held(people, eg, **plan):
    return appointment_record_held(
        actor=people["ifk"],
        appointment_id=eg.pk,
        minutes=60,
        form="persoenlich",
        text="Profiling, Ziel und erste Schritte besprochen.",
        **plan,
    )


def open_review(kunde):
    return Deadline.objects.get(kunde=kunde, kind=RuleKind.KOOPERATIONSPLAN, status="open")


def test_agreed_at_the_eg_is_to_be_updated_within_six_months(people, eg):
    held(people, eg, kooperationsplan=Outcome.VEREINBART)
    plan = Kooperationsplan.objects.get(kunde=eg.kunde)
    assert plan.outcome == Outcome.VEREINBART and plan.appointment == eg
    assert plan.on == date(2026, 3, 23)
    # "spätestens nach Ablauf von jeweils sechs Monaten": 23 March → 23 September 2026.
    assert plan.next_review_due == date(2026, 9, 23)
    deadline = open_review(eg.kunde)
    assert deadline.due_at == end_of_day(date(2026, 9, 23))
    assert deadline.owner_user == people["ifk"]
    assert deadline.rule.source == "Jobcenter Rhein-Lahn, Kundenprozess, Abschnitt 2.7"


@pytest.mark.parametrize("outcome", [Outcome.PARAGRAPH_10, Outcome.BESCHAEFTIGT])
def test_an_exception_of_the_seed_is_recorded_and_starts_no_clock(people, eg, outcome):
    held(people, eg, kooperationsplan=outcome)
    plan = Kooperationsplan.objects.get(kunde=eg.kunde)
    assert plan.outcome == outcome and plan.next_review_due is None
    assert not Deadline.objects.filter(kunde=eg.kunde, kind=RuleKind.KOOPERATIONSPLAN).exists()


def test_another_reason_needs_its_text_and_nothing_is_saved_without(people, eg):
    with pytest.raises(AppointmentError, match="besonderen Umstand") as error:
        held(people, eg, kooperationsplan=Outcome.SONSTIGES, kooperationsplan_reason="  ")
    assert error.value.field == "kooperationsplan_reason"
    assert Appointment.objects.get(pk=eg.pk).status == Status.GEBUCHT
    assert not Kooperationsplan.objects.exists()
    held(
        people,
        eg,
        kooperationsplan=Outcome.SONSTIGES,
        kooperationsplan_reason="Kundin ab 1. April in Vollzeit-Umschulung beim Träger.",
    )
    plan = Kooperationsplan.objects.get(kunde=eg.kunde)
    assert plan.reason_text == "Kundin ab 1. April in Vollzeit-Umschulung beim Träger."


def test_updating_meets_the_deadline_and_opens_the_next(clock, people, eg):
    held(people, eg, kooperationsplan=Outcome.VEREINBART)
    first = open_review(eg.kunde)
    # Updated on Monday 31 August 2026: on time (due 23 September).
    clock.set(datetime(2026, 8, 31, 10, 0, tzinfo=BERLIN))
    plan = kooperationsplan_update(actor=people["ifk"], kunde=eg.kunde, on=date(2026, 8, 31))
    first.refresh_from_db()
    assert first.status == Deadline.Status.MET
    assert plan.outcome == Outcome.FORTGESCHRIEBEN
    # 31 August + six months: February has no 31st, so its last day, 28 February 2027.
    assert plan.next_review_due == date(2027, 2, 28)
    nxt = open_review(eg.kunde)
    assert nxt.due_at == end_of_day(date(2027, 2, 28))
    assert nxt.started_at == datetime(2026, 8, 31, 10, 0, tzinfo=BERLIN)


def test_an_update_may_not_be_in_the_future_or_before_the_last_entry(clock, people, eg):
    held(people, eg, kooperationsplan=Outcome.VEREINBART)
    for day in (date(2026, 3, 24), date(2026, 3, 20)):
        with pytest.raises(AppointmentError) as error:
            kooperationsplan_update(actor=people["ifk"], kunde=eg.kunde, on=day)
        assert error.value.field == "on"
    assert Kooperationsplan.objects.filter(kunde=eg.kunde).count() == 1


def test_after_an_exception_the_first_plan_counts_as_agreed(clock, people, eg):
    held(people, eg, kooperationsplan=Outcome.PARAGRAPH_10)
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN))
    plan = kooperationsplan_update(actor=people["ifk"], kunde=eg.kunde, on=date(2026, 5, 29))
    assert plan.outcome == Outcome.VEREINBART
    assert plan.next_review_due == date(2026, 11, 29)
    # A day in the past: the clock starts on that day, not today.
    assert open_review(eg.kunde).due_at == end_of_day(date(2026, 11, 29))


def test_only_the_rhein_lahn_and_demo_profiles_have_the_deadline(jobcenter):
    for name, has in (
        ("cottbus", False),
        ("deutsche-weinstrasse", False),
        ("rhein-lahn", True),
        ("demo", True),
    ):
        apply_preset(jobcenter=jobcenter, name=name)
        rules = DeadlineRule.objects.filter(jobcenter=jobcenter, kind=RuleKind.KOOPERATIONSPLAN)
        assert rules.exists() == has, name
        DeadlineRule.objects.filter(jobcenter=jobcenter).delete()


def test_the_eg_form_asks_for_the_plan_and_the_customer_page_updates_it(clock, login, people, eg):
    client = login(people["ifk"])
    page = client.get(reverse("appointments:detail", args=[eg.pk])).content.decode()
    assert "Kooperationsplan vereinbart" in page
    assert "§ 10 SGB II" in page
    response = client.post(
        reverse("appointments:record_held", args=[eg.pk]),
        {
            "held-minutes": "60",
            "held-form": "persoenlich",
            "held-text": "Profiling erstellt.",
            "held-kooperationsplan": "sonstiges",
        },
    )
    assert response.status_code == 422
    assert "besonderen Umstand" in response.content.decode()
    response = client.post(
        reverse("appointments:record_held", args=[eg.pk]),
        {
            "held-minutes": "60",
            "held-form": "persoenlich",
            "held-text": "Profiling erstellt.",
            "held-kooperationsplan": "vereinbart",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("appointments:contact", args=[eg.kunde_id])).content.decode()
    assert "spätestens fortzuschreiben bis Mi 23.09.2026" in page
    url = reverse("appointments:kooperationsplan_update", args=[eg.kunde_id])
    refused = client.post(url, {"k-on": "24.03.2026"})
    assert refused.status_code == 422
    assert "nicht in der Zukunft" in refused.content.decode()
    assert "24.03.2026" in refused.content.decode()
    assert client.post(url, {"k-on": "23.03.2026"}).status_code == 302
    assert Kooperationsplan.objects.filter(kunde=eg.kunde).first().outcome == (
        Outcome.FORTGESCHRIEBEN
    )


def test_a_follow_up_form_does_not_ask_for_the_plan(clock, login, people, eg):
    appointment = Appointment.objects.get(pk=eg.pk)
    assert appointment.kind == Kind.ERSTGESPRAECH
    from appointments.forms import HeldForm

    assert "kooperationsplan" not in HeldForm(prefix="held").fields
    assert "kooperationsplan" in HeldForm(prefix="held", first_consultation=True).fields
    assert time(9) == appointment.starts_at.astimezone(BERLIN).time()
