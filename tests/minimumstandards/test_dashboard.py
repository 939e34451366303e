import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from jobcenter.models import AuditEvent
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.presets import apply_preset
from tests.factories import person, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(jobcenter, staff, teams):
    """Three cases of the lead's Leistung team, one of another team."""
    apply_preset(jobcenter=jobcenter, name="demo")
    now = timezone.now()
    made = [
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person(f"P{i}", "Dash", is_head=True)],
            application_date=timezone.localdate() - timedelta(days=age),
            received_at=now - timedelta(days=age),
        )
        for i, age in enumerate([0, 3, 30])
    ]
    register(
        actor=staff["ez"],
        leistung_team=teams["leistung_b"],
        persons=[person("Other", "Team", is_head=True)],
        application_date=timezone.localdate() - timedelta(days=30),
        received_at=now - timedelta(days=30),
    )
    return made


def expected_counts(user_teams, kind):
    now = timezone.now()
    qs = Deadline.objects.filter(team__in=user_teams, kind=kind, status="open")
    return (
        qs.count(),
        qs.filter(warn_at__lte=now, due_at__gt=now).count(),
        qs.filter(due_at__lte=now).count(),
    )


def test_counts_per_rule_are_those_of_the_leads_teams(login, staff, teams, cases):
    response = login(staff["teamleitung"]).get(reverse("minimumstandards:dashboard"))
    assert response.status_code == 200
    counts = {c.kind: (c.open, c.warning, c.breached) for c in response.context["counts"]}
    lead_teams = staff["teamleitung"].teams.all()
    assert counts[RuleKind.ENTRY_CHECK] == expected_counts(lead_teams, RuleKind.ENTRY_CHECK)
    # Hand-computed: three entry checks of team "leistung", the 3- and 30-day-old ones breached.
    assert counts[RuleKind.ENTRY_CHECK][0] == 3
    assert counts[RuleKind.ENTRY_CHECK][2] == 2
    # The other Leistung team's case does not count. The Versagung is a point in time,
    # shown apart from the deadlines (issue 14).
    assert RuleKind.VERSAGUNG not in counts
    assert [(c.kind, c.open) for c in response.context["time_points"]] == [(RuleKind.VERSAGUNG, 3)]


def test_most_urgent_first_with_drill_down(login, staff, cases):
    response = login(staff["teamleitung"]).get(reverse("minimumstandards:dashboard"))
    urgent = [d for d, _label, _tone in response.context["urgent"]]
    assert urgent == sorted(urgent, key=lambda d: d.due_at)
    page = response.content.decode()
    assert reverse("intake:case_detail", args=[cases[2].pk]) in page
    assert "überfällig" in page
    lead_teams = set(staff["teamleitung"].teams.all())
    assert all(d.team in lead_teams for d in urgent)


def test_on_time_rate_per_month(login, staff, cases):
    # Close the 30-day-old case's entry check late and the fresh one's on time.
    for antrag in (cases[0], cases[2]):
        from intake.services import antrag_transition

        antrag_transition(
            actor=staff["leistung"],
            antrag_id=antrag.pk,
            name="complete_entry_check",
            expected_state="erfasst",
            documents_complete=False,
        )
    response = login(staff["teamleitung"]).get(reverse("minimumstandards:dashboard"))
    rates = dict(response.context["rates"])
    this_month = rates["Eingangsprüfung"][-1][0]
    assert (this_month.met, this_month.late) == (1, 1)
    assert this_month.rate == 0.5


@pytest.mark.parametrize("who", ["ez", "leistung", "ifk", "empfang", "admin", "hotline"])
def test_dashboard_is_for_team_leads_only(login, staff, who):
    assert login(staff[who]).get(reverse("minimumstandards:dashboard")).status_code == 403


def test_outsider_lead_sees_nothing_of_ours(login, cases):
    from jobcenter.roles import Role
    from tests.factories import UserFactory

    lead = UserFactory(role=Role.TEAMLEITUNG)
    response = login(lead).get(reverse("minimumstandards:dashboard"))
    assert response.context["counts"] == []
    assert response.context["urgent"] == []


def test_live_partial_for_polling(login, staff, cases):
    response = login(staff["teamleitung"]).get(
        reverse("minimumstandards:dashboard_live"), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Am dringendsten" in body


def test_dashboard_queries_do_not_grow_with_rows(login, staff, teams, cases):
    client = login(staff["teamleitung"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("minimumstandards:dashboard"))
        return len(ctx.captured_queries)

    few = queries()
    for i in range(8):
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person(f"More{i}", "Rows", is_head=True)],
        )
    assert queries() == few


@pytest.fixture
def deadlines_without_case(jobcenter, staff, teams, cases):
    """Deadlines that belong to no case: a customer's contact density, the callback on a
    ticket about a customer, and one on a ticket of a visitor who gave no name."""
    from minimumstandards.services import deadline_open
    from routing.services import aufgabe_create

    now = timezone.now()
    team = teams["leistung"]
    about = cases[2].applicant
    density = deadline_open(
        jobcenter=jobcenter,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=now,
        team=team,
        kunde=about,
        window="30KT",
    )
    ticket = aufgabe_create(
        created_by=staff["ez"],
        title="Rückruf",
        assignee=staff["leistung"],
        kunde=cases[1].applicant,
    )
    callback = deadline_open(
        jobcenter=jobcenter, kind=RuleKind.CALLBACK, started_at=now, team=team, aufgabe=ticket
    )
    anonymous = aufgabe_create(created_by=staff["ez"], title="Rückruf", assignee=staff["leistung"])
    nameless = deadline_open(
        jobcenter=jobcenter, kind=RuleKind.CALLBACK, started_at=now, team=team, aufgabe=anonymous
    )
    assert density.kunde_id and callback.aufgabe_id and nameless.aufgabe_id
    return {"density": density, "callback": callback, "nameless": nameless}


def berlin_minute(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def test_csv_export_has_numbers_not_names(login, staff, cases, deadlines_without_case):
    response = login(staff["teamleitung"]).get(
        reverse("minimumstandards:dashboard_export", args=["csv"])
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    head = rows[0]
    assert head[:4] == ["Regel", "BG-Nummer", "Kd.-Nr.", "Aufgabe-Nr."]
    data = rows[1:]
    assert (
        len(data)
        == Deadline.objects.filter(team__in=staff["teamleitung"].teams.all(), status="open").count()
    )
    # Every row can be found again: by the person's Kd.-Nr. and BG-Nummer, or the ticket.
    assert all(row[1] or row[2] or row[3] for row in data)
    assert cases[0].applicant.kundennummer in text
    assert "Dash" not in text

    by_due = {row[head.index("fällig")]: row for row in data}
    density = deadlines_without_case["density"]
    row = next(
        r for r in data if r[0] == density.get_kind_display() and r[2] == density.kunde.kundennummer
    )
    assert row[2] == density.kunde.kundennummer
    assert row[1] == density.kunde.bedarfsgemeinschaft.number
    callback = deadlines_without_case["callback"]
    row = next(r for r in data if r[3] == str(callback.aufgabe_id))
    assert row[2] == cases[1].applicant.kundennummer
    assert row[1] == cases[1].bedarfsgemeinschaft.number
    nameless = deadlines_without_case["nameless"]
    assert any(r[3] == str(nameless.aufgabe_id) and not r[2] for r in data)
    # German dates with the minute the dashboard shows.
    assert berlin_minute(callback.due_at) in by_due


def test_excel_export_opens(login, staff, cases, deadlines_without_case):
    response = login(staff["teamleitung"]).get(
        reverse("minimumstandards:dashboard_export", args=["xlsx"])
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Offene Fristen"]
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Regel"
    assert sheet.max_row > 1
    due = header.index("fällig") + 1
    first = Deadline.objects.filter(
        team__in=staff["teamleitung"].teams.all(), status="open"
    ).order_by("due_at")[0]
    cell = sheet.cell(2, due)
    assert cell.is_date and cell.number_format == "DD.MM.YYYY HH:MM"
    assert cell.value == timezone.localtime(first.due_at).replace(tzinfo=None, microsecond=0)
    assert sheet.cell(2, header.index("Fristbeginn") + 1).is_date
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{sheet.max_row}"
    assert all(
        sheet.column_dimensions[get_column_letter(i)].width > 8.43
        for i in range(1, len(header) + 1)
    )
    kd, bg, ticket = (header.index(h) + 1 for h in ("Kd.-Nr.", "BG-Nummer", "Aufgabe-Nr."))
    for r in range(2, sheet.max_row + 1):
        assert any(sheet.cell(r, c).value for c in (kd, bg, ticket)), r


def test_export_audits_every_customer_it_names(login, staff, cases, deadlines_without_case):
    login(staff["teamleitung"]).get(reverse("minimumstandards:dashboard_export", args=["csv"]))
    audited = set(
        AuditEvent.objects.filter(summary__startswith="Offene Fristen exportiert").values_list(
            "subject_id", flat=True
        )
    )
    assert deadlines_without_case["density"].kunde_id in audited
    assert cases[1].applicant_id in audited


def test_pause_from_the_case_page_and_outsider_404(login, staff, outsider, cases):
    deadline = cases[0].deadlines.get(kind=RuleKind.ENTRY_CHECK)
    url = reverse("minimumstandards:deadline_pause", args=[deadline.pk])
    assert login(outsider).post(url, {"reason": "x"}).status_code in (403, 404)
    assert login(staff["leistung_b"]).post(url, {"reason": "x"}).status_code == 404
    response = login(staff["leistung"]).post(url, {"reason": ""}, follow=True)
    assert "Grund der Unterbrechung" in response.content.decode()
    login(staff["leistung"]).post(url, {"reason": "Unterlagen angefordert"})
    deadline.refresh_from_db()
    assert deadline.paused_at is not None
    page = login(staff["leistung"]).get(reverse("intake:case_detail", args=[cases[0].pk]))
    assert "Frist fortsetzen" in page.content.decode()


def test_owner_badge_counts_deadlines_at_risk(login, staff, cases):
    page = login(staff["leistung"]).get(reverse("intake:case_list")).content.decode()
    assert "Fristen gefährdet" in page
    risky = login(staff["leistung"]).get(reverse("intake:case_list"), {"state": "risk"})
    shown = {a.pk for a in risky.context["page"].object_list}
    assert cases[2].pk in shown


@pytest.mark.parametrize("who", ["ez", "leistung_b", "hotline"])
def test_who_may_not_pause_a_clock_cannot(login, staff, cases, who):
    from django.core.exceptions import PermissionDenied

    from minimumstandards.services import deadline_pause

    deadline = cases[0].deadlines.get(kind=RuleKind.ENTRY_CHECK)
    with pytest.raises(PermissionDenied):
        deadline_pause(actor=staff[who], deadline_id=deadline.pk, reason="Grund")
    response = login(staff[who]).post(
        reverse("minimumstandards:deadline_pause", args=[deadline.pk]), {"reason": "Grund"}
    )
    assert response.status_code in (403, 404)
    deadline.refresh_from_db()
    assert deadline.paused_at is None


@pytest.mark.parametrize(("resumed_day", "summary"), [(10, "um 1 Tag"), (11, "um 2 Tage")])
def test_resume_audit_counts_one_day_in_the_singular(
    monkeypatch, staff, cases, resumed_day, summary
):
    """Paused on Monday 09.03.2026, resumed on Tuesday (1 working day) or Wednesday (2)."""
    from datetime import datetime

    from minimumstandards.services import deadline_pause, deadline_resume
    from minimumstandards.workdays import BERLIN

    deadline = cases[1].deadlines.get(kind=RuleKind.ENTRY_CHECK)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 9, 10, tzinfo=BERLIN))
    deadline_pause(actor=staff["leistung"], deadline_id=deadline.pk, reason="Unterlagen")
    resumed = datetime(2026, 3, resumed_day, 10, tzinfo=BERLIN)
    monkeypatch.setattr(timezone, "now", lambda: resumed)
    deadline_resume(actor=staff["leistung"], deadline_id=deadline.pk)
    event = AuditEvent.objects.filter(summary__startswith="Frist fortgesetzt").get()
    assert event.summary == f"Frist fortgesetzt, verlängert {summary}"
