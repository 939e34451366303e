"""The worklists: one page per person, built from small sources.

A source is a function `(user, now) -> list[Row]` that costs a fixed number of queries,
however many rows it returns. Other apps add theirs with `register_source`, e.g. the
appointments app its appointments of the day:

    from routing.worklist import Row, Source, register_source

    register_source(Source(key="termine", label=_("Termin"), roles={Role.INTEGRATION},
                           fetch=my_appointments))
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from types import SimpleNamespace

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from intake.access import antraege_visible_to, case_teams_of
from intake.models import (
    KUNDENNUMMER_PATTERN,
    OPEN_STATES,
    Antrag,
    AntragState,
    ErstgespraechState,
    Kunde,
)
from intake.selectors import next_open_due, open_case_counts, open_case_lead
from jobcenter.paging import COUNT_CAP
from jobcenter.roles import Role
from minimumstandards.access import deadlines_visible_to
from minimumstandards.models import FOLLOW_UP_KINDS, Deadline, RuleKind

from .access import mailbox_team_ids
from .models import Aufgabe
from .selectors import NEW_CUSTOMER_TITLE_PREFIX, for_display

CONTACT_HORIZON = timedelta(days=30)


@dataclass
class Row:
    key: str
    category: str
    category_label: str
    title: str
    url: str
    kunde: Kunde | None = None
    due_at: datetime | None = None
    received_at: datetime | None = None
    level: str = ""  # "danger", "warning", "info" or ""
    level_label: str = ""
    detail: str = ""
    state: str = ""  # a case's state (Leistung's filter)
    aufgabe: Aufgabe | None = None  # mailbox items can be claimed from the list
    arrived: bool = False  # the customer of this appointment checked in today
    # The customer's other reasons to be on the list today (merged into this row).
    also: list["Row"] = field(default_factory=list)

    @property
    def kunde_name(self) -> str:
        return f"{self.kunde.last_name}, {self.kunde.first_name}" if self.kunde else ""


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    roles: set
    fetch: Callable[..., list[Row]] = field(compare=False)
    # A source that may hold thousands of rows also answers for one page:
    # `fetch_page(user, now, *, sort, descending, limit, q, state) -> (rows, total)` gives
    # (at least) its first `limit` rows in that order, filtered, and how many there are.
    fetch_page: Callable[..., tuple[list[Row], int]] | None = field(default=None, compare=False)
    # A source of deadlines: the IFK's "Heute" (routing.today) orders and pages its rows
    # in SQL and reads only the page's deadlines.
    deadlines: "DeadlineRows | None" = field(default=None, compare=False)


@dataclass(frozen=True)
class DeadlineRows:
    """A source's rows as deadlines: `queryset(user, now)` its deadlines (one row each), as
    one query or a list of disjoint ones (an OR PostgreSQL cannot answer from indexes split
    into its parts), `customer` the SQL for the row's customer's id, `row(deadline, now)`
    the row of a deadline read with `prefetch` (its relations, fetched by id after the
    deadlines; joined for a page's deadlines read by id)."""

    queryset: Callable[..., object]
    row: Callable[..., Row]
    customer: object = F("kunde_id")
    prefetch: tuple[str, ...] = ("kunde",)

    def parts(self, user, now) -> list:
        found = self.queryset(user, now)
        return found if isinstance(found, list) else [found]

    def rows(self, user, now, *, pks=None, kunden=None) -> list[Row]:
        """The rows (of the deadlines `pks`, or of the customers in the query `kunden`)."""
        parts = [Deadline.objects.filter(pk__in=pks)] if pks is not None else self.parts(user, now)
        rows = []
        for qs in parts:
            if kunden is not None:
                qs = qs.annotate(row_kunde=self.customer).filter(row_kunde__in=kunden)
            if pks is not None:  # a page's few deadlines: joined by id, in one query
                qs = qs.select_related(*self.prefetch)
            else:
                qs = qs.prefetch_related(*self.prefetch)
            rows += [self.row(d, now) for d in qs]
        return rows

    def fetch(self, user, now) -> list[Row]:
        return self.rows(user, now)


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _SOURCES[source.key] = source


def sources_for(user) -> list[Source]:
    return [s for s in _SOURCES.values() if user.role in s.roles]


def _level(due_at, warn_at, now) -> tuple[str, str]:
    if due_at and due_at <= now:
        return "danger", _("überfällig")
    if warn_at and warn_at <= now:
        return "warning", _("droht abzulaufen")
    return "", ""


# --- sources ----------------------------------------------------------------------------------


def new_customers(user, now) -> list[Row]:
    qs = (
        Aufgabe.objects.open()
        .filter(assignee=user, title__startswith=NEW_CUSTOMER_TITLE_PREFIX)
        .select_related("kunde")
    )
    return [
        Row(
            key=f"aufgabe-{a.pk}",
            category="neukunde",
            category_label=_("Neue Kundin / neuer Kunde"),
            title=a.title,
            url=reverse("routing:item", args=[a.pk]),
            kunde=a.kunde,
            received_at=a.created_at,
            due_at=a.due_at,
            aufgabe=a,
        )
        for a in qs
    ]


def first_consultations(user, now) -> list[Row]:
    qs = (
        Antrag.objects.filter(
            jobcenter_id=user.jobcenter_id, eg_state=ErstgespraechState.GEBUCHT, eg_with=user
        )
        .select_related("applicant")
        .annotate(confirmed=Exists(_confirmed_eg()))
        .order_by("eg_at")
    )
    rows = []
    for a in qs:
        level, label = "", ""
        if a.eg_at and a.eg_at <= now:
            level, label = "warning", _("Ergebnis eintragen")
        elif a.eg_at and timezone.localdate(a.eg_at) == timezone.localdate(now):
            level, label = "info", _("heute")
        rows.append(
            Row(
                key=f"eg-{a.pk}",
                category="erstgespraech",
                category_label=_("Erstgespräch"),
                title=_("Erstgespräch"),
                url=reverse("intake:case_detail", args=[a.pk]),
                kunde=a.applicant,
                due_at=a.eg_at,
                received_at=a.created_at,
                level=level,
                level_label=label,
                # The customer said "Ich komme" with the link from the letter (issue 16).
                detail=_("bestätigt") if a.confirmed else "",
            )
        )
    return rows


def _confirmed_eg():
    from appointments.models import Appointment, Kind, Status

    return Appointment.objects.filter(
        antrag=OuterRef("pk"),
        kind=Kind.ERSTGESPRAECH,
        status=Status.GEBUCHT,
        customer_confirmed_at__isnull=False,
    )


def mailbox_rows(user, now) -> list[Row]:
    """Notes, tickets and tasks routed to the person or to their team, not taken by others."""
    kind_labels = {k: str(label) for k, label in Aufgabe.Kind.choices}
    return [
        mailbox_row(a, user, now, kind_labels=kind_labels)
        for a in for_display(_mailbox_items(user, now))
    ]


def _mailbox_items(user, now):
    today = timezone.localdate(now)
    return (
        Aufgabe.objects.open()
        .filter(
            Q(assignee=user)
            | Q(
                postfach__team__in=mailbox_team_ids(user),
                postfach__team__jobcenter_id=user.jobcenter_id,
            )
        )
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by=user))
        .filter(Q(follow_up_on__isnull=True) | Q(follow_up_on__lte=today))
        .exclude(assignee=user, title__startswith=NEW_CUSTOMER_TITLE_PREFIX)
    )


@dataclass
class _LightItem:
    """A mailbox item's values for its sort key, with the item's own rules (no model
    instance: building hundreds costs more than the page)."""

    pk: int
    kind: str
    status: str
    urgent: bool
    claimed_by_id: int | None
    follow_up_on: object
    due_at: datetime | None
    created_at: datetime
    open_deadlines: list
    kunde: object

    Status = Aufgabe.Status
    is_open = property(Aufgabe.is_open.fget)
    stands_out = property(Aufgabe.stands_out.fget)
    follow_up_state = Aufgabe.follow_up_state


def mailbox_rows_page(user, now, *, sort, descending, limit, q="", state=""):
    """The mailbox rows for one page: every item is ordered from a light read (the values
    its sort key and the text filter need: state, moments, customer's name and number,
    its open deadlines' moments), only the first `limit` are read for display."""
    if state:  # a case state: no mailbox item has one
        return [], 0
    fields = ("pk", "kind", "status", "urgent", "claimed_by_id", "follow_up_on", "due_at")
    fields += ("created_at", "kunde_id", "kunde__last_name", "kunde__first_name")
    fields += ("kunde__kundennummer",)
    values = list(_mailbox_items(user, now).values_list(*fields))
    clocks: dict[int, list] = {}
    for aufgabe_id, due_at, warn_at in (
        Deadline.objects.open()
        .filter(aufgabe__in=_mailbox_items(user, now).values("pk"))
        .order_by("due_at")
        .values_list("aufgabe_id", "due_at", "warn_at")
    ):
        clocks.setdefault(aufgabe_id, []).append(SimpleNamespace(due_at=due_at, warn_at=warn_at))
    light = []
    for pk, kind, status, urgent, claimed, follow_up, due, created, kunde_id, *names in values:
        last, first, number = names
        light.append(
            _LightItem(
                pk=pk,
                kind=kind,
                status=status,
                urgent=urgent,
                claimed_by_id=claimed,
                follow_up_on=follow_up,
                due_at=due,
                created_at=created,
                open_deadlines=clocks.get(pk, []),
                kunde=SimpleNamespace(
                    pk=kunde_id, last_name=last, first_name=first, kundennummer=number
                )
                if kunde_id is not None
                else None,
            )
        )
    kind_labels = {k: str(label) for k, label in Aufgabe.Kind.choices}
    rows = _filtered([_sort_row(a, now, kind_labels) for a in light], q=q, state="")
    if sort == "heute":
        rows.sort(key=lambda r: _today_first(r, now))
    else:
        rows.sort(key=SORTS.get(sort, SORTS["dringlichkeit"]), reverse=descending)
    # Light rows: `complete_rows` reads the ones the page shows for display.
    return rows[:limit], len(rows)


def complete_rows(rows: list[Row], user, now) -> list[Row]:
    """The page's rows as shown: light mailbox rows (mailbox_rows_page) read for display,
    in one query, the others as they are."""
    light = [r.aufgabe.pk for r in rows if isinstance(r.aufgabe, _LightItem)]
    if not light:
        return rows
    full = for_display(Aufgabe.objects.filter(pk__in=light)).in_bulk()
    kind_labels = {k: str(label) for k, label in Aufgabe.Kind.choices}
    return [
        mailbox_row(full[r.aufgabe.pk], user, now, kind_labels=kind_labels)
        if isinstance(r.aufgabe, _LightItem)
        else r
        for r in rows
        if not isinstance(r.aufgabe, _LightItem) or r.aufgabe.pk in full
    ]


def _mailbox_level(a: Aufgabe, now) -> tuple[datetime | None, str, str]:
    """A mailbox item's due moment and level: its open deadline, else its own."""
    today = timezone.localdate(now)
    deadline = a.open_deadlines[0] if a.open_deadlines else None
    due = deadline.due_at if deadline else a.due_at
    level, label = _level(due, deadline.warn_at if deadline else None, now)
    if not level and a.stands_out:
        level, label = "danger", _("dringend, nicht übernommen")
    elif not level and a.follow_up_state(today) == "overdue":
        level, label = "warning", _("Wiedervorlage überschritten")
    elif not level and a.urgent:
        level, label = "warning", _("dringend")
    return due, level, label


def mailbox_row(a: Aufgabe, user, now, *, kind_labels: dict | None = None) -> Row:
    """One mailbox item as a worklist row (also re-rendered alone after a claim)."""
    due, level, label = _mailbox_level(a, now)
    where = _("an Sie") if a.assignee_id == user.pk else str(a.postfach)
    claimed = _("von Ihnen übernommen") if a.claimed_by_id == user.pk else ""
    return Row(
        key=f"aufgabe-{a.pk}",
        category="postfach",
        category_label=kind_labels[a.kind] if kind_labels else a.get_kind_display(),
        title=a.title,
        url=reverse("routing:item", args=[a.pk]),
        kunde=a.kunde,
        due_at=due,
        received_at=a.created_at,
        level=level,
        level_label=label,
        detail=", ".join(p for p in (where, claimed) if p),
        aufgabe=a,
    )


def _sort_row(a: Aufgabe, now, kind_labels: dict) -> Row:
    """What the worklist sorts and filters a mailbox item by, without the rest of its row."""
    due, level, _label = _mailbox_level(a, now)
    return Row(
        key=f"aufgabe-{a.pk}",
        category="postfach",
        category_label=kind_labels.get(a.kind, a.kind),
        title="",
        url="",
        kunde=a.kunde,
        due_at=due,
        received_at=a.created_at,
        level=level,
        aufgabe=a,
    )


def owned_or_of_customers(user) -> Q:
    """Deadlines the IFK owns or that run for their customers: the customers' ids read once
    (an OR across the join would make PostgreSQL read every deadline)."""
    ids = getattr(user, "_ifk_kunde_ids", None)
    if ids is None:
        ids = user._ifk_kunde_ids = list(
            Kunde.objects.filter(ifk=user).order_by().values_list("pk", flat=True)
        )
    return Q(owner_user=user) | Q(kunde_id__in=ids)


def owned_or_of_customers_parts(user, qs) -> list:
    """`qs.filter(owned_or_of_customers(user))` as two disjoint queries, each answered from
    an index without the customers' ids: the IFK's own, and others' of the IFK's customers."""
    return [
        qs.filter(owner_user=user),
        qs.filter(kunde__ifk=user).exclude(owner_user=user),
    ]


def _contact_deadlines(user, now):
    return owned_or_of_customers_parts(
        user,
        Deadline.objects.open()
        .filter(jobcenter_id=user.jobcenter_id, kind=RuleKind.CONTACT_DENSITY)
        .filter(due_at__lte=now + CONTACT_HORIZON),
    )


def _contact_row(d: Deadline, now) -> Row:
    level, label = _level(d.due_at, d.warn_at, now)
    return Row(
        key=f"kontakt-{d.pk}",
        category="kontakt",
        category_label=_("Kontakt fällig"),
        title=_("Qualifizierter Kontakt (Kontaktdichte)"),
        url=reverse("intake:customer_detail", args=[d.kunde_id])
        if d.kunde_id
        else reverse("routing:worklist"),
        kunde=d.kunde,
        due_at=d.due_at,
        received_at=d.started_at,
        level=level,
        level_label=label,
    )


CONTACTS = DeadlineRows(_contact_deadlines, _contact_row)


def contacts_due(user, now) -> list[Row]:
    return CONTACTS.rows(user, now)


def _alert_deadlines(user, now):
    return (
        deadlines_visible_to(user)
        .open()
        .filter(warn_at__lte=now)
        # The customer's contacts and follow-ups have rows of their own.
        .exclude(kind__in=[RuleKind.CONTACT_DENSITY, *FOLLOW_UP_KINDS])
    )


@cache
def _deadline_kind_labels(language: str | None) -> dict[str, str]:
    """A deadline's kinds by value in one language (get_kind_display() builds the whole
    choices mapping per row)."""
    return {k: str(v) for k, v in Deadline._meta.get_field("kind").flatchoices}


def deadline_kind_label(d: Deadline) -> str:
    return _deadline_kind_labels(get_language()).get(d.kind, d.kind)


def _alert_row(d: Deadline, now) -> Row:
    kunde = (
        d.antrag.applicant
        if d.antrag_id
        else d.kunde
        if d.kunde_id
        else d.aufgabe.kunde
        if d.aufgabe_id
        else None
    )
    if d.antrag_id:
        url = reverse("intake:case_detail", args=[d.antrag_id])
    elif d.aufgabe_id:
        url = reverse("routing:item", args=[d.aufgabe_id])
    elif kunde is not None:
        url = reverse("intake:customer_detail", args=[kunde.pk])
    else:
        url = reverse("routing:worklist")
    level, label = _level(d.due_at, d.warn_at, now)
    return Row(
        key=f"frist-{d.pk}",
        category="frist",
        category_label=_("Frist gefährdet"),
        title=deadline_kind_label(d),
        url=url,
        kunde=kunde,
        due_at=d.due_at,
        received_at=d.started_at,
        level=level,
        level_label=label,
    )


ALERTS = DeadlineRows(
    _alert_deadlines,
    _alert_row,
    # The case's applicant, else the deadline's customer, else the item's.
    # (Looked up per deadline: a join would read the whole case and item tables.)
    customer=Coalesce(
        Subquery(Antrag.objects.filter(pk=OuterRef("antrag_id")).order_by().values("applicant_id")),
        F("kunde_id"),
        Subquery(Aufgabe.objects.filter(pk=OuterRef("aufgabe_id")).order_by().values("kunde_id")),
        output_field=BigIntegerField(),
    ),
    # Fetched by id after the deadlines (a join would read the whole customer table).
    prefetch=("antrag__applicant", "kunde", "aufgabe__kunde"),
)


def deadline_alerts(user, now) -> list[Row]:
    return ALERTS.rows(user, now)


def _case_labels() -> dict[str, str]:
    """Kinds and states of a case by value, translated once per list (a model's
    get_FOO_display() per row costs more than the row)."""
    return {
        **{k: str(v) for k, v in Antrag.Kind.choices},
        **{k: str(v) for k, v in AntragState.choices},
    }


def _case_row(a: Antrag, now, labels: dict[str, str] | None = None) -> Row:
    level, label = _level(a.next_due, a.next_warn, now)
    labels = labels or _case_labels()
    return Row(
        key=f"fall-{a.pk}",
        category="fall",
        category_label=_("Fall"),
        title=f"{labels.get(a.kind, a.kind)} – {labels.get(a.state, a.state)}",
        url=reverse("intake:case_detail", args=[a.pk]),
        kunde=a.applicant,
        due_at=a.next_due,
        received_at=a.received_at,
        level=level,
        level_label=label,
        detail=_("BG %(bg)s") % {"bg": a.bedarfsgemeinschaft.number},
        state=a.state,
    )


def _with_next_due(qs, *, by_subquery: bool = False):
    """The cases with their earliest open due and warning moment. `by_subquery`: for the
    few cases of a page (by pk), one index-only probe each, no GROUP BY over the case rows;
    otherwise (ordering many cases by them) a join the planner starts from the cases."""
    if by_subquery:
        found = qs.annotate(next_due=next_open_due("due_at"), next_warn=next_open_due("warn_at"))
    else:
        found = qs.annotate(
            next_due=Min("deadlines__due_at", filter=Q(deadlines__status=Deadline.Status.OPEN)),
            next_warn=Min("deadlines__warn_at", filter=Q(deadlines__status=Deadline.Status.OPEN)),
        )
    return found.select_related("applicant", "bedarfsgemeinschaft")


def open_cases(user, now) -> list[Row]:
    """Leistung: the team's open cases with their next due moment."""
    labels = _case_labels()
    return [_case_row(a, now, labels) for a in _with_next_due(antraege_visible_to(user).open())]


def _name_prefilter(q: str, prefix: str = "applicant__") -> Q:
    """Cases whose applicant (`prefix=""`: customers) the worklist's text filter can match
    (build_worklist's test runs on the rows afterwards): every word of it is part of the
    surname or first name, or the text is the Kd.-Nr."""
    number = q.strip().upper()
    if re.fullmatch(KUNDENNUMMER_PATTERN, number):
        return Q(**{f"{prefix}kundennummer": number})
    names = Q()
    for word in q.replace(",", " ").split():
        names &= Q(**{f"{prefix}last_name__icontains": word}) | Q(
            **{f"{prefix}first_name__icontains": word}
        )
    return names


def _case_sort_key(sort: str, now, descending: bool) -> list:
    """SQL for the row's own sort key (SORTS) of a case annotated by `_with_next_due`."""
    when = Coalesce("next_due", "received_at")
    if sort == "dringlichkeit":
        keys = [
            Case(
                When(next_due__lte=now, then=Value(0)),
                When(next_warn__lte=now, then=Value(1)),
                default=Value(3),
                output_field=IntegerField(),
            ),
            when,
        ]
    elif sort == "eingang":
        keys = [F("received_at")]
    elif sort == "kunde":
        keys = [Lower("applicant__last_name"), Lower("applicant__first_name")]
    elif sort == "art":
        keys = [when]
    else:  # "faellig", "heute": cases without a deadline last
        keys = [
            Case(When(next_due__isnull=True, then=Value(1)), default=Value(0)),
            when,
        ]
    keys.append(F("pk"))
    return [k.desc() if descending else k.asc() for k in keys]


def _lead(jobcenter_id: int) -> timedelta | None:
    """The longest warning lead of the Jobcenter's open case deadlines: a case warned but
    not yet due has its earliest deadline within that lead from now."""
    return open_case_lead(jobcenter_id)


def open_cases_page(user, now, *, sort, descending, limit, q="", state=""):
    """The team's open cases for one page of the worklist, without sorting all of them.

    Every order is split into parts that an index yields in order (the open deadlines by
    due moment, each case at its earliest; the cases without one by arrival; the cases by
    arrival or by name); of each part the first `limit` cases are read, build_worklist sorts
    their union by the row's own key. Sorting "dringlichkeit": overdue, warned, without a
    deadline, the rest; the other orders as in SORTS. A text filter leaves few cases: they
    are sorted by the same key in one query, from the customers the trigram indexes find.
    """
    base = antraege_visible_to(user).open()
    if state:
        base = base.filter(state=state)
    if q.strip():
        # One pass over the matching cases gives their order and (capped) number.
        found = _with_next_due(base.filter(_name_prefilter(q)))
        order = _case_sort_key(sort, now, descending)
        ids = list(found.order_by(*order).values_list("pk", flat=True)[: COUNT_CAP + 1])
        cases = _with_next_due(Antrag.objects.filter(pk__in=ids[:limit]), by_subquery=True)
        labels = _case_labels()
        return [_case_row(a, now, labels) for a in cases], len(ids)
    case_ids = base.order_by().values("pk")
    jobcenter_id = user.jobcenter_id
    due_order = "-due_at" if descending else "due_at"
    arrival_order = "-received_at" if descending else "received_at"
    teams = case_teams_of(user)

    def earliest(*conditions) -> list[int]:
        earlier = Deadline.objects.filter(antrag_id=OuterRef("antrag_id"), status="open").filter(
            Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk"))
        )
        deadlines = Deadline.objects.filter(jobcenter_id=jobcenter_id, status="open").filter(
            ~Exists(earlier), *conditions
        )
        if teams is None:
            qs = deadlines.filter(antrag__in=case_ids).order_by(due_order)
            return list(qs.values_list("antrag_id", flat=True)[:limit])
        # The team's open case deadlines in due order (index `deadline_open_case_team`),
        # one team at a time: the index yields each team's in order, not several merged.
        states = [state] if state else list(OPEN_STATES)
        parts = [
            deadlines.filter(case_team_id=team, antrag__state__in=states)
            .order_by(due_order)
            .values_list("antrag_id", "due_at")[:limit]
            for team in sorted(teams)
        ]
        if not parts:
            return []
        if len(parts) == 1:
            return [pk for pk, _due in parts[0]]
        if not connection.features.supports_slicing_ordering_in_compound:  # SQLite (demo)
            rows = sorted((row for part in parts for row in part), key=lambda r: r[1])
            return [pk for pk, _due in (rows[::-1] if descending else rows)[:limit]]
        merged = parts[0].union(*parts[1:], all=True).order_by(due_order)
        return [pk for pk, _due in merged[:limit]]

    def without_deadline() -> list[int]:
        qs = base.filter(
            ~Exists(Deadline.objects.filter(antrag_id=OuterRef("pk"), status="open"))
        ).order_by(arrival_order)
        return list(qs.values_list("pk", flat=True)[:limit])

    def in_order(*parts) -> list[int]:
        """Parts that follow each other in the sort order: read until `limit` is reached
        (descending: from the last part). The cases without a deadline cost a pass over
        the team's cases; they are read only when the page comes to them."""
        ids: list[int] = []
        for part in reversed(parts) if descending else parts:
            if len(ids) >= limit:
                break
            ids += part()
        return ids

    def warned_not_due() -> list[int]:
        # Within the longest lead from now: past it, no case can be warned and not due.
        lead = _lead(jobcenter_id)
        if lead is None:
            return []
        window = Q(due_at__gt=now)
        if lead != timedelta.max:
            window &= Q(due_at__lte=now + lead)
        warned = Exists(
            Deadline.objects.filter(
                antrag_id=OuterRef("antrag_id"), status="open", warn_at__lte=now
            )
        )
        return earliest(window, warned)

    if sort == "dringlichkeit":
        warned = Exists(
            Deadline.objects.filter(
                antrag_id=OuterRef("antrag_id"), status="open", warn_at__lte=now
            )
        )
        ids = in_order(
            lambda: earliest(Q(due_at__lte=now)),
            warned_not_due,
            without_deadline,
            lambda: earliest(Q(due_at__gt=now), ~warned),
        )
    elif sort == "eingang":
        ids = list(base.order_by(arrival_order).values_list("pk", flat=True)[:limit])
    elif sort == "kunde":
        names = [Lower("applicant__last_name"), Lower("applicant__first_name")]
        if descending:
            names = [n.desc() for n in names]
        # The customers' own Jobcenter named: their name index leads with it.
        by_name = base.filter(applicant__jobcenter_id=jobcenter_id).order_by(*names)
        ids = list(by_name.values_list("pk", flat=True)[:limit])
    elif sort == "art":  # all cases are "Fall": by due moment or, without one, by arrival
        ids = [*earliest(), *without_deadline()]
    else:  # "faellig" and "heute" (the same for a case): cases without a deadline last
        ids = in_order(earliest, without_deadline)
    total = _open_case_total(user, state)
    cases = _with_next_due(Antrag.objects.filter(pk__in=ids), by_subquery=True)
    labels = _case_labels()
    return [_case_row(a, now, labels) for a in cases], total


def _open_case_total(user, state: str) -> int:
    """The team's open cases (of one state), counted up to the cap: from the counts per
    state the filter shows (read once per request)."""
    counts = open_case_counts(user)
    if state:
        return counts[state]
    return min(sum(counts.values()), COUNT_CAP + 1)


INTEGRATION, LEISTUNG = Role.INTEGRATION, Role.LEISTUNG
for _source in (
    Source("neukunde", gettext_lazy("Neue Kundin / neuer Kunde"), {INTEGRATION}, new_customers),
    Source("erstgespraech", gettext_lazy("Erstgespräch"), {INTEGRATION}, first_consultations),
    Source("fall", gettext_lazy("Fall"), {LEISTUNG}, open_cases, open_cases_page),
    Source(
        "postfach",
        gettext_lazy("Vermerk, Ticket oder Aufgabe"),
        {INTEGRATION, LEISTUNG},
        mailbox_rows,
        mailbox_rows_page,
    ),
    Source(
        "kontakt",
        gettext_lazy("Kontakt fällig"),
        {INTEGRATION},
        contacts_due,
        deadlines=CONTACTS,
    ),
    Source(
        "frist",
        gettext_lazy("Frist gefährdet"),
        {INTEGRATION},
        deadline_alerts,
        deadlines=ALERTS,
    ),
):
    register_source(_source)


# --- the page ---------------------------------------------------------------------------------

FAR = datetime.max.replace(tzinfo=UTC)


def _when(*values) -> datetime:
    return next((v for v in values if v is not None), FAR)


APPOINTMENT_CATEGORIES = {"termin", "erstgespraech"}


def _today_first(row: Row, now) -> tuple:
    """The IFK's "Heute": arrivals, then today's appointments by time, then what falls due
    (overdue and today first, then this week and later), then the rest by urgency."""
    today = timezone.localdate(now)
    if row.arrived:
        group = 0
    elif (
        row.category in APPOINTMENT_CATEGORIES
        and row.due_at
        and timezone.localdate(row.due_at) == today
    ):
        group = 1
    elif row.due_at:
        group = 2
    else:
        group = 3
    return (group, _when(row.due_at, row.received_at))


SORTS = {
    "heute": _today_first,
    "faellig": lambda r: (r.due_at is None, _when(r.due_at, r.received_at)),
    "kunde": lambda r: (r.kunde is None, r.kunde_name.casefold()),
    "art": lambda r: (str(r.category_label), _when(r.due_at, r.received_at)),
    "eingang": lambda r: _when(r.received_at),
    "dringlichkeit": lambda r: (
        {"danger": 0, "warning": 1, "info": 2}.get(r.level, 3),
        _when(r.due_at, r.received_at),
    ),
}


def worklist_rows(
    user,
    *,
    category: str = "",
    q: str = "",
    state: str = "",
    sort: str = "dringlichkeit",
    descending: bool = False,
    now=None,
    limit: int | None = None,
) -> tuple[list[Row], int]:
    """The worklist's rows in order and how many there are in all.

    With a `limit`, sources that can (`fetch_page`) give only their first `limit` rows:
    the first `limit` rows returned are then those of the whole list, the rest is cut off.
    """
    now = now or timezone.now()
    rows: list[Row] = []
    total = 0
    for source in sources_for(user):
        if category and source.key != category:
            continue
        if limit and source.fetch_page is not None:
            found, n = source.fetch_page(
                user, now, sort=sort, descending=descending, limit=limit, q=q, state=state
            )
            rows.extend(found)
            total += n
            continue
        found = source.fetch(user, now)
        found = _filtered(found, q=q, state=state)
        rows.extend(found)
        total += len(found)
    rows = _filtered(rows, q=q, state=state)
    if sort == "heute":
        rows.sort(key=lambda r: _today_first(r, now))
    else:
        rows.sort(key=SORTS.get(sort, SORTS["dringlichkeit"]), reverse=descending)
    if limit:
        rows = rows[:limit]
    return rows, total


def _filtered(rows: list[Row], *, q: str, state: str) -> list[Row]:
    if state:
        rows = [r for r in rows if r.state == state]
    needle = q.strip().casefold()
    if needle:
        rows = [
            r
            for r in rows
            if r.kunde is not None
            and (
                needle in r.kunde_name.casefold()
                or needle in f"{r.kunde.first_name} {r.kunde.last_name}".casefold()
                or needle == r.kunde.kundennummer.casefold()
            )
        ]
    return rows


def build_worklist(
    user,
    *,
    category: str = "",
    q: str = "",
    state: str = "",
    sort: str = "dringlichkeit",
    descending: bool = False,
    now=None,
) -> list[Row]:
    """Every row of the person's worklist, in order (the page shows them in pages)."""
    rows, _total = worklist_rows(
        user, category=category, q=q, state=state, sort=sort, descending=descending, now=now
    )
    return rows


def merge_by_customer(rows: list[Row]) -> list[Row]:
    """One row per customer: the first (most pressing in the chosen order) keeps the place,
    the customer's other reasons go with it (`also`). Rows without a customer stay."""
    merged: list[Row] = []
    lead: dict[int, Row] = {}
    for row in rows:
        if row.kunde is None:
            merged.append(row)
        elif row.kunde.pk in lead:
            lead[row.kunde.pk].also.append(row)
        else:
            lead[row.kunde.pk] = row
            merged.append(row)
    return merged


@dataclass(frozen=True)
class Today:
    appointments: int  # appointments of today
    arrived: int  # of them, customers who checked in
    due_this_week: int  # everything else falling due from today to Sunday


def today_counts(rows: list[Row], now) -> Today:
    """The counters on top of the IFK's "Heute" (from the rows before merging)."""
    today = timezone.localdate(now)
    sunday = today + timedelta(days=6 - today.weekday())
    on_today = [
        r
        for r in rows
        if r.category in APPOINTMENT_CATEGORIES
        and r.due_at
        and timezone.localdate(r.due_at) == today
    ]
    return Today(
        appointments=len(on_today),
        arrived=sum(1 for r in rows if r.arrived),
        due_this_week=sum(
            1
            for r in rows
            if r.category not in APPOINTMENT_CATEGORIES
            and r.due_at
            and today <= timezone.localdate(r.due_at) <= sunday
        ),
    )


def state_counts(user) -> list[tuple[str, str, str]]:
    """Leistung: open cases per state, for the filter, each counted up to a cap."""
    counts = open_case_counts(user)
    result = []
    for s in map(AntragState, OPEN_STATES):
        n = counts[s.value]
        label = _("mehr als %(n)s") % {"n": COUNT_CAP} if n > COUNT_CAP else str(n)
        result.append((s.value, s.label, label))
    return result
