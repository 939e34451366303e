"""What every step writes: the visit's event, its audit row, its contact, its number."""

from datetime import date, datetime

from django.db import connection

from jobcenter.models import Standort, Team, User
from jobcenter.services import audit_record

from ..models import Contact, DailyCounter, Desk, Visit, VisitEvent, VisitState

A = VisitEvent.Action


def record_event(
    visit: Visit,
    action: str,
    *,
    source: str,
    actor: User,
    at: datetime,
    desk: Desk | None = None,
    team: Team | None = None,
    note: str = "",
) -> VisitEvent:
    event = VisitEvent.objects.create(
        visit=visit,
        standort_id=visit.standort_id,
        action=action,
        source=source,
        target=visit.state,
        at=at,
        actor=actor,
        desk=desk,
        team=team,
        note=note,
    )
    # The audit row names the number, never the customer.
    audit_record(
        actor=actor,
        action="create" if action == A.CHECK_IN else "transition",
        target=visit,
        summary=visit_summary(str(visit), action, source, visit.state),
        changes={"state": [source, visit.state]} if source != visit.state else {},
    )
    return event


def visit_summary(number: str, action: str, source: str, target: str) -> str:
    """The audit line in German: "A019: aufgerufen (wartet → aufgerufen)"."""

    def state(value: str) -> str:
        return str(VisitState(value).label) if value in VisitState.values else value

    what = str(A(action).label)
    if not source:
        return f"{number}: {what} ({state(target)})"
    return f"{number}: {what} ({state(source)} → {state(target)})"


def open_contact(visit: Visit) -> Contact | None:
    return Contact.objects.filter(visit=visit, ended_at__isnull=True).first()


def end_contact(visit: Visit, *, outcome: str, at: datetime) -> None:
    # One UPDATE (no signal listens to contacts): a visit has at most one open contact.
    Contact.objects.filter(visit=visit, ended_at__isnull=True).update(ended_at=at, outcome=outcome)


def next_number(standort: Standort, day: date, prefix: str) -> str:
    """The next waiting number of the site and day, in one statement: the upsert creates
    the day's counter or raises it under its row lock, held until the check-in commits
    (PostgreSQL and SQLite both know INSERT … ON CONFLICT … RETURNING)."""
    table = connection.ops.quote_name(DailyCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (standort_id, day, last_value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (standort_id, day) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [standort.pk, day],
        )
        (value,) = cursor.fetchone()
    return f"{prefix}{value:03d}"
