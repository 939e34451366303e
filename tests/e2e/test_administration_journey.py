"""A new Jobcenter's administration sets up a site, a team with its mailbox and a staff
member with role, team and deputy; that person logs in and lands on their work. Every page
state is checked with axe-core (conftest.py)."""

import re
from pathlib import Path

import django
import pytest
from playwright.sync_api import Page, expect

from jobcenter.models import OpeningHours, User
from jobcenter.roles import Role
from tests.factories import JobcenterFactory, UserFactory

from .conftest import ROOT, login, submit, visit

pytestmark = pytest.mark.e2e


def test_new_administration_sets_up_site_team_and_staff(page: Page, live_server):
    jobcenter = JobcenterFactory(slug="neustadt", name="Jobcenter Neustadt", bundesland="HE")
    UserFactory(username="verwaltung", jobcenter=jobcenter, role=Role.ADMINISTRATION)
    deputy = UserFactory(
        username="vertretung",
        first_name="Vera",
        last_name="Treter",
        jobcenter=jobcenter,
        role=Role.INTEGRATION,
    )

    login(page, live_server, "verwaltung")
    expect(page).to_have_url(re.compile(r"/verwaltung/$"))
    expect(page.get_by_role("link", name="Wer hat diese Person eingesehen?")).to_be_visible()

    # A site with Monday's hours, copied to the whole week.
    visit(page, f"{live_server.url}/verwaltung/jobcenter/standort/add/")
    page.get_by_label("Name").fill("Hauptstelle")
    page.get_by_role("button", name=re.compile("Öffnungszeit hinzufügen")).click()
    row = page.locator("#opening_hours-group tbody tr.form-row").first
    row.locator("select").select_option(label="Montag")
    row.locator("input[name$='-opens']").fill("08:00")
    row.locator("input[name$='-closes']").fill("12:00")
    page.get_by_label("Zeiten eines Wochentags auf Mo–Fr übernehmen").select_option(label="Montag")
    submit(page, page.get_by_role("button", name="Sichern", exact=True))
    expect(page.get_by_text("gelten jetzt von Montag bis Freitag")).to_be_visible()
    assert OpeningHours.objects.filter(standort__name="Hauptstelle").count() == 5

    # A team at that site, with its mailbox.
    visit(page, f"{live_server.url}/verwaltung/jobcenter/team/add/")
    page.get_by_label(re.compile(r"^Name:?$")).first.fill("Integration Ü25 Nord")
    page.get_by_label("Art").select_option(label="Integration Ü25")
    page.get_by_label("Standort").select_option(label="Hauptstelle")
    page.locator("#id_postfach-0-name").fill("Postfach Integration Nord")
    submit(page, page.get_by_role("button", name="Sichern", exact=True))
    expect(page.locator(".messagelist")).to_contain_text("erfolgreich")

    # A staff member: person, role, site, team and deputy on one page.
    visit(page, f"{live_server.url}/verwaltung/jobcenter/user/add/")
    page.get_by_label("Benutzername").fill("nora.neu")
    page.get_by_label("Vorname").fill("Nora")
    page.get_by_label("Nachname").fill("Neu")
    page.get_by_label("Passwort:", exact=True).fill("ein-langes-passwort-2026")
    page.get_by_label("Passwort bestätigen").fill("ein-langes-passwort-2026")
    page.get_by_label("Rolle").select_option(label="Integration")
    page.get_by_label("Dienstort").select_option(label="Hauptstelle")
    page.get_by_label("Integration Ü25 Nord").check()
    page.locator("#id_deputy_entries-0-deputy").select_option(label=str(deputy))
    page.locator("#id_deputy_entries-0-position").fill("1")
    submit(page, page.get_by_role("button", name="Sichern", exact=True))
    expect(page.locator(".messagelist")).to_contain_text("ist angelegt")
    nora = User.objects.get(username="nora.neu")
    assert nora.jobcenter == jobcenter and [d.deputy for d in nora.deputy_entries.all()] == [deputy]

    submit(page, page.get_by_role("button", name=re.compile("^Abmelden")))
    login(page, live_server, "nora.neu", "ein-langes-passwort-2026")
    # An IFK starts on her day ("Heute"), not on the case list.
    expect(page).to_have_url(re.compile(r"/arbeitsliste/$"))


def test_admin_forms_css_is_djangos_without_its_import():
    """static/admin/css/forms.css is Django's forms.css with its @import of widgets.css
    inlined (axe-core re-creates an @import as inline <style>, which the CSP refuses)."""
    django_css = Path(django.__file__).parent / "contrib" / "admin" / "static" / "admin" / "css"
    forms = (django_css / "forms.css").read_text()
    assert forms.startswith("@import url('widgets.css');\n"), "Django's forms.css changed"
    expected = (django_css / "widgets.css").read_text() + forms.split("\n", 1)[1]
    ours = (ROOT / "static" / "admin" / "css" / "forms.css").read_text()
    assert ours.endswith(expected), (
        "Django's admin CSS changed: rebuild static/admin/css/forms.css from its widgets.css "
        "and forms.css (without the @import line), as its header says."
    )
    assert not re.search(r"^\s*@import", ours, re.MULTILINE)
