"""The IFK's "Heute" one page at a time: one row per customer, paged by customer.

The worklist shows one row per customer (merge_by_customer: the customer's most pressing
row in the chosen order keeps the place, the others go with it), so a page is a run of
customers, not of rows. The deadline sources (`Source.deadlines`: warned deadlines,
contacts due, follow-ups) can hold thousands of rows: each gives SQL for its rows' light
values (key, customer, sort key, "due this week"); the small sources' rows (mailbox items
read light, appointments, new customers, first consultations) go along as arrays. One
statement groups them by customer (a row without one is a group of its own), orders the
groups by their first row's key, counts them and the week's due rows, and names the rows
of the page's groups; only those deadlines are then read as rows.

The order is that of SORTS / _today_first, computed in SQL for the deadline rows:
customers' names (sorting "kunde") are compared lower-cased with ß as ss, code point by
code point, as str.casefold() compares them; rows and groups that tie keep the order of
the sources, then of a source's rows (a deadline source's by id). Without PostgreSQL, or with a text filter (it leaves few rows), the rows are
read in full and paged in Python, as before.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Lower, Replace
from django.utils import timezone

from intake.models import Kunde
from jobcenter.paging import COUNT_CAP, PER_PAGE
from minimumstandards.models import Deadline

from .models import Aufgabe
from .selectors import for_display
from .worklist import (
    SORTS,
    Row,
    Today,
    _filtered,
    _mailbox_items,
    _name_prefilter,
    _today_first,
    _when,
    complete_rows,
    mailbox_row,
    mailbox_rows_page,
    merge_by_customer,
    sources_for,
    today_counts,
)

EVERY_ROW = 10**9  # a source's fetch_page limit that gives all of its rows
LEVELS = {"danger": 0, "warning": 1, "info": 2}


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _row_key(row: Row, sort: str, now, art_rank: dict) -> tuple:
    """The row's sort key as (number, moment or text): SORTS with the label of "art" as
    its rank, the name of "kunde" as the SQL side compares it."""
    when = _when(row.due_at, row.received_at)
    if sort == "heute":
        return _today_first(row, now)
    if sort == "faellig":
        return (int(row.due_at is None), when)
    if sort == "kunde":
        return (int(row.kunde is None), _name_key(row.kunde_name))
    if sort == "art":
        return (art_rank[str(row.category_label)], when)
    if sort == "eingang":
        return (0, _when(row.received_at))
    return (LEVELS.get(row.level, 3), when)


def _name_key(name: str) -> str:
    return name.lower().replace("ß", "ss")


def _sql_key(sort: str, now, label_rank: int) -> tuple:
    """The same key as SQL for a deadline row (due and started moments never empty; its
    category is no appointment): `row_kunde` is the row's customer's id."""
    if sort == "kunde":
        name = Concat(F("last_name"), Value(", "), F("first_name"), output_field=CharField())
        names = Kunde.objects.filter(pk=OuterRef("row_kunde")).values(
            n=Replace(Lower(name), Value("ß"), Value("ss"))
        )
        k1 = Case(When(row_kunde__isnull=True, then=Value(1)), default=Value(0))
        return k1, Subquery(names[:1], output_field=CharField())
    if sort == "heute":
        return Value(2), F("due_at")  # a due moment: group 2 of _today_first
    if sort == "art":
        return Value(label_rank), F("due_at")
    if sort == "eingang":
        return Value(0), F("started_at")
    if sort == "dringlichkeit":
        level = Case(
            When(due_at__lte=now, then=Value(0)),
            When(warn_at__lte=now, then=Value(1)),
            default=Value(3),
            output_field=IntegerField(),
        )
        return level, F("due_at")
    return Value(0), F("due_at")  # "faellig"


def _mailbox_part(user, now, *, position: int, sort: str, art_rank: dict, week_start, week_end):
    """The mailbox items as SQL rows like a deadline source's (key, customer, sort key, "due
    this week", ties in the items' own order, newest first) with the rules of
    `_mailbox_level` and SORTS: (sql, params). Each item's first open deadline is looked up
    once (an annotation, or a subquery PostgreSQL pulls up, would repeat it in each key)."""
    first = Deadline.objects.open().filter(aufgabe=OuterRef("pk")).order_by("due_at")
    inner = _mailbox_items(user, now).annotate(d_due=Subquery(first.values("due_at")[:1]))
    fields = ["pk", "kind", "urgent", "claimed_by_id", "follow_up_on", "created_at"]
    fields += ["kunde_id", "due_at", "d_due"]
    if sort not in ("heute", "faellig", "kunde", "art", "eingang"):  # the level's warning
        inner = inner.annotate(d_warn=Subquery(first.values("warn_at")[:1]))
        fields.append("d_warn")
    if sort == "kunde":
        name = Concat(
            F("kunde__last_name"), Value(", "), F("kunde__first_name"), output_field=CharField()
        )
        inner = inner.annotate(
            kname=Case(
                When(kunde_id__isnull=True, then=Value("")),
                default=Replace(Lower(name), Value("ß"), Value("ss")),
                output_field=CharField(),
            )
        )
        fields.append("kname")
    inner_sql, inner_params = inner.order_by().values(*fields).query.sql_with_params()
    when = "coalesce(due, created_at)"
    key_params: list = []
    if sort == "heute":
        k1, k2 = "CASE WHEN due IS NOT NULL THEN 2 ELSE 3 END", when
    elif sort == "faellig":
        k1, k2 = "CASE WHEN due IS NULL THEN 1 ELSE 0 END", when
    elif sort == "kunde":
        k1, k2 = "CASE WHEN kunde_id IS NULL THEN 1 ELSE 0 END", "kname"
    elif sort == "art":
        choices = Aufgabe.Kind.choices
        k1 = "CASE kind " + " ".join("WHEN %s THEN %s" for _c in choices) + " ELSE -1 END"
        for kind, label in choices:
            key_params += [kind, art_rank[str(label)]]
        k2 = when
    elif sort == "eingang":
        k1, k2 = "0", "created_at"
    else:  # "dringlichkeit": overdue, at risk, urgent unclaimed, follow-up overdue, urgent
        k1 = (
            "CASE WHEN due <= %s THEN 0 WHEN d_warn <= %s THEN 1"
            " WHEN urgent AND claimed_by_id IS NULL THEN 0 WHEN follow_up_on < %s THEN 1"
            " WHEN urgent THEN 1 ELSE 3 END"
        )
        key_params += [now, now, timezone.localdate(now)]
        k2 = when
    sql = (
        f"SELECT 'aufgabe-' || pk, kunde_id, {k1}, {k2},"
        " CASE WHEN due >= %s AND due < %s THEN 1 ELSE 0 END,"
        f" {position}::bigint * %s + row_number() OVER (ORDER BY created_at DESC, pk DESC)"
        # OFFSET 0: computed once, not pulled up into each key that uses it.
        f" FROM (SELECT i.*, coalesce(d_due, due_at) AS due FROM ({inner_sql} OFFSET 0) i) s"
    )
    return sql, [*key_params, week_start, week_end, EVERY_ROW, *inner_params]


def today_page(
    user,
    *,
    category: str = "",
    q: str = "",
    state: str = "",
    sort: str = "heute",
    descending: bool = False,
    now=None,
    offset: int = 0,
    limit: int = PER_PAGE,
) -> tuple[list[Row], int, Today]:
    """The merged rows of one page (`offset`, `limit` counted in merged rows), how many
    merged rows there are (counted up to COUNT_CAP + 1) and the counters on top."""
    now = now or timezone.now()
    if sort == "heute":
        descending = False  # "Heute" has one direction
    sources = [s for s in sources_for(user) if not category or s.key == category]
    if q.strip() or connection.vendor != "postgresql":
        return _in_python(
            user,
            sources,
            q=q,
            state=state,
            sort=sort,
            descending=descending,
            now=now,
            offset=offset,
            limit=limit,
        )
    small: list[Row] = []
    positions: list[tuple[int, int]] = []  # each small row's source and place in it
    big: list[tuple[int, object]] = []
    mailbox = None  # the mailbox source's position: its items are ordered in SQL
    for position, source in enumerate(sources):
        if source.fetch_page is mailbox_rows_page:
            if not state:  # a case state: no mailbox item has one
                mailbox = position
            continue
        if source.deadlines is not None:
            if not state:  # a case state: no deadline row has one
                big.append((position, source))
            continue
        if source.fetch_page is not None:
            found, _n = source.fetch_page(
                user, now, sort=sort, descending=descending, limit=EVERY_ROW, q=q, state=state
            )
        else:
            found = source.fetch(user, now)
        found = _filtered(found, q=q, state=state)
        small.extend(found)
        positions.extend((position, i) for i in range(len(found)))
    counts = today_counts(small, now)
    labels = {str(r.category_label) for r in small} | {str(s.label) for _p, s in big}
    if mailbox is not None:
        labels |= {str(label) for _k, label in Aufgabe.Kind.choices}
    art_rank = {label: i for i, label in enumerate(sorted(labels))}
    groups, total, week = _groups(
        user,
        now,
        big,
        small,
        positions,
        mailbox=mailbox,
        sort=sort,
        descending=descending,
        art_rank=art_rank,
        offset=offset,
        limit=limit,
    )
    by_key = {r.key: r for r in small}
    if mailbox is not None:  # the page's mailbox items, read for display
        pks = [
            k[len("aufgabe-") :]
            for _grp, keys in groups
            for k in keys
            if k.startswith("aufgabe-") and k not in by_key
        ]
        if pks:
            kind_labels = {k: str(label) for k, label in Aufgabe.Kind.choices}
            by_key.update(
                (r.key, r)
                for r in (
                    mailbox_row(a, user, now, kind_labels=kind_labels)
                    for a in for_display(Aufgabe.objects.filter(pk__in=pks))
                )
            )
    for _position, source in big:
        prefix = f"{source.key}-"
        pks = [k[len(prefix) :] for _grp, keys in groups for k in keys if k.startswith(prefix)]
        if pks:
            by_key.update((r.key, r) for r in source.deadlines.rows(user, now, pks=pks))
    page_rows = [by_key[k] for _grp, keys in groups for k in keys if k in by_key]
    complete = {r.key: r for r in complete_rows(page_rows, user, now)}
    rows = []
    for _grp, keys in groups:
        # In the order of SORTS: the customer's first row leads, the others go with it.
        members = [complete[k] for k in keys if k in complete]
        if members:
            rows.extend(merge_by_customer(members))
    today = Today(counts.appointments, counts.arrived, counts.due_this_week + week)
    return rows, min(total, COUNT_CAP + 1), today


def _python_order(sort: str, now, descending: bool) -> dict:
    if sort == "heute":
        return {"key": lambda r: _today_first(r, now)}
    return {"key": SORTS.get(sort, SORTS["dringlichkeit"]), "reverse": descending}


def _groups(
    user, now, big, small, positions, *, mailbox, sort, descending, art_rank, offset, limit
):
    """The page's groups as (group, row keys) in order, the number of groups, the rows of
    the deadline sources due this week. One statement."""
    today = timezone.localdate(now)
    week_start = _midnight(today)
    week_end = _midnight(today + timedelta(days=7 - today.weekday()))
    parts, params = [], []
    for position, source in big:
        k1, k2 = _sql_key(sort, now, art_rank[str(source.label)])
        for part in source.deadlines.parts(user, now):
            qs = (
                part.annotate(row_kunde=source.deadlines.customer)
                .annotate(
                    row_key=Concat(Value(f"{source.key}-"), Cast("pk", CharField())),
                    k1=k1,
                    k2=k2,
                    week=Case(
                        When(due_at__gte=week_start, due_at__lt=week_end, then=Value(1)),
                        default=Value(0),
                    ),
                )
                .order_by()
                .values("pk", "row_key", "row_kunde", "k1", "k2", "week")
            )
            sql, p = qs.query.sql_with_params()
            # Ties keep the sources' order, a source's deadlines by id.
            parts.append(
                f"SELECT row_key, row_kunde, k1, k2, week, {position}::bigint * %s + pk"
                f" FROM ({sql}) s"
            )
            params += [EVERY_ROW, *p]
    if mailbox is not None:
        sql, p = _mailbox_part(
            user,
            now,
            position=mailbox,
            sort=sort,
            art_rank=art_rank,
            week_start=week_start,
            week_end=week_end,
        )
        parts.append(sql)
        params += p
    k2_type = "text" if sort == "kunde" else "timestamptz"
    keys = [_row_key(r, sort, now, art_rank) for r in small]
    parts.append(
        "SELECT * FROM unnest("
        f"%s::text[], %s::bigint[], %s::int[], %s::{k2_type}[], %s::int[], %s::bigint[])"
    )
    params += [
        [r.key for r in small],
        [r.kunde.pk if r.kunde is not None else None for r in small],
        [k[0] for k in keys],
        [k[1] for k in keys],
        [0] * len(small),  # counted by today_counts
        [position * EVERY_ROW + i for position, i in positions],
    ]
    direction = "DESC" if descending else "ASC"
    collate = ' COLLATE "C"' if sort == "kunde" else ""
    order = f"k1 {direction}, k2{collate} {direction}, position"
    union = " UNION ALL ".join(parts)
    # Each row numbered within its group in the order (the first leads the group); the
    # page's groups by their first rows, with all their rows.
    sql = f"""
        WITH r (row_key, row_kunde, k1, k2, week, position) AS ({union}),
        o AS (
            SELECT row_key, k1, k2, position, week, grp,
                   row_number() OVER (PARTITION BY grp ORDER BY {order}) AS place
            FROM (SELECT r.*, coalesce(row_kunde, -1 - position) AS grp FROM r) x
        ),
        g AS (
            SELECT grp, k1, k2, position, count(*) OVER () AS n FROM o WHERE place = 1
            ORDER BY {order} LIMIT %s OFFSET %s
        )
        SELECT g.grp, o.row_key, g.n, (SELECT sum(week) FROM o) FROM g JOIN o USING (grp)
        ORDER BY {order.replace("k1", "g.k1").replace("k2", "g.k2").replace("position", "g.position")}, o.place
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # The plan is cheap, its estimate is not (a lookup per deadline): no JIT compiling.
        cursor.execute("SELECT set_config('jit', 'off', true)")
        cursor.execute(sql, [*params, limit, offset])
        found = cursor.fetchall()
    if not found:
        if offset:  # past the last page: the counts from the first
            _g, total, week = _groups(
                user,
                now,
                big,
                small,
                positions,
                mailbox=mailbox,
                sort=sort,
                descending=descending,
                art_rank=art_rank,
                offset=0,
                limit=1,
            )
            return [], total, week
        return [], 0, 0
    groups: dict[int, list[str]] = {}
    for grp, row_key, _n, _w in found:
        groups.setdefault(grp, []).append(row_key)
    return list(groups.items()), found[0][2], int(found[0][3] or 0)


def _in_python(user, sources, *, q, state, sort, descending, now, offset, limit):
    """Every row read and merged in Python: a text filter leaves the customers whose name
    it may match (the deadline sources read only theirs)."""
    kunden = None
    if q.strip():
        kunden = (
            Kunde.objects.filter(jobcenter_id=user.jobcenter_id)
            .filter(_name_prefilter(q, prefix=""))
            .values("pk")
        )
    rows: list[Row] = []
    for source in sources:
        if source.deadlines is not None and kunden is not None:
            found = source.deadlines.rows(user, now, kunden=kunden)
        else:
            found = source.fetch(user, now)
        rows.extend(_filtered(found, q=q, state=state))
    rows.sort(**_python_order(sort, now, descending))
    today = today_counts(rows, now)
    merged = merge_by_customer(rows)
    return merged[offset : offset + limit], min(len(merged), COUNT_CAP + 1), today
