"""Issue 14: the team lead looks at the charts (axe on every chart page and with a chart's
table opened) and downloads last month's minimum-standards report as Excel and PDF."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from frontdesk.models import Concern, Desk, Outcome
from frontdesk.services.calling import visit_call_next
from frontdesk.services.checkin import CheckIn, visit_check_in
from frontdesk.services.desks import desk_open
from frontdesk.services.outcomes import visit_finish
from jobcenter.models import Standort
from minimumstandards.models import Deadline, DeadlineRule, RuleKind
from minimumstandards.monthly import month_label, month_start, previous_month
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from tests.factories import PASSWORD

from .conftest import axe_check, login, visit

pytestmark = pytest.mark.e2e


def moment(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def a_week_ago(jobcenter, teams, staff):
    """Two visits a week ago at the Hauptstelle: waited 10 and 20 minutes."""
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    desk = Desk.objects.create(standort=site, name="Schalter 1")
    desk.teams.set([teams["ez"]])
    day = timezone.localdate() - timedelta(days=7)
    concern = Concern.objects.of(jobcenter).get(code="unterlagen")
    desk_open(actor=staff["ez"], desk_id=desk.pk, now=moment(day, 8))
    for hour, wait in ((9, 10), (10, 20)):
        visit = visit_check_in(
            actor=staff["empfang"],
            data=CheckIn(standort=site, concerns=[concern]),
            now=moment(day, hour),
        )
        called = moment(day, hour, wait)
        assert visit_call_next(actor=staff["ez"], desk_id=desk.pk, now=called) == visit
        visit_finish(
            actor=staff["ez"],
            desk_id=desk.pk,
            visit_id=visit.pk,
            outcome=Outcome.RESOLVED,
            handled=[concern.pk],
            now=called + timedelta(minutes=5),
        )
    return site


@pytest.fixture
def last_month(jobcenter, teams, staff):
    """Team leistung last month: one entry check met on time, one met late (rate 50,0 %)."""
    apply_preset(jobcenter=jobcenter, name="demo")
    first = previous_month(month_start(timezone.localdate()))
    rule = DeadlineRule.objects.filter(jobcenter=jobcenter, kind=RuleKind.ENTRY_CHECK).first()
    for due_day, done_day, status in ((5, 4, "met"), (10, 12, "late")):
        due = moment(first.replace(day=due_day), 12)
        Deadline.objects.create(
            jobcenter=jobcenter,
            rule=rule,
            kind=RuleKind.ENTRY_CHECK,
            team=teams["leistung"],
            started_at=due - timedelta(days=3),
            due_at=due,
            warn_at=due - timedelta(days=1),
            status=status,
            completed_at=moment(first.replace(day=done_day), 12),
        )
    return first


def open_chart_table(page, key: str) -> None:
    figure = page.locator(f"#{key}")
    expect(
        figure.get_by_role("img", name=figure.locator("figcaption").inner_text())
    ).to_be_visible()
    figure.locator("summary").click()
    expect(figure.get_by_role("table")).to_be_visible()
    axe_check(page)  # the opened table is a page state of its own


def test_team_lead_reads_the_charts_and_downloads_the_monthly_report(
    live_server, page, jobcenter, staff, teams, a_week_ago, last_month
):
    login(page, live_server, "teamleitung", PASSWORD)

    visit(page, f"{live_server.url}/warteschlange/auswertung/?standort={a_week_ago.pk}")
    expect(page.locator("figure.app-chart")).to_have_count(2)
    open_chart_table(page, "chart-times")
    # Waits of 10 and 20 minutes: 15,0 on average, in the chart's table as on the page.
    day = timezone.localdate() - timedelta(days=7)
    row = page.locator("#chart-times").get_by_role("row").filter(has_text=f"{day:%d.%m.}")
    expect(row.get_by_role("cell").first).to_have_text("15,0")
    open_chart_table(page, "chart-load")

    visit(page, f"{live_server.url}/warteschlange/?standort={a_week_ago.pk}")
    expect(page.locator("#chart-hours")).to_be_visible()

    visit(page, f"{live_server.url}/termine/kennzahlen/")
    expect(page.locator("#chart-consultations")).to_be_visible()
    # Printed: the chart fits the A4 column (18 cm) and its table is opened and printed.
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("#chart-consultations details")).to_have_attribute("open", "")
    expect(page.locator("#chart-consultations table")).to_be_visible()
    width = page.locator("#chart-consultations svg").evaluate(
        "(el) => el.getBoundingClientRect().width"
    )
    assert width <= 180 / 25.4 * 96 + 1, width
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    expect(page.locator("#chart-consultations table")).to_be_hidden()

    visit(page, f"{live_server.url}/fristen/")
    open_chart_table(page, "chart-rates")
    open_chart_table(page, "chart-breaches")

    section = page.get_by_role("region", name="Monatsbericht")
    section.get_by_label("Team").select_option(label="Team leistung")
    section.get_by_label("Monat").select_option(label=month_label(last_month))
    with page.expect_download() as excel:
        section.get_by_role("button", name="Als Excel").click()
    sheet = load_workbook(io.BytesIO(excel.value.path().read_bytes())).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert rows[0][:7] == [
        "Team leistung",
        datetime.combine(last_month, time()),
        "Eingangsprüfung",
        2,
        1,
        1,
        50,
    ]
    assert sheet.cell(2, 2).is_date

    with page.expect_download() as pdf:
        section.get_by_role("button", name="Als PDF").click()
    assert pdf.value.suggested_filename.endswith(f"{last_month:%Y-%m}-team-leistung.pdf")
    text = PdfReader(io.BytesIO(pdf.value.path().read_bytes())).pages[0].extract_text()
    assert "Team leistung" in text and month_label(last_month) in text and "50,0" in text
    axe_check(page)  # still the dashboard after the downloads
