"""Issue 11 in the browser: the first-consultation clock as the seeds order it.

Rhein-Lahn (rule R-EG-02): the 10 AT clock starts with the approval, and the same step
gives the Eingangszone the task to book it. Cottbus (rule R-EG-01): a family of two adults
and a child of 13 gets two clocks, one per erwerbsfähige Neukunde.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minimumstandards.presets import apply_preset
from tests.factories import PASSWORD, person, register, settle_checklist

from .conftest import login, submit, visit

pytestmark = pytest.mark.e2e


def _years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=30)


@pytest.mark.rule("R-EG-02")
def test_rhein_lahn_approval_starts_the_eg_clock_and_the_ez_books(
    transactional_db, live_server, page, jobcenter, staff, teams
):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn", valid_from=date(2020, 1, 1))
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    settle_checklist(antrag)

    login(page, live_server, "leistung", PASSWORD)
    visit(page, f"/faelle/{antrag.pk}/")
    expect(page.get_by_text("Erstgespräch: Erika Mustermann")).to_have_count(0)
    step = page.get_by_role("form", name="Eingangsprüfung abschließen")
    for part in (
        step.get_by_role("group", name="Erledigte Teile der Eingangsprüfung")
        .get_by_role("checkbox")
        .all()
    ):
        part.check()
    step.get_by_label("Unterlagen vollständig – entscheidungsreif").check()
    submit(page, step.get_by_role("button", name="Eingangsprüfung abschließen"))
    expect(page.get_by_role("status")).to_have_text("Gespeichert: Entscheidungsreif.")

    step = page.get_by_role("form", name="Bewilligen")
    submit(page, step.get_by_role("button", name="Bewilligen"))
    submit(page, page.get_by_role("button", name="Ja, bestätigen"))  # the decision asks first
    expect(page.get_by_role("status")).to_have_text("Gespeichert: Bewilligt.")
    # The clock runs from the approval: 10 working days.
    expect(page.get_by_text("Erstgespräch: Erika Mustermann")).to_be_visible()

    page.context.clear_cookies()
    login(page, live_server, "ez", PASSWORD)
    visit(page, f"/postfaecher/{teams['ez'].postfach.pk}/")
    expect(page.get_by_text("Leistungsanspruch bestätigt – Erstgespräch buchen")).to_be_visible()


@pytest.mark.rule("R-EG-01")
def test_cottbus_family_of_three_shows_two_eg_clocks(
    transactional_db, live_server, page, jobcenter, staff, teams
):
    apply_preset(jobcenter=jobcenter, name="cottbus")
    antrag = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[
            person("Anna", "Kowalski", _years_ago(40), is_head=True),
            person("Piotr", "Kowalski", _years_ago(37)),
            person("Lena", "Kowalski", _years_ago(13)),
        ],
    )
    login(page, live_server, "leistung", PASSWORD)
    visit(page, f"/faelle/{antrag.pk}/")
    expect(page.get_by_text("Erstgespräch: Anna Kowalski")).to_be_visible()
    expect(page.get_by_text("Erstgespräch: Piotr Kowalski")).to_be_visible()
    expect(page.get_by_text("Erstgespräch: Lena Kowalski")).to_have_count(0)
