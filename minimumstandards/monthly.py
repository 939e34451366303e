"""The monthly minimum-standards report per team: figures, PDF, Excel, the mail.

Team level only: counts per rule, no names and no customer numbers, so the files may go
by mail to the team lead's mailbox. The scheduled task (`tasks.send_monthly_reports`)
sends last month's report on the first working day of a month, once per team and month
(`MonthlyReport` records it); a team lead downloads any past month from the dashboard.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jobcenter.exports import XLSX_TYPE, Column, Sheet, sheets_file
from jobcenter.models import Team
from jobcenter.numbers import german_decimal, round_half_up
from jobcenter.roles import Role

from .models import Deadline, MonthlyReport, RuleKind
from .workdays import BERLIN

logger = logging.getLogger(__name__)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def month_label(first: date) -> str:
    return formats.date_format(first, "F Y")


@dataclass
class RuleMonth:
    label: str
    completed: int = 0
    met: int = 0
    late: int = 0
    breached: int = 0  # due in the month and passed unmet (late or still open)
    open_at_end: int = 0
    overdue_at_end: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Met on time, in percent of those completed, one decimal, rounded half up."""
        if not self.completed:
            return None
        return round_half_up(Decimal(100 * self.met) / self.completed, 1)


@dataclass
class TeamMonth:
    team: Team
    month: date
    rows: list[RuleMonth]
    total: RuleMonth = field(default_factory=lambda: RuleMonth(_("Gesamt")))


def team_month(team: Team, month: date, now: datetime | None = None) -> TeamMonth:
    """The team's figures of one calendar month (Europe/Berlin), per rule; one query.

    completed: deadlines met or met late in the month; breached: due in the month and
    passed unmet (completed late, or still open now); open at the month's end: started
    before it and not completed by then (cancelled ones never count), and of those the
    ones already past due.
    """
    now = now or timezone.now()
    start = datetime.combine(month, datetime.min.time(), tzinfo=BERLIN)
    end = datetime.combine(next_month(month), datetime.min.time(), tzinfo=BERLIN)
    done = Q(status__in=[Deadline.Status.MET, Deadline.Status.LATE])
    in_month = Q(completed_at__gte=start, completed_at__lt=end)
    open_at_end = Q(started_at__lt=end) & (Q(completed_at__isnull=True) | Q(completed_at__gte=end))
    rows = (
        Deadline.objects.filter(jobcenter_id=team.jobcenter_id, team=team)
        .exclude(status=Deadline.Status.CANCELLED)
        .values("kind")
        .annotate(
            completed=Count("id", filter=done & in_month),
            met=Count("id", filter=Q(status=Deadline.Status.MET) & in_month),
            late=Count("id", filter=Q(status=Deadline.Status.LATE) & in_month),
            breached=Count(
                "id",
                filter=Q(due_at__gte=start, due_at__lt=end, due_at__lte=now)
                & Q(status__in=[Deadline.Status.LATE, Deadline.Status.OPEN]),
            ),
            open_at_end=Count("id", filter=open_at_end),
            overdue_at_end=Count("id", filter=open_at_end & Q(due_at__lt=end)),
        )
        .order_by()
    )
    labels = dict(RuleKind.choices)
    found = {row["kind"]: row for row in rows}
    result = TeamMonth(team=team, month=month, rows=[])
    figures = ("completed", "met", "late", "breached", "open_at_end", "overdue_at_end")
    for kind in RuleKind.values:
        row = found.get(kind)
        if row is None or not any(row[f] for f in figures):
            continue
        item = RuleMonth(str(labels[kind]), **{f: row[f] for f in figures})
        result.rows.append(item)
        for f in figures:
            setattr(result.total, f, getattr(result.total, f) + row[f])
    return result


# --- the files -------------------------------------------------------------------------------


def _columns(report: TeamMonth) -> list[Column]:
    # Every row names team and month: a row copied out of the file still says what it counts.
    return [
        Column(_("Team"), lambda r: report.team.name),
        Column(_("Monat"), lambda r: report.month, "date"),
        Column(_("Regel"), lambda r: r.label),
        Column(_("erledigt"), lambda r: r.completed, "int"),
        Column(_("fristgerecht"), lambda r: r.met, "int"),
        Column(_("verspätet"), lambda r: r.late, "int"),
        Column(_("Erfüllungsquote (%)"), lambda r: r.rate, "decimal", digits=1),
        Column(_("im Monat überschritten"), lambda r: r.breached, "int"),
        Column(_("am Monatsende offen"), lambda r: r.open_at_end, "int"),
        Column(_("davon überfällig"), lambda r: r.overdue_at_end, "int"),
    ]


def report_xlsx(report: TeamMonth) -> bytes:
    return sheets_file(
        [Sheet(_("Mindeststandards"), _columns(report), [*report.rows, report.total])], "xlsx"
    )


_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=4)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=10)
_TITLE = ParagraphStyle(
    "title", parent=_BODY, fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=6
)


def _number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return german_decimal(value, 1)
    return str(value)


def report_pdf(report: TeamMonth) -> bytes:
    """A4 landscape-free, one table: the same figures and rounding as the Excel file."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Mindeststandards %(month)s – %(team)s")
        % {"month": month_label(report.month), "team": report.team.name},
        author=report.team.jobcenter.name,
    )
    header = [
        _("Regel"),
        _("erledigt"),
        _("frist-\ngerecht"),
        _("ver-\nspätet"),
        _("Quote\n(%)"),
        _("im Monat\nüberschritten"),
        _("Monatsende\noffen"),
        _("davon\nüberfällig"),
    ]
    cell = ParagraphStyle("cell", parent=_BODY, fontSize=8.5, leading=10, spaceAfter=0)
    data = [[Paragraph(escape(h).replace("\n", "<br/>"), cell) for h in header]]
    for row in [*report.rows, report.total]:
        data.append(
            [Paragraph(escape(row.label), cell)]
            + [
                _number(v)
                for v in (
                    row.completed,
                    row.met,
                    row.late,
                    row.rate,
                    row.breached,
                    row.open_at_end,
                    row.overdue_at_end,
                )
            ]
        )
    table = Table(data, colWidths=[52 * mm] + [18 * mm] * 7, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f0f0f0")]),
            ]
        )
    )
    story = [
        Paragraph(escape(_("Mindeststandards – Monatsbericht")), _TITLE),
        Paragraph(
            escape(
                _("Team %(team)s, %(jobcenter)s · %(month)s")
                % {
                    "team": report.team.name,
                    "jobcenter": report.team.jobcenter.name,
                    "month": month_label(report.month),
                }
            ),
            _BODY,
        ),
        Spacer(1, 4 * mm),
    ]
    if report.rows:
        story.append(table)
    else:
        story.append(Paragraph(escape(_("Im Monat gab es keine Fristen des Teams.")), _BODY))
    story += [
        Spacer(1, 5 * mm),
        Paragraph(
            escape(
                _(
                    "Erledigt: im Monat fristgerecht oder verspätet erfüllt. Quote: Anteil "
                    "fristgerecht an erledigt. Im Monat überschritten: im Monat fällig und "
                    "nicht rechtzeitig erfüllt. Monatsende offen: am letzten Tag des Monats "
                    "noch nicht erledigt, davon überfällig: schon über der Frist. "
                    "Teamebene, ohne Namen."
                )
            ),
            _SMALL,
        ),
        Paragraph(
            escape(
                _("Erstellt am %(d)s")
                % {"d": timezone.localtime(timezone.now(), BERLIN).strftime("%d.%m.%Y %H:%M")}
            ),
            _SMALL,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def filename(report: TeamMonth) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in report.team.name.lower()).strip("-")
    return f"mindeststandards-{report.month:%Y-%m}-{slug or report.team.pk}"


# --- the schedule ----------------------------------------------------------------------------


def team_leads(team: Team) -> list[str]:
    """The e-mail addresses of the team's leads: the lead named on the team and every
    active team lead who is a member of it."""
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(Q(led_teams=team) | Q(teams=team), role=Role.TEAMLEITUNG, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(users))


def first_working_day(calendar, first: date) -> date:
    day = first
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def send_team_report(team: Team, month: date, *, now: datetime | None = None) -> bool:
    """Mail one team's report of `month` to its leads, unless it went already. The record
    and the mail share one transaction: a failed send is tried again on the next run."""
    recipients = team_leads(team)
    if not recipients:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        _record, created = MonthlyReport.objects.get_or_create(
            team=team,
            month=month,
            defaults={"sent_at": now, "recipients": ", ".join(recipients)},
        )
        if not created:
            return False
        report = team_month(team, month, now=now)
        name = filename(report)
        message = EmailMessage(
            subject=_("Mindeststandards %(month)s: Monatsbericht Team %(team)s")
            % {"month": month_label(month), "team": team.name},
            body=_(
                "Guten Tag,\n\nanbei der Monatsbericht der Mindeststandards für das Team "
                "%(team)s, %(month)s, als PDF und als Excel-Datei. Die Berichte früherer "
                "Monate laden Sie in der Fristen-Übersicht herunter.\n\n"
                "Diese Nachricht wurde automatisch erstellt."
            )
            % {"team": team.name, "month": month_label(month)},
            to=recipients,
        )
        message.attach(f"{name}.pdf", report_pdf(report), "application/pdf")
        message.attach(f"{name}.xlsx", report_xlsx(report), XLSX_TYPE)
        message.send()
    return True


def send_monthly_reports(today: date | None = None, now: datetime | None = None) -> int:
    """Last month's report to every team with deadlines, from the first working day of
    the month on (run daily; a day the task missed is caught up the next), never twice."""
    from .services import calendar_for

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    month = previous_month(month_start(today))
    sent = 0
    calendars: dict = {}
    teams = (
        Team.objects.filter(deadlines__isnull=False)
        .exclude(monthly_reports__month=month)
        .select_related("jobcenter")
        .distinct()
        .order_by("jobcenter_id", "name")
    )
    for team in teams:
        jobcenter = team.jobcenter
        if jobcenter.pk not in calendars:
            calendars[jobcenter.pk] = first_working_day(calendar_for(jobcenter), month_start(today))
        if today < calendars[jobcenter.pk]:
            continue
        if send_team_report(team, month, now=now):
            sent += 1
    if sent:
        logger.info("monthly minimum-standards reports sent: %s", sent)
    return sent
