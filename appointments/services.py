"""Booking, invitations, outcomes and contact density (rules R-EG-03 to R-KD-01).

Every write is one transaction. The case moves only through
`intake.services.antrag_transition`, called inside these transactions, so that an
appointment and its case never disagree; notes and tasks go through `routing.services`,
deadlines through `minimumstandards.services`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import NEGATIVE_STATES, Antrag, ErstgespraechState, Kunde
from intake.services import CaseConflict, antrag_transition, integration_team_for
from jobcenter.errors import DomainError
from jobcenter.models import Deputy, Standort, User
from jobcenter.roles import Role
from jobcenter.services import audit_record
from minimumstandards.models import Deadline, RuleKind
from minimumstandards.services import (
    calendar_for,
    deadline_cancel,
    deadline_complete,
    deadline_open,
)
from minimumstandards.workdays import BERLIN, end_of_day
from routing.models import Vermerk
from routing.services import aufgabe_create, vermerk_create

from . import access
from .invitations import occasion_for, rule_in_force
from .models import (
    MAX_DAYS,
    OCCUPYING,
    QUALIFIED_MINUTES,
    SLOT_MINUTES,
    Absence,
    Appointment,
    BookingEscalation,
    BookingStep,
    ContactGroup,
    ContactProfile,
    Form,
    GroupEvent,
    InvitationRule,
    Kind,
    ReleasedWindow,
    Status,
)
from .slots import CalendarData, Slot, SlotError, check_slot, free_slots

# The EZ looks this far for a slot with the IFK, then with each deputy (rule R-EG-03).
CHAIN_WORKING_DAYS = 10
# Rebooking after a cancellation (rule R-TE-02): by the Jobcenter within 30 AT of the
# registration, by the customer within 30 days of it.
REBOOK_WORKING_DAYS = 30
REBOOK_DAYS = 30
# How far a re-invitation after a no-show and the team lead's manual booking look ahead.
REINVITE_WORKING_DAYS = 30
# Group events at every site at least every 14 days (rule R-GV-01).
GROUP_EVENT_EVERY_DAYS = 14


class AppointmentError(DomainError):
    """A refused booking or outcome; `field` names the input at fault, if one is."""


def _fmt(moment: datetime) -> str:
    return date_format(timezone.localtime(moment, BERLIN), "D d.m.Y H:i")


def _is_ifk(user) -> bool:
    return user is not None and user.is_active and user.role == Role.INTEGRATION


def _insert(appointment: Appointment) -> Appointment:
    """Claim the slot: the database constraints decide a race, not a check before it."""
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        raise AppointmentError(
            _(
                "Dieser Termin wurde soeben anderweitig vergeben oder überschneidet sich mit "
                "einem anderen Termin. Bitte einen anderen Termin wählen."
            )
        ) from None
    return appointment


def _transition(*, actor, antrag_id: int, name: str, expected: str, comment: str = "", **params):
    try:
        return antrag_transition(
            actor=actor,
            antrag_id=antrag_id,
            name=name,
            expected_state=expected,
            comment=comment,
            **params,
        )
    except CaseConflict as error:
        raise AppointmentError(str(error)) from None
    except PermissionDenied as error:
        raise AppointmentError(str(error)) from None


# --- calendars -------------------------------------------------------------------------


def _check_window_fits(
    *,
    caseworker,
    kind,
    weekday,
    starts,
    ends,
    standort,
    outside,
    valid_from,
    valid_until,
    exclude_pk=None,
):
    if ends <= starts:
        raise AppointmentError(_("Das Ende muss nach dem Beginn liegen."), field="ends")
    length = SLOT_MINUTES[kind]
    minutes = (datetime.combine(date.min, ends) - datetime.combine(date.min, starts)).seconds // 60
    if minutes < length:
        raise AppointmentError(
            _("Das Zeitfenster ist kürzer als ein Termin (%(n)d Minuten).") % {"n": length},
            field="ends",
        )
    if valid_until is not None and valid_until < valid_from:
        raise AppointmentError(_("„gültig bis“ liegt vor „gültig ab“."), field="valid_until")
    if standort.jobcenter_id != caseworker.jobcenter_id:
        raise AppointmentError(
            _("Bitte einen Standort dieses Jobcenters wählen."), field="standort"
        )
    others = ReleasedWindow.objects.filter(
        caseworker=caseworker, weekday=weekday, starts__lt=ends, ends__gt=starts
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        others = others.filter(valid_from__lte=valid_until)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    clash = others.first()
    if clash is not None:
        raise AppointmentError(
            _("Das Zeitfenster überschneidet sich mit dem freigegebenen Fenster %(w)s.")
            % {"w": clash},
            field="starts",
        )
    if not outside:
        hours = list(standort.opening_hours.all())
        if hours and not any(
            h.weekday == weekday and h.opens <= starts and ends <= h.closes for h in hours
        ):
            raise AppointmentError(
                _(
                    "Das Zeitfenster liegt außerhalb der Öffnungszeiten von %(site)s. Für Termine "
                    "außerhalb der Öffnungszeiten bitte „auch außerhalb der Öffnungszeiten“ wählen."
                )
                % {"site": standort},
                field="starts",
            )


@transaction.atomic
def window_create(
    *,
    actor: User,
    caseworker: User,
    kind: str,
    weekday: int,
    starts: time,
    ends: time,
    standort: Standort,
    valid_from: date,
    valid_until: date | None = None,
    outside_opening_hours: bool = False,
) -> ReleasedWindow:
    if not access.can_manage_calendar(actor, caseworker) or not _is_ifk(caseworker):
        raise PermissionDenied(_("Diesen Kalender dürfen Sie nicht ändern."))
    if kind not in SLOT_MINUTES:
        raise AppointmentError(_("Zeitfenster gibt es für Erst- und Folgegespräche."), field="kind")
    _check_window_fits(
        caseworker=caseworker,
        kind=kind,
        weekday=weekday,
        starts=starts,
        ends=ends,
        standort=standort,
        outside=outside_opening_hours,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    window = ReleasedWindow.objects.create(
        caseworker=caseworker,
        kind=kind,
        weekday=weekday,
        starts=starts,
        ends=ends,
        standort=standort,
        valid_from=valid_from,
        valid_until=valid_until,
        outside_opening_hours=outside_opening_hours,
    )
    audit_record(
        actor=actor,
        action="create",
        target=window,
        summary=_("Zeitfenster freigegeben: %s") % window,
    )
    return window


@transaction.atomic
def window_end(*, actor: User, window_id: int) -> None:
    """No more slots from this window from today on; booked appointments stay as they are."""
    window = (
        ReleasedWindow.objects.select_for_update().select_related("caseworker").get(pk=window_id)
    )
    if not access.can_manage_calendar(actor, window.caseworker):
        raise PermissionDenied(_("Diesen Kalender dürfen Sie nicht ändern."))
    today = timezone.localdate()
    audit_record(
        actor=actor, action="change", target=window, summary=_("Zeitfenster beendet: %s") % window
    )
    if window.valid_from >= today:
        window.delete()
    else:
        window.valid_until = today - timedelta(days=1)
        window.save(update_fields=["valid_until"])


@transaction.atomic
def absence_create(
    *, actor: User, caseworker: User, starts_at: datetime, ends_at: datetime, reason: str
):
    """Block a period; returns the absence and the booked appointments that fall into it."""
    if not access.can_manage_calendar(actor, caseworker):
        raise PermissionDenied(_("Diesen Kalender dürfen Sie nicht ändern."))
    if ends_at <= starts_at:
        raise AppointmentError(_("Das Ende muss nach dem Beginn liegen."), field="ends_at")
    if not reason.strip():
        raise AppointmentError(_("Bitte einen Grund angeben."), field="reason")
    absence = Absence.objects.create(
        caseworker=caseworker,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=actor,
    )
    audit_record(actor=actor, action="create", target=absence, summary=_("Abwesenheit eingetragen"))
    clashes = list(
        Appointment.objects.booked()
        .filter(caseworker=caseworker, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("kunde")
    )
    return absence, clashes


@transaction.atomic
def absence_delete(*, actor: User, absence_id: int) -> None:
    absence = Absence.objects.select_for_update().select_related("caseworker").get(pk=absence_id)
    if not access.can_manage_calendar(actor, absence.caseworker):
        raise PermissionDenied(_("Diesen Kalender dürfen Sie nicht ändern."))
    audit_record(actor=actor, action="change", target=absence, summary=_("Abwesenheit gelöscht"))
    absence.delete()


# --- the booking chain for the first consultation (rules R-EG-03, R-AN-03) --------------------


@dataclass
class ChainStep:
    step: str
    caseworker: User | None
    position: int | None = None
    slots: list[Slot] = field(default_factory=list)
    note: str = ""

    @property
    def label(self) -> str:
        if self.step == BookingStep.IFK:
            return _("Schritt 1: zuständige IFK")
        if self.step == BookingStep.VERTRETUNG:
            return _("Schritt 2: Vertretung %(n)d") % {"n": self.position}
        return _("Schritt 3: Teampostfach und Teamleitung")


@dataclass
class EgLimits:
    """By when the EG should take place: its deadline, and after a cancellation the
    rebooking limit (rule R-TE-02). A later slot needs a documented reason."""

    deadline: Deadline | None
    rebook_until: datetime | None = None
    rebook_label: str = ""

    def late_reasons(self, starts_at: datetime) -> list[str]:
        reasons = []
        if (
            self.deadline is not None
            and self.deadline.status == Deadline.Status.OPEN
            and starts_at > self.deadline.due_at
        ):
            reasons.append(
                _("nach der Frist für das Erstgespräch (fällig %(due)s)")
                % {"due": _fmt(self.deadline.due_at)}
            )
        if self.rebook_until is not None and starts_at > self.rebook_until:
            reasons.append(
                _("nach der Grenze für die Neubuchung (%(label)s: %(due)s)")
                % {"label": self.rebook_label, "due": _fmt(self.rebook_until)}
            )
        return reasons


@dataclass
class ChainResult:
    horizon: datetime
    steps: list[ChainStep]
    found: ChainStep | None
    limits: EgLimits
    escalation: BookingEscalation | None = None


def eg_limits(antrag: Antrag) -> EgLimits:
    deadline = (
        Deadline.objects.filter(antrag=antrag, kind=RuleKind.FIRST_CONSULTATION)
        .select_related("rule")
        .order_by("-started_at", "-id")
        .first()
    )
    limits = EgLimits(deadline=deadline)
    last_cancel = (
        Appointment.objects.filter(
            antrag=antrag,
            kind=Kind.ERSTGESPRAECH,
            status__in=[Status.ABGESAGT_JC, Status.ABGESAGT_KUNDE],
        )
        .order_by("-outcome_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    if last_cancel == Status.ABGESAGT_JC:
        calendar = calendar_for(antrag.jobcenter)
        limits.rebook_until = end_of_day(
            calendar.add_working_days(antrag.application_date, REBOOK_WORKING_DAYS)
        )
        limits.rebook_label = _("30 Arbeitstage nach der Anmeldung (Absage durch das Jobcenter)")
    elif last_cancel == Status.ABGESAGT_KUNDE:
        limits.rebook_until = end_of_day(antrag.application_date + timedelta(days=REBOOK_DAYS))
        limits.rebook_label = _("30 Tage nach der Anmeldung (Absage durch die Kundin / den Kunden)")
    return limits


def _deputies(ifk: User) -> list[tuple[int, User]]:
    entries = Deputy.objects.filter(ifk=ifk).select_related("deputy").order_by("position")
    return [(e.position, e.deputy) for e in entries if _is_ifk(e.deputy)]


def eg_search(*, antrag: Antrag, now: datetime | None = None, alternatives: int = 8) -> ChainResult:
    """Search the chain: the responsible IFK, then each deputy in order, within 10 AT."""
    now = now or timezone.now()
    calendar = calendar_for(antrag.jobcenter)
    today = timezone.localtime(now, BERLIN).date()
    horizon = end_of_day(calendar.add_working_days(today, CHAIN_WORKING_DAYS))
    ifk = antrag.applicant.ifk if antrag.applicant.ifk_id else None
    candidates: list[ChainStep] = []
    steps: list[ChainStep] = []
    if _is_ifk(ifk):
        candidates.append(ChainStep(BookingStep.IFK, ifk))
        candidates += [ChainStep(BookingStep.VERTRETUNG, d, pos) for pos, d in _deputies(ifk)]
    else:
        steps.append(
            ChainStep(BookingStep.IFK, None, note=_("Keine Hauptbetreuung (IFK) zugeordnet."))
        )
    data = CalendarData.load([c.caseworker.pk for c in candidates], now, horizon)
    found = None
    for candidate in candidates:
        candidate.slots = free_slots(
            data,
            calendar,
            caseworker_id=candidate.caseworker.pk,
            kind=Kind.ERSTGESPRAECH,
            after=now,
            until=horizon,
            limit=alternatives,
        )
        steps.append(candidate)
        if candidate.slots:
            found = candidate
            break
    if found is None:
        steps.append(ChainStep(BookingStep.TEAMLEITUNG, None))
    escalation = (
        BookingEscalation.objects.filter(antrag=antrag, resolved_by__isnull=True)
        .select_related("aufgabe")
        .first()
    )
    return ChainResult(horizon, steps, found, eg_limits(antrag), escalation)


def team_slots(
    *, antrag: Antrag, now: datetime | None = None, per_person: int = 6
) -> list[tuple[User, list[Slot]]]:
    """For the team lead who books by hand: free EG slots of the IFK, the deputies and the
    customer's Integration team over the next 30 working days."""
    now = now or timezone.now()
    calendar = calendar_for(antrag.jobcenter)
    until = end_of_day(
        calendar.add_working_days(timezone.localtime(now, BERLIN).date(), REINVITE_WORKING_DAYS)
    )
    people: list[User] = []
    ifk = antrag.applicant.ifk if antrag.applicant.ifk_id else None
    if _is_ifk(ifk):
        people.append(ifk)
        people += [d for _pos, d in _deputies(ifk)]
    team = integration_team_for(antrag.applicant)
    if team is not None:
        people += list(
            team.members.filter(role=Role.INTEGRATION, is_active=True).order_by(
                "last_name", "first_name"
            )
        )
    unique = list(dict.fromkeys(people))
    data = CalendarData.load([p.pk for p in unique], now, until)
    return [
        (
            person,
            free_slots(
                data,
                calendar,
                caseworker_id=person.pk,
                kind=Kind.ERSTGESPRAECH,
                after=now,
                until=until,
                limit=per_person,
            ),
        )
        for person in unique
    ]


def _lock_case_for_eg(antrag_id: int) -> Antrag:
    antrag = (
        Antrag.objects.select_for_update(of=("self",))
        .select_related("jobcenter", "applicant__ifk", "bedarfsgemeinschaft__leistung_team")
        .get(pk=antrag_id)
    )
    if antrag.state in NEGATIVE_STATES:
        raise AppointmentError(
            _("Der Fall ist abgeschlossen (%(state)s): es wird kein Termin mehr gebucht.")
            % {"state": antrag.get_state_display()}
        )
    if antrag.eg_state == ErstgespraechState.DURCHGEFUEHRT:
        raise AppointmentError(_("Das Erstgespräch hat bereits stattgefunden."))
    booked = (
        Appointment.objects.booked()
        .filter(antrag=antrag, kind=Kind.ERSTGESPRAECH)
        .select_related("caseworker")
        .first()
    )
    if booked is not None:
        raise AppointmentError(
            _("Für diesen Fall ist bereits ein Erstgespräch gebucht (%(at)s bei %(who)s).")
            % {"at": _fmt(booked.starts_at), "who": booked.caseworker}
        )
    if antrag.eg_state == ErstgespraechState.GEBUCHT:
        raise AppointmentError(
            _("Für diesen Fall ist bereits ein Erstgespräch gebucht (%(at)s).")
            % {"at": _fmt(antrag.eg_at) if antrag.eg_at else "–"}
        )
    if not antrag.first_consultation_bookable():
        raise AppointmentError(
            _(
                "Das Erstgespräch wird in diesem Jobcenter erst nach dem bestätigten Leistungsanspruch gebucht."
            )
        )
    return antrag


def _new_appointment(
    *,
    antrag_or_none,
    kunde: Kunde,
    caseworker: User,
    kind: str,
    slot_start,
    slot_end,
    standort,
    form,
    actor,
    previous=None,
    today=None,
) -> Appointment:
    today = today or timezone.localdate()
    occasion = occasion_for(kunde=kunde, kind=kind)
    rule = rule_in_force(jobcenter=kunde.jobcenter, occasion=occasion, on=today)
    return Appointment(
        jobcenter=kunde.jobcenter,
        kunde=kunde,
        antrag=antrag_or_none,
        caseworker=caseworker,
        kind=kind,
        standort=standort,
        starts_at=slot_start,
        ends_at=slot_end,
        form=form,
        with_rfb=rule.with_rfb,
        rfb_text=rule.rfb_text if rule.with_rfb else "",
        invitation_occasion=occasion,
        booked_by=actor,
        previous=previous,
    )


@transaction.atomic
def eg_book(
    *,
    actor: User,
    antrag_id: int,
    caseworker: User,
    starts_at: datetime,
    form: str = Form.PERSOENLICH,
    late_reason: str = "",
) -> Appointment:
    """Book the first consultation on a slot the chain offers (the team lead: any free slot).

    The case moves to "Erstgespräch gebucht" through the intake transition, which also gives
    the IFK the task "Neuer Kunde zugeordnet" (rule R-AN-03).
    """
    antrag = _lock_case_for_eg(antrag_id)
    if not access.can_book_first_consultation(actor, antrag):
        raise PermissionDenied(_("Sie dürfen für diesen Fall kein Erstgespräch buchen."))
    if not _is_ifk(caseworker) or caseworker.jobcenter_id != antrag.jobcenter_id:
        raise AppointmentError(_("Bitte eine Integrationsfachkraft dieses Jobcenters wählen."))
    now = timezone.now()
    calendar = calendar_for(antrag.jobcenter)
    data = CalendarData.load(
        [caseworker.pk], starts_at - timedelta(days=1), starts_at + timedelta(days=1)
    )
    try:
        slot = check_slot(
            data,
            calendar,
            caseworker=caseworker,
            kind=Kind.ERSTGESPRAECH,
            starts_at=starts_at,
            now=now,
        )
    except SlotError as error:
        raise AppointmentError(str(error), field="slot") from None

    chain = eg_search(antrag=antrag, now=now)
    found = chain.found
    if found is not None and found.caseworker == caseworker and slot in found.slots:
        step = found.step
        note = found.label + (f" ({caseworker})" if step == BookingStep.VERTRETUNG else "")
    elif actor.has_role(Role.TEAMLEITUNG):
        # The team lead organises the EG within the team (rule R-EG-03): any free slot.
        step, note = BookingStep.TEAMLEITUNG, _("von der Teamleitung gebucht")
    elif found is None:
        raise AppointmentError(
            _(
                "Innerhalb von 10 Arbeitstagen ist weder bei der IFK noch bei den Vertretungen ein "
                "Termin frei. Bitte das Ticket an das Teampostfach senden: die Teamleitung bucht."
            )
        )
    else:
        raise AppointmentError(
            _("Bitte einen der angebotenen Termine bei %(who)s wählen (%(step)s).")
            % {"who": found.caseworker, "step": found.label},
            field="slot",
        )

    late = chain.limits.late_reasons(starts_at)
    if late and not late_reason.strip():
        raise AppointmentError(
            _(
                "Der Termin liegt %(what)s. Bitte begründen Sie, warum kein früherer Termin möglich ist."
            )
            % {"what": _(" und ").join(late)},
            field="late_reason",
        )
    appointment = _new_appointment(
        antrag_or_none=antrag,
        kunde=antrag.applicant,
        caseworker=caseworker,
        kind=Kind.ERSTGESPRAECH,
        slot_start=slot.starts_at,
        slot_end=slot.ends_at,
        standort=Standort.objects.get(pk=slot.standort_id),
        form=form,
        actor=actor,
        previous=_last_eg(antrag),
    )
    appointment.booking_step = step
    appointment.booking_note = note[:300]
    appointment.late_reason = late_reason.strip() if late else ""
    _insert(appointment)
    _transition(
        actor=actor,
        antrag_id=antrag.pk,
        name="book_first_consultation",
        expected=ErstgespraechState.OFFEN,
        at=slot.starts_at,
        ifk=caseworker,
    )
    _after_booking(actor=actor, appointment=appointment, late=late)
    BookingEscalation.objects.filter(antrag=antrag, resolved_by__isnull=True).update(
        resolved_by=appointment
    )
    return appointment


def _last_eg(antrag: Antrag) -> Appointment | None:
    return (
        Appointment.objects.filter(antrag=antrag, kind=Kind.ERSTGESPRAECH)
        .order_by("-starts_at", "-id")
        .first()
    )


def _after_booking(*, actor: User, appointment: Appointment, late: list[str]) -> None:
    audit_record(
        actor=actor,
        action="create",
        target=appointment,
        summary=_("%(kind)s gebucht: %(at)s bei %(who)s")
        % {
            "kind": appointment.get_kind_display(),
            "at": _fmt(appointment.starts_at),
            "who": appointment.caseworker,
        },
    )
    if late:
        # Rule R-TE-02: the reasons are documented in the customer's history (Allgemeiner Vermerk).
        vermerk_create(
            kunde=appointment.kunde,
            author=actor,
            subject=_("%(kind)s am %(at)s: Termin nach der Frist gebucht")
            % {"kind": appointment.get_kind_display(), "at": _fmt(appointment.starts_at)},
            text=_("Der Termin liegt %(what)s.\nBegründung: %(reason)s")
            % {"what": _(" und ").join(late), "reason": appointment.late_reason},
            known_on=timezone.localdate(),
            kind=Vermerk.Kind.ALLGEMEIN,
        )


@transaction.atomic
def eg_escalate(*, actor: User, antrag_id: int) -> BookingEscalation:
    """No slot with the IFK or any deputy within 10 AT: a ticket to the team mailbox,
    assigned to the team lead, who books by hand (rule R-EG-03). Raised once."""
    antrag = _lock_case_for_eg(antrag_id)
    if not access.can_book_first_consultation(actor, antrag):
        raise PermissionDenied(_("Sie dürfen für diesen Fall kein Erstgespräch buchen."))
    existing = BookingEscalation.objects.filter(antrag=antrag, resolved_by__isnull=True).first()
    if existing is not None:
        return existing
    chain = eg_search(antrag=antrag)
    if chain.found is not None:
        raise AppointmentError(
            _("Es gibt einen freien Termin bei %(who)s: bitte diesen buchen.")
            % {"who": chain.found.caseworker}
        )
    kunde = antrag.applicant
    team = integration_team_for(kunde)
    postfach = getattr(team, "postfach", None) if team else None
    if postfach is None:
        raise AppointmentError(_("Für das Integrationsteam ist kein Postfach eingerichtet."))
    searched = [
        f"- {s.label}: {s.caseworker or '–'} {s.note}".rstrip()
        for s in chain.steps
        if s.step != BookingStep.TEAMLEITUNG
    ]
    due = (
        chain.limits.deadline.due_at
        if chain.limits.deadline and chain.limits.deadline.status == "open"
        else None
    )
    aufgabe = aufgabe_create(
        created_by=actor,
        postfach=postfach,
        assignee=team.lead if team.lead_id else None,
        kunde=kunde,
        title=_("Erstgespräch buchen: kein freier Termin innerhalb von 10 Arbeitstagen (BG %(bg)s)")
        % {"bg": antrag.bedarfsgemeinschaft.number},
        description="\n".join(
            [
                _(
                    "Die Eingangszone hat bei der IFK und allen Vertretungen bis %(until)s keinen freien Termin gefunden:"
                )
                % {"until": _fmt(chain.horizon)},
                *searched,
                _("Bitte organisieren Sie das Erstgespräch im Team (Teamleitung informiert)."),
                _("Frist für das Erstgespräch: %(due)s") % {"due": _fmt(due)} if due else "",
            ]
        ).strip(),
        due_at=due,
    )
    escalation = BookingEscalation.objects.create(antrag=antrag, aufgabe=aufgabe, created_by=actor)
    audit_record(actor=actor, action="create", target=escalation, summary=aufgabe.title)
    return escalation


# --- follow-up consultations and group events ---------------------------------------------


def _check_kunde_open(kunde: Kunde) -> None:
    latest = (
        Antrag.objects.filter(persons__kunde=kunde)
        .order_by("-application_date", "-id")
        .values_list("state", flat=True)
        .first()
    )
    if latest in NEGATIVE_STATES:
        raise AppointmentError(
            _(
                "Der letzte Antrag dieser Kundin / dieses Kunden ist abgeschlossen ohne Leistungsanspruch: es wird kein Termin gebucht."
            )
        )


def follow_up_slots(
    *, caseworker: User, now: datetime | None = None, limit: int = 12
) -> list[Slot]:
    now = now or timezone.now()
    calendar = calendar_for(caseworker.jobcenter)
    until = end_of_day(
        calendar.add_working_days(timezone.localtime(now, BERLIN).date(), REINVITE_WORKING_DAYS)
    )
    data = CalendarData.load([caseworker.pk], now, until)
    return free_slots(
        data,
        calendar,
        caseworker_id=caseworker.pk,
        kind=Kind.FOLGEGESPRAECH,
        after=now,
        until=until,
        limit=limit,
    )


@transaction.atomic
def follow_up_book(
    *,
    actor: User,
    kunde: Kunde,
    caseworker: User,
    starts_at: datetime,
    form: str = Form.PERSOENLICH,
    with_rfb: bool | None = None,
    previous: Appointment | None = None,
) -> Appointment:
    """A follow-up consultation in one of the caseworker's released follow-up windows."""
    if not access.can_book_follow_up(actor) or actor.jobcenter_id != kunde.jobcenter_id:
        raise PermissionDenied(_("Sie dürfen für diese Person keinen Termin buchen."))
    if actor.has_role(Role.INTEGRATION) and caseworker.pk != actor.pk:
        raise AppointmentError(_("Folgegespräche buchen Sie in Ihrem eigenen Kalender."))
    _check_kunde_open(kunde)
    calendar = calendar_for(kunde.jobcenter)
    data = CalendarData.load(
        [caseworker.pk], starts_at - timedelta(days=1), starts_at + timedelta(days=1)
    )
    try:
        slot = check_slot(
            data,
            calendar,
            caseworker=caseworker,
            kind=Kind.FOLGEGESPRAECH,
            starts_at=starts_at,
            now=timezone.now(),
        )
    except SlotError as error:
        raise AppointmentError(str(error), field="slot") from None
    appointment = _new_appointment(
        antrag_or_none=None,
        kunde=kunde,
        caseworker=caseworker,
        kind=Kind.FOLGEGESPRAECH,
        slot_start=slot.starts_at,
        slot_end=slot.ends_at,
        standort=Standort.objects.get(pk=slot.standort_id),
        form=form,
        actor=actor,
        previous=previous,
    )
    # Rule R-TE-05: follow-up invitations carry an RFB where it is needed to secure the visit;
    # after a no-show the rule decides and cannot be waived here.
    if (
        with_rfb is not None
        and appointment.invitation_occasion == InvitationRule.Occasion.FOLGEEINLADUNG
        and with_rfb != appointment.with_rfb
    ):
        rule = rule_in_force(
            jobcenter=kunde.jobcenter,
            occasion=InvitationRule.Occasion.NACH_MELDEVERSAEUMNIS,
            on=timezone.localdate(),
        )
        appointment.with_rfb = with_rfb
        appointment.rfb_text = rule.rfb_text if with_rfb else ""
    _insert(appointment)
    _after_booking(actor=actor, appointment=appointment, late=[])
    return appointment


def group_events_with_room(*, standort: Standort, after: datetime):
    return (
        GroupEvent.objects.filter(
            standort=standort, status=GroupEvent.EventStatus.GEPLANT, starts_at__gt=after
        )
        .annotate(taken=Count("participants", filter=Q(participants__status__in=OCCUPYING)))
        .order_by("starts_at")
    )


@transaction.atomic
def group_event_invite(
    *,
    actor: User,
    kunde: Kunde,
    standort: Standort,
    antrag: Antrag | None = None,
    after: datetime | None = None,
    previous: Appointment | None = None,
) -> Appointment:
    """Invite to the next group event for new customers at the site that has room (rule R-GV-01)."""
    if (
        not actor.has_role(Role.EINGANGSZONE, Role.INTEGRATION, Role.TEAMLEITUNG)
        or actor.jobcenter_id != kunde.jobcenter_id
    ):
        raise PermissionDenied(_("Sie dürfen niemanden zu Gruppenveranstaltungen einladen."))
    if antrag is not None and antrag.state in NEGATIVE_STATES:
        raise AppointmentError(_("Der Fall ist abgeschlossen: es wird kein Termin mehr gebucht."))
    _check_kunde_open(kunde)
    if (
        Appointment.objects.booked()
        .filter(kunde=kunde, kind=Kind.GRUPPE, starts_at__gt=timezone.now())
        .exists()
    ):
        raise AppointmentError(
            _("Diese Person ist bereits zu einer Gruppenveranstaltung eingeladen.")
        )
    after = after or timezone.now()
    for event in group_events_with_room(standort=standort, after=after):
        if event.taken >= event.capacity:
            continue
        # Lock the event and count again: two invitations at once cannot overfill it.
        locked = GroupEvent.objects.select_for_update().get(pk=event.pk)
        if locked.participants.filter(status__in=OCCUPYING).count() >= locked.capacity:
            continue
        appointment = _new_appointment(
            antrag_or_none=antrag,
            kunde=kunde,
            caseworker=locked.host,
            kind=Kind.GRUPPE,
            slot_start=locked.starts_at,
            slot_end=locked.ends_at,
            standort=locked.standort,
            form=Form.PERSOENLICH,
            actor=actor,
            previous=previous,
        )
        appointment.group_event = locked
        _insert(appointment)
        _after_booking(actor=actor, appointment=appointment, late=[])
        return appointment
    raise AppointmentError(
        _(
            "Am Standort %(site)s ist keine Gruppenveranstaltung mit freien Plätzen geplant. Bitte die nächste anlegen."
        )
        % {"site": standort}
    )


@transaction.atomic
def group_events_create_series(
    *,
    actor: User,
    standort: Standort,
    host: User,
    first_start: datetime,
    duration_minutes: int,
    capacity: int,
    count: int,
    every_days: int = GROUP_EVENT_EVERY_DAYS,
    title: str = "",
) -> list[GroupEvent]:
    """A series of group events; a date that is not a working day moves to the next one."""
    if not access.can_manage_group_events(actor) or standort.jobcenter_id != actor.jobcenter_id:
        raise PermissionDenied(_("Sie dürfen keine Gruppenveranstaltungen anlegen."))
    if not _is_ifk(host) or host.jobcenter_id != actor.jobcenter_id:
        raise AppointmentError(
            _("Bitte eine Integrationsfachkraft dieses Jobcenters wählen."), field="host"
        )
    if first_start <= timezone.now():
        raise AppointmentError(
            _("Die erste Veranstaltung muss in der Zukunft liegen."), field="first_start"
        )
    if not 1 <= count <= 26:
        raise AppointmentError(_("Bitte 1 bis 26 Termine anlegen."), field="count")
    if not 1 <= every_days <= GROUP_EVENT_EVERY_DAYS:
        raise AppointmentError(
            _("Gruppenveranstaltungen finden mindestens alle 14 Tage statt."),
            field="every_days",
        )
    calendar = calendar_for(standort.jobcenter)
    local = timezone.localtime(first_start, BERLIN)
    events = []
    day = local.date()
    for _index in range(count):
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        starts = datetime.combine(day, local.time(), tzinfo=BERLIN)
        ends = starts + timedelta(minutes=duration_minutes)
        clash = (
            Appointment.objects.occupying()
            .filter(
                caseworker=host, group_event__isnull=True, starts_at__lt=ends, ends_at__gt=starts
            )
            .exists()
            or Absence.objects.filter(
                caseworker=host, starts_at__lt=ends, ends_at__gt=starts
            ).exists()
        )
        if clash:
            raise AppointmentError(
                _("%(who)s hat am %(at)s schon einen Termin oder ist abwesend.")
                % {"who": host, "at": _fmt(starts)},
                field="first_start",
            )
        event = GroupEvent.objects.create(
            jobcenter=standort.jobcenter,
            standort=standort,
            title=title or str(_("Gruppenveranstaltung für Neukunden")),
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            host=host,
            created_by=actor,
        )
        audit_record(actor=actor, action="create", target=event, summary=str(event))
        events.append(event)
        day += timedelta(days=every_days)
    return events


@dataclass(frozen=True)
class GroupCoverage:
    standort: Standort
    last_at: datetime | None
    next_at: datetime | None
    needed_by: date

    @property
    def missing(self) -> bool:
        return (
            self.next_at is None or timezone.localtime(self.next_at, BERLIN).date() > self.needed_by
        )

    @property
    def overdue(self) -> bool:
        return self.missing and self.needed_by < timezone.localdate()


def group_event_coverage(*, jobcenter, today: date | None = None) -> list[GroupCoverage]:
    """Per site: is the next group event within 14 days of the last one (rule R-GV-01)?

    Two grouped queries whatever the number of events.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    sites = list(Standort.objects.filter(jobcenter=jobcenter).order_by("name"))
    held = GroupEvent.objects.filter(standort__in=sites).exclude(
        status=GroupEvent.EventStatus.ABGESAGT
    )
    last = dict(
        held.filter(starts_at__lte=now)
        .values_list("standort")
        .annotate(at=Max("starts_at"))
        .order_by()
    )
    upcoming = dict(
        held.filter(starts_at__gt=now)
        .values_list("standort")
        .annotate(at=Min("starts_at"))
        .order_by()
    )
    coverage = []
    for site in sites:
        last_at = last.get(site.pk)
        base = timezone.localtime(last_at, BERLIN).date() if last_at else today
        needed_by = base + timedelta(days=GROUP_EVENT_EVERY_DAYS)
        coverage.append(GroupCoverage(site, last_at, upcoming.get(site.pk), needed_by))
    return coverage


# --- outcomes ------------------------------------------------------------------------------


def _lock_open(appointment_id: int, *, actor: User, started: bool) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related(
            "kunde__ifk",
            "kunde__jobcenter",
            "antrag__bedarfsgemeinschaft__leistung_team",
            "caseworker",
            "standort",
            "group_event",
        )
        .get(pk=appointment_id)
    )
    if appointment.status != Status.GEBUCHT:
        raise AppointmentError(
            _("Für diesen Termin ist bereits ein Ergebnis erfasst: %(status)s.")
            % {"status": appointment.get_status_display()}
        )
    if started and appointment.starts_at > timezone.now():
        raise AppointmentError(_("Das Ergebnis kann erst ab Beginn des Termins erfasst werden."))
    return appointment


def _finish(appointment: Appointment, *, actor: User, status: str, **fields) -> None:
    appointment.status = status
    appointment.outcome_at = timezone.now()
    appointment.outcome_by = actor
    for name, value in fields.items():
        setattr(appointment, name, value)
    appointment.save()
    audit_record(
        actor=actor,
        action="change",
        target=appointment,
        summary=_("Termin %(at)s: %(status)s")
        % {"at": _fmt(appointment.starts_at), "status": appointment.get_status_display()},
    )


@transaction.atomic
def appointment_record_held(
    *,
    actor: User,
    appointment_id: int,
    minutes: int,
    form: str,
    text: str,
    qualified_despite_short: bool = False,
) -> Appointment:
    """Held: a Beratungsvermerk for a qualified contact (30 minutes or more as a rule,
    rules R-TE-03, R-TE-04), else an Allgemeiner Vermerk; the held EG moves the case and closes its deadline."""
    appointment = _lock_open(appointment_id, actor=actor, started=True)
    if not access.can_record_outcome(actor, appointment):
        raise PermissionDenied(_("Das Ergebnis dieses Termins dürfen Sie nicht erfassen."))
    if appointment.kind == Kind.GRUPPE:
        raise AppointmentError(
            _("Die Teilnahme an einer Gruppenveranstaltung wird bei der Veranstaltung erfasst.")
        )
    if not 1 <= minutes <= 480:
        raise AppointmentError(
            _("Bitte die Dauer in Minuten angeben (1 bis 480)."), field="minutes"
        )
    if form not in Form.values:
        raise AppointmentError(_("Bitte die Form des Gesprächs wählen."), field="form")
    if not text.strip():
        raise AppointmentError(
            _("Bitte die wesentlichen Gesprächsinhalte festhalten."), field="text"
        )
    qualified = minutes >= QUALIFIED_MINUTES or qualified_despite_short
    vermerk = vermerk_create(
        kunde=appointment.kunde,
        author=actor,
        subject=_("%(kind)s am %(at)s (%(min)d Min., %(form)s)")
        % {
            "kind": appointment.get_kind_display(),
            "at": _fmt(appointment.starts_at),
            "min": minutes,
            "form": Form(form).label,
        },
        text=text.strip(),
        known_on=timezone.localtime(appointment.starts_at, BERLIN).date(),
        kind=Vermerk.Kind.BERATUNG if qualified else Vermerk.Kind.ALLGEMEIN,
    )
    _finish(
        appointment,
        actor=actor,
        status=Status.DURCHGEFUEHRT,
        held_minutes=minutes,
        held_form=form,
        qualified=qualified,
        vermerk=vermerk,
    )
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        _transition(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="record_first_consultation_held",
            expected=ErstgespraechState.GEBUCHT,
        )
    contact_after_consultation(appointment=appointment, actor=actor)
    return appointment


@transaction.atomic
def appointment_record_no_show(
    *, actor: User, appointment_id: int, note: str = ""
) -> tuple[Appointment, Appointment | None]:
    """Meldeversäumnis: re-invitation with RFB (a group event's to the next one), a task to
    examine a sanction; repeated no-shows a task to examine withdrawing benefits (rule R-TE-06).

    Returns the appointment and the re-invitation (None if no slot was free: then a task
    tells the caseworker to invite by hand).
    """
    appointment = _lock_open(appointment_id, actor=actor, started=True)
    if not access.can_record_outcome(actor, appointment):
        raise PermissionDenied(_("Das Ergebnis dieses Termins dürfen Sie nicht erfassen."))
    _finish(appointment, actor=actor, status=Status.MELDEVERSAEUMNIS, cancel_reason=note.strip())
    _no_show_consequences(actor=actor, appointment=appointment, note=note)
    return appointment, _reinvite(actor=actor, appointment=appointment)


def _no_show_consequences(*, actor: User, appointment: Appointment, note: str) -> None:
    kunde = appointment.kunde
    when = _fmt(appointment.starts_at)
    vermerk_create(
        kunde=kunde,
        author=actor,
        subject=_("Meldeversäumnis: nicht erschienen zum Termin am %(at)s (%(kind)s)")
        % {"at": when, "kind": appointment.get_kind_display()},
        text=note.strip(),
        known_on=timezone.localdate(),
        kind=Vermerk.Kind.ALLGEMEIN,
    )
    responsible = kunde.ifk if _is_ifk(kunde.ifk) else appointment.caseworker
    aufgabe_create(
        created_by=actor,
        assignee=responsible,
        kunde=kunde,
        title=_("Meldeversäumnis am %(at)s: Leistungsminderung prüfen (§ 32 SGB II)")
        % {"at": when},
        description=_("Anhörung und Prüfung eines wichtigen Grundes. Einladung war %(rfb)s.")
        % {
            "rfb": _("mit Rechtsfolgenbelehrung")
            if appointment.with_rfb
            else _("ohne Rechtsfolgenbelehrung")
        },
        due_at=timezone.now() + timedelta(days=7),
    )
    if _consecutive_no_shows(kunde) >= 2:
        antrag = (
            appointment.antrag
            or Antrag.objects.filter(persons__kunde=kunde)
            .select_related("bedarfsgemeinschaft__leistung_team")
            .order_by("-application_date", "-id")
            .first()
        )
        team = antrag.bedarfsgemeinschaft.leistung_team if antrag else None
        postfach = getattr(team, "postfach", None) if team else None
        aufgabe_create(
            created_by=actor,
            postfach=postfach,
            assignee=None if postfach else responsible,
            kunde=kunde,
            title=_(
                "Wiederholtes Meldeversäumnis: Entziehung oder Versagung der Leistungen prüfen"
            ),
            description=_(
                "Die Kundin / der Kunde ist wiederholt nicht erschienen, zuletzt am %(at)s. "
                "Bitte prüfen, ob die Leistungen entzogen oder versagt werden."
            )
            % {"at": when},
            due_at=timezone.now() + timedelta(days=7),
        )


def _consecutive_no_shows(kunde: Kunde) -> int:
    statuses = (
        Appointment.objects.filter(
            kunde=kunde, status__in=[Status.DURCHGEFUEHRT, Status.MELDEVERSAEUMNIS]
        )
        .order_by("-starts_at", "-id")
        .values_list("status", flat=True)[:10]
    )
    count = 0
    for status in statuses:
        if status != Status.MELDEVERSAEUMNIS:
            break
        count += 1
    return count


def _reinvite(*, actor: User, appointment: Appointment) -> Appointment | None:
    """The follow-up invitation after a no-show, with RFB by the rules (rules R-TE-05, R-TE-06)."""
    kunde = appointment.kunde
    if appointment.kind == Kind.GRUPPE:
        try:
            with transaction.atomic():
                return group_event_invite(
                    actor=actor,
                    kunde=kunde,
                    standort=appointment.group_event.standort,
                    antrag=appointment.antrag,
                    after=appointment.group_event.ends_at,
                    previous=appointment,
                )
        except (AppointmentError, PermissionDenied):
            return _reinvite_by_hand(actor=actor, appointment=appointment)
    caseworker = appointment.caseworker
    now = timezone.now()
    calendar = calendar_for(appointment.jobcenter)
    until = end_of_day(calendar.add_working_days(timezone.localdate(), REINVITE_WORKING_DAYS))
    data = CalendarData.load([caseworker.pk], now, until)
    slots = free_slots(
        data,
        calendar,
        caseworker_id=caseworker.pk,
        kind=appointment.kind,
        after=now,
        until=until,
        limit=1,
    )
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        _transition(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="cancel_first_consultation",
            expected=ErstgespraechState.GEBUCHT,
            comment=_("Meldeversäumnis am %(at)s") % {"at": _fmt(appointment.starts_at)},
        )
    if not slots:
        return _reinvite_by_hand(actor=actor, appointment=appointment)
    slot = slots[0]
    new = _new_appointment(
        antrag_or_none=appointment.antrag,
        kunde=kunde,
        caseworker=caseworker,
        kind=appointment.kind,
        slot_start=slot.starts_at,
        slot_end=slot.ends_at,
        standort=Standort.objects.get(pk=slot.standort_id),
        form=appointment.form,
        actor=actor,
        previous=appointment,
    )
    new.booking_step = appointment.booking_step
    new.booking_note = _("Folgeeinladung nach Meldeversäumnis")
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        limits = eg_limits(appointment.antrag)
        late = limits.late_reasons(slot.starts_at)
        if late:
            new.late_reason = _("Folgeeinladung nach Meldeversäumnis am %(at)s") % {
                "at": _fmt(appointment.starts_at)
            }
    _insert(new)
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        _transition(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="book_first_consultation",
            expected=ErstgespraechState.OFFEN,
            at=slot.starts_at,
            ifk=caseworker,
        )
    _after_booking(actor=actor, appointment=new, late=[])
    return new


def _reinvite_by_hand(*, actor: User, appointment: Appointment) -> None:
    aufgabe_create(
        created_by=actor,
        assignee=appointment.caseworker,
        kunde=appointment.kunde,
        title=_("Folgeeinladung mit Rechtsfolgenbelehrung: kein freier Termin gefunden"),
        description=_("Nach dem Meldeversäumnis am %(at)s bitte von Hand neu einladen.")
        % {"at": _fmt(appointment.starts_at)},
        due_at=timezone.now() + timedelta(days=2),
    )
    return None


@transaction.atomic
def appointment_cancel(
    *, actor: User, appointment_id: int, by_customer: bool, reason: str
) -> Appointment:
    """Cancelled by the Jobcenter or the customer: the slot is free again at once. An EG goes
    back to "nicht gebucht" and must be rebooked within 30 AT / 30 days (rule R-TE-02)."""
    appointment = _lock_open(appointment_id, actor=actor, started=False)
    if not access.can_cancel(actor, appointment):
        raise PermissionDenied(_("Diesen Termin dürfen Sie nicht absagen."))
    if not reason.strip():
        raise AppointmentError(_("Bitte den Grund der Absage angeben."), field="reason")
    status = Status.ABGESAGT_KUNDE if by_customer else Status.ABGESAGT_JC
    _finish(appointment, actor=actor, status=status, cancel_reason=reason.strip())
    if appointment.kind == Kind.ERSTGESPRAECH and appointment.antrag_id:
        _transition(
            actor=actor,
            antrag_id=appointment.antrag_id,
            name="cancel_first_consultation",
            expected=ErstgespraechState.GEBUCHT,
            comment=f"{appointment.get_status_display()}: {reason.strip()}",
        )
    return appointment


@transaction.atomic
def group_event_record(
    *, actor: User, event_id: int, present_ids: set[int], text: str
) -> GroupEvent:
    """The group event took place: present participants had a qualified contact (rule R-GV-01:
    Beratungsvermerk), absent ones a Meldeversäumnis and an invitation to the next event."""
    event = (
        GroupEvent.objects.select_for_update().select_related("standort", "host").get(pk=event_id)
    )
    if not access.can_record_group_event(actor, event):
        raise PermissionDenied(_("Das Ergebnis dieser Veranstaltung dürfen Sie nicht erfassen."))
    if event.status != GroupEvent.EventStatus.GEPLANT:
        raise AppointmentError(_("Für diese Veranstaltung ist bereits ein Ergebnis erfasst."))
    if event.starts_at > timezone.now():
        raise AppointmentError(
            _("Das Ergebnis kann erst ab Beginn der Veranstaltung erfasst werden.")
        )
    if not text.strip():
        raise AppointmentError(
            _("Bitte die wesentlichen Inhalte der Veranstaltung festhalten."), field="text"
        )
    event.status = GroupEvent.EventStatus.DURCHGEFUEHRT
    event.held_recorded_at = timezone.now()
    event.save(update_fields=["status", "held_recorded_at"])
    audit_record(
        actor=actor, action="change", target=event, summary=_("Gruppenveranstaltung durchgeführt")
    )
    minutes = int((event.ends_at - event.starts_at).total_seconds() // 60)
    for participant in event.participants.filter(status=Status.GEBUCHT).select_related(
        "kunde__ifk", "antrag"
    ):
        if participant.pk in present_ids:
            vermerk = vermerk_create(
                kunde=participant.kunde,
                author=actor,
                subject=_("%(title)s am %(at)s")
                % {"title": event.title, "at": _fmt(event.starts_at)},
                text=text.strip(),
                known_on=timezone.localtime(event.starts_at, BERLIN).date(),
                kind=Vermerk.Kind.BERATUNG,
            )
            _finish(
                participant,
                actor=actor,
                status=Status.DURCHGEFUEHRT,
                held_minutes=minutes,
                held_form=Form.PERSOENLICH,
                qualified=True,
                vermerk=vermerk,
            )
            contact_after_consultation(appointment=participant, actor=actor)
        else:
            _finish(participant, actor=actor, status=Status.MELDEVERSAEUMNIS)
            _no_show_consequences(actor=actor, appointment=participant, note="")
            _reinvite(actor=actor, appointment=participant)
    return event


# --- contact density (rule R-KD-01) ---------------------------------------------------------------


def refresh_profile(profile: ContactProfile, *, today: date | None = None) -> ContactProfile:
    """Interval and next due date from the rules that apply today (in memory)."""
    today = today or timezone.localdate()
    rules = profile.rules_applying(today, profile.kunde.date_of_birth)
    profile.interval_days = min(min(days for _label, days in rules), MAX_DAYS)
    profile.next_contact_due = profile.anchor + timedelta(days=profile.interval_days)
    return profile


def contact_deadline_open(profile: ContactProfile) -> None:
    """The next contact is a deadline like every other: the scan flags it (rule R-KD-01).

    The group's interval (monthly, 3 or 6 months) is the deadline's own window; the
    rule's window is the 180-day maximum that no group exceeds.
    """
    kunde = profile.kunde
    started = profile.last_qualified_contact_at or datetime.combine(
        profile.since, time(0), tzinfo=BERLIN
    )
    deadline_open(
        jobcenter=kunde.jobcenter,
        kind=RuleKind.CONTACT_DENSITY,
        started_at=started,
        team=integration_team_for(kunde),
        owner_user=kunde.ifk if _is_ifk(kunde.ifk) else None,
        kunde=kunde,
        window=f"{min(profile.interval_days, 180)}KT",
    )


def contact_after_consultation(*, appointment: Appointment, actor: User) -> ContactProfile:
    """After a consultation: the customer's profile (created with the EG) and, for a
    qualified contact, the next due date and a new contact-density deadline."""
    kunde = appointment.kunde
    day = timezone.localtime(appointment.starts_at, BERLIN).date()
    profile = ContactProfile.objects.select_for_update().filter(kunde=kunde).first()
    if profile is None:
        profile = ContactProfile(kunde=kunde, jobcenter=kunde.jobcenter, since=day)
    if appointment.kind == Kind.ERSTGESPRAECH and profile.new_customer_since is None:
        profile.new_customer_since = day
    profile.active = True
    if appointment.qualified and (
        profile.last_qualified_contact_at is None
        or appointment.starts_at > profile.last_qualified_contact_at
    ):
        profile.last_qualified_contact_at = appointment.starts_at
        deadline_complete(kind=RuleKind.CONTACT_DENSITY, at=appointment.starts_at, kunde=kunde)
    refresh_profile(profile)
    profile.save()
    contact_deadline_open(profile)
    return profile


@transaction.atomic
def contact_profile_save(
    *,
    actor: User,
    kunde: Kunde,
    group: str,
    course_graduated_on: date | None = None,
    new_customer_since: date | None = None,
    last_contact_on: date | None = None,
) -> ContactProfile:
    if (
        not actor.has_role(Role.INTEGRATION, Role.TEAMLEITUNG)
        or actor.jobcenter_id != kunde.jobcenter_id
    ):
        raise PermissionDenied(_("Die Kontaktdichte dürfen Sie nicht ändern."))
    if group not in ContactGroup.values:
        raise AppointmentError(_("Bitte eine Kundengruppe wählen."), field="group")
    today = timezone.localdate()
    for name, value in (
        ("course_graduated_on", course_graduated_on),
        ("last_contact_on", last_contact_on),
    ):
        if value is not None and value > today:
            raise AppointmentError(_("Das Datum darf nicht in der Zukunft liegen."), field=name)
    profile = ContactProfile.objects.select_for_update().filter(kunde=kunde).first()
    if profile is None:
        profile = ContactProfile(kunde=kunde, jobcenter=kunde.jobcenter, since=today)
    profile.group = group
    profile.course_graduated_on = course_graduated_on
    if new_customer_since is not None:
        profile.new_customer_since = new_customer_since
    if last_contact_on is not None and profile.last_qualified_contact_at is None:
        profile.last_qualified_contact_at = datetime.combine(
            last_contact_on, time(12), tzinfo=BERLIN
        )
    profile.active = True
    refresh_profile(profile, today=today)
    profile.save()
    # A changed group changes the interval: the running clock is replaced by the new one.
    deadline_cancel(kind=RuleKind.CONTACT_DENSITY, kunde=kunde)
    contact_deadline_open(profile)
    audit_record(
        actor=actor,
        action="change",
        target=profile,
        summary=_("Kontaktdichte: %s") % profile.get_group_display(),
    )
    return profile


@transaction.atomic
def contact_record(
    *, actor: User, kunde: Kunde, starts_at: datetime, minutes: int, form: str, text: str
) -> Appointment:
    """An unplanned consultation entered afterwards (rule R-TE-04: "nachzutragen")."""
    if not actor.has_role(Role.INTEGRATION) or actor.jobcenter_id != kunde.jobcenter_id:
        raise PermissionDenied(_("Kontakte tragen Integrationsfachkräfte nach."))
    if starts_at > timezone.now():
        raise AppointmentError(
            _("Ein Kontakt wird nachgetragen, wenn er stattgefunden hat."), field="starts_at"
        )
    if not 1 <= minutes <= 480:
        raise AppointmentError(
            _("Bitte die Dauer in Minuten angeben (1 bis 480)."), field="minutes"
        )
    if not text.strip():
        raise AppointmentError(
            _("Bitte die wesentlichen Gesprächsinhalte festhalten."), field="text"
        )
    appointment = _new_appointment(
        antrag_or_none=None,
        kunde=kunde,
        caseworker=actor,
        kind=Kind.FOLGEGESPRAECH,
        slot_start=starts_at,
        slot_end=starts_at + timedelta(minutes=minutes),
        standort=None,
        form=form,
        actor=actor,
    )
    appointment.booking_note = _("nachgetragen")
    _insert(appointment)
    appointment_record_held(
        actor=actor, appointment_id=appointment.pk, minutes=minutes, form=form, text=text
    )
    appointment.refresh_from_db()
    return appointment
