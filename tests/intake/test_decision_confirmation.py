"""Leistung's decisions ask for confirmation (issue 12): the first POST of a decision
shows "Bitte bestätigen: …" and changes nothing; only a second POST with confirm=1 takes
the step; "Nein, zurück zum Fall" returns to the case with the input kept."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Antrag, AntragState, AntragTransition
from tests.factories import settle_checklist

pytestmark = pytest.mark.django_db

# Written out by hand: the steps that decide or end a case, the state each starts from,
# the state it leads to, and the reason it needs.
DECISIONS = {
    "approve": (AntragState.BEARBEITUNGSREIF, AntragState.BEWILLIGT, "Bedarf festgestellt"),
    "reject": (AntragState.BEARBEITUNGSREIF, AntragState.ABGELEHNT, "Einkommen zu hoch"),
    "deny_for_non_cooperation": (
        AntragState.UNTERLAGEN_FEHLEN,
        AntragState.VERSAGT,
        "Kontoauszüge trotz Frist nicht eingereicht",
    ),
    "withdraw": (AntragState.ERFASST, AntragState.ZURUECKGENOMMEN, "Arbeit gefunden"),
    "end_benefit": (AntragState.BEWILLIGT, AntragState.LEISTUNG_BEENDET, "Arbeitsaufnahme"),
}


def _case_in(antrag, state):
    if state != AntragState.UNTERLAGEN_FEHLEN:
        settle_checklist(antrag)
    today = timezone.localdate()
    Antrag.objects.filter(pk=antrag.pk).update(
        state=state,
        # A Versagung needs the written notice's deadline passed (rule R-FR-02).
        application_date=today - timedelta(days=20),
        cooperation_notice_sent_on=today - timedelta(days=18),
        cooperation_notice_deadline=today - timedelta(days=4),
    )
    return Antrag.objects.get(pk=antrag.pk)


def _post(client, antrag, name, state, comment, **extra):
    return client.post(
        reverse("intake:case_transition", args=[antrag.pk, name]),
        {f"{name}-expected_state": state, f"{name}-comment": comment, **extra},
    )


@pytest.mark.parametrize("name", DECISIONS)
def test_a_decision_without_confirmation_changes_nothing(login, staff, antrag, name):
    source, _target, comment = DECISIONS[name]
    antrag = _case_in(antrag, source)
    history = AntragTransition.objects.filter(antrag=antrag).count()
    response = _post(login(staff["leistung"]), antrag, name, source, comment)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bitte bestätigen:" in page
    assert "Ja, bestätigen" in page and "Nein, zurück zum Fall" in page
    assert comment in page  # what will be recorded, shown before it is
    antrag.refresh_from_db()
    assert antrag.state == source
    assert antrag.decided_on is None
    assert AntragTransition.objects.filter(antrag=antrag).count() == history


@pytest.mark.parametrize("name", DECISIONS)
def test_a_confirmed_decision_takes_effect(login, staff, antrag, name):
    source, target, comment = DECISIONS[name]
    antrag = _case_in(antrag, source)
    response = _post(login(staff["leistung"]), antrag, name, source, comment, confirm="1")
    assert response.status_code == 302
    antrag.refresh_from_db()
    assert antrag.state == target
    last = AntragTransition.objects.filter(antrag=antrag).order_by("-id").first()
    assert (last.target, last.comment) == (target, comment)


def test_the_confirmation_page_carries_the_input_to_the_second_post(login, staff, antrag):
    antrag = _case_in(antrag, AntragState.BEARBEITUNGSREIF)
    page = _post(
        login(staff["leistung"]), antrag, "approve", "bearbeitungsreif", "Bedarf festgestellt"
    ).content.decode()
    assert 'name="approve-comment" value="Bedarf festgestellt"' in page
    assert 'name="approve-expected_state" value="bearbeitungsreif"' in page
    assert 'name="confirm" value="1"' in page
    assert "Ich habe den Anspruch geprüft und bewillige den Antrag." in page
    assert "Entscheidungsreif" in page and "Bewilligt" in page  # from … to


def test_cancel_returns_to_the_case_with_the_input_kept(login, staff, antrag):
    antrag = _case_in(antrag, AntragState.BEARBEITUNGSREIF)
    response = _post(
        login(staff["leistung"]),
        antrag,
        "reject",
        "bearbeitungsreif",
        "Einkommen übersteigt den Bedarf",
        cancel="1",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bitte bestätigen:" not in page
    assert 'action="' + reverse("intake:case_transition", args=[antrag.pk, "reject"]) in page
    assert "Einkommen übersteigt den Bedarf</textarea>" in page
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF


def test_a_step_without_a_question_is_taken_at_once(login, staff, antrag):
    """Handing over to Integration decides nothing: no second page."""
    antrag = _case_in(antrag, AntragState.BEWILLIGT)
    response = _post(login(staff["leistung"]), antrag, "hand_to_integration", "bewilligt", "")
    assert response.status_code == 302
    antrag.refresh_from_db()
    assert antrag.state == AntragState.AN_INTEGRATION


def test_a_decision_that_would_fail_is_not_asked_first(login, staff, antrag):
    """A stale form goes straight to the conflict message, not to a confirmation."""
    antrag = _case_in(antrag, AntragState.BEWILLIGT)
    response = login(staff["leistung"]).post(
        reverse("intake:case_transition", args=[antrag.pk, "approve"]),
        {"approve-expected_state": "bearbeitungsreif"},
        follow=True,
    )
    page = response.content.decode()
    assert "Bitte bestätigen:" not in page
    assert "inzwischen bearbeitet" in page


def test_another_team_cannot_reach_the_confirmation(login, staff, antrag):
    antrag = _case_in(antrag, AntragState.BEARBEITUNGSREIF)
    response = _post(login(staff["leistung_b"]), antrag, "approve", "bearbeitungsreif", "")
    assert response.status_code == 404
    response = _post(
        login(staff["leistung_b"]), antrag, "approve", "bearbeitungsreif", "", confirm="1"
    )
    assert response.status_code == 404
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF
