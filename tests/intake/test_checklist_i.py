"""Leistung works the checklist with the keyboard (issue 12): a toggle keeps the focus, the
last document ticked offers "Unterlagen vollständig" right there, decisions ask first."""

import pytest
from django.urls import reverse

from intake.models import Antrag, AntragState
from intake.steps import STEPS

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_toggle_keeps_focus_and_the_last_one_offers_documents_complete(client, staff, antrag):
    Antrag.objects.filter(pk=antrag.pk).update(state=AntragState.UNTERLAGEN_FEHLEN)
    items = list(antrag.nachweise.order_by("id"))
    assert len(items) >= 2
    client.force_login(staff["leistung"])
    toggle = [reverse("intake:nachweis_toggle", args=[antrag.pk, n.pk]) for n in items]

    first = client.post(toggle[0], {"action": "received"}, headers=HX).content.decode()
    # The swapped row's own control takes the focus back (htmx focuses [autofocus]).
    assert f'id="toggle-{items[0].pk}" autofocus' in first
    assert '<div id="checklist-complete" aria-live="polite" hx-swap-oob="true"></div>' in first

    for url in toggle[1:]:
        last = client.post(url, {"action": "received"}, headers=HX).content.decode()
    assert 'hx-swap-oob="true"' in last and 'id="offer-documents-complete"' in last
    # Out of band in a <template>: after a table row, a bare <form> would lose its button.
    offer_at = last.index('id="offer-documents-complete"')
    assert last.index("<template>") < offer_at < last.index("</template>")
    offer = reverse("intake:case_transition", args=[antrag.pk, "confirm_documents_complete"])
    assert f'action="{offer}"' in last
    # The case page shows the same offer; taking it confirms the documents complete.
    page = client.get(reverse("intake:case_detail", args=[antrag.pk])).content.decode()
    assert 'id="offer-documents-complete"' in page
    client.post(offer, {"confirm_documents_complete-expected_state": AntragState.UNTERLAGEN_FEHLEN})
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEARBEITUNGSREIF
    assert antrag.documents_complete_on is not None


def test_reopening_an_item_withdraws_the_offer(client, staff, antrag):
    Antrag.objects.filter(pk=antrag.pk).update(state=AntragState.UNTERLAGEN_FEHLEN)
    items = list(antrag.nachweise.order_by("id"))
    client.force_login(staff["leistung"])
    for n in items:
        client.post(
            reverse("intake:nachweis_toggle", args=[antrag.pk, n.pk]), {"action": "received"}
        )
    again = client.post(
        reverse("intake:nachweis_toggle", args=[antrag.pk, items[0].pk]),
        {"action": "reopen"},
        headers=HX,
    ).content.decode()
    assert "offer-documents-complete" not in again


def test_every_decision_asks_for_confirmation():
    decisions = [s.name for s in STEPS if s.records_decision]
    assert decisions == ["approve", "reject", "deny_for_non_cooperation", "withdraw"]
    assert all(s.confirm for s in STEPS if s.records_decision)
    # Ending the benefit is a decision too, and it asks as well.
    assert next(s for s in STEPS if s.name == "end_benefit").confirm
