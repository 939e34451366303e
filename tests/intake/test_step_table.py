"""The step table (intake.steps) walked for every step and every role: the view offers,
the service allows, the template shows and the permission answers the same thing.

The expectations are written out by hand (EXPECTED), from the rules in docs/rules.de.md,
not read from the table under test.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from intake.models import Antrag, AntragState, ErstgespraechState
from intake.services import CaseConflict, antrag_transition
from intake.states import EntryCheckPart
from intake.steps import BY_NAME, STEPS
from tests.factories import UserFactory, settle_checklist

pytestmark = pytest.mark.django_db

# Who may take each step on a case of team "leistung" whose first consultation, once
# booked, is with "ifk". Everyone else is refused.
EXPECTED = {
    "complete_entry_check": {"leistung", "teamleitung"},
    "confirm_documents_complete": {"leistung", "teamleitung", "ez"},
    "approve": {"leistung", "teamleitung"},
    "reject": {"leistung", "teamleitung"},
    "send_cooperation_notice": {"leistung", "teamleitung"},
    "deny_for_non_cooperation": {"leistung", "teamleitung"},
    "withdraw": {"leistung", "teamleitung"},
    "hand_to_integration": {"leistung", "teamleitung"},
    "end_benefit": {"leistung", "teamleitung"},
    "record_case_closure": {"leistung", "teamleitung"},
    "book_first_consultation": {"ez", "ifk", "ifk2", "teamleitung"},
    "cancel_first_consultation": {"ez", "ifk", "ifk2", "teamleitung"},
    "record_first_consultation_held": {"ifk", "teamleitung"},
}
ROLES = [
    "empfang",
    "ez",
    "leistung",
    "leistung_b",
    "ifk",
    "ifk2",
    "hotline",
    "teamleitung",
    "admin",
    "other_jobcenter",
]
# A state each step can be taken from.
SOURCE = {
    "complete_entry_check": AntragState.ERFASST,
    "confirm_documents_complete": AntragState.UNTERLAGEN_FEHLEN,
    "approve": AntragState.BEARBEITUNGSREIF,
    "reject": AntragState.BEARBEITUNGSREIF,
    "send_cooperation_notice": AntragState.UNTERLAGEN_FEHLEN,
    "deny_for_non_cooperation": AntragState.UNTERLAGEN_FEHLEN,
    "withdraw": AntragState.ERFASST,
    "hand_to_integration": AntragState.BEWILLIGT,
    "end_benefit": AntragState.BEWILLIGT,
    "record_case_closure": AntragState.LEISTUNG_BEENDET,
}


def test_every_step_of_the_model_is_in_the_table_and_back():
    fsm_names = {t.name for t in Antrag._meta.get_field("state").get_all_transitions(Antrag)}
    fsm_names |= {t.name for t in Antrag._meta.get_field("eg_state").get_all_transitions(Antrag)}
    assert fsm_names == set(BY_NAME) == set(EXPECTED)


def _case_at(antrag, step_name, staff):
    settle_checklist(antrag)
    if step_name == "deny_for_non_cooperation":
        # The written notice's deadline has passed without the documents (rule R-FR-02).
        today = timezone.localdate()
        Antrag.objects.filter(pk=antrag.pk).update(
            application_date=today - timedelta(days=20),
            cooperation_notice_sent_on=today - timedelta(days=18),
            cooperation_notice_deadline=today - timedelta(days=4),
        )
    if step_name in SOURCE:
        Antrag.objects.filter(pk=antrag.pk).update(state=SOURCE[step_name])
    elif step_name != "book_first_consultation":
        Antrag.objects.filter(pk=antrag.pk).update(
            eg_state=ErstgespraechState.GEBUCHT,
            eg_with=staff["ifk"],
            eg_at=timezone.now() + timedelta(days=3),
        )
    return Antrag.objects.select_related("jobcenter", "bedarfsgemeinschaft").get(pk=antrag.pk)


def _params(step_name, staff):
    params = {name: None for name in BY_NAME[step_name].asks}
    if "documents_complete" in params:
        params["documents_complete"] = True
    if "entry_check_parts" in params:
        params["entry_check_parts"] = list(EntryCheckPart.values)
    if "notice_sent_on" in params:
        params["notice_sent_on"] = timezone.localdate()
        params["notice_deadline"] = timezone.localdate() + timedelta(days=14)
    if "at" in params:
        params["at"] = timezone.now() + timedelta(days=2)
        params["ifk"] = staff["ifk"]
    return params


def _service_allows(user, antrag, step_name, staff) -> bool:
    """Take the step for real, then roll it back."""
    try:
        with transaction.atomic():
            antrag_transition(
                actor=user,
                antrag_id=antrag.pk,
                name=step_name,
                expected_state=None,
                comment="Begründung im Test",
                **_params(step_name, staff),
            )
            transaction.set_rollback(True)
    except PermissionDenied:
        return False
    except CaseConflict as error:  # the step itself must be possible from here
        pytest.fail(f"{step_name}: {error}")
    return True


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("step_name", [s.name for s in STEPS])
def test_view_service_template_and_permission_agree(client, staff, antrag, who, step_name):
    user = staff.get(who) or UserFactory(username="elsewhere", role="eingangszone")
    antrag = _case_at(antrag, step_name, staff)
    taken = BY_NAME[step_name]
    expected = who in EXPECTED[step_name]

    assert user.has_perm(taken.permission, antrag) is expected
    track = "state" if taken.track == "state" else "eg_state"
    offered = {t.name for t in getattr(antrag, f"get_available_user_{track}_transitions")(user)}
    assert (step_name in offered) is expected
    assert _service_allows(user, antrag, step_name, staff) is expected
    if taken.taken_on == "case":
        client.force_login(user)
        response = client.get(reverse("intake:case_detail", args=[antrag.pk]))
        form_action = reverse("intake:case_transition", args=[antrag.pk, step_name])
        if response.status_code == 200:
            assert (f'action="{form_action}"' in response.content.decode()) is expected
        else:  # who may not open the case sees no step of it
            assert response.status_code in (403, 404)
            assert not expected


def test_documents_complete_needs_the_checklist_settled(client, staff, antrag):
    """Rule R-AN-01: each item handed in or waived with a reason."""
    Antrag.objects.filter(pk=antrag.pk).update(state=AntragState.UNTERLAGEN_FEHLEN)
    items = list(antrag.nachweise.select_related("document_type"))
    assert len(items) >= 2
    client.force_login(staff["leistung"])
    page = client.get(reverse("intake:case_detail", args=[antrag.pk])).content.decode()
    assert "Noch offen auf der Checkliste" in page
    with pytest.raises(CaseConflict, match=items[0].document_type.name):
        antrag_transition(
            actor=staff["leistung"],
            antrag_id=antrag.pk,
            name="confirm_documents_complete",
            expected_state=None,
        )
    toggle = reverse("intake:nachweis_toggle", args=[antrag.pk, items[0].pk])
    # A waiver without a reason is refused; with one it settles the item.
    client.post(toggle, {"action": "waive", "waived_reason": ""})
    items[0].refresh_from_db()
    assert not items[0].settled
    client.post(toggle, {"action": "waive", "waived_reason": "liegt der Familienkasse vor"})
    for item in items[1:]:
        client.post(
            reverse("intake:nachweis_toggle", args=[antrag.pk, item.pk]), {"action": "received"}
        )
    items[0].refresh_from_db()
    assert items[0].waived_reason == "liegt der Familienkasse vor"
    antrag_transition(
        actor=staff["leistung"],
        antrag_id=antrag.pk,
        name="confirm_documents_complete",
        expected_state=None,
    )
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF
    letter = client.get(reverse("intake:handout_letter", args=[antrag.pk])).content.decode()
    assert items[0].document_type.name not in letter  # a waived item is not asked for
