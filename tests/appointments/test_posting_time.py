"""A posted invitation leaves early enough to be received before the appointment (rule
R-TE-07, § 37 Abs. 2 SGB X: the fourth day after posting since 1 January 2025, the third
day before; the day of receipt itself is not offered)."""

from datetime import date, time

import pytest

from appointments.errors import AppointmentError
from appointments.invitations import earliest_by_post, received_by_post
from appointments.models import Appointment, Delivery, GroupEvent, Kind, Status
from appointments.services.first_consultation import eg_book
from appointments.services.follow_ups import follow_up_book
from appointments.services.group_events import group_event_invite
from appointments.services.outcomes import appointment_record_held, group_event_record
from tests.factories import person, register

from .conftest import at, release


@pytest.mark.rule("R-TE-07")
@pytest.mark.parametrize(
    ("posted", "received", "earliest"),
    [
        # Monday → Friday (four days since 2025).
        (date(2026, 11, 2), date(2026, 11, 6), date(2026, 11, 7)),
        # Tuesday → Saturday: the fiction holds on a Saturday, no shift to Monday.
        (date(2026, 11, 3), date(2026, 11, 7), date(2026, 11, 8)),
        # Under the old three-day rule: Monday 30 December 2024 → Thursday 2 January 2025.
        (date(2024, 12, 30), date(2025, 1, 2), date(2025, 1, 3)),
        (date(2024, 12, 31), date(2025, 1, 3), date(2025, 1, 4)),
        # The first day of the new rule, a holiday: Wednesday 1 January → Sunday 5 January.
        (date(2025, 1, 1), date(2025, 1, 5), date(2025, 1, 6)),
    ],
)
def test_received_on_the_fourth_day_after_posting_since_2025(posted, received, earliest):
    assert received_by_post(posted) == received
    assert earliest_by_post(posted) == earliest


@pytest.fixture
def world(clock, profile, people, teams, site):
    release(people["ifk"], site)
    release(
        people["ifk"],
        site,
        kind=Kind.FOLGEGESPRAECH,
        days=[0, 1, 3],
        starts=time(10),
        ends=time(12),
    )
    return people


@pytest.fixture
def kunde(world, teams, clock):
    antrag = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Paula", "Post", date(1980, 5, 5), is_head=True)],
        ifk=world["ifk"],
    )
    eg = eg_book(
        actor=world["ez"],
        antrag_id=antrag.pk,
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 23), 9),
    )
    clock.set(at(date(2026, 3, 23), 10, 30))
    appointment_record_held(
        actor=world["ifk"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="EG"
    )
    return eg.kunde


@pytest.mark.django_db
@pytest.mark.rule("R-TE-07")
def test_posted_follow_up_invitation_too_close_is_refused_in_person_it_may_be_sooner(world, kunde):
    # Posted on Monday 23 March 2026: received Friday 27 March; the next working day after
    # it is Monday 30 March.
    with pytest.raises(AppointmentError) as refused:
        follow_up_book(
            actor=world["ifk"],
            kunde=kunde,
            caseworker=world["ifk"],
            starts_at=at(date(2026, 3, 26), 10),
        )
    assert refused.value.field_errors == {
        "slot": "Per Post versandt gilt die Einladung erst am Freitag, 27.03.2026 als "
        "bekanntgegeben (§ 37 Abs. 2 SGB X); bitte einen Termin ab Montag, 30.03.2026 wählen "
        "oder die Einladung persönlich aushändigen."
    }
    posted = follow_up_book(
        actor=world["ifk"],
        kunde=kunde,
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 30), 10),
    )
    assert posted.delivery == Delivery.POST
    in_person = follow_up_book(
        actor=world["ifk"],
        kunde=kunde,
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 24), 10),
        delivery=Delivery.PERSOENLICH,
    )
    assert in_person.delivery == Delivery.PERSOENLICH


@pytest.mark.django_db
@pytest.mark.rule("R-TE-07")
def test_follow_up_page_explains_a_posted_invitation_too_close_and_keeps_the_input(
    login, world, kunde
):
    from django.urls import reverse

    from appointments.forms import slot_value
    from appointments.selectors import follow_up_slots

    client = login(world["ifk"])
    page = client.get(reverse("appointments:contact", args=[kunde.pk])).content.decode()
    assert "per Post" in page and "persönlich ausgehändigt" in page
    [thursday] = [
        s
        for s in follow_up_slots(caseworker=world["ifk"])
        if s.starts_at == at(date(2026, 3, 26), 10)
    ]
    response = client.post(
        reverse("appointments:follow_up_book", args=[kunde.pk]),
        {"f-slot": slot_value(thursday), "f-form": "persoenlich", "f-delivery": "post"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "gilt die Einladung erst am Freitag, 27.03.2026 als bekanntgegeben" in text
    assert f'value="{slot_value(thursday)}"' in text and "checked" in text
    assert not Appointment.objects.filter(kunde=kunde, status=Status.GEBUCHT).exists()


@pytest.mark.django_db
@pytest.mark.rule("R-TE-07")
def test_group_event_no_show_is_invited_to_an_event_after_the_day_of_receipt(
    world, teams, clock, site
):
    missed, too_soon, in_time = (
        GroupEvent.objects.create(
            jobcenter=site.jobcenter,
            standort=site,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            capacity=5,
            host=world["ifk2"],
            created_by=world["teamleitung"],
        )
        # Tuesday 24 March; Saturday 28 March is the day a letter posted on the 24th counts
        # as received, so the event that day is too soon; Tuesday 7 April is in time.
        for day in (date(2026, 3, 24), date(2026, 3, 28), date(2026, 4, 7))
    )
    antrag = register(actor=world["ez"], leistung_team=teams["leistung"], ifk=world["ifk"])
    invitation = group_event_invite(
        actor=world["ez"], kunde=antrag.applicant, standort=site, antrag=antrag
    )
    assert invitation.group_event == missed
    clock.set(at(date(2026, 3, 24), 12, 30))
    group_event_record(actor=world["ifk2"], event_id=missed.pk, present_ids=set(), text="x")
    again = Appointment.objects.get(previous=invitation)
    assert again.group_event == in_time
    assert not too_soon.participants.exists()
    assert again.delivery == Delivery.POST and again.with_rfb is True


@pytest.mark.django_db
@pytest.mark.rule("R-TE-07")
def test_group_invitation_by_post_goes_to_an_event_after_the_day_of_receipt(
    login, world, teams, site
):
    from django.urls import reverse

    soon, later = (
        GroupEvent.objects.create(
            jobcenter=site.jobcenter,
            standort=site,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            capacity=5,
            host=world["ifk2"],
            created_by=world["teamleitung"],
        )
        for day in (date(2026, 3, 24), date(2026, 4, 7))
    )
    client = login(world["ez"])
    by_post, in_person = (
        register(
            actor=world["ez"],
            leistung_team=teams["leistung"],
            persons=[person(first, "Gruppe", date(1990, 1, 2), is_head=True)],
            ifk=world["ifk"],
        )
        for first in ("Per", "Pia")
    )
    # Monday 23 March 2026: posted today, received Friday 27 March.
    for antrag, delivery in ((by_post, "post"), (in_person, "persoenlich")):
        response = client.post(
            reverse("appointments:group_invite", args=[antrag.pk]),
            {"gi-standort": site.pk, "gi-delivery": delivery},
        )
        assert response.status_code == 302
    assert Appointment.objects.get(kunde=by_post.applicant).group_event == later
    assert Appointment.objects.get(kunde=in_person.applicant).group_event == soon
