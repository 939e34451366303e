"""Read models of intake: the one customer search behind reception, Kundensuche and Vermerk.

`kunde_search` is the only place that decides what a typed search term means, so the same
input finds the same people at every desk (issue 10). It never widens what the user may
see: it starts from `kunden_visible_to(user)`, scoped to the user's Jobcenter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest, Upper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobcenter.paging import COUNT_CAP as LIST_COUNT_CAP
from jobcenter.paging import ListPage
from jobcenter.predicates import is_leistung, user_team_ids

from .access import antraege_visible_to, case_teams_of, kunden_visible_to
from .models import BG_NUMMER_PATTERN, KUNDENNUMMER_PATTERN, Kunde
from .states import OPEN_STATES

DEFAULT_LIMIT = 20
# Counting beyond this only to say "more than …": the count stays cheap on a large Jobcenter.
COUNT_CAP = 500
MIN_NAME_LETTERS = 2
DATE_IN_QUERY = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")


class SearchKind(StrEnum):
    EMPTY = "empty"
    KUNDENNUMMER = "kundennummer"
    BG_NUMMER = "bg_nummer"
    NAME = "name"
    BIRTH_DATE = "birth_date"
    INVALID = "invalid"


@dataclass(frozen=True)
class SearchResult:
    """What was found and, when that is not one person, what the user should add."""

    kind: SearchKind
    kunden: list[Kunde] = field(default_factory=list)
    total: int = 0  # matches before the limit (capped at COUNT_CAP)
    message: str = ""  # German, empty when nothing needs saying
    date_of_birth: date | None = None
    searched: bool = True  # False: nothing typed, nothing searched

    @property
    def truncated(self) -> bool:
        return self.total > len(self.kunden)

    @property
    def identifies(self) -> Kunde | None:
        """The one person this input identifies: never a bare name without a date of birth."""
        if len(self.kunden) != 1 or self.truncated:
            return None
        if self.kind == SearchKind.NAME and self.date_of_birth is None:
            return None
        return self.kunden[0]

    def __iter__(self):
        return iter(self.kunden)

    def __len__(self) -> int:
        return len(self.kunden)

    def __bool__(self) -> bool:
        return bool(self.kunden)


def normalize_number(q: str) -> str:
    """'962d 000151' → '962D000151': Kd.-Nr. and BG-Nummer are typed with spaces and case."""
    return re.sub(r"[\s\-/]", "", q).upper()


def _trigram_available() -> bool:
    return connection.vendor == "postgresql"


def _split_date(q: str) -> tuple[str, date | None, bool]:
    """A dd.mm.yyyy inside the query is the date of birth ("Meier 01.02.1980")."""
    match = DATE_IN_QUERY.search(q)
    if match is None:
        return q, None, False
    day, month, year = (int(g) for g in match.groups())
    try:
        born = datetime(year, month, day).date()
    except ValueError:
        return q, None, True
    return (q[: match.start()] + " " + q[match.end() :]).strip(), born, False


@dataclass(frozen=True)
class _Reading:
    last: str
    first: str = ""
    fuzzy: bool = True


def _name_parts(q: str) -> list[_Reading]:
    """The (surname, first name) readings of what was typed.

    "Mustermann, Erika" says which is which; "Erika Mustermann" and "Mustermann Erika" may be
    either; more words may also be a compound surname ("von der Heide"), matched without
    typo tolerance (the whole phrase would otherwise resemble any one of its words).
    """
    if "," in q:
        last, _sep, first = q.partition(",")
        return [_Reading(" ".join(last.split()), " ".join(first.split()))]
    words = q.split()
    if len(words) == 1:
        return [_Reading(words[0])]
    return [
        _Reading(words[0], " ".join(words[1:])),
        _Reading(words[-1], " ".join(words[:-1])),
        _Reading(" ".join(words), fuzzy=False),
    ]


def _lookup(field_name: str, op: str, value: str) -> Q:
    """On PostgreSQL against UPPER(field), the expression the trigram indexes of 0005 cover.

    SQLite's UPPER() knows only ASCII ("Müller" → "MüLLER"), so there Django's
    case-insensitive lookups on the column itself are used instead.
    """
    if _trigram_available():
        return Q(**{f"_u_{field_name}__{op}": value.upper()})
    return Q(**{f"{field_name}__i{op}": value})


def _matches(field_name: str, value: str, *, fuzzy: bool) -> Q:
    """Prefix match, and on PostgreSQL typo-tolerant (pg_trgm)."""
    q = _lookup(field_name, "startswith", value)
    if not fuzzy:
        return q
    if _trigram_available():
        q |= Q(**{f"_u_{field_name}__trigram_similar": value.upper()})
    else:
        # SQLite (the demo) has no pg_trgm: a substring is the fallback.
        q |= _lookup(field_name, "contains", value)
    return q


def _name_filter(readings: list[_Reading]) -> tuple[Q, Q, Q]:
    """(any reading matches, some reading is exact, some reading is a prefix)."""
    found, exact, prefix = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for reading in readings:
        last, first = reading.last, reading.first
        match = _matches("last_name", last, fuzzy=reading.fuzzy)
        is_exact = _lookup("last_name", "exact", last)
        is_prefix = _lookup("last_name", "startswith", last)
        if first:
            match &= _matches("first_name", first, fuzzy=reading.fuzzy)
            is_exact &= _lookup("first_name", "exact", first)
            is_prefix &= _lookup("first_name", "startswith", first)
        found |= match
        exact |= is_exact
        prefix |= is_prefix
    return found, exact, prefix


def _base(user) -> QuerySet[Kunde]:
    return (
        kunden_visible_to(user)
        .filter(jobcenter_id=user.jobcenter_id)
        .select_related("bedarfsgemeinschaft")
        .alias(_u_last_name=Upper("last_name"), _u_first_name=Upper("first_name"))
    )


def _fetch(
    qs: QuerySet[Kunde], limit: int, order: list, *, rows_from: QuerySet[Kunde] | None = None
) -> tuple[list[Kunde], int]:
    """The first `limit` customers of `qs` in `order`, and how many there are (capped).

    `rows_from` (many candidates to rank: a typo-tolerant name): the order is decided in a
    subquery on the customers' own rows alone, and only the shown ones are read from
    `rows_from` (the same annotations, with their household); still one query, where the
    join would otherwise hash every household of the Jobcenter for thousands of candidates."""
    if rows_from is not None:
        shown = qs.order_by(*order).values("pk")[: limit + 1]
        rows = list(rows_from.filter(pk__in=shown).order_by(*order))
    else:
        rows = list(qs.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], qs.order_by()[:COUNT_CAP].count()


def _too_many(total: int, *, has_birth_date: bool) -> str:
    if has_birth_date:
        return _("%(n)s Treffer: bitte auch den Vornamen angeben, um die Auswahl einzugrenzen.") % {
            "n": total if total < COUNT_CAP else _("Mehr als %(n)d") % {"n": COUNT_CAP - 1}
        }
    if total >= COUNT_CAP:
        return _("Mehr als %(n)d Treffer: bitte Geburtsdatum oder Vornamen angeben.") % {
            "n": COUNT_CAP - 1
        }
    return _("Bitte Geburtsdatum angeben, um unter %(n)s Treffern zu wählen.") % {"n": total}


def kunde_search(
    *, user, query: str = "", date_of_birth: date | None = None, limit: int = DEFAULT_LIMIT
) -> SearchResult:
    """Customers the user may see for what was typed, exact matches first.

    A Kd.-Nr. or BG-Nummer (spaces and case ignored) is matched exactly; anything else is a
    surname, optionally with first names and a date of birth (dd.mm.yyyy, in the query or
    given separately) that narrows it; names are typo-tolerant on PostgreSQL.
    """
    q = " ".join((query or "").split())
    if not q and date_of_birth is None:
        return SearchResult(kind=SearchKind.EMPTY, searched=False)
    qs = _base(user)
    number = normalize_number(q)
    if re.fullmatch(KUNDENNUMMER_PATTERN, number):
        kunden, total = _fetch(qs.filter(kundennummer=number), limit, ["pk"])
        return _result(SearchKind.KUNDENNUMMER, kunden, total, date_of_birth)
    if re.fullmatch(BG_NUMMER_PATTERN, number):
        members = qs.filter(bedarfsgemeinschaft__number=number)
        order = [
            Case(
                When(bedarfsgemeinschaft__head=F("pk"), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "date_of_birth",
            "pk",
        ]
        kunden, total = _fetch(members, limit, order)
        return _result(SearchKind.BG_NUMMER, kunden, total, date_of_birth)

    name, born_in_query, bad_date = _split_date(q)
    if bad_date:
        return SearchResult(
            kind=SearchKind.INVALID,
            message=_("Das Geburtsdatum ist kein gültiges Datum (TT.MM.JJJJ)."),
        )
    date_of_birth = date_of_birth or born_in_query
    if any(ch.isdigit() for ch in name):
        return SearchResult(
            kind=SearchKind.INVALID,
            message=_(
                "Die Kd.-Nr. hat das Format 123A456789, die BG-Nummer 12345BG1234567. "
                "Namen bitte ohne Ziffern, das Geburtsdatum als TT.MM.JJJJ."
            ),
        )
    if date_of_birth is not None:
        qs = qs.filter(date_of_birth=date_of_birth)
    if not name:
        kunden, total = _fetch(qs, limit, ["last_name", "first_name", "pk"])
        return _result(SearchKind.BIRTH_DATE, kunden, total, date_of_birth)
    if len(re.sub(r"\W", "", name)) < MIN_NAME_LETTERS:
        return SearchResult(
            kind=SearchKind.INVALID,
            message=_("Bitte mindestens zwei Buchstaben des Nachnamens eingeben."),
            date_of_birth=date_of_birth,
        )

    readings = _name_parts(name)
    found, exact, prefix = _name_filter(readings)
    if _trigram_available() and len(readings) == 1:
        # A common surname: when more people than shown carry exactly the name typed, the
        # page shows only exact matches, whose similarity is 1, by name: read in that order
        # from the index `kunde_jobcenter_upper_name` (0011), not by ranking every similar one.
        exact_rows = list(
            qs.filter(exact).order_by("last_name", "first_name", "date_of_birth", "pk")[: limit + 1]
        )
        if len(exact_rows) > limit:
            # Counted up to the cap: from the exact ones alone when they reach it.
            total = qs.filter(exact).order_by()[:COUNT_CAP].count()
            if total < COUNT_CAP:
                total = qs.filter(found).order_by()[:COUNT_CAP].count()
            return _result(SearchKind.NAME, exact_rows[:limit], total, date_of_birth)
    # The surname alone, redundant with `found`: one OR of index conditions the planner can
    # answer from the trigram index before it checks first names.
    any_surname = Q(pk__in=[])
    for reading in readings:
        any_surname |= _matches("last_name", reading.last, fuzzy=reading.fuzzy)
    keys: dict = {
        "_rank": Case(
            When(exact, then=Value(0)),
            When(prefix, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    }
    order: list = ["_rank"]
    rows_from = None
    if _trigram_available():
        surnames = [Value(r.last.upper()) for r in readings if r.fuzzy]
        similarities = [TrigramSimilarity("_u_last_name", s) for s in surnames]
        keys["_similarity"] = (
            similarities[0]
            if len(similarities) == 1
            else Greatest(*similarities, output_field=FloatField())
        )
        order.append(F("_similarity").desc())
        rows_from = _base(user).annotate(**keys)
    qs = qs.filter(any_surname, found).annotate(**keys)
    order += ["last_name", "first_name", "date_of_birth", "pk"]
    kunden, total = _fetch(qs, limit, order, rows_from=rows_from)
    return _result(SearchKind.NAME, kunden, total, date_of_birth)


def _result(kind, kunden, total, date_of_birth) -> SearchResult:
    message = ""
    if not kunden:
        if kind == SearchKind.KUNDENNUMMER:
            message = _("Keine Kundin und kein Kunde mit dieser Kd.-Nr. gefunden.")
        elif kind == SearchKind.BG_NUMMER:
            message = _("Keine Bedarfsgemeinschaft mit dieser BG-Nummer gefunden.")
        elif date_of_birth is not None:
            message = _(
                "Keine Kundin und kein Kunde mit diesem Namen und Geburtsdatum gefunden. "
                "Bitte Schreibweise und Geburtsdatum prüfen."
            )
        else:
            message = _("Keine Kundin und kein Kunde gefunden.")
    elif total > len(kunden):
        if kind in (SearchKind.NAME, SearchKind.BIRTH_DATE):
            message = _too_many(total, has_birth_date=date_of_birth is not None)
        else:
            message = ngettext(
                "%(n)d Treffer, die ersten %(shown)d werden gezeigt.",
                "%(n)d Treffer, die ersten %(shown)d werden gezeigt.",
                total,
            ) % {"n": total, "shown": len(kunden)}
    elif kind == SearchKind.NAME and date_of_birth is None and len(kunden) > 1:
        message = _("Bitte Geburtsdatum angeben, um unter %(n)s Treffern zu wählen.") % {
            "n": len(kunden)
        }
    return SearchResult(
        kind=kind, kunden=kunden, total=total, message=message, date_of_birth=date_of_birth
    )


# --- the case list ----------------------------------------------------------------------------


def open_case_counts(user) -> dict[str, int]:
    """The open cases the user sees per state, each counted up to the lists' cap (+1),
    read once per request."""
    cached = getattr(user, "_open_case_counts", None)
    if cached is None:
        cached = user._open_case_counts = _count_open_cases(user)
    return cached


def _count_open_cases(user) -> dict[str, int]:
    """Open cases per state, each counted up to the cap, in one statement.

    Leistung sees the cases of its teams' households: on PostgreSQL the count walks the
    teams' households and, per household, its cases of the state (index `antrag_bg_state`,
    index-only), stopping at the cap; a join would hash all cases of the Jobcenter.
    """
    states = [str(s) for s in OPEN_STATES]
    if connection.vendor == "postgresql" and is_leistung(user):
        teams = sorted(user_team_ids(user))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.state, (SELECT count(*) FROM (SELECT 1"
                " FROM intake_bedarfsgemeinschaft bg CROSS JOIN LATERAL (SELECT 1"
                " FROM intake_antrag a WHERE a.bedarfsgemeinschaft_id = bg.id"
                " AND a.state = s.state OFFSET 0) x"
                " WHERE bg.jobcenter_id = %s AND bg.leistung_team_id = ANY(%s)"
                " LIMIT %s) c) FROM unnest(%s::text[]) AS s(state)",
                [user.jobcenter_id, teams, LIST_COUNT_CAP + 1, states],
            )
            return dict(cursor.fetchall())
    cases = antraege_visible_to(user).order_by()
    return {s: cases.filter(state=s)[: LIST_COUNT_CAP + 1].count() for s in states}


def open_case_lead(jobcenter_id: int) -> timedelta | None:
    """The longest warning lead (due minus warning moment) of the Jobcenter's open case
    deadlines, None if it has none: a deadline warned by now falls due within that lead
    from now. One entry of the index `deadline_open_case_lead` (PostgreSQL); elsewhere
    `timedelta.max` (no bound)."""
    if connection.vendor != "postgresql":
        return timedelta.max
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(due_at - warn_at) FROM minimumstandards_deadline"
            " WHERE jobcenter_id = %s AND status = 'open' AND antrag_id IS NOT NULL",
            [jobcenter_id],
        )
        (lead,) = cursor.fetchone()
    return lead


def at_risk_count(user, now) -> int | None:
    """The cases the user sees with an open deadline warned by `now` (the list's "Fristen
    gefährdet oder überschritten"), counted up to the list's cap from the deadlines (the team's: index
    `deadline_open_case_team`; the Jobcenter's: by case, `deadline_open_case_due`), only
    those falling due within the longest lead. None if the user sees cases by another rule than team or Jobcenter (the
    caller counts the cases then)."""
    from minimumstandards.models import Deadline

    teams = case_teams_of(user)
    if teams is None and not user.has_perm("intake.see_every_antrag"):
        return None
    lead = open_case_lead(user.jobcenter_id)
    if lead is None:
        return 0
    warned = Deadline.objects.filter(
        jobcenter_id=user.jobcenter_id, status="open", antrag__isnull=False, warn_at__lte=now
    )
    if lead != timedelta.max:
        warned = warned.filter(due_at__lte=now + lead)
    if teams is not None:
        warned = warned.filter(case_team_id__in=teams)
    cases = warned.order_by().values("antrag_id").distinct()
    return cases[: LIST_COUNT_CAP + 1].count()


def next_open_due(field: str = "due_at") -> Subquery:
    """The earliest `field` (due or warning moment) of a case's open deadlines, for
    annotating cases: one index-only probe per case (index `deadline_open_case_due`), no
    join and GROUP BY over their deadlines of every status."""
    from minimumstandards.models import Deadline

    return Subquery(
        Deadline.objects.filter(antrag_id=OuterRef("pk"), status="open")
        .order_by(field)
        .values(field)[:1]
    )


def case_search_filter(q: str, *, jobcenter_id: int) -> Q:
    """The case list's search: a Kd.-Nr. or a BG-Nummer (spaces and case ignored) exactly,
    anything else as part of the applicant's surname or first name.

    Numbers and names are told apart by their form (a name has no digits), so each search
    is one indexed condition: the numbers' unique indexes, the names' trigram indexes
    (0005: UPPER(name) LIKE '%…%', the form Django gives `icontains` on PostgreSQL).
    """
    number = normalize_number(q)
    if re.fullmatch(KUNDENNUMMER_PATTERN, number):
        return Q(applicant__jobcenter_id=jobcenter_id, applicant__kundennummer=number)
    if re.fullmatch(BG_NUMMER_PATTERN, number):
        return Q(bedarfsgemeinschaft__jobcenter_id=jobcenter_id, bedarfsgemeinschaft__number=number)
    return Q(applicant__last_name__icontains=q) | Q(applicant__first_name__icontains=q)


def case_list_page(
    qs: QuerySet,
    *,
    jobcenter_id: int,
    page: ListPage,
    few: bool = False,
    case_teams: frozenset[int] | None = None,
) -> None:
    """Fill `page` with the cases of `qs` in the list's order: the nearest open deadline
    first (cases without one last), then the day of application, then the id.

    Without sorting the whole list: the cases with an open deadline come from the deadlines
    in due order (an index on the Jobcenter's open deadlines, or on the team's if `qs` holds
    the cases of one Leistung team: `case_teams`, from `case_teams_of`), each case at its
    earliest one; `few` (a search that leaves few cases): they are sorted by their own
    nearest deadline instead. At most four queries, whatever the number of cases.
    """
    from minimumstandards.models import Deadline

    per_page, offset = page.paginator.per_page, page.offset
    if few:
        # A search leaves few cases: they are ordered by their own nearest deadline in one
        # query (walking the deadlines would pass most of them by).
        ordered = (
            qs.order_by()
            .annotate(_next_due=Min("deadlines__due_at", filter=Q(deadlines__status="open")))
            .order_by(F("_next_due").asc(nulls_last=True), "application_date", "pk")
        )
        rows = list(ordered.values_list("pk", "_next_due")[offset : offset + per_page])
        cases = qs.for_list().in_bulk([pk for pk, _due in rows])
        page.object_list = []
        for pk, due in rows:
            antrag = cases[pk]
            antrag.next_due = due
            page.object_list.append(antrag)
        return
    case_ids = qs.order_by().values("pk")
    earlier = Deadline.objects.filter(antrag_id=OuterRef("antrag_id"), status="open").filter(
        Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk"))
    )
    deadlines = Deadline.objects.filter(jobcenter_id=jobcenter_id, status="open")
    if case_teams is not None and len(case_teams) == 1:
        # `qs` holds only the team's cases: its deadlines carry the team, in due order.
        deadlines = deadlines.filter(case_team_id=next(iter(case_teams)))
    earliest = (
        deadlines.filter(antrag__in=case_ids)
        .filter(~Exists(earlier))
        .order_by("due_at", "antrag__application_date", "antrag_id")
    )
    rows = list(earliest.values_list("antrag_id", "due_at")[offset : offset + per_page])
    if len(rows) < per_page:
        # Past the cases with a deadline: those without one, by day of application.
        with_deadline = offset + len(rows) if rows or not offset else earliest[:offset].count()
        skip = max(0, offset - with_deadline)
        no_deadline = (
            qs.filter(~Exists(Deadline.objects.filter(antrag_id=OuterRef("pk"), status="open")))
            .order_by("application_date", "pk")
            .values_list("pk", flat=True)
        )
        rows += [(pk, None) for pk in no_deadline[skip : skip + per_page - len(rows)]]
    cases = qs.for_list().in_bulk([pk for pk, _due in rows])
    page.object_list = []
    for pk, due in rows:
        antrag = cases[pk]
        antrag.next_due = due
        page.object_list.append(antrag)
