"""One page of the deadline list (`/fristen/liste/`): counted up to a cap, in due order.

The user's deadlines are read as disjoint parts (`access.deadline_list_parts`: each of
their teams, and their own outside those teams), each part with plain conditions one
index answers (migration 0011_h32deadline_list_indexes: per team the open deadlines by
due moment, by rule and due moment, by warning moment; the paused ones; the completed
ones by completion), index-only on PostgreSQL:

- the count is the sum of each part's rows counted up to the cap + 1, in one statement:
  the parts are disjoint, so the sum capped is the capped count of their union, what one
  COUNT over "team IN (…) OR owner" gave, without reading the teams' deadlines that do
  not match;
- the page is the first offset + 50 rows of each part in due order, merged in one
  statement (UNION ALL), then the rows by id (`page_rows`).

Both statements are composed from each part's compiled SQL (PostgreSQL). Elsewhere
(SQLite, the demo) the count runs over the whole visible set and the parts are read one
by one: small data.
"""

from dataclasses import replace
from datetime import datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from jobcenter.paging import COUNT_CAP, ListPage, capped_page

from . import selectors
from .access import deadline_list_parts, deadlines_visible_to
from .models import Deadline, DeadlineAlert, ScanWatermark

LIST_PAGE_SIZE = 50
# A flag is set when the warning moment (or, for a breach, the due moment, after the
# warning one) has passed the scan's `now` or the clock of whoever flagged behind it: no
# flagged deadline warns later than the later of now and the watermark. The margin covers
# the clocks of several application servers; it only widens the range read.
FLAG_CLOCK_MARGIN = timedelta(hours=1)


def deadline_page(chosen: selectors.ListFilter, user, now: datetime, raw_number) -> ListPage:
    """The page `raw_number` of the deadlines `chosen` selects among the user's."""
    parts = _filtered_parts(chosen, user, now)
    compound = connection.vendor == "postgresql"
    bounded = _bounded(chosen)
    if compound:
        total = _count(parts, bounded=bounded)
    else:
        total = chosen.apply(deadlines_visible_to(user), now).order_by()[: COUNT_CAP + 1].count()
    page = capped_page(total, raw_number, per_page=LIST_PAGE_SIZE)
    wanted = page.offset + LIST_PAGE_SIZE
    heads = [qs.order_by("due_at", "pk").values_list("due_at", "pk") for qs in parts]
    if not total:
        found = []
    elif compound:
        found = _merged(heads, page.offset, wanted, bounded=bounded)
    else:
        found = sorted(row for head in heads for row in head[:wanted])[page.offset : wanted]
    ids = [pk for _due, pk in found]
    # By id without ORDER BY (with one, the planner may walk the due index), then in order.
    rows = page_rows(Deadline.objects.all()).in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _compiled(qs: QuerySet) -> tuple[str, tuple] | None:
    """The SQL of a part, None for a part Django knows to be empty (it compiles none)."""
    try:
        return qs.query.sql_with_params()
    except EmptyResultSet:
        return None


def _bounded(chosen: selectors.ListFilter) -> bool:
    """Whether the list's rows are one bounded range of an index, not in due order: the
    ones at risk, breached or flagged (by warning moment), the paused ones, the completed
    ones of a period (by completion). Such a part is read whole and sorted, planned
    without LIMIT: with one, PostgreSQL expects the rows early in the due order of a
    team's (rule's) deadlines and walks them all when fewer match than it guessed."""
    return chosen.state in {"droht", "gefaehrdet", "gemeldet", "angehalten"} or (
        chosen.state in selectors.DONE_STATES and chosen.period is not None
    )


def _count(parts: list[QuerySet], *, bounded: bool) -> int:
    """The parts' rows added up, each counted up to the cap + 1 (a bounded part whole):
    one statement, the capped count of their union (the parts are disjoint)."""
    pieces, params = [], []
    for qs in parts:
        if (compiled := _compiled(qs.order_by().values("pk"))) is None:
            continue
        sql, sql_params = compiled
        limit = "" if bounded else f" LIMIT {COUNT_CAP + 1}"
        pieces.append(f"(SELECT count(*) FROM ({sql}{limit}) part)")
        params.extend(sql_params)
    if not pieces:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(pieces), params)
        return min(cursor.fetchone()[0], COUNT_CAP + 1)


def _merged(heads: list[QuerySet], offset: int, wanted: int, *, bounded: bool) -> list:
    """(due, pk) of the page: the first `wanted` of each part in due order, merged, the
    rows from `offset` on; one statement (UNION ALL). A bounded part behind OFFSET 0,
    which PostgreSQL plans on its own (without the LIMIT above it)."""
    pieces, params = [], []
    for head in heads:
        if (compiled := _compiled(head.order_by() if bounded else head[:wanted])) is None:
            continue
        sql, sql_params = compiled
        if bounded:
            pieces.append(f"(SELECT * FROM ({sql} OFFSET 0) part ORDER BY 1, 2 LIMIT {wanted})")
        else:
            pieces.append(f"({sql})")
        params.extend(sql_params)
    if not pieces:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({' UNION ALL '.join(pieces)}) page"
            f" ORDER BY 1, 2 LIMIT {wanted - offset} OFFSET {offset}",
            params,
        )
        return cursor.fetchall()


def page_rows(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """What a list row shows: the identifiers, the case link and the owner. The deadlines
    with rule, team and owners, then the cases, customers and tickets of the page with
    their people and households, one query each if the page has any: as one join of 13
    tables the statement took longer to plan (PostgreSQL's genetic search from 12) than
    to run."""

    def related(name: str, *joined: str) -> Prefetch:
        model = Deadline._meta.get_field(name).related_model
        return Prefetch(name, queryset=model.objects.select_related(*joined))

    return deadlines.select_related(
        "rule", "team", "owner_user", "owner_postfach"
    ).prefetch_related(
        related("antrag", "applicant", "bedarfsgemeinschaft"),
        related("kunde", "bedarfsgemeinschaft"),
        related("aufgabe", "kunde__bedarfsgemeinschaft"),
    )


def _filtered_parts(chosen: selectors.ListFilter, user, now: datetime) -> list[QuerySet]:
    """Each part of the user's deadlines with the list's filters; a part the team filter
    empties is left out (a team's part when another team is chosen, the teams' parts for
    "ohne Team", the user's own outside their teams when one of those teams is chosen)."""
    parts = deadline_list_parts(user)
    if chosen.team == "ohne":
        parts = [(team, qs) for team, qs in parts if team is None]
    elif chosen.team:
        team_ids = {team for team, _qs in parts if team is not None}
        wanted = int(chosen.team)
        parts = [
            (team, qs)
            for team, qs in parts
            if team == wanted or (team is None and wanted not in team_ids)
        ]
    bound = _flag_bound(now) if chosen.state == "gemeldet" else None
    return [_filtered(chosen, team, qs, now, bound) for team, qs in parts]


def _filtered(chosen, team_id, part: QuerySet, now: datetime, bound) -> QuerySet:
    if chosen.state != "gemeldet" or team_id is None:
        return chosen.apply(part, now)
    # "gemeldet" of one team: the open deadlines with a first alert not closed (state_q),
    # that alert read from the team's own alerts, as the badge counts them (the alert's
    # team is the deadline's, copied), and the warning moment bounded (no flagged deadline
    # warns later): one range of the team's warning index, one of its alerts, index-only.
    flagged = DeadlineAlert.objects.filter(
        deadline=OuterRef("pk"), team_id=team_id, closed_at__isnull=True, first=True
    )
    return (
        replace(chosen, state="offen").apply(part, now).filter(Exists(flagged), warn_at__lte=bound)
    )


def _flag_bound(now: datetime) -> datetime:
    """No deadline flagged so far warns later than this (see FLAG_CLOCK_MARGIN)."""
    mark = ScanWatermark.objects.filter(pk=1).values_list("scanned_to", flat=True).first()
    return max(now, mark or now) + FLAG_CLOCK_MARGIN
