"""Deadlines of the minimum standards: opened and closed by case events, scanned for breach.

Other apps call `deadlines_on_event` when a case changes; nothing here knows about views.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, models, transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobcenter.errors import DomainError
from jobcenter.models import Jobcenter, Team, User
from jobcenter.predicates import require_perm
from jobcenter.services import audit_record

from .models import (
    PER_PERSON_KINDS,
    TIME_POINT_KINDS,
    ClosingDay,
    Deadline,
    DeadlineAlert,
    DeadlineRule,
    RuleKind,
    ScanWatermark,
    Scope,
    StartEvent,
)
from .workdays import BERLIN, WorkingDayCalendar, event_day, get_calendar, parse_window

# Which side of the house owns a deadline of each kind.
LEISTUNG_KINDS = {
    RuleKind.ENTRY_CHECK,
    RuleKind.DECISION,
    RuleKind.VERSAGUNG,
    RuleKind.CASE_CLOSURE,
}

# An arbitrary, fixed key: every scheduler takes the same advisory lock for the scan.
SCAN_LOCK_KEY = 4_711_2026


class DeadlineError(DomainError):
    """A refused deadline operation."""


def calendar_for(jobcenter: Jobcenter) -> WorkingDayCalendar:
    """The Jobcenter's working-day calendar: its Land, opt-ins and own closing days."""
    extra: set[date] = set()
    removed: set[date] = set()
    for day, closed in ClosingDay.objects.filter(jobcenter=jobcenter).values_list("day", "closed"):
        (extra if closed else removed).add(day)
    return get_calendar(
        jobcenter.bundesland,
        include_catholic=jobcenter.include_catholic_holidays,
        extra_closing_days=frozenset(extra),
        removed_closing_days=frozenset(
            d for d in removed if (d.month, d.day) in ((12, 24), (12, 31))
        ),
    )


def _shifted_start(calendar: WorkingDayCalendar, window_text: str, started_at: datetime, ext: int):
    """The start moved on by the days the clock was paused."""
    if not ext:
        return started_at
    window = parse_window(window_text)
    local = timezone.localtime(started_at, BERLIN)
    if window.kind == "KT":
        return local + timedelta(days=ext)
    day = calendar.add_working_days(event_day(local), ext)
    return datetime.combine(day, local.timetz()).replace(tzinfo=BERLIN)


def _warn_at(calendar: WorkingDayCalendar, rule: DeadlineRule, due_at: datetime) -> datetime:
    lead = rule.warn_lead.strip().lower()
    if lead.endswith("h"):
        return due_at - timedelta(hours=int(lead[:-1]))
    window = parse_window(lead)
    due_day = timezone.localtime(due_at, BERLIN).date()
    if window.kind == "KT":
        warn_day = due_day - timedelta(days=window.n)
    else:
        # "Falls due by the end of the next working day": from the start of the n-th
        # working day before the due day, the deadline is at risk.
        warn_day, remaining = due_day, window.n
        while remaining:
            warn_day -= timedelta(days=1)
            if calendar.is_working_day(warn_day):
                remaining -= 1
    return datetime.combine(warn_day, time(0), tzinfo=BERLIN)


def compute_due(
    calendar: WorkingDayCalendar,
    rule: DeadlineRule,
    started_at: datetime,
    extension_days: int = 0,
    window: str = "",
) -> tuple[datetime, datetime]:
    """Due and warning moment; `window` overrides the rule's for this one deadline."""
    window = window or rule.window
    start = _shifted_start(calendar, window, started_at, extension_days)
    due = calendar.due(start, window)
    return due, _warn_at(calendar, rule, due)


def _level(due_at: datetime, warn_at: datetime, now: datetime) -> str:
    if due_at <= now:
        return Deadline.Level.BREACH
    if warn_at <= now:
        return Deadline.Level.WARNING
    return Deadline.Level.NONE


@dataclass(frozen=True)
class Owners:
    leistung_team: Team | None
    integration_team: Team | None
    ifk: User | None = None


def _owner_fields(kind: str, owners: Owners) -> dict:
    if kind in LEISTUNG_KINDS:
        team = owners.leistung_team
        return {"team": team, "owner_postfach": getattr(team, "postfach", None)}
    team = owners.integration_team
    return {
        "team": team,
        "owner_postfach": getattr(team, "postfach", None),
        "owner_user": owners.ifk,
    }


def deadlines_on_event(
    *,
    jobcenter: Jobcenter,
    antrag,
    event: str,
    at: datetime,
    owners: Owners,
    scope: str = Scope.ALL,
    completes: str | None = None,
    application_kind: str = "",
    persons: Sequence[tuple[object, Owners]] = (),
) -> list[Deadline]:
    """Open the deadlines whose clock `event` starts; close those `completes` fulfils.

    A clock of a per-person kind (the first consultation, rule R-EG-01) opens once for each
    of `persons` (customer and the owners of their clock), and for no one if there are
    none; every other clock once for the case. `application_kind` picks the rules for that
    kind of application (rule R-EN-01). Called inside the caller's transaction, so a case
    never moves without its deadlines.
    """
    closed = deadlines_close(antrag=antrag, completing_event=completes, at=at) if completes else []
    if event == StartEvent.DOCUMENTS_COMPLETE:
        # The applicant cooperated: the clock towards a Versagung (rule R-FR-02) stops.
        deadlines_cancel(antrag=antrag, kinds=[RuleKind.VERSAGUNG])
    if not event:
        return closed
    calendar = calendar_for(jobcenter)
    on = event_day(timezone.localtime(at, BERLIN)) if isinstance(at, datetime) else at
    kinds = (
        DeadlineRule.objects.filter(jobcenter=jobcenter, start_event=event, valid_from__lte=on)
        .values_list("kind", flat=True)
        .distinct()
    )
    opened = []
    for kind in kinds:
        rule = DeadlineRule.objects.in_force(
            jobcenter=jobcenter,
            kind=kind,
            scope=scope,
            on=on,
            application_kind=application_kind,
        )
        if rule is None or rule.start_event != event:
            continue
        subjects = persons if kind in PER_PERSON_KINDS else [(None, owners)]
        for kunde, its_owners in subjects:
            if Deadline.objects.filter(
                antrag=antrag, kind=kind, kunde=kunde, status=Deadline.Status.OPEN
            ).exists():
                continue
            due_at, warn_at = compute_due(calendar, rule, at)
            opened.append(
                Deadline.objects.create(
                    jobcenter=jobcenter,
                    antrag=antrag,
                    kunde=kunde,
                    rule=rule,
                    kind=kind,
                    started_at=at,
                    due_at=due_at,
                    warn_at=warn_at,
                    **_owner_fields(kind, its_owners),
                )
            )
    flag_behind_watermark(opened)
    return opened


def deadlines_close(*, antrag, completing_event: str, at: datetime) -> list[Deadline]:
    """Close the case's open deadlines fulfilled by this event: met on time, or late."""
    return _complete(
        Deadline.objects.filter(antrag=antrag, rule__completing_event=completing_event), at
    )


def _complete(deadlines: "models.QuerySet[Deadline]", at: datetime) -> list[Deadline]:
    """Close the open ones among `deadlines`: met if `at` is not after the due moment."""
    closed = list(deadlines.select_for_update().filter(status=Deadline.Status.OPEN))
    for deadline in closed:
        deadline.completed_at = at
        deadline.status = Deadline.Status.MET if at <= deadline.due_at else Deadline.Status.LATE
        deadline.save(update_fields=["completed_at", "status"])
    if closed:
        _close_alerts(DeadlineAlert.objects.filter(deadline__in=[d.pk for d in closed]), at)
    return closed


def _close_alerts(alerts: "models.QuerySet[DeadlineAlert]", at: datetime) -> int:
    """The deadline stopped running: its alerts no longer count as at risk (the badge)."""
    return alerts.filter(closed_at__isnull=True).update(closed_at=at)


def _cancel(deadlines: "models.QuerySet[Deadline]") -> int:
    now = timezone.now()
    open_ = deadlines.filter(status=Deadline.Status.OPEN)
    _close_alerts(DeadlineAlert.objects.filter(deadline__in=open_.values("pk")), now)
    return open_.update(status=Deadline.Status.CANCELLED, completed_at=now)


def deadlines_cancel(*, antrag, kinds: list[str] | None = None) -> int:
    """The case ended without the event (e.g. rejected): its open clocks no longer run."""
    qs = Deadline.objects.filter(antrag=antrag, status=Deadline.Status.OPEN)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return _cancel(qs)


def _check_may_pause(actor: User, deadline: Deadline) -> None:
    require_perm(
        actor,
        "minimumstandards.pause_deadline",
        deadline,
        message=_("Diese Frist dürfen Sie nicht anhalten oder fortsetzen."),
    )


@transaction.atomic
def deadline_pause(*, actor: User, deadline_id: int, reason: str) -> Deadline:
    deadline = Deadline.objects.select_for_update().get(pk=deadline_id)
    _check_may_pause(actor, deadline)
    if not reason.strip():
        raise DeadlineError(_("Bitte den Grund der Unterbrechung dokumentieren."))
    if deadline.status != Deadline.Status.OPEN:
        raise DeadlineError(_("Die Frist ist nicht mehr offen."))
    if deadline.paused_at is not None:
        raise DeadlineError(_("Die Frist ist bereits angehalten."))
    deadline.paused_at = timezone.now()
    deadline.pause_reason = reason.strip()
    deadline.save(update_fields=["paused_at", "pause_reason"])
    audit_record(
        actor=actor, action="change", target=deadline, summary=_("Frist angehalten: %s") % reason
    )
    return deadline


def _extended_due(calendar: WorkingDayCalendar, deadline: Deadline, rule=None) -> datetime | None:
    """The date a paused clock's work is due by: the due moment moved by the paused days."""
    if not deadline.extension_days:
        return None
    rule = rule or deadline.rule
    return compute_due(
        calendar, rule, deadline.started_at, deadline.extension_days, deadline.window
    )[0]


@transaction.atomic
def deadline_resume(*, actor: User, deadline_id: int) -> Deadline:
    deadline = (
        Deadline.objects.select_for_update().select_related("rule", "jobcenter").get(pk=deadline_id)
    )
    _check_may_pause(actor, deadline)
    if deadline.paused_at is None:
        raise DeadlineError(_("Die Frist ist nicht angehalten."))
    calendar = calendar_for(deadline.jobcenter)
    now = timezone.now()
    paused_day = timezone.localtime(deadline.paused_at, BERLIN).date()
    resumed_day = timezone.localtime(now, BERLIN).date()
    if parse_window(deadline.window or deadline.rule.window).kind == "KT":
        days = (resumed_day - paused_day).days
    else:
        days = calendar.working_days_between(paused_day, resumed_day)
    deadline.extension_days += days
    # Rule R-ZT-01: the pause gives the worker a later date to work to; the due moment the
    # figures count against (on-time rate, breaches) stays the original one.
    deadline.extended_due_at = _extended_due(calendar, deadline)
    deadline.paused_at = None
    deadline.save(update_fields=["extension_days", "extended_due_at", "paused_at"])
    # The scan skipped the paused clock: what it passed meanwhile is flagged here.
    flag_behind_watermark([deadline])
    audit_record(
        actor=actor,
        action="change",
        target=deadline,
        summary=ngettext(
            "Frist fortgesetzt, verlängert um %(n)d Tag",
            "Frist fortgesetzt, verlängert um %(n)d Tage",
            days,
        )
        % {"n": days},
        changes={
            "extended_due_at": (
                deadline.extended_due_at.isoformat() if deadline.extended_due_at else None
            )
        },
    )
    return deadline


def deadlines_recompute(*, jobcenter: Jobcenter) -> int:
    """After a profile or calendar change: new due dates for open deadlines not yet due.

    Deadlines already past keep their due moment: a breach does not disappear because a
    rule changed afterwards. Each case keeps the rule in force when its clock started.
    """
    calendar = calendar_for(jobcenter)
    now = timezone.now()
    rules = list(DeadlineRule.objects.filter(jobcenter=jobcenter))
    changed = []
    qs = Deadline.objects.filter(jobcenter=jobcenter, status=Deadline.Status.OPEN, due_at__gt=now)
    for deadline in qs.select_related("rule").iterator(chunk_size=2000):
        start_day = event_day(timezone.localtime(deadline.started_at, BERLIN))
        candidates = [
            r
            for r in rules
            if r.kind == deadline.kind
            and r.scope in (deadline.rule.scope, Scope.ALL)
            and r.valid_from <= start_day
        ]
        rule = max(candidates, key=lambda r: (r.valid_from, r.scope), default=deadline.rule)
        # Rule R-ZT-01: the due moment is never moved by a pause; the extended one is.
        due_at, warn_at = compute_due(calendar, rule, deadline.started_at, 0, deadline.window)
        extended = _extended_due(calendar, deadline, rule)
        if (due_at, warn_at, rule.pk, extended) != (
            deadline.due_at,
            deadline.warn_at,
            deadline.rule_id,
            deadline.extended_due_at,
        ):
            deadline.due_at, deadline.warn_at, deadline.rule = due_at, warn_at, rule
            deadline.extended_due_at = extended
            changed.append(deadline)
    Deadline.objects.bulk_update(
        changed, ["due_at", "warn_at", "rule", "extended_due_at"], batch_size=2000
    )
    flag_behind_watermark(changed, moved=True)
    return len(changed)


# --- deadlines of customers and tickets --------------------------------------------------


def deadline_open(
    *,
    jobcenter: Jobcenter,
    kind: str,
    started_at: datetime,
    team: Team | None,
    owner_user: User | None = None,
    kunde=None,
    aufgabe=None,
    antrag=None,
    scope: str = Scope.ALL,
    window: str = "",
    several: bool = False,
    on: date | None = None,
) -> Deadline | None:
    """Open one deadline of `kind` by the rule in force; None if the profile has no such rule.

    For clocks that are not started by a case step: contact density per customer
    (`kunde`), the callback on a front-desk ticket (`aufgabe`). Opening again while one of
    the same kind is open for the same subject returns the open one. `window` (e.g. "30KT")
    replaces the rule's window for this deadline: a customer group's shorter interval.
    `several`: the subject may have more than one open (a customer's placement proposals,
    each with its own clock). `on`: the day whose rule applies, if not the clock's start (a
    yearly clock started before the rule was in force).
    """
    on = on or event_day(timezone.localtime(started_at, BERLIN))
    rule = DeadlineRule.objects.in_force(jobcenter=jobcenter, kind=kind, scope=scope, on=on)
    if rule is None:
        return None
    subject = {"antrag": antrag, "kunde": kunde, "aufgabe": aufgabe}
    existing = Deadline.objects.filter(status=Deadline.Status.OPEN, kind=kind, **subject).first()
    if existing is not None and not several:
        return existing
    if window:
        parse_window(window)  # a malformed window fails here, before anything is saved
    due_at, warn_at = compute_due(calendar_for(jobcenter), rule, started_at, window=window)
    deadline = Deadline.objects.create(
        jobcenter=jobcenter,
        rule=rule,
        kind=kind,
        window=window,
        started_at=started_at,
        due_at=due_at,
        warn_at=warn_at,
        team=team,
        owner_postfach=getattr(team, "postfach", None) if team else None,
        owner_user=owner_user,
        **subject,
    )
    flag_behind_watermark([deadline])
    return deadline


def deadline_cancel(
    *, kind: str, kunde=None, aufgabe=None, antrag=None, pk: int | None = None
) -> int:
    """The clock of this subject no longer runs as it was (e.g. replaced by a new window)."""
    qs = Deadline.objects.filter(
        status=Deadline.Status.OPEN, kind=kind, kunde=kunde, aufgabe=aufgabe, antrag=antrag
    )
    if pk is not None:
        qs = qs.filter(pk=pk)
    return _cancel(qs)


def deadline_complete(
    *, kind: str, at: datetime, kunde=None, aufgabe=None, antrag=None, pk: int | None = None
) -> list:
    """Close the open deadline(s) of `kind` for this subject (only deadline `pk`, if
    given): met on time, or late."""
    qs = Deadline.objects.filter(kind=kind, kunde=kunde, aufgabe=aufgabe, antrag=antrag)
    return _complete(qs if pk is None else qs.filter(pk=pk), at)


# --- the scan ----------------------------------------------------------------------------
#
# A flag is an alert row (DeadlineAlert); the scan never writes the deadline itself, so
# flagging costs one narrow insert instead of a new version of the deadline row in each of
# its indexes. The scan looks only at the warning and due moments after its watermark (the
# previous scan's `now`), over two partial indexes, index-only. Whoever opens, resumes or
# moves a deadline behind the watermark flags it at once (`flag_behind_watermark`).

_WATERMARK = ScanWatermark._meta.db_table
# `first` is what the badge counts ("Fristen gefährdet"): a Versagung that may now be issued
# is flagged (its alert is kept) but is no deadline at risk (rule R-FR-02), so never first.
_TIME_POINTS = ", ".join(f"'{kind}'" for kind in sorted(TIME_POINT_KINDS))
_FLAG_SQL = f"""
INSERT INTO {DeadlineAlert._meta.db_table}
       (deadline_id, level, created_at, team_id, owner_user_id, first)
SELECT id, %(level)s, %(now)s, team_id, owner_user_id, ({{first}}) AND kind NOT IN ({_TIME_POINTS})
  FROM {Deadline._meta.db_table} d
 WHERE status = 'open' AND paused_at IS NULL AND {{condition}}
ON CONFLICT (deadline_id, level) DO NOTHING
"""
# Each condition is one range of one partial index: the moments in (watermark, now].
_BREACH = "due_at > %(since)s AND due_at <= %(now)s"
_WARNING = "warn_at > %(since)s AND warn_at <= %(now)s AND due_at > %(now)s"
# Whether the alert is the deadline's first: a breach is not if a warning came before. A
# warning the scan inserts always is: a breach alert means a due moment at or before an
# earlier scan's now, and this warning's due moment lies after this scan's.
_FIRST = {
    "breach": f"NOT EXISTS (SELECT FROM {DeadlineAlert._meta.db_table} a"
    " WHERE a.deadline_id = d.id AND a.level = 'warning')",
    "warning": "TRUE",
}
_NOTHING = {"breach": 0, "warning": 0}


def scan(*, now: datetime | None = None) -> dict[str, int] | None:
    """Flag deadlines entering their warning window and deadlines breached, set-based.

    Runs under a transaction-scoped advisory lock: a second scheduler running at the same
    moment skips (returns None) instead of firing twice. Safe to run any number of times:
    one alert per deadline and level, and the watermark never moves back. Returns the
    alerts it inserted per level.
    """
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        return _scan_portable(now)
    with transaction.atomic(), connection.cursor() as cursor:
        # For this transaction only: every statement below is a range of an index; JIT
        # compiling (the catch-up's estimates cross its threshold) costs more than it saves,
        # and a probe into the alert table must not become a scan of it, whatever its
        # statistics say in the middle of a catch-up.
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s), set_config('jit', 'off', true),"
            " set_config('enable_seqscan', 'off', true)",
            [SCAN_LOCK_KEY],
        )
        if not cursor.fetchone()[0]:
            return None
        # The row lock waits for every transaction that has read the watermark to open or
        # move a deadline (FOR KEY SHARE): the inserts below see their deadlines.
        cursor.execute(
            f"INSERT INTO {_WATERMARK} (id, scanned_to) VALUES (1, NULL)"
            f" ON CONFLICT (id) DO UPDATE SET scanned_to = {_WATERMARK}.scanned_to"
            " RETURNING scanned_to"
        )
        since = cursor.fetchone()[0]
        if since is not None and now <= since:
            return dict(_NOTHING)
        params = {"now": now, "since": since if since is not None else "-infinity"}
        counts = {}
        for level, condition in (("breach", _BREACH), ("warning", _WARNING)):
            sql = _FLAG_SQL.format(condition=condition, first=_FIRST[level])
            cursor.execute(sql, {**params, "level": level})
            counts[level] = cursor.rowcount
        cursor.execute(f"UPDATE {_WATERMARK} SET scanned_to = %s WHERE id = 1", [now])
        return counts


@transaction.atomic
def _scan_portable(now: datetime) -> dict[str, int]:
    """The same scan for the demo's SQLite (one scheduler, no advisory locks there)."""
    mark, _created = ScanWatermark.objects.get_or_create(pk=1)
    since = mark.scanned_to
    if since is not None and now <= since:
        return dict(_NOTHING)
    running = Deadline.objects.filter(status=Deadline.Status.OPEN, paused_at__isnull=True)
    selections = {
        Deadline.Level.BREACH: running.filter(due_at__lte=now),
        Deadline.Level.WARNING: running.filter(warn_at__lte=now, due_at__gt=now),
    }
    if since is not None:
        selections[Deadline.Level.BREACH] = selections[Deadline.Level.BREACH].filter(
            due_at__gt=since
        )
        selections[Deadline.Level.WARNING] = selections[Deadline.Level.WARNING].filter(
            warn_at__gt=since
        )
    counts = {}
    for level, qs in selections.items():
        flagged = models.Exists(DeadlineAlert.objects.filter(deadline=OuterRef("pk")))
        rows = list(
            qs.exclude(alerts__level=level)
            .annotate(flagged=flagged)
            .values_list("pk", "team_id", "owner_user_id", "flagged", "kind")
        )
        DeadlineAlert.objects.bulk_create(
            [
                DeadlineAlert(
                    deadline_id=pk,
                    level=level,
                    created_at=now,
                    team_id=team,
                    owner_user_id=owner,
                    first=not was_flagged and kind not in TIME_POINT_KINDS,
                )
                for pk, team, owner, was_flagged, kind in rows
            ],
            ignore_conflicts=True,
        )
        counts[str(level)] = len(rows)
    mark.scanned_to = now
    mark.save(update_fields=["scanned_to"])
    return counts


def _watermark_for_flagging() -> datetime | None:
    """The last scan's `now`, read so that no scan moves it until this transaction ends."""
    if connection.vendor != "postgresql":
        return ScanWatermark.objects.filter(pk=1).values_list("scanned_to", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scanned_to FROM {_WATERMARK} WHERE id = 1 FOR KEY SHARE")
        row = cursor.fetchone()
    return row[0] if row else None


def flag_behind_watermark(deadlines: Sequence[Deadline], *, moved: bool = False) -> int:
    """Flag what the scan will not: moments of these deadlines at or before the watermark.

    Called by whatever opens a deadline, lets a paused one run again or moves its due
    moment, in that transaction. A moment up to now (or up to the watermark, if a scan ran
    ahead) is flagged here, one alert by the scan's rule (breached, else at risk); a later
    one the scan will meet. `moved`: the moments changed, so alerts no longer true (a
    warning now in the future) are removed. Returns the alerts inserted.
    """
    if not deadlines:
        return 0
    with transaction.atomic():
        now = timezone.now()
        since = _watermark_for_flagging()
        cutoff = max(now, since) if since is not None else now
        if moved:
            for level, moment in (
                (Deadline.Level.WARNING, "warn_at"),
                (Deadline.Level.BREACH, "due_at"),
            ):
                stale = [d.pk for d in deadlines if getattr(d, moment) > cutoff]
                if stale:
                    DeadlineAlert.objects.filter(deadline__in=stale, level=level).delete()
        due = [
            d
            for d in deadlines
            if d.status == Deadline.Status.OPEN and d.paused_at is None and d.warn_at <= cutoff
        ]
        if not due:
            return 0
        have = set(
            DeadlineAlert.objects.filter(deadline__in=[d.pk for d in due]).values_list(
                "deadline_id", "level"
            )
        )
        flagged = {pk for pk, _level_had in have}
        alerts = []
        for d in due:
            level = _level(d.due_at, d.warn_at, cutoff)
            if (d.pk, level) in have:
                continue
            alerts.append(
                DeadlineAlert(
                    deadline_id=d.pk,
                    level=level,
                    created_at=now,
                    team_id=d.team_id,
                    owner_user_id=d.owner_user_id,
                    first=d.pk not in flagged and d.kind not in TIME_POINT_KINDS,
                )
            )
        DeadlineAlert.objects.bulk_create(alerts, ignore_conflicts=True)
        return len(alerts)


# --- e-mail to the team mailbox (optional) --------------------------------------------------


def _in_office_hours(team, now_local: datetime, calendar: WorkingDayCalendar) -> bool:
    if not calendar.is_working_day(now_local.date()):
        return False
    hours = list(team.standort.opening_hours.all()) if team and team.standort_id else []
    if not hours:
        return time(8) <= now_local.time() < time(16)
    return any(
        h.weekday == now_local.weekday() and h.opens <= now_local.time() < h.closes for h in hours
    )


@transaction.atomic
def alerts_send_emails(*, now: datetime | None = None) -> int:
    """Mail new alerts to their team mailbox's address: in office hours (or always, by
    settings.DEADLINE_ALERT_EMAIL_HOURS), never twice.

    Off unless settings.DEADLINE_ALERT_EMAIL is on. The mail names rule, due moment and
    case numbers, no personal names. Marking and sending share one transaction, so a
    failed send is retried by the next scan.
    """
    from django.conf import settings
    from django.core.mail import send_mail

    if not settings.DEADLINE_ALERT_EMAIL:
        return 0
    now = now or timezone.now()
    now_local = timezone.localtime(now, BERLIN)
    always = getattr(settings, "DEADLINE_ALERT_EMAIL_HOURS", "office") == "always"
    alerts = list(
        DeadlineAlert.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(emailed_at__isnull=True)
        .exclude(deadline__owner_postfach__email="")
        .filter(deadline__owner_postfach__isnull=False)
        .select_related(
            "deadline__owner_postfach",
            "deadline__team__standort",
            "deadline__jobcenter",
            "deadline__antrag__bedarfsgemeinschaft",
            "deadline__antrag__applicant",
        )
        .order_by("deadline__owner_postfach", "deadline__due_at")
    )
    by_postfach: dict = {}
    calendars: dict = {}
    for alert in alerts:
        deadline = alert.deadline
        jc = deadline.jobcenter
        calendars.setdefault(jc.pk, calendar_for(jc))
        if always or _in_office_hours(deadline.team, now_local, calendars[jc.pk]):
            by_postfach.setdefault(deadline.owner_postfach, []).append(alert)
    sent = 0
    for postfach, items in by_postfach.items():
        lines = []
        for alert in items:
            d = alert.deadline
            case = (
                f"BG {d.antrag.bedarfsgemeinschaft.number}, Kd.-Nr. {d.antrag.applicant.kundennummer}"
                if d.antrag
                else ""
            )
            lines.append(
                f"- {alert.get_level_display()}: {d.get_kind_display()}, fällig "
                f"{timezone.localtime(d.due_at, BERLIN):%d.%m.%Y %H:%M} ({case})"
            )
        send_mail(
            subject=_("Fristen: %(n)d Hinweis(e) für %(postfach)s")
            % {"n": len(items), "postfach": postfach.name},
            message="\n".join(lines),
            from_email=None,
            recipient_list=[postfach.email],
        )
        DeadlineAlert.objects.filter(pk__in=[a.pk for a in items]).update(emailed_at=now)
        sent += len(items)
    return sent
