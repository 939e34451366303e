"""The seed presets bring their invitation rules (rule R-TE-05): Cottbus (2021) and
Deutsche Weinstraße (2023) invite always with Rechtsfolgenbelehrung; Rhein-Lahn (2026)
invites first without, after a no-show with one."""

from datetime import date, datetime, time

import pytest

from appointments.invitations import Occasion
from appointments.models import Delivery, InvitationRule, Kind
from appointments.presets import apply_seed_preset
from appointments.services.first_consultation import eg_book
from appointments.services.follow_ups import follow_up_book
from appointments.services.outcomes import appointment_record_held, appointment_record_no_show
from intake.models import Antrag
from intake.services import antrag_transition
from minimumstandards.models import DeadlineRule
from minimumstandards.workdays import BERLIN
from tests.factories import person, register, settle_checklist

from .conftest import at, release

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock, people, teams, site):
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


def book_eg(world, teams, when, *, approve=False):
    antrag = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Rita", "Regel", date(1982, 2, 2), is_head=True)],
        ifk=world["ifk"],
    )
    if approve:  # Rhein-Lahn books the EG after the entitlement is confirmed
        settle_checklist(antrag)
        for name, params in (
            ("complete_entry_check", {"documents_complete": True}),
            ("approve", {}),
        ):
            antrag_transition(
                actor=world["leistung"],
                antrag_id=antrag.pk,
                name=name,
                expected_state=Antrag.objects.get(pk=antrag.pk).state,
                **params,
            )
    return eg_book(actor=world["ez"], antrag_id=antrag.pk, caseworker=world["ifk"], starts_at=when)


@pytest.mark.rule("R-TE-05")
def test_cottbus_preset_every_invitation_with_rfb(world, teams, jobcenter):
    # CB 3: "Eine Einladung mit Rechtsfolgebelehrung ist auszuhändigen bzw. dem Kunden
    # zuzusenden." Valid from "Stand: 01.01.2021".
    apply_seed_preset(jobcenter=jobcenter, name="cottbus")
    rules = InvitationRule.objects.filter(jobcenter=jobcenter)
    assert {(r.occasion, r.with_rfb, r.valid_from) for r in rules} == {
        (occasion, True, date(2021, 1, 1)) for occasion in Occasion.values
    }
    assert {r.source for r in rules} == {"Jobcenter Cottbus, Neukundenmanagement, Abschnitt 3"}
    assert DeadlineRule.objects.filter(jobcenter=jobcenter).exists()  # the deadlines too
    eg = book_eg(world, teams, at(date(2026, 3, 23), 9))
    assert eg.invitation_occasion == Occasion.ERSTEINLADUNG and eg.with_rfb is True
    assert "§ 32 SGB II" in eg.rfb_text


@pytest.mark.rule("R-TE-05")
def test_rhein_lahn_preset_first_without_rfb_after_a_no_show_with(world, teams, jobcenter, clock):
    # RL 1.3: "… dass die erste Einladung zur Erstellung des Kooperationsplans ohne
    # Rechtsfolgenbelehrung erfolgt." "Liegt ein Meldeversäumnis vor … erfolgt die
    # Folgeeinladung … mit Rechtsfolgenbelehrung." In force from 12.01.2026.
    apply_seed_preset(jobcenter=jobcenter, name="rhein-lahn")
    assert set(
        InvitationRule.objects.filter(jobcenter=jobcenter).values_list(
            "occasion", "with_rfb", "valid_from"
        )
    ) == {
        (Occasion.ERSTEINLADUNG, False, date(2026, 1, 12)),
        (Occasion.FOLGEEINLADUNG, False, date(2026, 1, 12)),
        (Occasion.NACH_MELDEVERSAEUMNIS, True, date(2026, 1, 12)),
        (Occasion.GRUPPE, True, date(2026, 1, 12)),
    }
    eg = book_eg(world, teams, at(date(2026, 3, 23), 9), approve=True)
    assert eg.with_rfb is False
    clock.set(datetime(2026, 3, 23, 10, 30, tzinfo=BERLIN))
    _missed, again = appointment_record_no_show(actor=world["ifk"], appointment_id=eg.pk)
    assert again.invitation_occasion == Occasion.NACH_MELDEVERSAEUMNIS
    assert again.with_rfb is True


@pytest.mark.rule("R-TE-05")
def test_deutsche_weinstrasse_follow_up_with_rfb_that_cannot_be_waived(
    world, teams, jobcenter, clock
):
    # DW 7: "Einladungen sind mit Rechtsfolgenbelehrung persönlich auszuhändigen oder
    # zuzusenden." Valid from "Umsetzung ab: 01.03.2023".
    apply_seed_preset(jobcenter=jobcenter, name="deutsche-weinstrasse")
    assert set(
        InvitationRule.objects.filter(jobcenter=jobcenter).values_list("with_rfb", "valid_from")
    ) == {(True, date(2023, 3, 1))}
    eg = book_eg(world, teams, at(date(2026, 3, 23), 9))
    clock.set(datetime(2026, 3, 23, 10, 30, tzinfo=BERLIN))
    appointment_record_held(
        actor=world["ifk"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="EG"
    )
    follow = follow_up_book(
        actor=world["ifk"],
        kunde=eg.kunde,
        caseworker=world["ifk"],
        starts_at=at(date(2026, 3, 24), 10),
        with_rfb=False,
        delivery=Delivery.PERSOENLICH,
    )
    assert follow.invitation_occasion == Occasion.FOLGEEINLADUNG
    assert follow.with_rfb is True and "§ 32 SGB II" in follow.rfb_text


@pytest.mark.rule("R-TE-05")
def test_applying_a_preset_twice_adds_nothing(jobcenter):
    assert apply_seed_preset(jobcenter=jobcenter, name="demo") > 0
    assert apply_seed_preset(jobcenter=jobcenter, name="demo") == 0
    assert InvitationRule.objects.filter(jobcenter=jobcenter).count() == 4


@pytest.mark.rule("R-TE-05")
def test_the_admin_action_applies_the_deadlines_and_the_invitation_rules(login, staff, jobcenter):
    from django.urls import reverse

    response = login(staff["admin"]).post(
        reverse("admin:jobcenter_jobcenter_changelist"),
        {"action": "apply_preset_deutsche_weinstrasse", "_selected_action": [jobcenter.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert DeadlineRule.objects.filter(jobcenter=jobcenter, valid_from=date(2023, 3, 1)).exists()
    assert InvitationRule.objects.filter(
        jobcenter=jobcenter, with_rfb=True, valid_from=date(2023, 3, 1)
    ).count() == len(Occasion.values)


@pytest.mark.rule("R-TE-05")
def test_follow_up_page_shows_the_required_rfb_as_fixed(login, world, teams, jobcenter, clock):
    from django.urls import reverse

    apply_seed_preset(jobcenter=jobcenter, name="cottbus")
    eg = book_eg(world, teams, at(date(2026, 3, 23), 9))
    clock.set(datetime(2026, 3, 23, 10, 30, tzinfo=BERLIN))
    appointment_record_held(
        actor=world["ifk"], appointment_id=eg.pk, minutes=60, form="persoenlich", text="EG"
    )
    page = login(world["ifk"]).get(reverse("appointments:contact", args=[eg.kunde_id]))
    text = page.content.decode()
    assert "Nach den Regeln dieses Jobcenters ergeht diese Einladung mit" in text
    assert 'name="f-with_rfb"' in text and "disabled" in text
