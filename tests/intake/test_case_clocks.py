"""The case's clocks and case rules of issue 11: the first consultation per person, the
Rhein-Lahn order, Versagung after the written notice, the five parts of the entry check,
pauses in the figures and the Fallabschluss.

Expected figures are worked out by hand from the seeds' words (in the comments).
"""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Antrag, AntragState, Kunde
from intake.services import CaseConflict, antrag_transition
from intake.states import EntryCheckPart
from minimumstandards.dashboard import counts_per_rule
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.services import deadline_pause, deadline_resume, deadlines_close
from minimumstandards.workdays import BERLIN, format_due
from routing.models import Aufgabe
from tests.factories import completes_documents, person, register, settle_checklist

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def step(antrag, actor, name, comment="", **params):
    field = "eg_state" if "first_consultation" in name else "state"
    if completes_documents(name, params):
        settle_checklist(antrag)
    return antrag_transition(
        actor=actor,
        antrag_id=antrag.pk,
        name=name,
        expected_state=getattr(Antrag.objects.get(pk=antrag.pk), field),
        comment=comment,
        **params,
    )


def years_ago(n: int, today=None) -> date:
    today = today or TODAY()
    return today.replace(year=today.year - n) - timedelta(days=10)


def eg_clocks(antrag):
    return antrag.deadlines.filter(kind=RuleKind.FIRST_CONSULTATION, status="open")


# --- 1. The first consultation's clock per person -----------------------------------------


@pytest.mark.rule("R-EG-01")
def test_cottbus_family_of_three_gets_two_eg_clocks_one_per_adult(jobcenter, staff, teams, login):
    """Cottbus 4: "mit den erwerbsfähigen Leistungsberechtigten … innerhalb von 15
    Arbeitstagen": two adults (40, 37) and a child of 13: two clocks, not three, not one."""
    apply_preset(jobcenter=jobcenter, name="cottbus")
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[
            person("Anna", "Kowalski", years_ago(40), is_head=True),
            person("Piotr", "Kowalski", years_ago(37)),
            person("Lena", "Kowalski", years_ago(13)),
        ],
    )
    clocks = eg_clocks(antrag)
    assert sorted(clocks.values_list("kunde__first_name", flat=True)) == ["Anna", "Piotr"]
    page = login(staff["leistung"]).get(reverse("intake:case_detail", args=[antrag.pk]))
    text = page.content.decode()
    assert "Erstgespräch: Anna Kowalski" in text
    assert "Erstgespräch: Piotr Kowalski" in text
    assert "Erstgespräch: Lena Kowalski" not in text


@pytest.mark.rule("R-EG-01")
@pytest.mark.parametrize(
    "kind, born, last_benefit_end",
    [
        # A Weiterbewilligung of a 70-year-old: neither a first application nor below the
        # § 7a limit.
        (Antrag.Kind.WEITERBEWILLIGUNG, 70, None),
        # A 70-year-old's Erstantrag: past the § 7a limit (67 at the latest).
        (Antrag.Kind.ERSTANTRAG, 70, None),
        # A Weiterbewilligung of a 40-year-old: no first consultation standard.
        (Antrag.Kind.WEITERBEWILLIGUNG, 40, None),
        # Not a Neukunde: benefit ended 30 days ago, Cottbus needs more than 182 days.
        (Antrag.Kind.ERSTANTRAG, 40, 30),
    ],
)
def test_no_eg_clock_for_who_is_not_an_erwerbsfaehiger_neukunde(
    jobcenter, staff, teams, kind, born, last_benefit_end
):
    apply_preset(jobcenter=jobcenter, name="cottbus")
    ended = TODAY() - timedelta(days=last_benefit_end) if last_benefit_end else None
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        kind=kind,
        persons=[person("Otto", "Alt", years_ago(born), is_head=True, last_benefit_end=ended)],
    )
    assert not eg_clocks(antrag).exists()


@pytest.mark.rule("R-EN-01")
def test_cottbus_decision_clock_for_erstantraege_only(jobcenter, staff, teams):
    """Cottbus 4: "Die Erstanträge … innerhalb von 14 Arbeitstagen": a
    Weiterbewilligung gets no decision clock."""
    apply_preset(jobcenter=jobcenter, name="cottbus")
    first = register(actor=staff["ez"], leistung_team=teams["leistung"])
    again = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        kind=Antrag.Kind.WEITERBEWILLIGUNG,
        persons=[person("Willi", "Weiter", date(1980, 1, 5), is_head=True)],
    )
    for antrag in (first, again):
        step(
            antrag,
            staff["leistung"],
            "complete_entry_check",
            documents_complete=True,
            entry_check_parts=list(EntryCheckPart.values),
        )
    assert first.deadlines.filter(kind=RuleKind.DECISION).count() == 1
    assert not again.deadlines.filter(kind=RuleKind.DECISION).exists()


# --- 2. Rhein-Lahn: the clock from the approval, the EZ books --------------------------------


@pytest.mark.rule("R-EG-02")
def test_rhein_lahn_approval_starts_the_eg_clock_and_gives_the_ez_the_booking(
    jobcenter, staff, teams
):
    """RL 1.3: "innerhalb von 10 Arbeitstagen nach Feststellung des Leistungsanspruches";
    "informiert der Leistungsbereich zeitgleich mit der Feststellung … das Kundenbüro"."""
    apply_preset(jobcenter=jobcenter, name="rhein-lahn", valid_from=date(2020, 1, 1))
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    assert not eg_clocks(antrag).exists()
    step(antrag, staff["leistung"], "complete_entry_check", documents_complete=True)
    step(antrag, staff["leistung"], "approve")
    assert eg_clocks(antrag).count() == 1
    task = Aufgabe.objects.get(
        title__startswith="Leistungsanspruch bestätigt – Erstgespräch buchen"
    )
    assert task.postfach == teams["ez"].postfach
    step(antrag, staff["leistung"], "hand_to_integration")
    assert antrag.deadlines.filter(kind=RuleKind.FIRST_CONSULTATION).count() == 1


@pytest.mark.rule("R-EG-01")
def test_cottbus_approval_gives_the_ez_no_booking_task(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="cottbus")
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    step(antrag, staff["leistung"], "complete_entry_check", documents_complete=True)
    step(antrag, staff["leistung"], "approve")
    assert not Aufgabe.objects.filter(postfach=teams["ez"].postfach).exists()
    assert eg_clocks(antrag).count() == 1  # from the application, as before


# --- 4. Versagung after the written notice --------------------------------------------------


def _missing_documents_since(antrag, actor, days_ago: int):
    step(antrag, actor, "complete_entry_check", documents_complete=False)
    Antrag.objects.filter(pk=antrag.pk).update(application_date=TODAY() - timedelta(days=days_ago))
    antrag.refresh_from_db()
    return antrag


def _offered(client, antrag) -> str:
    return client.get(reverse("intake:case_detail", args=[antrag.pk])).content.decode()


@pytest.mark.rule("R-FR-02")
def test_versagung_never_on_the_day_of_the_application(profile_demo, staff, teams, login):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    step(antrag, staff["leistung"], "complete_entry_check", documents_complete=False)
    deny_url = reverse("intake:case_transition", args=[antrag.pk, "deny_for_non_cooperation"])
    assert f'action="{deny_url}"' not in _offered(login(staff["leistung"]), antrag)
    with pytest.raises(CaseConflict):
        step(antrag, staff["leistung"], "deny_for_non_cooperation", comment="keine Mitwirkung")


@pytest.mark.rule("R-FR-02")
def test_versagung_only_after_the_notice_deadline_passed(profile_demo, staff, teams, login):
    """§ 66 Abs. 3 SGB I: notice sent 10 days after the application with 10 days to
    answer: while the deadline runs (and on its last day) no Versagung; the day after, it
    is offered and the BG's registration for placement ends that day."""
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person(is_head=True), person("Max", "Mustermann", date(1983, 6, 1))],
    )
    antrag = _missing_documents_since(antrag, staff["leistung"], 20)
    client = login(staff["leistung"])
    notice_url = reverse("intake:case_transition", args=[antrag.pk, "send_cooperation_notice"])
    response = client.post(
        notice_url,
        {
            "send_cooperation_notice-expected_state": AntragState.UNTERLAGEN_FEHLEN,
            "send_cooperation_notice-notice_sent_on": (TODAY() - timedelta(days=10)).strftime(
                "%d.%m.%Y"
            ),
            "send_cooperation_notice-notice_deadline": TODAY().strftime("%d.%m.%Y"),
        },
    )
    assert response.status_code == 302
    antrag.refresh_from_db()
    assert antrag.cooperation_notice_deadline == TODAY()
    # The deadline's last day is today: not passed yet.
    deny_url = reverse("intake:case_transition", args=[antrag.pk, "deny_for_non_cooperation"])
    assert f'action="{deny_url}"' not in _offered(client, antrag)
    with pytest.raises(CaseConflict):
        step(antrag, staff["leistung"], "deny_for_non_cooperation", comment="keine Mitwirkung")
    # The Versagung clock still runs (documents not complete).
    assert antrag.deadlines.filter(kind=RuleKind.VERSAGUNG, status="open").exists()
    Antrag.objects.filter(pk=antrag.pk).update(
        cooperation_notice_deadline=TODAY() - timedelta(days=1)
    )
    assert f'action="{deny_url}"' in _offered(client, antrag)
    step(antrag, staff["leistung"], "deny_for_non_cooperation", comment="keine Mitwirkung")
    members = Kunde.objects.filter(antrag_persons__antrag=antrag)
    assert members.count() == 2
    assert set(members.values_list("placement_registration_ended_on", flat=True)) == {TODAY()}
    page = client.get(reverse("intake:customer_detail", args=[antrag.applicant_id]))
    assert "Anmeldung zur Arbeitsvermittlung" in page.content.decode()


@pytest.mark.rule("R-FR-02")
def test_no_versagung_once_documents_are_complete(profile_demo, staff, teams):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    antrag = _missing_documents_since(antrag, staff["leistung"], 20)
    step(
        antrag,
        staff["leistung"],
        "send_cooperation_notice",
        notice_sent_on=TODAY() - timedelta(days=18),
        notice_deadline=TODAY() - timedelta(days=4),
    )
    step(antrag, staff["leistung"], "confirm_documents_complete")
    with pytest.raises(CaseConflict):
        step(antrag, staff["leistung"], "deny_for_non_cooperation", comment="keine Mitwirkung")
    assert antrag.deadlines.get(kind=RuleKind.VERSAGUNG).status == Deadline.Status.CANCELLED


@pytest.mark.rule("R-FR-02")
def test_a_notice_before_the_application_or_with_a_deadline_before_it_is_refused(
    profile_demo, staff, teams
):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    antrag = _missing_documents_since(antrag, staff["leistung"], 5)
    with pytest.raises(CaseConflict, match="nicht vor dem Antrag"):
        step(
            antrag,
            staff["leistung"],
            "send_cooperation_notice",
            notice_sent_on=TODAY() - timedelta(days=6),
            notice_deadline=TODAY() + timedelta(days=7),
        )
    with pytest.raises(CaseConflict, match="nach dem Versanddatum"):
        step(
            antrag,
            staff["leistung"],
            "send_cooperation_notice",
            notice_sent_on=TODAY(),
            notice_deadline=TODAY(),
        )


# --- 5. The five parts of the entry check ----------------------------------------------------


@pytest.mark.rule("R-FR-01")
def test_entry_check_records_its_five_parts(profile_demo, staff, teams, login):
    """RL 1.1: "Leistungsberatung, Vorprüfung der Hilfebedürftigkeit, Klärung vorrangiger
    Ansprüche, Identitätsprüfung, Zusammenstellung der notwendigen Vordrucke"."""
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    client = login(staff["leistung"])
    url = reverse("intake:case_transition", args=[antrag.pk, "complete_entry_check"])
    form = {
        "complete_entry_check-expected_state": AntragState.ERFASST,
        "complete_entry_check-documents_complete": "0",
        "complete_entry_check-entry_check_parts": [
            "benefits_advice",
            "need",
            "priority_claims",
            "forms",
        ],
    }
    response = client.post(url, form)
    assert response.status_code == 422
    assert "Es fehlt: Identitätsprüfung" in response.content.decode()
    antrag.refresh_from_db()
    assert antrag.state == AntragState.ERFASST
    form["complete_entry_check-entry_check_parts"].append("identity")
    assert client.post(url, form).status_code == 302
    antrag.refresh_from_db()
    assert sorted(antrag.entry_check_parts) == sorted(
        ["benefits_advice", "need", "priority_claims", "identity", "forms"]
    )
    page = _offered(client, antrag)
    assert "Eingangsprüfung erledigt" in page
    assert "Klärung vorrangiger Ansprüche" in page
    # The service refuses an entry check with a part left out.
    other = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Ina", "Neu", date(1990, 2, 2), is_head=True)],
    )
    with pytest.raises(CaseConflict, match="Vordrucke"):
        step(
            other,
            staff["leistung"],
            "complete_entry_check",
            documents_complete=False,
            entry_check_parts=["benefits_advice", "need", "priority_claims", "identity"],
        )


# --- 6. A pause moves no due moment of the figures -----------------------------------------


@pytest.mark.rule("R-ZT-01")
def test_a_pause_does_not_hide_a_breach_in_the_figures(profile_demo, staff, teams):
    """Domain §8: the figures count against the original due moment; paused clocks show as
    paused. A Versagung clock (24 days) started 30 days ago, paused 27 days ago and
    resumed today, met today: late (due 6 days ago), though its extended date is later."""
    started = timezone.now() - timedelta(days=30)
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        application_date=timezone.localdate(started),
        received_at=started,
    )
    versagung = antrag.deadlines.get(kind=RuleKind.VERSAGUNG)
    original_due = versagung.due_at
    deadline_pause(actor=staff["leistung"], deadline_id=versagung.pk, reason="Reha-Antrag")
    Deadline.objects.filter(pk=versagung.pk).update(paused_at=started + timedelta(days=3))
    figures = {c.kind: c for c in counts_per_rule(Deadline.objects.all(), timezone.now())}
    assert figures[RuleKind.VERSAGUNG].breached == 1
    assert figures[RuleKind.VERSAGUNG].paused == 1
    resumed = deadline_resume(actor=staff["leistung"], deadline_id=versagung.pk)
    assert resumed.due_at == original_due
    assert resumed.extended_due_at > timezone.now()
    # Closed today by its completing event: late against the original due moment.
    deadlines_close(antrag=antrag, completing_event="decision", at=timezone.now())
    resumed.refresh_from_db()
    assert resumed.status == Deadline.Status.LATE


# --- 7. The Fallabschluss within 4 weeks -------------------------------------------------------


@pytest.mark.rule("R-EN-04")
def test_fallabschluss_due_four_weeks_after_the_benefit_ended(jobcenter, staff, teams):
    """RL 3.1: "Nach Abschluss eines Leistungsfalls ist innerhalb von 4 Wochen der
    Fallabschluss zu bearbeiten": benefit ended Friday 27.02.2026; 4 weeks = 28 calendar
    days → end of Friday 27.03.2026 (still CET, summer time starts 29.03.)."""
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        application_date=date(2026, 2, 2),
        received_at=datetime(2026, 2, 2, 9, 0, tzinfo=BERLIN),
    )
    settle_checklist(antrag)
    for name, day, extra in [
        ("complete_entry_check", 3, {"documents_complete": True}),
        ("approve", 10, {}),
    ]:
        antrag_transition(
            actor=staff["leistung"],
            antrag_id=antrag.pk,
            name=name,
            expected_state=None,
            occurred_at=datetime(2026, 2, day, 10, 0, tzinfo=BERLIN),
            **extra,
        )
    antrag_transition(
        actor=staff["leistung"],
        antrag_id=antrag.pk,
        name="end_benefit",
        expected_state=None,
        comment="Arbeitsaufnahme, kein Bedarf mehr",
        occurred_at=datetime(2026, 2, 27, 10, 0, tzinfo=BERLIN),
    )
    closure = antrag.deadlines.get(kind=RuleKind.CASE_CLOSURE)
    assert format_due(closure.due_at) == "2026-03-27T23:59:59+01:00"
    assert closure.team == teams["leistung"]
    antrag_transition(
        actor=staff["leistung"],
        antrag_id=antrag.pk,
        name="record_case_closure",
        expected_state=None,
        occurred_at=datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN),
    )
    closure.refresh_from_db()
    assert closure.status == Deadline.Status.MET
    antrag.refresh_from_db()
    assert antrag.state == AntragState.FALL_ABGESCHLOSSEN
    assert antrag.is_closed


@pytest.fixture
def profile_demo(jobcenter):
    apply_preset(jobcenter=jobcenter, name="demo")
    return jobcenter
