from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from intake.models import Antrag, AntragState, ErstgespraechState
from intake.services import CaseConflict, antrag_transition
from jobcenter.models import AuditEvent, Jobcenter
from routing.models import Aufgabe
from tests.factories import completes_documents, register, settle_checklist

pytestmark = pytest.mark.django_db


def move(antrag, actor, name, expected=None, comment="", **params):
    field = "eg_state" if "first_consultation" in name else "state"
    if completes_documents(name, params):
        settle_checklist(antrag)
    return antrag_transition(
        actor=actor,
        antrag_id=antrag.pk,
        name=name,
        expected_state=expected if expected is not None else getattr(antrag, field),
        comment=comment,
        **params,
    )


def to_decision(antrag, actor):
    return move(antrag, actor, "complete_entry_check", documents_complete=True)


def ready_for_versagung(antrag, actor):
    """Documents missing, the written notice sent and its deadline passed (rule R-FR-02):
    application 20 days ago, notice 18 days ago with a deadline 4 days ago."""
    today = timezone.localdate()
    antrag = move(antrag, actor, "complete_entry_check", documents_complete=False)
    Antrag.objects.filter(pk=antrag.pk).update(application_date=today - timedelta(days=20))
    antrag.refresh_from_db()
    return move(
        antrag,
        actor,
        "send_cooperation_notice",
        notice_sent_on=today - timedelta(days=18),
        notice_deadline=today - timedelta(days=4),
    )


def test_full_leistung_track_with_history(antrag, staff):
    leistung = staff["leistung"]
    antrag = move(antrag, leistung, "complete_entry_check", documents_complete=False)
    assert antrag.state == AntragState.UNTERLAGEN_FEHLEN
    assert antrag.documents_complete_on is None
    antrag = move(antrag, leistung, "confirm_documents_complete")
    assert antrag.state == AntragState.BEARBEITUNGSREIF
    assert antrag.documents_complete_on == timezone.localdate()
    antrag = move(antrag, leistung, "approve")
    assert antrag.state == AntragState.BEWILLIGT
    assert antrag.decided_on == timezone.localdate()
    antrag = move(antrag, leistung, "hand_to_integration")
    assert antrag.state == AntragState.AN_INTEGRATION
    history = list(antrag.history.values_list("source", "target", "actor__username"))
    assert history == [
        ("", "erfasst", "ez"),
        ("erfasst", "unterlagen_fehlen", "leistung"),
        ("unterlagen_fehlen", "bearbeitungsreif", "leistung"),
        ("bearbeitungsreif", "bewilligt", "leistung"),
        ("bewilligt", "an_integration", "leistung"),
    ]
    assert AuditEvent.objects.filter(action="transition", target_id=antrag.pk).count() == 4


def test_entry_check_with_complete_documents_goes_straight_to_decision(antrag, staff):
    antrag = to_decision(antrag, staff["leistung"])
    assert antrag.state == AntragState.BEARBEITUNGSREIF
    assert antrag.documents_complete_on == timezone.localdate()


@pytest.mark.parametrize(
    "name, target",
    [
        ("reject", AntragState.ABGELEHNT),
        ("withdraw", AntragState.ZURUECKGENOMMEN),
        ("deny_for_non_cooperation", AntragState.VERSAGT),
    ],
)
@pytest.mark.rule("R-EN-03")
def test_negative_decision_goes_to_integration_with_its_date(antrag, staff, teams, name, target):
    if name == "deny_for_non_cooperation":
        antrag = ready_for_versagung(antrag, staff["leistung"])
    else:
        antrag = to_decision(antrag, staff["leistung"])
    antrag = move(antrag, staff["leistung"], name, comment="Einkommen zu hoch")
    assert antrag.state == target
    assert antrag.decision_note == "Einkommen zu hoch"
    task = Aufgabe.objects.get(kunde=antrag.applicant)
    # The applicant is over 25 and has no IFK yet: the Ü25 team's mailbox.
    assert task.postfach == teams["ue25"].postfach
    assert timezone.localdate().strftime("%d.%m.%Y") in task.title


def test_versagung_is_possible_while_documents_are_missing(antrag, staff):
    antrag = ready_for_versagung(antrag, staff["leistung"])
    antrag = move(antrag, staff["leistung"], "deny_for_non_cooperation", comment="keine Mitwirkung")
    assert antrag.state == AntragState.VERSAGT


@pytest.mark.parametrize("name", ["reject", "withdraw", "deny_for_non_cooperation"])
def test_negative_decisions_need_a_reason(antrag, staff, name):
    antrag = to_decision(antrag, staff["leistung"])
    with pytest.raises(CaseConflict, match="Begründung"):
        move(antrag, staff["leistung"], name, comment="  ")
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF


def test_approve_is_not_possible_before_entry_check(antrag, staff):
    with pytest.raises(CaseConflict, match="nicht möglich"):
        move(antrag, staff["leistung"], "approve")


def test_stale_expected_state_is_a_conflict(antrag, staff):
    antrag = to_decision(antrag, staff["leistung"])
    move(antrag, staff["leistung"], "approve")
    with pytest.raises(CaseConflict, match="inzwischen bearbeitet"):
        move(antrag, staff["leistung_b"], "reject", expected="bearbeitungsreif", comment="x")


def test_unknown_transition_name_is_refused(antrag, staff):
    with pytest.raises(CaseConflict):
        antrag_transition(
            actor=staff["leistung"], antrag_id=antrag.pk, name="delete", expected_state=None
        )


# Who may do which step: every role against every Leistung step.
LEISTUNG_STEP_ROLES = {
    "leistung": True,
    "teamleitung": True,
    "leistung_b": False,  # Leistung, but another team
    "ez": False,
    "ifk": False,
    "hotline": False,
    "empfang": False,
    "admin": False,
}


@pytest.mark.parametrize("who, allowed", LEISTUNG_STEP_ROLES.items())
def test_entry_check_permission(antrag, staff, who, allowed):
    if allowed:
        assert move(antrag, staff[who], "complete_entry_check", documents_complete=True)
    else:
        with pytest.raises(PermissionDenied):
            move(antrag, staff[who], "complete_entry_check", documents_complete=True)
        antrag.refresh_from_db()
        assert antrag.state == AntragState.ERFASST
        assert antrag.history.count() == 1


@pytest.mark.parametrize("who, allowed", LEISTUNG_STEP_ROLES.items())
@pytest.mark.parametrize("name", ["approve", "reject", "withdraw", "deny_for_non_cooperation"])
def test_decision_permission(antrag, staff, who, allowed, name):
    if name == "deny_for_non_cooperation":
        antrag = ready_for_versagung(antrag, staff["leistung"])
    else:
        antrag = to_decision(antrag, staff["leistung"])
    if allowed:
        assert move(antrag, staff[who], name, comment="Grund").decided_on
    else:
        with pytest.raises(PermissionDenied):
            move(antrag, staff[who], name, comment="Grund")


@pytest.mark.parametrize(
    "who, allowed", [("ez", True), ("leistung", True), ("leistung_b", False), ("ifk", False)]
)
def test_documents_complete_may_be_confirmed_by_ez_and_leistung(antrag, staff, who, allowed):
    antrag = move(antrag, staff["leistung"], "complete_entry_check", documents_complete=False)
    if allowed:
        assert move(antrag, staff[who], "confirm_documents_complete").documents_complete_on
    else:
        with pytest.raises(PermissionDenied):
            move(antrag, staff[who], "confirm_documents_complete")


def test_outsider_cannot_move_a_case(antrag, outsider):
    with pytest.raises(PermissionDenied):
        move(antrag, outsider, "book_first_consultation", at=timezone.now(), ifk=outsider)


# --- first consultation -----------------------------------------------------------------


def in_two_days():
    return timezone.now() + timedelta(days=2)


@pytest.mark.rule("R-AN-03")
def test_cottbus_books_first_consultation_at_intake_and_ifk_gets_task(antrag, staff):
    assert antrag.jobcenter.first_consultation_start == Jobcenter.FirstConsultationStart.APPLICATION
    antrag = move(
        antrag, staff["ez"], "book_first_consultation", at=in_two_days(), ifk=staff["ifk"]
    )
    assert antrag.eg_state == ErstgespraechState.GEBUCHT
    assert antrag.state == AntragState.ERFASST  # Leistung's work goes on in parallel.
    antrag.applicant.refresh_from_db()
    assert antrag.applicant.ifk == staff["ifk"]
    assert Aufgabe.objects.get(assignee=staff["ifk"]).title.startswith("Neuer Kunde zugeordnet")


def test_rhein_lahn_books_first_consultation_only_after_entitlement(antrag, staff):
    jobcenter = antrag.jobcenter
    jobcenter.first_consultation_start = Jobcenter.FirstConsultationStart.ENTITLEMENT
    jobcenter.save()
    antrag.refresh_from_db()
    with pytest.raises(CaseConflict, match="nicht möglich"):
        move(antrag, staff["ez"], "book_first_consultation", at=in_two_days(), ifk=staff["ifk"])
    antrag = to_decision(antrag, staff["leistung"])
    antrag = move(antrag, staff["leistung"], "approve")
    # The approval itself gives the Eingangszone the task to book it (rule R-EG-02).
    booking = Aufgabe.objects.get(title__startswith="Leistungsanspruch bestätigt")
    assert booking.postfach.team.kind == "eingangszone"
    antrag = move(
        antrag, staff["ez"], "book_first_consultation", at=in_two_days(), ifk=staff["ifk"]
    )
    assert antrag.eg_state == ErstgespraechState.GEBUCHT


def test_no_first_consultation_after_rejection(antrag, staff):
    antrag = to_decision(antrag, staff["leistung"])
    antrag = move(antrag, staff["leistung"], "reject", comment="kein Anspruch")
    with pytest.raises(CaseConflict):
        move(antrag, staff["ez"], "book_first_consultation", at=in_two_days(), ifk=staff["ifk"])


def test_booking_in_the_past_is_refused(antrag, staff):
    with pytest.raises(CaseConflict, match="Zukunft"):
        move(
            antrag,
            staff["ez"],
            "book_first_consultation",
            at=timezone.now() - timedelta(hours=1),
            ifk=staff["ifk"],
        )
    antrag.refresh_from_db()
    assert antrag.eg_state == ErstgespraechState.OFFEN


def test_booking_with_someone_who_is_not_an_ifk_is_refused(antrag, staff):
    with pytest.raises(CaseConflict, match="Integrationsfachkraft"):
        move(antrag, staff["ez"], "book_first_consultation", at=in_two_days(), ifk=staff["ez"])


@pytest.mark.parametrize(
    "who, allowed",
    [("ifk", True), ("teamleitung", True), ("ifk2", False), ("ez", False), ("leistung", False)],
)
def test_only_the_booked_ifk_or_lead_records_the_first_consultation(antrag, staff, who, allowed):
    antrag = move(
        antrag, staff["ez"], "book_first_consultation", at=in_two_days(), ifk=staff["ifk"]
    )
    if allowed:
        antrag = move(antrag, staff[who], "record_first_consultation_held")
        assert antrag.eg_state == ErstgespraechState.DURCHGEFUEHRT
    else:
        with pytest.raises(PermissionDenied):
            move(antrag, staff[who], "record_first_consultation_held")


def test_cancelling_the_first_consultation_frees_it_and_needs_a_reason(antrag, staff):
    antrag = move(
        antrag, staff["ez"], "book_first_consultation", at=in_two_days(), ifk=staff["ifk"]
    )
    with pytest.raises(CaseConflict):
        move(antrag, staff["ez"], "cancel_first_consultation")
    antrag = move(antrag, staff["ez"], "cancel_first_consultation", comment="Kunde krank")
    assert antrag.eg_state == ErstgespraechState.OFFEN
    assert antrag.eg_at is None


def test_cases_of_other_teams_do_not_show_in_a_second_registration(staff, teams):
    # A second case in another team, to be sure team scoping is by BG and not global.
    other = register(actor=staff["ez"], leistung_team=teams["leistung_b"])
    with pytest.raises(PermissionDenied):
        move(other, staff["leistung"], "complete_entry_check", documents_complete=True)


def test_the_audit_line_of_a_step_reads_in_german(antrag, staff):
    from jobcenter.models import AuditEvent

    to_decision(antrag, staff["leistung"])
    event = AuditEvent.objects.filter(action="transition").latest("id")
    assert event.summary == "Eingangsprüfung abschließen: Eingangsprüfung offen → Entscheidungsreif"
