"""The worklists: one page per person, built from small sources.

A source is a function `(user, now) -> list[Row]` that costs a fixed number of queries,
however many rows it returns. Other apps add theirs with `register_source`, e.g. the
appointments app its appointments of the day:

    from routing.worklist import Row, Source, register_source

    register_source(Source(key="termine", label=_("Termin"), roles={Role.INTEGRATION},
                           fetch=my_appointments))
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.access import antraege_visible_to
from intake.models import OPEN_STATES, Antrag, AntragState, ErstgespraechState, Kunde
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
            )
        )
    return rows


def mailbox_rows(user, now) -> list[Row]:
    """Notes, tickets and tasks routed to the person or to their team, not taken by others."""
    today = timezone.localdate(now)
    qs = for_display(
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
    return [mailbox_row(a, user, now) for a in qs]


def mailbox_row(a: Aufgabe, user, now) -> Row:
    """One mailbox item as a worklist row (also re-rendered alone after a claim)."""
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
    where = _("an Sie") if a.assignee_id == user.pk else str(a.postfach)
    claimed = _("von Ihnen übernommen") if a.claimed_by_id == user.pk else ""
    return Row(
        key=f"aufgabe-{a.pk}",
        category="postfach",
        category_label=a.get_kind_display(),
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


def contacts_due(user, now) -> list[Row]:
    qs = (
        Deadline.objects.open()
        .filter(jobcenter_id=user.jobcenter_id, kind=RuleKind.CONTACT_DENSITY)
        .filter(Q(owner_user=user) | Q(kunde__ifk=user))
        .filter(due_at__lte=now + CONTACT_HORIZON)
        .select_related("kunde")
    )
    rows = []
    for d in qs:
        level, label = _level(d.due_at, d.warn_at, now)
        rows.append(
            Row(
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
        )
    return rows


def deadline_alerts(user, now) -> list[Row]:
    qs = (
        deadlines_visible_to(user)
        .open()
        .filter(warn_at__lte=now)
        # The customer's contacts and follow-ups have rows of their own.
        .exclude(kind__in=[RuleKind.CONTACT_DENSITY, *FOLLOW_UP_KINDS])
        .select_related("antrag__applicant", "kunde", "aufgabe__kunde")
    )
    rows = []
    for d in qs:
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
        rows.append(
            Row(
                key=f"frist-{d.pk}",
                category="frist",
                category_label=_("Frist gefährdet"),
                title=d.get_kind_display(),
                url=url,
                kunde=kunde,
                due_at=d.due_at,
                received_at=d.started_at,
                level=level,
                level_label=label,
            )
        )
    return rows


def open_cases(user, now) -> list[Row]:
    """Leistung: the team's open cases with their next due moment."""
    qs = (
        antraege_visible_to(user)
        .open()
        .annotate(
            next_due=Min("deadlines__due_at", filter=Q(deadlines__status=Deadline.Status.OPEN)),
            next_warn=Min("deadlines__warn_at", filter=Q(deadlines__status=Deadline.Status.OPEN)),
        )
        .select_related("applicant", "bedarfsgemeinschaft")
    )
    rows = []
    for a in qs:
        level, label = _level(a.next_due, a.next_warn, now)
        rows.append(
            Row(
                key=f"fall-{a.pk}",
                category="fall",
                category_label=_("Fall"),
                title=f"{a.get_kind_display()} – {a.get_state_display()}",
                url=reverse("intake:case_detail", args=[a.pk]),
                kunde=a.applicant,
                due_at=a.next_due,
                received_at=a.received_at,
                level=level,
                level_label=label,
                detail=_("BG %(bg)s") % {"bg": a.bedarfsgemeinschaft.number},
                state=a.state,
            )
        )
    return rows


INTEGRATION, LEISTUNG = Role.INTEGRATION, Role.LEISTUNG
for _source in (
    Source("neukunde", gettext_lazy("Neue Kundin / neuer Kunde"), {INTEGRATION}, new_customers),
    Source("erstgespraech", gettext_lazy("Erstgespräch"), {INTEGRATION}, first_consultations),
    Source("fall", gettext_lazy("Fall"), {LEISTUNG}, open_cases),
    Source(
        "postfach",
        gettext_lazy("Vermerk, Ticket oder Aufgabe"),
        {INTEGRATION, LEISTUNG},
        mailbox_rows,
    ),
    Source("kontakt", gettext_lazy("Kontakt fällig"), {INTEGRATION}, contacts_due),
    Source("frist", gettext_lazy("Frist gefährdet"), {INTEGRATION}, deadline_alerts),
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
    now = now or timezone.now()
    rows: list[Row] = []
    for source in sources_for(user):
        if category and source.key != category:
            continue
        rows.extend(source.fetch(user, now))
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
    if sort == "heute":
        rows.sort(key=lambda r: _today_first(r, now))
    else:
        rows.sort(key=SORTS.get(sort, SORTS["dringlichkeit"]), reverse=descending)
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


def state_counts(user) -> list[tuple[str, str, int]]:
    """Leistung: open cases per state, for the filter (one query)."""
    counts = dict(
        antraege_visible_to(user).open().values_list("state").annotate(n=Count("id")).order_by()
    )
    return [(s.value, s.label, counts.get(s.value, 0)) for s in map(AntragState, OPEN_STATES)]
