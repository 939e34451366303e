"""Issue 14: the dashboard's charts and the monthly minimum-standards report per team.

Every figure below is counted by hand from the deadlines built in `november`.
"""

import io
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from jobcenter.models import AuditEvent
from jobcenter.roles import Role
from minimumstandards import charts, monthly
from minimumstandards.dashboard import MonthRate
from minimumstandards.models import Deadline, DeadlineRule, MonthlyReport, RuleKind
from minimumstandards.presets import apply_preset
from minimumstandards.workdays import BERLIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=BERLIN)  # Thursday


def at(y, m, d, h=10):
    return datetime(y, m, d, h, 0, tzinfo=BERLIN)


def make(jobcenter, team, kind, *, started, due, status="open", completed=None):
    rule = DeadlineRule.objects.filter(jobcenter=jobcenter, kind=kind).first()
    return Deadline.objects.create(
        jobcenter=jobcenter,
        rule=rule,
        kind=kind,
        team=team,
        started_at=started,
        due_at=due,
        warn_at=due - timedelta(days=1),
        status=status,
        completed_at=completed,
    )


@pytest.fixture
def lead(jobcenter, teams, staff):
    user = staff["teamleitung"]
    user.email = "tl@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def november(jobcenter, teams, lead):
    """Team leistung in November 2026 (and a deadline of another team, never counted).

    entry check  A  due 05.11, met 04.11                  completed, met
                 B  due 10.11, met late 12.11              completed, late, breached
                 C  due 20.11, still open                  breached, open at end, overdue
                 D  started 25.11, due 08.12, open         open at end
                 E  due 12.11, cancelled                   never counted
    decision     F  due 02.11, met 02.11                   completed, met
                 G  due 28.10, met late 03.11              completed, late (breached in Oct)
    other team   H  due 10.11, late                        not in this team's report
    """
    apply_preset(jobcenter=jobcenter, name="demo")
    team = teams["leistung"]
    e, d = RuleKind.ENTRY_CHECK, RuleKind.DECISION
    make(jobcenter, team, e, started=at(2026, 11, 1), due=at(2026, 11, 5), status="met",
         completed=at(2026, 11, 4))  # fmt: skip
    make(jobcenter, team, e, started=at(2026, 11, 2), due=at(2026, 11, 10), status="late",
         completed=at(2026, 11, 12))  # fmt: skip
    make(jobcenter, team, e, started=at(2026, 11, 10), due=at(2026, 11, 20))
    make(jobcenter, team, e, started=at(2026, 11, 25), due=at(2026, 12, 8))
    make(jobcenter, team, e, started=at(2026, 11, 3), due=at(2026, 11, 12), status="cancelled",
         completed=at(2026, 11, 6))  # fmt: skip
    make(jobcenter, team, d, started=at(2026, 10, 1), due=at(2026, 11, 2), status="met",
         completed=at(2026, 11, 2))  # fmt: skip
    make(jobcenter, team, d, started=at(2026, 9, 20), due=at(2026, 10, 28), status="late",
         completed=at(2026, 11, 3))  # fmt: skip
    make(jobcenter, teams["leistung_b"], e, started=at(2026, 11, 2), due=at(2026, 11, 10),
         status="late", completed=at(2026, 11, 11))  # fmt: skip
    return team


def test_team_month_figures_by_hand(november):
    report = monthly.team_month(november, date(2026, 11, 1), now=NOW)
    rows = {
        r.label: (r.completed, r.met, r.late, r.rate, r.breached, r.open_at_end, r.overdue_at_end)
        for r in report.rows
    }
    assert rows == {
        "Eingangsprüfung": (2, 1, 1, 50, 2, 2, 1),
        "Entscheidung über den Antrag": (2, 1, 1, 50, 0, 0, 0),
    }
    t = report.total
    assert (t.completed, t.met, t.late, t.breached, t.open_at_end, t.overdue_at_end) == (
        4,
        2,
        2,
        2,
        2,
        1,
    )


def test_rate_rounds_half_up_to_one_decimal():
    assert monthly.RuleMonth("x", completed=8, met=7).rate == pytest.approx(87.5)
    # 2/3 = 66.666… → 66,7
    assert str(monthly.RuleMonth("x", completed=3, met=2).rate) == "66.7"
    assert monthly.RuleMonth("x").rate is None


def test_breaches_per_week_count_the_week_the_clock_ran_out(jobcenter, teams, november):
    deadlines = Deadline.objects.filter(team=november)
    weeks = dict(charts.breach_week_counts(deadlines, NOW.date(), NOW))
    # Mondays of the eight weeks up to the current one (30.11.).
    assert list(weeks) == [date(2026, 10, 12) + timedelta(weeks=i) for i in range(8)]
    assert weeks[date(2026, 10, 26)] == 1  # G, due 28.10, met late
    assert weeks[date(2026, 11, 9)] == 1  # B (E is cancelled, A met)
    assert weeks[date(2026, 11, 16)] == 1  # C, still open
    assert sum(weeks.values()) == 3  # D is not due yet
    chart = charts.breaches_per_week(deadlines, NOW.date(), NOW)
    assert chart.rows[2] == ["KW 44 ab 26.10.", "1"]
    assert chart.header == ["Woche", "überschritten (Fristen)"]


def test_on_time_chart_rounds_as_the_table_and_skips_empty_months():
    months = [
        MonthRate(date(2026, 10, 1), met=0, late=0),
        MonthRate(date(2026, 11, 1), met=7, late=1),  # 87.5 % → 88 %
        MonthRate(date(2026, 12, 1), met=2, late=1),  # 66.7 % → 67 %
    ]
    chart = charts.on_time_rate_per_month([("Eingangsprüfung", months)])
    assert chart.rows == [
        ["Okt 2026", "–"],
        ["Nov 2026", "88 %"],
        ["Dez 2026", "67 %"],
    ]
    svg = str(chart.svg())
    assert 'role="img"' in svg and 'aria-labelledby="chart-rates-caption"' in svg
    assert "88 %" in svg


def test_task_sends_one_mail_per_team_with_both_files_and_never_twice(
    jobcenter, teams, november, lead
):
    other_lead = UserFactory(
        username="tl-b",
        jobcenter=jobcenter,
        role=Role.TEAMLEITUNG,
        teams=[teams["leistung_b"]],
        email="tlb@example.org",
    )
    assert other_lead.email
    # Tuesday 1 December 2026 is the month's first working day.
    sent = monthly.send_monthly_reports(today=date(2026, 12, 1), now=NOW)
    assert sent == 2
    assert len(mail.outbox) == 2
    by_team = {m.to[0]: m for m in mail.outbox}
    message = by_team["tl@example.org"]
    assert "Team leistung" in message.subject and "November 2026" in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == [
        "mindeststandards-2026-11-team-leistung.pdf",
        "mindeststandards-2026-11-team-leistung.xlsx",
    ]
    assert by_team["tlb@example.org"].to == ["tlb@example.org"]
    assert MonthlyReport.objects.filter(month=date(2026, 11, 1)).count() == 2

    assert monthly.send_monthly_reports(today=date(2026, 12, 2), now=NOW) == 0
    assert len(mail.outbox) == 2


def test_not_before_the_first_working_day(jobcenter, teams, november, lead):
    # 1 January 2027 is a holiday, the 2nd and 3rd a weekend: Monday the 4th is the day.
    assert monthly.send_monthly_reports(today=date(2027, 1, 1), now=NOW) == 0
    assert monthly.send_monthly_reports(today=date(2027, 1, 3), now=NOW) == 0
    assert mail.outbox == []
    assert monthly.send_monthly_reports(today=date(2027, 1, 4), now=NOW) == 1
    assert "Dezember 2026" in mail.outbox[0].subject


def test_the_celery_task_runs_the_schedule(jobcenter, teams, november, lead, monkeypatch):
    from django.conf import settings

    from minimumstandards import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["minimumstandards-monthly-reports"]
    assert entry["task"] == "minimumstandards.tasks.send_monthly_reports"
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW - timedelta(days=2))
    tasks.send_monthly_reports.delay()  # eager in tests: 1 December
    assert len(mail.outbox) == 1


def test_pdf_and_excel_carry_the_teams_figures(november):
    report = monthly.team_month(november, date(2026, 11, 1), now=NOW)
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(monthly.report_pdf(report))).pages
    )
    assert "Team leistung" in text and "November 2026" in text
    assert "Eingangsprüfung" in text and "50,0" in text
    workbook = load_workbook(io.BytesIO(monthly.report_xlsx(report)))
    assert workbook.sheetnames == ["Mindeststandards"]
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Team", "Monat", "Regel"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][0] == "Team leistung" and rows[0][2] == "Eingangsprüfung"
    assert rows[0][3:] == [2, 1, 1, 50, 2, 2, 1]
    month_cell = sheet.cell(2, 2)
    assert month_cell.is_date and month_cell.number_format == "DD.MM.YYYY"
    assert month_cell.value == datetime(2026, 11, 1)
    assert rows[-1][2] == "Gesamt" and rows[-1][3] == 4
    assert all(r[0] and r[1] for r in rows)  # every row names team and month


def test_lead_downloads_a_past_month_and_others_cannot(
    login, november, lead, staff, teams, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    url = reverse("minimumstandards:monthly_report")
    client = login(lead)
    # The current month is not offered: its figures are not complete.
    response = client.get(url, {"mb-team": november.pk, "mb-monat": "2026-12"})
    assert response.status_code == 302
    response = client.get(url, {"mb-team": november.pk, "mb-monat": "2026-11", "mb-format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert "Eingangsprüfung" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert PdfReader(io.BytesIO(response.content)).pages
    response = client.get(url, {"mb-team": november.pk, "mb-monat": "2026-11", "mb-format": "xlsx"})
    assert load_workbook(io.BytesIO(response.content)).active.cell(2, 1).value == "Team leistung"
    assert (
        AuditEvent.objects.filter(summary__startswith="Monatsbericht Mindeststandards").count() == 2
    )
    # A team the lead is not in: refused with a message, no file.
    response = client.get(url, {"mb-team": teams["leistung_b"].pk, "mb-monat": "2026-11"})
    assert response.status_code == 302
    assert login(staff["leistung"]).get(url).status_code in (403, 404)
