"""Contact density per customer group (rule R-KD-01): the interval, the next due date,
and the contact-density deadline the scan flags."""

from datetime import date, datetime, timedelta

import pytest

from appointments.errors import AppointmentError
from appointments.models import ContactGroup, ContactProfile, CourseKind, Kind, add_months
from appointments.services.contact_density import contact_profile_save
from appointments.services.follow_ups import contact_record
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.services import scan
from minimumstandards.workdays import BERLIN, end_of_day
from routing.models import Vermerk
from tests.factories import person, register

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 23)


def customer(people, teams, born, first="Kim"):
    antrag = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[person(first, "Kontakt", born, is_head=True)],
        ifk=people["ifk"],
    )
    return antrag.applicant


@pytest.mark.parametrize(
    "born, group, graduated, new_since, days",
    [
        (date(2004, 1, 1), ContactGroup.OHNE, None, None, 30),  # U25: monthly, mandatory
        (date(2001, 3, 24), ContactGroup.MARKTFERN, None, None, 30),  # 24 until tomorrow
        (date(2001, 3, 23), ContactGroup.OHNE, None, None, 180),  # 25 today: Ü25
        (date(1980, 1, 1), ContactGroup.MARKTNAH, None, None, 90),
        (date(1980, 1, 1), ContactGroup.FALLMANAGEMENT, None, None, 90),
        (date(1980, 1, 1), ContactGroup.PARAGRAPH_10, None, None, 180),
        (date(1980, 1, 1), ContactGroup.INTEGRIERT, None, None, 180),
        (date(1980, 1, 1), ContactGroup.MARKTFERN, None, None, 180),
        (date(1980, 1, 1), ContactGroup.OHNE, None, None, 180),
        # Course graduates: monthly for the first six months after the course (rule R-KD-01).
        (date(1980, 1, 1), ContactGroup.MARKTNAH, date(2025, 10, 1), None, 30),
        (date(1980, 1, 1), ContactGroup.MARKTNAH, date(2025, 9, 22), None, 90),  # 6 months over
        # New customers: monthly recommended for six months from the EG.
        (date(1980, 1, 1), ContactGroup.MARKTFERN, None, date(2026, 1, 15), 30),
        (date(1980, 1, 1), ContactGroup.MARKTFERN, None, date(2025, 9, 1), 180),
    ],
)
def test_interval_per_group(clock, profile, people, teams, born, group, graduated, new_since, days):
    kunde = customer(people, teams, born)
    saved = contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=group,
        course_graduated_on=graduated,
        course_kind=CourseKind.FBW if graduated else "",
        new_customer_since=new_since,
        last_contact_on=date(2026, 3, 2),
    )
    assert saved.interval_days == days
    assert saved.next_contact_due == date(2026, 3, 2) + timedelta(days=days)


def test_never_more_than_180_days_and_the_deadline_is_opened_for_the_scan(
    clock, profile, people, teams
):
    kunde = customer(people, teams, date(1970, 1, 1))
    saved = contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.INTEGRIERT,
        last_contact_on=date(2025, 9, 1),
    )
    assert saved.next_contact_due == date(2026, 2, 28)  # 180 days after 1 September 2025
    deadline = Deadline.objects.get(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open")
    assert deadline.due_at == end_of_day(date(2026, 2, 28))
    assert deadline.team == teams["ue25"] and deadline.owner_user == people["ifk"]
    # Overdue today: the deadline scan flags it like every other deadline.
    scan()
    deadline.refresh_from_db()
    assert deadline.flagged_level == Deadline.Level.BREACH


@pytest.mark.rule("R-TE-04")
def test_a_qualified_contact_closes_the_deadline_and_opens_the_next(clock, profile, people, teams):
    kunde = customer(people, teams, date(1970, 1, 1))
    contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.MARKTNAH,
        last_contact_on=date(2026, 1, 5),
    )
    first = Deadline.objects.get(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open")
    appointment = contact_record(
        actor=people["ifk"],
        kunde=kunde,
        starts_at=datetime(2026, 3, 20, 14, 0, tzinfo=BERLIN),
        minutes=40,
        form="walk_and_talk",
        text="Walk and Talk im Park, Bewerbungsstrategie besprochen.",
    )
    assert appointment.kind == Kind.FOLGEGESPRAECH and appointment.qualified
    assert appointment.vermerk.kind == Vermerk.Kind.BERATUNG
    first.refresh_from_db()
    assert first.status == Deadline.Status.MET
    profile_ = ContactProfile.objects.get(kunde=kunde)
    assert profile_.last_qualified_contact_at == datetime(2026, 3, 20, 14, 0, tzinfo=BERLIN)
    assert profile_.next_contact_due == date(2026, 3, 20) + timedelta(days=90)
    nxt = Deadline.objects.get(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open")
    assert nxt.started_at == datetime(2026, 3, 20, 14, 0, tzinfo=BERLIN)
    # The group's interval (3 months) is the deadline's own window, not the 180-day maximum.
    assert nxt.due_at == end_of_day(profile_.next_contact_due)


def test_a_short_contact_does_not_reset_the_clock(clock, profile, people, teams):
    kunde = customer(people, teams, date(1970, 1, 1))
    contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.MARKTNAH,
        last_contact_on=date(2026, 1, 5),
    )
    contact_record(
        actor=people["ifk"],
        kunde=kunde,
        starts_at=datetime(2026, 3, 20, 9, tzinfo=BERLIN),
        minutes=10,
        form="telefon",
        text="Anrufversuch, kurz erreicht.",
    )
    assert ContactProfile.objects.get(kunde=kunde).next_contact_due == date(2026, 1, 5) + timedelta(
        days=90
    )
    assert (
        Deadline.objects.filter(kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open").count()
        == 1
    )


@pytest.mark.rule("R-TE-04")
def test_a_contact_cannot_be_entered_for_the_future(clock, profile, people, teams):
    from appointments.errors import AppointmentError

    kunde = customer(people, teams, date(1970, 1, 1))
    with pytest.raises(AppointmentError, match="wenn er stattgefunden hat"):
        contact_record(
            actor=people["ifk"],
            kunde=kunde,
            starts_at=datetime(2026, 3, 24, 9, tzinfo=BERLIN),
            minutes=45,
            form="persoenlich",
            text="x",
        )


def test_add_months_keeps_the_day_or_takes_the_last():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 9, 22), 6) == date(2026, 3, 22)


# --- the variants of rule R-KD-01 (Rhein-Lahn 2.4, Deutsche Weinstraße 3.1) ----------------

GRADUATED = date(2025, 10, 1)  # within six months of today (23 March 2026)


@pytest.mark.rule("R-KD-01")
@pytest.mark.parametrize(
    "kind, level, graduated, days, label",
    [
        # "Absolventen von Sprachkursen (mit mind. A2)": A2 and above monthly, A1 not.
        (
            CourseKind.SPRACHKURS,
            "A2",
            GRADUATED,
            30,
            "Absolvent/in Sprachkurs (mind. A2), erste 6 Monate (monatlich)",
        ),
        (
            CourseKind.SPRACHKURS,
            "B1",
            GRADUATED,
            30,
            "Absolvent/in Sprachkurs (mind. A2), erste 6 Monate (monatlich)",
        ),
        (CourseKind.SPRACHKURS, "A1", GRADUATED, 90, None),
        # "FbW- und Reha-Maßnahmen": no level.
        (
            CourseKind.FBW,
            "",
            GRADUATED,
            30,
            "Absolvent/in FbW-Maßnahme, erste 6 Monate (monatlich)",
        ),
        (
            CourseKind.REHA,
            "",
            GRADUATED,
            30,
            "Absolvent/in Reha-Maßnahme, erste 6 Monate (monatlich)",
        ),
        # "Absolventen einer AVGS-MAT sowie von JUWEL": recommended, for six months too.
        (
            CourseKind.AVGS_MAT,
            "",
            GRADUATED,
            30,
            "Absolvent/in AVGS-MAT, erste 6 Monate (monatlich empfohlen)",
        ),
        (
            CourseKind.JUWEL,
            "",
            GRADUATED,
            30,
            "Absolvent/in JUWEL, erste 6 Monate (monatlich empfohlen)",
        ),
        # Finished 22 September 2025: the six months ended yesterday, 22 March 2026.
        (CourseKind.JUWEL, "", date(2025, 9, 22), 90, None),
        (
            CourseKind.JUWEL,
            "",
            date(2025, 9, 23),
            30,
            "Absolvent/in JUWEL, erste 6 Monate (monatlich empfohlen)",
        ),
    ],
)
def test_graduates_per_measure(clock, profile, people, teams, kind, level, graduated, days, label):
    kunde = customer(people, teams, date(1980, 1, 1))
    saved = contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.MARKTNAH,
        course_graduated_on=graduated,
        course_kind=kind,
        language_level=level,
        last_contact_on=date(2026, 3, 2),
    )
    assert saved.interval_days == days
    labels = [text for text, _days in saved.rules_applying(TODAY, kunde.date_of_birth)]
    assert labels[0] == "marktnah, arbeitsuchend Ü25 (3 Monate)"
    assert labels[1:] == ([label] if label else [])


@pytest.mark.rule("R-KD-01")
@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"course_graduated_on": GRADUATED}, "course_kind", "welche Maßnahme"),
        ({"course_kind": CourseKind.FBW}, "course_graduated_on", "wann die Maßnahme"),
        (
            {"course_graduated_on": GRADUATED, "course_kind": CourseKind.SPRACHKURS},
            "language_level",
            "Sprachniveau angeben",
        ),
        (
            {
                "course_graduated_on": GRADUATED,
                "course_kind": CourseKind.REHA,
                "language_level": "B1",
            },
            "language_level",
            "nur zu einem Sprachkurs",
        ),
    ],
)
def test_a_graduate_needs_the_measure_and_for_a_language_course_its_level(
    clock, profile, people, teams, fields, field, message
):
    kunde = customer(people, teams, date(1980, 1, 1))
    with pytest.raises(AppointmentError, match=message) as error:
        contact_profile_save(actor=people["ifk"], kunde=kunde, group=ContactGroup.OHNE, **fields)
    assert error.value.field == field
    assert not ContactProfile.objects.filter(kunde=kunde).exists()


@pytest.mark.rule("R-KD-01")
def test_totalverweigerer_only_with_the_documented_attempts(clock, profile, people, teams):
    kunde = customer(people, teams, date(1980, 1, 1))
    for fields, field in (
        ({"refusal_documentation": "Drei Einladungen, zwei Anrufe."}, "refusal_documented_on"),
        ({"refusal_documented_on": date(2026, 3, 16)}, "refusal_documentation"),
        (
            {"refusal_documented_on": date(2026, 3, 16), "refusal_documentation": "   "},
            "refusal_documentation",
        ),
    ):
        with pytest.raises(AppointmentError, match="erst nach intensiven Versuchen") as error:
            contact_profile_save(
                actor=people["ifk"], kunde=kunde, group=ContactGroup.TOTALVERWEIGERER, **fields
            )
        assert error.value.field == field
    saved = contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.TOTALVERWEIGERER,
        refusal_documented_on=date(2026, 3, 16),
        refusal_documentation="Drei Einladungen mit RFB, zwei Anrufe, ein Hausbesuch.",
        last_contact_on=date(2026, 3, 2),
    )
    assert saved.interval_days == 180
    assert saved.refusal_documented_on == date(2026, 3, 16)
    # Another group later: the documentation no longer stands on the profile.
    saved = contact_profile_save(actor=people["ifk"], kunde=kunde, group=ContactGroup.MARKTNAH)
    assert saved.refusal_documented_on is None and saved.refusal_documentation == ""


@pytest.mark.rule("R-KD-01")
def test_an_under_25_totalverweigerer_is_still_seen_monthly(clock, profile, people, teams):
    kunde = customer(people, teams, date(2004, 1, 1))  # 22 today
    saved = contact_profile_save(
        actor=people["ifk"],
        kunde=kunde,
        group=ContactGroup.TOTALVERWEIGERER,
        refusal_documented_on=date(2026, 3, 16),
        refusal_documentation="Drei Einladungen, zwei Anrufe.",
        last_contact_on=date(2026, 3, 2),
    )
    assert saved.rules_applying(TODAY, kunde.date_of_birth) == [
        ("Totalverweigerer nach dokumentierten intensiven Versuchen (bis 6 Monate)", 180),
        ("unter 25 Jahre (monatlich)", 30),
    ]
    assert saved.interval_days == 30
    assert saved.next_contact_due == date(2026, 4, 1)  # 30 days after 2 March


@pytest.mark.rule("R-KD-01")
def test_a_rechtskreiswechsler_counts_as_new_from_the_first_consultation(
    clock, profile, people, teams
):
    # Not a Neukunde by the verdict's rules or not: no EG booked, a first Folgegespräch held.
    antrag = register(
        actor=people["ez"],
        leistung_team=teams["leistung"],
        persons=[
            person("Rita", "Wechsel", date(1970, 5, 5), is_head=True, rechtskreiswechsel=True)
        ],
        ifk=people["ifk"],
    )
    kunde = antrag.applicant
    assert kunde.hauptbetreuung_switched_on == TODAY
    contact_record(
        actor=people["ifk"],
        kunde=kunde,
        starts_at=datetime(2026, 3, 23, 7, 0, tzinfo=BERLIN),
        minutes=45,
        form="persoenlich",
        text="Erstes Gespräch nach dem Rechtskreiswechsel.",
    )
    saved = ContactProfile.objects.get(kunde=kunde)
    assert saved.new_customer_since == TODAY
    assert saved.rules_applying(TODAY, kunde.date_of_birth) == [
        ("keine besondere Gruppe (höchstens 180 Tage)", 180),
        ("Rechtskreiswechsel wie Neukunde, erste 6 Monate (monatlich empfohlen)", 30),
    ]
    assert saved.next_contact_due == date(2026, 4, 22)  # 30 days after 23 March

    # Someone else's first Folgegespräch starts no new-customer months.
    other = customer(people, teams, date(1970, 5, 5), first="Olaf")
    contact_record(
        actor=people["ifk"],
        kunde=other,
        starts_at=datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN),
        minutes=45,
        form="persoenlich",
        text="Folgegespräch.",
    )
    assert ContactProfile.objects.get(kunde=other).new_customer_since is None


@pytest.mark.rule("R-KD-01")
def test_fallmanagement_and_projects_follow_their_own_concept_where_the_jobcenter_says_so(
    clock, profile, people, teams, jobcenter, login
):
    from django.urls import reverse

    from jobcenter.models import User
    from minimumstandards.presets import apply_preset

    people["ifk"].contact_concept = User.ContactConcept.FALLMANAGEMENT
    people["ifk"].save()
    kunde = customer(people, teams, date(1980, 1, 1))
    # The demo profile follows Rhein-Lahn: Fallmanagement is a group of 3 months, the clock runs.
    assert not jobcenter.own_contact_concepts
    contact_profile_save(
        actor=people["ifk"], kunde=kunde, group=ContactGroup.FALLMANAGEMENT, last_contact_on=TODAY
    )
    assert Deadline.objects.filter(
        kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open"
    ).exists()

    # Deutsche Weinstraße: "Die Fallmanager*innen, sowie die Mitarbeitenden in Projekten sind
    # von dieser Regelung ausgenommen."
    apply_preset(jobcenter=jobcenter, name="deutsche-weinstrasse")
    jobcenter.refresh_from_db()
    assert jobcenter.own_contact_concepts
    saved = contact_profile_save(
        actor=people["ifk"], kunde=kunde, group=ContactGroup.FALLMANAGEMENT
    )
    assert saved.interval_days == 90  # still shown, but no clock runs
    assert not Deadline.objects.filter(
        kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open"
    ).exists()
    page = login(people["ifk"]).get(reverse("appointments:contact", args=[kunde.pk]))
    assert "betreut im Fallmanagement: eigenes Kontaktkonzept" in page.content.decode()

    people["ifk"].contact_concept = User.ContactConcept.PROJEKT
    people["ifk"].save()
    page = login(people["ifk"]).get(reverse("appointments:contact", args=[kunde.pk]))
    assert "betreut im Projekt: eigenes Kontaktkonzept" in page.content.decode()

    # A customer of an IFK without an own concept keeps the 180 days.
    people["ifk"].contact_concept = ""
    people["ifk"].save()
    contact_profile_save(actor=people["ifk"], kunde=kunde, group=ContactGroup.OHNE)
    assert Deadline.objects.filter(
        kunde=kunde, kind=RuleKind.CONTACT_DENSITY, status="open"
    ).exists()


@pytest.mark.rule("R-KD-01")
def test_the_profile_form_refuses_a_totalverweigerer_at_the_field_and_keeps_the_input(
    clock, profile, people, teams, login
):
    from django.urls import reverse

    kunde = customer(people, teams, date(1980, 1, 1))
    response = login(people["ifk"]).post(
        reverse("appointments:contact_profile", args=[kunde.pk]),
        {
            "p-group": "totalverweigerer",
            "p-refusal_documentation": "Drei Einladungen ohne Reaktion.",
            "p-course_kind": "",
            "p-language_level": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "bitte angeben, seit wann sie dokumentiert sind" in body
    assert 'id="id_p-refusal_documented_on"' in body and 'aria-invalid="true"' in body
    assert "Drei Einladungen ohne Reaktion." in body
    assert not ContactProfile.objects.filter(kunde=kunde).exists()
