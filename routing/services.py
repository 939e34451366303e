"""Notes, tasks and tickets. Other apps raise them through these functions only.

Every function that writes is one transaction: a note is routed to every target mailbox
or to none, and every step on an item writes its history row and its audit row with it.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.access import kunden_visible_to
from jobcenter.errors import DomainError
from jobcenter.hours import BERLIN, WeeklySchedule
from jobcenter.models import Jobcenter, Postfach, Standort, Team, User
from jobcenter.phone import phone_number_problem
from jobcenter.roles import Role
from jobcenter.services import audit_record, secret_hash
from minimumstandards.models import DeadlineRule, RuleKind, Scope
from minimumstandards.services import calendar_for, deadline_complete, deadline_open

from . import catalogue
from .models import (
    ApiClient,
    ApiSubmission,
    Aufgabe,
    AufgabeEvent,
    HotlineTicket,
    InformationType,
    RoutingRule,
    Vermerk,
)
from .resolution import RoutingPlan, integration_team, plan_routing, source_for

FOLLOW_UP_MAX_DAYS = 366


class RoutingError(DomainError):
    """A refused note or mailbox step.

    `errors` maps form fields to messages where the fault lies in one input.
    """


class ClientKeyConflict(RoutingError):
    """An API client reused its key for a different call."""


# --- the catalogue --------------------------------------------------------------------------


def catalogue_seed(jobcenter: Jobcenter) -> int:
    """Give the Jobcenter the default information types and their routing rules.

    Idempotent: types the Jobcenter already has (by code or name) are left as they are.
    """
    return catalogue.seed(
        jobcenter.pk, information_type_model=InformationType, routing_rule_model=RoutingRule
    )


# --- notes ---------------------------------------------------------------------------------


def vermerk_create(
    *,
    kunde,
    author: User,
    subject: str,
    text: str = "",
    known_on: date,
    kind: str = Vermerk.Kind.ALLGEMEIN,
    information_type: InformationType | None = None,
    source: str = "",
    urgent: bool = False,
    event_date: date | None = None,
    reason: str = "",
    attachment_ref: str = "",
    follow_up_on: date | None = None,
) -> Vermerk:
    """Record a note in the customer's history. Routing it is `vermerk_route`'s job.

    Without an information type it is an Allgemeiner Vermerk that goes nowhere (rule
    R-IA-01: e.g. a failed phone attempt)."""
    vermerk = Vermerk.objects.create(
        kunde=kunde,
        author=author,
        subject=subject[:200],
        text=text,
        known_on=known_on,
        kind=kind,
        information_type=information_type,
        source=source,
        urgent=urgent,
        event_date=event_date,
        reason=reason,
        attachment_ref=attachment_ref,
        follow_up_on=follow_up_on,
    )
    audit_record(actor=author, action="create", target=vermerk, summary=subject)
    return vermerk


def check_note(
    *,
    information_type: InformationType | None,
    kunde,
    known_on: date | None,
    text: str = "",
    event_date: date | None = None,
    reason: str = "",
) -> dict[str, str]:
    """The faults of a note, per field; empty when it may be saved (form, API, service)."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if known_on is not None:
        if known_on > today:
            errors["known_on"] = _(
                "Das Datum, an dem die Information bekannt wurde, darf nicht in der Zukunft liegen."
            )
        elif kunde is not None:
            since = timezone.localdate(kunde.created_at)
            if known_on < since:
                errors["known_on"] = _(
                    "Das Datum darf nicht vor dem %(date)s liegen: erst seit diesem Tag ist "
                    "%(name)s als Kundin oder Kunde erfasst."
                ) % {"date": date_format(since, "d.m.Y"), "name": kunde.full_name}
    if information_type is None:
        return errors
    R = InformationType.Requirement
    if information_type.event_date == R.REQUIRED and event_date is None:
        errors["event_date"] = _("Bitte „%(label)s“ angeben: Pflichtangabe bei „%(type)s“.") % {
            "label": information_type.date_label,
            "type": information_type,
        }
    if information_type.reason == R.REQUIRED and not reason.strip():
        errors["reason"] = _("Bitte „%(label)s“ angeben: Pflichtangabe bei „%(type)s“.") % {
            "label": information_type.reason_field_label,
            "type": information_type,
        }
    if information_type.text_required and not text.strip():
        errors["text"] = _(
            "Bitte die Information beschreiben: bei „%(type)s“ ist ein Text nötig."
        ) % {"type": information_type}
    return errors


def note_subject(information_type: InformationType, event_date: date | None, reason: str) -> str:
    parts = [information_type.name]
    if event_date and information_type.asks_date:
        parts.append(f"{information_type.date_label} {date_format(event_date, 'd.m.Y')}")
    if reason.strip() and information_type.asks_reason:
        parts.append(f"{information_type.reason_field_label}: {reason.strip()}")
    return " – ".join(parts)[:200]


@dataclass
class RoutedNote:
    vermerk: Vermerk
    plan: RoutingPlan
    aufgaben: list[Aufgabe]

    @property
    def call_needed(self) -> list[Aufgabe]:
        return [a for a in self.aufgaben if a.call_requested]


@transaction.atomic
def vermerk_route(
    *,
    author: User,
    kunde,
    information_type: InformationType,
    known_on: date,
    text: str = "",
    urgent: bool = False,
    event_date: date | None = None,
    reason: str = "",
    attachment_ref: str = "",
    source: str | None = None,
) -> RoutedNote:
    """Save a note and send it to every mailbox that needs it (rule R-IA-02), all or nothing."""
    if not information_type.active:
        raise RoutingError(
            _("Die Informationsart „%(type)s“ ist nicht mehr aktiv.") % {"type": information_type},
            errors={"information_type": _("Bitte eine aktive Informationsart wählen.")},
        )
    if kunde.jobcenter_id != author.jobcenter_id:
        raise RoutingError(_("Kundin oder Kunde nicht gefunden."), errors={"kunde": ""})
    if information_type.jobcenter_id != kunde.jobcenter_id:
        # Each Jobcenter routes by its own table only.
        raise RoutingError(
            _("Diese Informationsart gehört nicht zu Ihrem Jobcenter."),
            errors={"information_type": _("Bitte eine Informationsart aus der Liste wählen.")},
        )
    errors = check_note(
        information_type=information_type,
        kunde=kunde,
        known_on=known_on,
        text=text,
        event_date=event_date,
        reason=reason,
    )
    if errors:
        raise RoutingError(_("Bitte die markierten Angaben prüfen."), errors=errors)
    source = source or source_for(author)
    plan = plan_routing(
        information_type=information_type,
        kunde=kunde,
        author=author,
        source=source,
        urgent=urgent,
        known_on=known_on,
        event_date=event_date if information_type.asks_date else None,
    )
    if not plan.ok:
        raise RoutingError(
            " ".join(plan.problems)
            + " "
            + _("Der Vermerk wurde nicht gespeichert und an niemanden weitergeleitet.")
        )
    vermerk = vermerk_create(
        kunde=kunde,
        author=author,
        subject=note_subject(information_type, event_date, reason),
        text=text.strip(),
        known_on=known_on,
        information_type=information_type,
        source=source,
        urgent=urgent,
        event_date=event_date if information_type.asks_date else None,
        reason=reason.strip() if information_type.asks_reason else "",
        attachment_ref=attachment_ref.strip(),
        follow_up_on=information_type.follow_up_for(known_on),
    )
    kind = (
        Aufgabe.Kind.TICKET
        if source in (Vermerk.Source.HOTLINE, Vermerk.Source.API)
        else Aufgabe.Kind.NOTE
    )
    aufgaben = []
    for target in plan.deliveries:
        aufgabe = Aufgabe.objects.create(
            created_by=author,
            kind=kind,
            title=vermerk.subject,
            description=vermerk.text,
            postfach=target.postfach,
            assignee=target.assignee,
            kunde=kunde,
            vermerk=vermerk,
            rule=target.rules[0],
            urgent=urgent,
            call_requested=target.call_requested,
            follow_up_on=vermerk.follow_up_on,
        )
        AufgabeEvent.objects.create(
            aufgabe=aufgabe,
            action=AufgabeEvent.Action.ROUTED,
            actor=author,
            postfach=target.postfach,
            assignee=target.assignee,
            rule=target.rules[0],
            note="; ".join(target.reasons),
        )
        audit_record(
            actor=author,
            action="create",
            target=aufgabe,
            summary=_("zugestellt an %(to)s") % {"to": target.label},
            changes={"vermerk": vermerk.pk, "rules": [r.pk for r in target.rules]},
        )
        aufgaben.append(aufgabe)
    return RoutedNote(vermerk=vermerk, plan=plan, aufgaben=aufgaben)


# --- tasks ---------------------------------------------------------------------------------


def aufgabe_create(
    *,
    created_by: User,
    title: str,
    description: str = "",
    postfach: Postfach | None = None,
    assignee: User | None = None,
    kunde=None,
    due_at: datetime | None = None,
    kind: str = Aufgabe.Kind.TASK,
    urgent: bool = False,
    work_url: str = "",
) -> Aufgabe:
    """Raise a task or ticket to a mailbox or a person (intake, front desk, appointments).

    `work_url`: the page where its work is done; the task leads there."""
    if postfach is None and assignee is None:
        raise ValueError("A task needs a mailbox or a person.")
    aufgabe = Aufgabe.objects.create(
        created_by=created_by,
        title=title[:200],
        description=description,
        postfach=postfach,
        assignee=assignee,
        kunde=kunde,
        due_at=due_at,
        kind=kind,
        urgent=urgent,
        work_url=work_url,
    )
    AufgabeEvent.objects.create(
        aufgabe=aufgabe,
        action=AufgabeEvent.Action.CREATED,
        actor=created_by,
        postfach=postfach,
        assignee=assignee,
    )
    audit_record(actor=created_by, action="create", target=aufgabe, summary=title)
    return aufgabe


def _locked(actor: User, aufgabe_id: int) -> Aufgabe:
    try:
        aufgabe = (
            Aufgabe.objects.select_for_update(of=("self",))
            .select_related("postfach__team", "claimed_by")
            .get(pk=aufgabe_id)
        )
    except Aufgabe.DoesNotExist:
        raise RoutingError(_("Diesen Eintrag gibt es nicht.")) from None
    if not actor.has_perm("routing.work_aufgabe", aufgabe):
        raise RoutingError(_("Diesen Eintrag dürfen Sie nicht bearbeiten."))
    if aufgabe.status != Aufgabe.Status.OPEN:
        raise RoutingError(_("Der Eintrag ist bereits erledigt."))
    return aufgabe


def _check_not_claimed_by_other(actor: User, aufgabe: Aufgabe) -> None:
    # After `_locked` (theirs to work, still open) only a colleague's claim can refuse.
    if not actor.has_perm("routing.act_on_aufgabe", aufgabe):
        raise RoutingError(
            _(
                "%(name)s hat diesen Eintrag am %(at)s übernommen: nur sie oder er "
                "(oder die Teamleitung) kann ihn bearbeiten."
            )
            % {
                "name": aufgabe.claimed_by,
                "at": date_format(timezone.localtime(aufgabe.claimed_at), "d.m.Y H:i"),
            }
        )


def _step(actor: User, aufgabe: Aufgabe, action: str, summary: str, **event) -> None:
    AufgabeEvent.objects.create(aufgabe=aufgabe, action=action, actor=actor, **event)
    audit_record(
        actor=actor, action="change", target=aufgabe, summary=summary, changes={"step": action}
    )


@transaction.atomic
def aufgabe_claim(*, actor: User, aufgabe_id: int) -> Aufgabe:
    aufgabe = _locked(actor, aufgabe_id)
    if aufgabe.claimed_by_id == actor.pk:
        return aufgabe
    if aufgabe.claimed_by_id:
        raise RoutingError(
            _("Bereits übernommen von %(name)s am %(at)s.")
            % {
                "name": aufgabe.claimed_by,
                "at": date_format(timezone.localtime(aufgabe.claimed_at), "d.m.Y H:i"),
            }
        )
    aufgabe.claimed_by = actor
    aufgabe.claimed_at = timezone.now()
    aufgabe.save(update_fields=["claimed_by", "claimed_at"])
    _step(actor, aufgabe, AufgabeEvent.Action.CLAIMED, _("übernommen"))
    return aufgabe


@transaction.atomic
def aufgabe_release(*, actor: User, aufgabe_id: int) -> Aufgabe:
    aufgabe = _locked(actor, aufgabe_id)
    if aufgabe.claimed_by_id is None:
        raise RoutingError(_("Der Eintrag ist von niemandem übernommen."))
    _check_not_claimed_by_other(actor, aufgabe)
    aufgabe.claimed_by = None
    aufgabe.claimed_at = None
    aufgabe.save(update_fields=["claimed_by", "claimed_at"])
    _step(actor, aufgabe, AufgabeEvent.Action.RELEASED, _("freigegeben"))
    return aufgabe


@transaction.atomic
def aufgabe_done(*, actor: User, aufgabe_id: int, note: str) -> Aufgabe:
    """Done, with what was done. A ticket's call-back clock (front desk, 24 h) stops."""
    if not note.strip():
        raise RoutingError(
            _("Bitte kurz festhalten, was getan wurde."),
            errors={"note": _("Bitte kurz festhalten, was getan wurde.")},
        )
    aufgabe = _locked(actor, aufgabe_id)
    _check_not_claimed_by_other(actor, aufgabe)
    now = timezone.now()
    if aufgabe.claimed_by_id is None:
        aufgabe.claimed_by, aufgabe.claimed_at = actor, now
    aufgabe.status = Aufgabe.Status.DONE
    aufgabe.done_by, aufgabe.done_at, aufgabe.done_note = actor, now, note.strip()
    aufgabe.save(
        update_fields=["status", "done_by", "done_at", "done_note", "claimed_by", "claimed_at"]
    )
    deadline_complete(kind=RuleKind.CALLBACK, aufgabe=aufgabe, at=now)
    _step(actor, aufgabe, AufgabeEvent.Action.DONE, _("erledigt"), note=note.strip())
    return aufgabe


def aufgaben_done_for_work(*, actor: User, queryset, note: str) -> int:
    """Close the open tasks whose work was just done elsewhere (the EG booked, a rebooking):
    done with the note "erledigt durch …" and a step in their path. Returns how many."""
    now = timezone.now()
    closed = 0
    for aufgabe in queryset.open().select_for_update():
        aufgabe.status = Aufgabe.Status.DONE
        aufgabe.done_by, aufgabe.done_at, aufgabe.done_note = actor, now, note
        aufgabe.save(update_fields=["status", "done_by", "done_at", "done_note"])
        deadline_complete(kind=RuleKind.CALLBACK, aufgabe=aufgabe, at=now)
        _step(actor, aufgabe, AufgabeEvent.Action.DONE, _("erledigt"), note=note)
        closed += 1
    return closed


@transaction.atomic
def aufgabe_follow_up(*, actor: User, aufgabe_id: int, on: date, note: str = "") -> Aufgabe:
    today = timezone.localdate()
    if on <= today:
        raise RoutingError(
            _("Die Wiedervorlage muss nach dem heutigen Tag liegen."),
            errors={"on": _("Die Wiedervorlage muss nach dem heutigen Tag liegen.")},
        )
    if on > today + timedelta(days=FOLLOW_UP_MAX_DAYS):
        raise RoutingError(
            _("Die Wiedervorlage darf höchstens ein Jahr in der Zukunft liegen."),
            errors={"on": _("Die Wiedervorlage darf höchstens ein Jahr in der Zukunft liegen.")},
        )
    aufgabe = _locked(actor, aufgabe_id)
    _check_not_claimed_by_other(actor, aufgabe)
    aufgabe.follow_up_on = on
    aufgabe.save(update_fields=["follow_up_on"])
    _step(
        actor,
        aufgabe,
        AufgabeEvent.Action.FOLLOW_UP,
        _("Wiedervorlage am %(date)s") % {"date": date_format(on, "d.m.Y")},
        note=note.strip(),
    )
    return aufgabe


@transaction.atomic
def aufgabe_reroute(*, actor: User, aufgabe_id: int, postfach: Postfach, reason: str) -> Aufgabe:
    """Move an item to another mailbox by hand, with a reason (counts against its rule)."""
    if not reason.strip():
        raise RoutingError(
            _("Bitte begründen, warum der Eintrag umgeleitet wird."),
            errors={"reason": _("Bitte begründen, warum der Eintrag umgeleitet wird.")},
        )
    aufgabe = _locked(actor, aufgabe_id)
    _check_not_claimed_by_other(actor, aufgabe)
    if postfach.team.jobcenter_id != actor.jobcenter_id:
        raise RoutingError(_("Dieses Postfach gibt es nicht."), errors={"postfach": ""})
    if aufgabe.postfach_id == postfach.pk:
        raise RoutingError(
            _("Der Eintrag liegt bereits in diesem Postfach."),
            errors={"postfach": _("Bitte ein anderes Postfach wählen.")},
        )
    source = aufgabe.postfach or aufgabe.assignee
    aufgabe.postfach = postfach
    aufgabe.assignee = None
    aufgabe.claimed_by = None
    aufgabe.claimed_at = None
    aufgabe.save(update_fields=["postfach", "assignee", "claimed_by", "claimed_at"])
    _step(
        actor,
        aufgabe,
        AufgabeEvent.Action.REROUTED,
        _("umgeleitet von %(from)s an %(to)s") % {"from": source, "to": postfach},
        postfach=postfach,
        rule=aufgabe.rule,
        note=reason.strip(),
    )
    return aufgabe


def forward_target(aufgabe: Aufgabe) -> tuple[Postfach | None, str]:
    """The other side of the house for an item (rule R-IA-02: Leistung → Integration, and back)."""
    kunde = aufgabe.kunde
    if kunde is None:
        return None, _("Der Eintrag betrifft keine Kundin und keinen Kunden.")
    team = aufgabe.postfach.team if aufgabe.postfach_id else None
    if team is not None and team.kind == Team.Kind.LEISTUNG:
        target, why = integration_team(kunde)
        if target is None:
            return None, _("Für %(name)s ist kein Integrationsteam eingerichtet.") % {
                "name": kunde.full_name
            }
        return getattr(target, "postfach", None), why
    if (team is not None and team.is_integration) or (
        team is None and aufgabe.assignee_id and aufgabe.assignee.role == Role.INTEGRATION
    ):
        bg = kunde.bedarfsgemeinschaft
        if bg is None or bg.leistung_team is None:
            return None, _("%(name)s hat kein zuständiges Leistungsteam.") % {
                "name": kunde.full_name
            }
        return getattr(bg.leistung_team, "postfach", None), _(
            "BG %(bg)s gehört zum Team %(team)s"
        ) % {"bg": bg.number, "team": bg.leistung_team}
    return None, _("Weiterleiten gibt es nur zwischen Leistung und Integration.")


@transaction.atomic
def aufgabe_forward(*, actor: User, aufgabe_id: int, note: str = "") -> Aufgabe:
    """Pass an item on to the other side at once; the original stays with its team."""
    aufgabe = _locked(actor, aufgabe_id)
    target, why = forward_target(aufgabe)
    if target is None:
        raise RoutingError(why)
    duplicate = Aufgabe.objects.open().filter(postfach=target, title=aufgabe.title)
    duplicate = (
        duplicate.filter(vermerk=aufgabe.vermerk)
        if aufgabe.vermerk_id
        else duplicate.filter(kunde=aufgabe.kunde)
    )
    if duplicate.exists():
        raise RoutingError(
            _("Der Eintrag liegt bereits offen im %(postfach)s.") % {"postfach": target}
        )
    from_integration = aufgabe.postfach is None or aufgabe.postfach.team.is_integration
    copy = Aufgabe.objects.create(
        created_by=actor,
        kind=aufgabe.kind,
        title=aufgabe.title,
        description="\n\n".join(p for p in (aufgabe.description, note.strip()) if p),
        postfach=target,
        kunde=aufgabe.kunde,
        vermerk=aufgabe.vermerk,
        urgent=aufgabe.urgent,
        call_requested=aufgabe.urgent and from_integration,
        due_at=aufgabe.due_at,
    )
    origin = aufgabe.postfach or aufgabe.assignee
    AufgabeEvent.objects.create(
        aufgabe=copy,
        action=AufgabeEvent.Action.FORWARDED,
        actor=actor,
        postfach=target,
        note=_("weitergeleitet aus %(from)s: %(why)s") % {"from": origin, "why": why},
    )
    audit_record(
        actor=actor,
        action="create",
        target=copy,
        summary=_("weitergeleitet an %(to)s") % {"to": target},
        changes={"from_aufgabe": aufgabe.pk},
    )
    _step(
        actor,
        aufgabe,
        AufgabeEvent.Action.FORWARDED,
        _("weitergeleitet an %(to)s") % {"to": target},
        postfach=target,
        note=note.strip(),
    )
    return copy


# --- callback tickets (rules R-RU-01, R-OE-02): the reception's and the hotline's -------------


def phone_hours_at(standort: Standort | None, jobcenter: Jobcenter) -> WeeklySchedule:
    """The site's phone hours, closed on the Jobcenter's non-working days (none: no site)."""
    if standort is None:
        return WeeklySchedule([])
    return WeeklySchedule.phone_hours_of(standort, calendar_for(jobcenter).is_working_day)


def callback_due(*, jobcenter: Jobcenter, now: datetime) -> datetime:
    """When the caller must have been called back (rule R-RU-01): the window of the
    Jobcenter's callback rule in force, 24 hours where the profile has none."""
    rule = DeadlineRule.objects.in_force(
        jobcenter=jobcenter, kind=RuleKind.CALLBACK, scope=Scope.ALL, on=timezone.localdate(now)
    )
    return calendar_for(jobcenter).due(now, rule.window if rule else "24h")


def callback_moment(moment: datetime) -> str:
    local = moment.astimezone(BERLIN)
    return f"{date_format(local, 'D')} {local:%d.%m.%Y %H:%M}"


def _outside_phone_hours(schedule: WeeklySchedule, field: str) -> RoutingError:
    return RoutingError(
        _("Außerhalb der Telefonzeiten: %(hours)s") % {"hours": schedule.summary()}, field=field
    )


def callback_time_check(
    *, schedule: WeeklySchedule, callback_at: datetime | None, now: datetime
) -> None:
    """Rule R-OE-02: a callback time the caller asks for lies within the phone hours (and
    not in the past). A site without phone hours refuses none."""
    if callback_at is None:
        return
    if callback_at < now:
        raise RoutingError(
            _("Der Rückruf kann nicht in der Vergangenheit liegen."), field="callback_at"
        )
    if schedule and not schedule.is_within(callback_at):
        raise _outside_phone_hours(schedule, "callback_at")


def callback_window_check(
    *, schedule: WeeklySchedule, start: datetime, end: datetime, now: datetime
) -> None:
    """Rule R-OE-02 for a time window ("Do 10–12 Uhr"): it lies within one span of the
    phone hours on one day, and has not passed. A site without phone hours refuses none."""
    if end <= start:
        raise RoutingError(
            _("Das Ende des Zeitraums muss nach seinem Beginn liegen."), field="reachable_until"
        )
    if end <= now:
        raise RoutingError(_("Der Zeitraum liegt in der Vergangenheit."), field="reachable_date")
    if not schedule:
        return
    local_start, local_end = start.astimezone(BERLIN), end.astimezone(BERLIN)
    inside = local_start.date() == local_end.date() and any(
        opens <= local_start and local_end <= closes
        for opens, closes in schedule.hours_on(local_start.date())
    )
    if not inside:
        raise _outside_phone_hours(schedule, "reachable_from")


def callback_proposal(*, schedule: WeeklySchedule, due_at: datetime, now: datetime) -> str:
    """The latest moment within the phone hours that keeps the deadline (the next opening
    if none does), as a line for the ticket; '' for a site without phone hours."""
    if not schedule:
        return ""
    slot = schedule.latest_before(due_at, now) or schedule.status(now).next_opening
    if slot is None:
        return ""
    return _("Rückruf in den Telefonzeiten bis %(when)s") % {"when": callback_moment(slot)}


def callback_ticket_raise(
    *,
    created_by: User,
    team: Team | None,
    kunde,
    title: str,
    description: str,
    due_at: datetime,
    now: datetime,
) -> Aufgabe:
    """A ticket in the team's mailbox with its callback clock (rule R-RU-01), whichever
    desk takes it: the deadline is opened when the Jobcenter's rule profile has one, and
    closes when the ticket is done (`aufgabe_done`)."""
    if team is None:
        raise RoutingError(_("Bitte das Team wählen, an das das Ticket geht."), field="team")
    postfach = getattr(team, "postfach", None)
    if postfach is None:
        raise RoutingError(
            _("Das Team %(team)s hat kein Postfach: bitte ein anderes Team wählen.")
            % {"team": team.name},
            field="team",
        )
    ticket = aufgabe_create(
        created_by=created_by,
        postfach=postfach,
        kunde=kunde,
        title=title,
        description=description,
        due_at=due_at,
        kind=Aufgabe.Kind.TICKET,
    )
    deadline_open(
        jobcenter=team.jobcenter,
        kind=RuleKind.CALLBACK,
        started_at=now,
        team=team,
        aufgabe=ticket,
    )
    return ticket


# Where a hotline ticket goes: the side of the house the caller's concern belongs to.
TICKET_AREAS = {
    "leistung": gettext_lazy("Leistung (Geldleistungen, Antrag, Bescheid)"),
    "integration": gettext_lazy("Integration (Beratung, Vermittlung, Termin bei der IFK)"),
}
REACHABLE_ANYTIME = "telefonzeiten"
REACHABLE_WINDOW = "zeitraum"


def ticket_team(*, jobcenter: Jobcenter, kunde, area: str) -> tuple[Team | None, str]:
    """The team that calls back, and why. A caller not on file goes to the Eingangszone,
    the desk that can find out who they are (rule R-EM-03)."""
    if kunde is not None:
        if area == "integration":
            team, why = integration_team(kunde)
            return team, why
        bg = kunde.bedarfsgemeinschaft
        if bg is not None and bg.leistung_team_id:
            return bg.leistung_team, _("BG %(bg)s gehört zum Team %(team)s") % {
                "bg": bg.number,
                "team": bg.leistung_team,
            }
    team = (
        Team.objects.filter(jobcenter=jobcenter, kind=Team.Kind.EINGANGSZONE)
        .select_related("postfach", "standort")
        .order_by("name")
        .first()
    )
    why = (
        _("nicht im Bestand: die Eingangszone klärt, wer anruft")
        if kunde is None
        else _("kein zuständiges Leistungsteam: die Eingangszone klärt es")
    )
    return team, why


def ticket_standort(*, team: Team | None, author: User) -> Standort | None:
    """Whose phone hours the callback keeps to: the calling team's site, else the hotline
    worker's, else the Jobcenter's first site with phone hours."""
    if team is not None and team.standort_id:
        return team.standort
    if author.standort_id:
        return author.standort
    return (
        Standort.objects.filter(jobcenter_id=author.jobcenter_id, phone_hours__isnull=False)
        .order_by("name")
        .first()
    )


@transaction.atomic
def hotline_ticket_create(
    *,
    author: User,
    kind: str,
    kunde,
    concern: str,
    callback_number: str,
    caller_name: str = "",
    caller_details: str = "",
    area: str = "leistung",
    reachable: str = "",
    reachable_from: datetime | None = None,
    reachable_until: datetime | None = None,
    reachable_note: str = "",
    now: datetime | None = None,
) -> HotlineTicket:
    """A Rückrufbitte or Sachstandsanfrage taken on the phone, in the mailbox of the team
    that calls back, with the callback clock of the reception's tickets (rules R-RU-01,
    R-OE-02). A caller not on file (`kunde` None) is taken by name and number; the team
    completes the identity later (`hotline_ticket_identify`)."""
    now = now or timezone.now()
    if not author.has_perm("routing.take_ticket"):
        raise RoutingError(_("Tickets nimmt die Hotline auf."))
    if kind not in HotlineTicket.Kind.values:
        raise RoutingError(_("Bitte die Art des Tickets wählen."), field="kind")
    if kunde is not None and kunde.jobcenter_id != author.jobcenter_id:
        raise RoutingError(_("Kundin oder Kunde nicht gefunden."), field="kunde")
    errors: dict[str, str] = {}
    caller_name = caller_name.strip()
    if kunde is None and not caller_name:
        errors["caller_name"] = _(
            "Bitte den Namen angeben, den die anrufende Person nennt (nicht im Bestand)."
        )
    problem = phone_number_problem(callback_number)
    if problem:
        errors["callback_number"] = problem
    if not concern.strip():
        errors["concern"] = _("Bitte notieren, worum es geht.")
    if area not in TICKET_AREAS:
        errors["area"] = _("Bitte wählen, welcher Bereich zurückruft.")
    if kind == HotlineTicket.Kind.RUECKRUFBITTE and reachable not in (
        REACHABLE_ANYTIME,
        REACHABLE_WINDOW,
    ):
        errors["reachable"] = _("Bitte angeben, wann die Person erreichbar ist.")
    window = reachable == REACHABLE_WINDOW
    if window and (reachable_from is None or reachable_until is None):
        errors["reachable_from"] = _("Bitte Tag und Uhrzeit von … bis … angeben.")
    if errors:
        raise RoutingError(_("Bitte die markierten Angaben prüfen."), errors=errors)
    team, why = ticket_team(jobcenter=author.jobcenter, kunde=kunde, area=area)
    standort = ticket_standort(team=team, author=author)
    schedule = phone_hours_at(standort, author.jobcenter)
    if window:
        callback_window_check(schedule=schedule, start=reachable_from, end=reachable_until, now=now)
    else:
        reachable_from = reachable_until = None
    due_at = callback_due(jobcenter=author.jobcenter, now=now)
    label = HotlineTicket.Kind(kind).label
    first_line = concern.strip().splitlines()[0]
    lines = []
    if kunde is None:
        lines.append(
            _("Anrufer/in: %(name)s (nicht im Bestand, Identität noch zu ergänzen)")
            % {"name": caller_name}
        )
        if caller_details.strip():
            lines.append(_("Angaben laut Anruf: %(d)s") % {"d": caller_details.strip()})
    lines.append(_("Rückrufnummer: %(nr)s") % {"nr": callback_number.strip()})
    if window:
        local_from, local_until = (
            reachable_from.astimezone(BERLIN),
            reachable_until.astimezone(BERLIN),
        )
        lines.append(
            _("Erreichbar: %(day)s %(from)s–%(until)s Uhr")
            % {
                "day": f"{date_format(local_from, 'D')} {local_from:%d.%m.%Y}",
                "from": f"{local_from:%H:%M}",
                "until": f"{local_until:%H:%M}",
            }
        )
    else:
        lines.append(_("Erreichbar: jederzeit in den Telefonzeiten"))
        proposal = callback_proposal(schedule=schedule, due_at=due_at, now=now)
        if proposal:
            lines.append(proposal)
    if reachable_note.strip():
        lines.append(_("Hinweis zur Erreichbarkeit: %(n)s") % {"n": reachable_note.strip()})
    lines.append(_("Zuständig: %(why)s") % {"why": why})
    lines.append("")
    lines.append(concern.strip())
    aufgabe = callback_ticket_raise(
        created_by=author,
        team=team,
        kunde=kunde,
        title=f"{label}: {first_line}",
        description="\n".join(lines),
        due_at=due_at,
        now=now,
    )
    return HotlineTicket.objects.create(
        aufgabe=aufgabe,
        kind=kind,
        caller_name=caller_name if kunde is None else "",
        caller_details=caller_details.strip() if kunde is None else "",
        callback_number=callback_number.strip(),
        reachable_from=reachable_from,
        reachable_until=reachable_until,
        reachable_note=reachable_note.strip(),
        standort=standort,
    )


@transaction.atomic
def hotline_ticket_identify(*, actor: User, aufgabe_id: int, kunde) -> HotlineTicket:
    """Complete the identity of a caller not on file: the ticket now names the customer.
    Audited, with a step in the ticket's path."""
    aufgabe = _locked(actor, aufgabe_id)
    _check_not_claimed_by_other(actor, aufgabe)
    ticket = HotlineTicket.objects.filter(aufgabe=aufgabe).first()
    if ticket is None:
        raise RoutingError(_("Nur bei einem Ticket der Hotline."))
    if aufgabe.kunde_id is not None:
        raise RoutingError(_("Die Kundin oder der Kunde ist bereits zugeordnet."))
    if kunde is None or not kunden_visible_to(actor).filter(pk=kunde.pk).exists():
        raise RoutingError(_("Kundin oder Kunde nicht gefunden."), field="kunde")
    now = timezone.now()
    aufgabe.kunde = kunde
    aufgabe.save(update_fields=["kunde"])
    ticket.identified_by, ticket.identified_at = actor, now
    ticket.save(update_fields=["identified_by", "identified_at"])
    AufgabeEvent.objects.create(
        aufgabe=aufgabe,
        action=AufgabeEvent.Action.IDENTIFIED,
        actor=actor,
        at=now,
        note=_("Kd.-Nr. %(nr)s") % {"nr": kunde.kundennummer},
    )
    audit_record(
        actor=actor,
        action="change",
        target=aufgabe,
        summary=_("Identität ergänzt: Kd.-Nr. %(nr)s") % {"nr": kunde.kundennummer},
        changes={"kunde": [None, kunde.pk], "step": AufgabeEvent.Action.IDENTIFIED},
        subject_id=kunde.pk,
    )
    return ticket


# --- the API for other systems ---------------------------------------------------------------


@transaction.atomic
def api_client_create(*, jobcenter: Jobcenter, name: str, actor: User | None = None):
    """A client system with a fresh token. The token is returned once and stored hashed."""
    name = name.strip()
    if not name:
        raise RoutingError(_("Bitte einen Namen für den Zugang angeben."))
    if ApiClient.objects.filter(jobcenter=jobcenter, name=name).exists():
        raise RoutingError(_("Einen Zugang „%(name)s“ gibt es bereits.") % {"name": name})
    username = f"api-{jobcenter.slug}-{secrets.token_hex(4)}"
    user = User(
        username=username,
        first_name=_("Schnittstelle"),
        last_name=name[:150],
        jobcenter=jobcenter,
        role=Role.HOTLINE,
        is_active=False,  # a technical author of tickets, never a login
    )
    user.set_unusable_password()
    user.save()
    prefix = secrets.token_hex(6)
    token = f"{prefix}.{secrets.token_urlsafe(32)}"
    client = ApiClient.objects.create(
        jobcenter=jobcenter,
        name=name,
        user=user,
        token_prefix=prefix,
        token_hash=secret_hash(token),
    )
    audit_record(
        actor=actor, action="create", target=client, summary=_("Schnittstellen-Zugang angelegt")
    )
    return client, token


@transaction.atomic
def api_client_rotate(*, client: ApiClient, actor: User | None = None) -> str:
    prefix = secrets.token_hex(6)
    token = f"{prefix}.{secrets.token_urlsafe(32)}"
    client.token_prefix, client.token_hash = prefix, secret_hash(token)
    client.save(update_fields=["token_prefix", "token_hash"])
    audit_record(actor=actor, action="change", target=client, summary=_("Token erneuert"))
    return token


def api_client_authenticate(token: str) -> ApiClient | None:
    prefix, _dot, _rest = token.partition(".")
    if not _dot or not prefix:
        return None
    client = (
        ApiClient.objects.select_related("jobcenter", "user")
        .filter(token_prefix=prefix, active=True)
        .first()
    )
    if client is None or not secrets.compare_digest(client.token_hash, secret_hash(token)):
        return None
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def api_payload_hash(payload: dict) -> str:
    return secret_hash(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str))


def api_submission_replay(*, client: ApiClient, client_key: str, payload_hash: str):
    """(stored response, same payload?) of an earlier call with this key, or None."""
    earlier = ApiSubmission.objects.filter(client=client, client_key=client_key).first()
    if earlier is None:
        return None
    return earlier.response, earlier.payload_hash == payload_hash


def api_ticket_submit(
    *, client: ApiClient, client_key: str, payload_hash: str, render, **note
) -> tuple[dict, bool]:
    """Route a ticket from another system once per client key: (response, created?).

    `render(routed_note)` builds the response stored for replays. Two identical calls at
    the same moment: the unique key lets one win; the other returns the winner's answer.
    """
    try:
        with transaction.atomic():
            routed = vermerk_route(author=client.user, source=Vermerk.Source.API, **note)
            response = render(routed)
            ApiSubmission.objects.create(
                client=client,
                client_key=client_key,
                payload_hash=payload_hash,
                vermerk=routed.vermerk,
                response=response,
            )
            return response, True
    except IntegrityError:
        replay = api_submission_replay(
            client=client, client_key=client_key, payload_hash=payload_hash
        )
        if replay is None:
            raise
        response, same = replay
        if not same:
            raise ClientKeyConflict(
                _("Dieser client_key wurde bereits für eine andere Meldung verwendet.")
            ) from None
        return response, False


def rules_check(information_type: InformationType, rules: list[RoutingRule]) -> str:
    """Why this set of rules may not be saved, or ''. An active type must go somewhere."""
    if information_type.active and information_type.routed and not any(r.active for r in rules):
        return _(
            "Die Informationsart „%(type)s“ würde an niemanden weitergeleitet: "
            "bitte mindestens eine aktive Regel angeben (oder die Informationsart deaktivieren)."
        ) % {"type": information_type.name or _("neu")}
    return ""
