"""The steps of a case, as one table: read it top to bottom and you have the whole flow.

A new customer's case runs on two tracks (domain.md §4): the application (Leistung decides)
and the first consultation (Integration holds it). Each `Step` below says, for one step:

- its label, the track it moves and from which state to which;
- who may take it: a permission of `intake/rules.py`, asked with the case as object;
- what must hold first (`requires`: each condition names what is missing, in German);
- whether it needs a reason (`needs_comment`) and an explicit confirmation (`confirm`: the
  question asked on a page of its own before the step takes effect);
- which minimum-standard clocks it starts and which it stops (domain.md §6);
- which tasks it raises and for whom (`tasks`);
- on which page it is taken (`taken_on`): the case page, or the appointment booking that
  moves the case and its appointment together.

Everything else reads this table: the model builds its django-fsm transitions from it
(`fsm`), `intake.services.antrag_transition` checks, records and notifies by it, the case
page offers its forms from it, the demo moves its cases through the same service. Rule
anchors ("R-AN-01") point to docs/rules.de.md.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE

from minimumstandards.models import CompletingEvent, StartEvent

from .states import (
    NEGATIVE_STATES,
    OPEN_STATES,
    AntragState,
    EntryCheckPart,
    ErstgespraechState,
)

# --- What must hold first ----------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A precondition: `check(antrag, params)` returns what is missing, or "" if it holds."""

    check: Callable[..., str]
    # Whether the case page can say so before the step is tried (it needs no input).
    shown_ahead: bool = True


def _checklist_open_items(antrag) -> list[str]:
    return [
        n.document_type.name
        for n in antrag.nachweise.select_related("document_type")
        if not n.settled
    ]


def _checklist_settled(antrag, params) -> str:
    """Rule R-AN-01: complete means every item of the checklist handed in, or waived with
    a reason recorded."""
    if "documents_complete" in params and not params["documents_complete"]:
        return ""
    missing = _checklist_open_items(antrag)
    if not missing:
        return ""
    return str(
        _(
            "Noch offen auf der Checkliste: %(items)s. Bitte als eingegangen markieren "
            "oder den Verzicht mit Grund vermerken."
        )
    ) % {"items": ", ".join(missing)}


def _in_the_future(antrag, params) -> str:
    at = params.get("at")
    now = params.get("_now") or timezone.now()
    if at is not None and at <= now:
        return str(_("Das Erstgespräch muss in der Zukunft liegen."))
    return ""


def _an_ifk_of_the_jobcenter(antrag, params) -> str:
    ifk = params.get("ifk")
    if (
        ifk is None
        or ifk.jobcenter_id != antrag.jobcenter_id
        or not ifk.has_perm("intake.hold_first_consultation")
    ):
        return str(_("Bitte eine Integrationsfachkraft dieses Jobcenters wählen."))
    return ""


def _five_parts_done(antrag, params) -> str:
    """Rule R-FR-01: the entry check is its five parts; each is ticked when done."""
    if "entry_check_parts" not in params:
        return ""  # a caller loading history without them (the page always asks)
    missing = [p.label for p in EntryCheckPart if p not in (params["entry_check_parts"] or ())]
    if not missing:
        return ""
    return str(_("Zur Eingangsprüfung fehlt noch: %(parts)s.")) % {
        "parts": ", ".join(str(m) for m in missing)
    }


def _a_fair_notice(antrag, params) -> str:
    """Rule R-FR-02: the written notice is sent on or after the application, not later than
    today, and gives a deadline after the day it was sent."""
    sent, deadline = params.get("notice_sent_on"), params.get("notice_deadline")
    today = timezone.localdate(params.get("_now") or timezone.now())
    if sent is None or deadline is None:
        return str(_("Bitte Versanddatum und gesetzte Frist angeben."))
    if sent < antrag.application_date or sent > today:
        return str(_("Das Schreiben kann nicht vor dem Antrag und nicht in der Zukunft liegen."))
    if deadline <= sent:
        return str(_("Die Frist muss nach dem Versanddatum enden."))
    return ""


def cooperation_deadline_passed(antrag, today=None) -> bool:
    """Rule R-FR-02 (§ 66 Abs. 3 SGB I): a Versagung only after the written notice and
    once its deadline has passed without the documents; never on the day of the
    application, never once the documents are complete."""
    today = today or timezone.localdate()
    deadline = antrag.cooperation_notice_deadline
    return (
        antrag.cooperation_notice_sent_on is not None
        and deadline is not None
        and today > deadline
        and today > antrag.application_date
        and antrag.documents_complete_on is None
    )


def _cooperation_deadline_passed(antrag, params) -> str:
    today = timezone.localdate(params.get("_now") or timezone.now())
    if cooperation_deadline_passed(antrag, today):
        return ""
    return str(
        _(
            "Versagen erst, wenn die im Schreiben zur Mitwirkung gesetzte Frist ohne die "
            "Unterlagen verstrichen ist."
        )
    )


CHECKLIST_SETTLED = Condition(_checklist_settled)
IN_THE_FUTURE = Condition(_in_the_future, shown_ahead=False)
AN_IFK_OF_THE_JOBCENTER = Condition(_an_ifk_of_the_jobcenter, shown_ahead=False)
FIVE_PARTS_DONE = Condition(_five_parts_done, shown_ahead=False)
A_FAIR_NOTICE = Condition(_a_fair_notice, shown_ahead=False)
COOPERATION_DEADLINE_PASSED = Condition(_cooperation_deadline_passed)


def eg_from_entitlement(antrag) -> bool:
    """The Jobcenter's setting: the first consultation's clock starts with the approval
    (Rhein-Lahn, rule R-EG-02), not at the application (Cottbus, rule R-EG-01)."""
    from jobcenter.models import Jobcenter

    return antrag.jobcenter.first_consultation_start == Jobcenter.FirstConsultationStart.ENTITLEMENT


def first_consultation_bookable(antrag) -> bool:
    """Rule R-EG-01: Cottbus books at intake; Rhein-Lahn only once the entitlement is
    confirmed; a case closed without entitlement gets none."""
    from jobcenter.models import Jobcenter

    if antrag.state in NEGATIVE_STATES:
        return False
    if antrag.jobcenter.first_consultation_start == Jobcenter.FirstConsultationStart.APPLICATION:
        return True
    return antrag.state in (AntragState.BEWILLIGT, AntragState.AN_INTEGRATION)


# --- Whom a task goes to -------------------------------------------------------------------


class Recipient(Enum):
    # The customer's Integration team mailbox (their IFK's team, else U25/Ü25 by age).
    INTEGRATION_MAILBOX = "integration_mailbox"
    # The customer's IFK if they have one, else that mailbox.
    IFK_OR_INTEGRATION_MAILBOX = "ifk_or_integration_mailbox"
    # The IFK the first consultation is booked with.
    CONSULTATION_IFK = "consultation_ifk"
    # The Eingangszone's mailbox (the Kundenbüro): it books the first consultation.
    EZ_MAILBOX = "ez_mailbox"


# The EG booking of a case (appointments app, named only: intake does not import it).
EG_BOOKING_URL = "appointments:eg_search"
EG_MANUAL_URL = "appointments:eg_manual"


@dataclass(frozen=True)
class Task:
    to: Recipient
    # Placeholders: %(state)s, %(date)s, %(bg)s, %(at)s.
    title: Promise
    # Whether the decision's reason goes into the task (rule R-EN-03).
    with_decision_note: bool = False
    # The task is raised only if this holds for the case (e.g. the Jobcenter's setting).
    only_if: Callable | None = None
    # The page of its work (a URL name taking the case's pk): the task leads there.
    work: str = ""


# --- The step ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    label: Promise
    track: str  # "state" (the application) or "eg_state" (the first consultation)
    source: tuple[str, ...]
    target: str | tuple[str, ...]  # a tuple: the step decides which (django-fsm RETURN_VALUE)
    permission: str
    taken_on: str = "case"  # "case": the case page; "booking": the appointment booking
    asks: tuple[str, ...] = ()  # what the step's form asks besides the reason
    may_omit: tuple[str, ...] = ()  # … of which a caller loading history may leave out
    requires: tuple[Condition, ...] = ()
    fsm_conditions: tuple[Callable, ...] = ()  # what makes the step available at all
    needs_comment: bool = False
    confirm: Promise | None = None  # the question the user confirms before the step
    dated: bool = False  # the step records the day it was taken
    records_decision: bool = False  # the reason is kept as the decision's note
    starts: str = ""  # StartEvent of the clocks the step starts
    starts_if: Callable | None = None  # … only if this holds afterwards
    completes: str = ""  # CompletingEvent the step fulfils (those clocks stop, met)
    closes_all_clocks: bool = False  # no clock of the case runs on after it
    ends_placement_registration: bool = False  # the BG's registration for placement ends
    tasks: tuple[Task, ...] = ()
    style: str = "primary"  # the button: "primary", "secondary" or "danger"

    def fsm(self) -> dict:
        """The keyword arguments of django-fsm's `@transition` for this step."""
        target = RETURN_VALUE(*self.target) if isinstance(self.target, tuple) else self.target
        permission = self.permission

        def permitted(instance, user) -> bool:
            return user.has_perm(permission, instance)

        return {
            "source": list(self.source),
            "target": target,
            "permission": permitted,
            "conditions": list(self.fsm_conditions),
        }

    def missing(self, antrag, params: dict | None = None, *, ahead: bool = False) -> list[str]:
        """What does not hold yet, in German; `ahead`: only what the page can show before."""
        params = params or {}
        return [
            message
            for condition in self.requires
            if not ahead or condition.shown_ahead
            if (message := condition.check(antrag, params))
        ]


def _documents_complete(antrag) -> bool:
    return antrag.documents_complete_on is not None


DECISION_TASK = Task(
    Recipient.INTEGRATION_MAILBOX,
    _("%(state)s vom %(date)s – BG %(bg)s"),
    with_decision_note=True,
)
# A rejection, a Versagung and a withdrawal end the case without entitlement: Leistung
# decides with a reason, the decision clock is met, no other clock runs on, and
# Integration is told with the date and the reason (rule R-EN-03).
CLOSES_WITHOUT_ENTITLEMENT = {
    "track": "state",
    "permission": "intake.decide_antrag",
    "needs_comment": True,
    "dated": True,
    "records_decision": True,
    "completes": CompletingEvent.DECISION,
    "closes_all_clocks": True,
    "tasks": (DECISION_TASK,),
    "style": "danger",
}

# The table. Order: the order in which the steps are offered on the case page.
STEPS: tuple[Step, ...] = (
    # -- The application (Leistung track) --------------------------------------------------
    Step(
        "complete_entry_check",
        _("Eingangsprüfung abschließen"),
        track="state",
        source=(AntragState.ERFASST,),
        target=(AntragState.UNTERLAGEN_FEHLEN, AntragState.BEARBEITUNGSREIF),
        permission="intake.decide_antrag",
        asks=("documents_complete", "entry_check_parts"),
        may_omit=("entry_check_parts",),
        requires=(CHECKLIST_SETTLED, FIVE_PARTS_DONE),
        dated=True,
        # Rule R-FR-01: the entry check, its five parts ticked, is due within a day; when
        # the documents are complete, the decision clock starts (rules R-EN-01, R-EN-02).
        completes=CompletingEvent.ENTRY_CHECK,
        starts=StartEvent.DOCUMENTS_COMPLETE,
        starts_if=_documents_complete,
    ),
    Step(
        "confirm_documents_complete",
        _("Unterlagen vollständig"),
        track="state",
        source=(AntragState.UNTERLAGEN_FEHLEN,),
        target=AntragState.BEARBEITUNGSREIF,
        permission="intake.confirm_documents",
        requires=(CHECKLIST_SETTLED,),
        dated=True,
        # Rules R-EN-01, R-EN-02: the decision clock starts; the Versagung clock stops (R-FR-02).
        starts=StartEvent.DOCUMENTS_COMPLETE,
    ),
    Step(
        "approve",
        _("Bewilligen"),
        track="state",
        source=(AntragState.BEARBEITUNGSREIF,),
        target=AntragState.BEWILLIGT,
        permission="intake.decide_antrag",
        confirm=_("Ich habe den Anspruch geprüft und bewillige den Antrag."),
        dated=True,
        records_decision=True,
        completes=CompletingEvent.DECISION,
        # Rule R-EG-02: where the Jobcenter starts the first consultation from the
        # entitlement, its clocks start with the approval itself, and the Eingangszone
        # gets the task to book it ("zeitgleich mit der Feststellung").
        starts=StartEvent.ENTITLEMENT,
        starts_if=eg_from_entitlement,
        tasks=(
            Task(
                Recipient.EZ_MAILBOX,
                _("Leistungsanspruch bestätigt – Erstgespräch buchen (BG %(bg)s)"),
                only_if=eg_from_entitlement,
                work=EG_BOOKING_URL,
            ),
        ),
    ),
    Step(
        "reject",
        _("Ablehnen"),
        source=(AntragState.BEARBEITUNGSREIF,),
        target=AntragState.ABGELEHNT,
        confirm=_("Ich lehne den Antrag ab; die Begründung steht im Vermerk."),
        **CLOSES_WITHOUT_ENTITLEMENT,
    ),
    Step(
        "send_cooperation_notice",
        _("Mitwirkung schriftlich angefordert"),
        track="state",
        source=(AntragState.UNTERLAGEN_FEHLEN,),
        target=AntragState.UNTERLAGEN_FEHLEN,
        permission="intake.decide_antrag",
        # Rule R-FR-02: the written notice naming the consequence and a deadline
        # (§ 66 Abs. 3 SGB I); a Versagung is possible only once it has passed.
        asks=("notice_sent_on", "notice_deadline"),
        requires=(A_FAIR_NOTICE,),
        style="secondary",
    ),
    Step(
        "deny_for_non_cooperation",
        _("Versagen (fehlende Mitwirkung)"),
        source=(AntragState.UNTERLAGEN_FEHLEN,),
        target=AntragState.VERSAGT,
        fsm_conditions=(cooperation_deadline_passed,),
        requires=(COOPERATION_DEADLINE_PASSED,),
        confirm=_("Ich versage die Leistung wegen fehlender Mitwirkung (§ 66 SGB I)."),
        # Rule R-FR-02: the registration for placement of the BG ends with it.
        ends_placement_registration=True,
        **CLOSES_WITHOUT_ENTITLEMENT,
    ),
    Step(
        "withdraw",
        _("Antragsverzicht erfassen"),
        source=tuple(OPEN_STATES),
        target=AntragState.ZURUECKGENOMMEN,
        confirm=_("Die antragstellende Person verzichtet auf den Antrag."),
        **CLOSES_WITHOUT_ENTITLEMENT,
    ),
    Step(
        "hand_to_integration",
        _("An Integration übergeben"),
        track="state",
        source=(AntragState.BEWILLIGT,),
        target=AntragState.AN_INTEGRATION,
        permission="intake.decide_antrag",
        dated=True,
        # Integration is told; no clock starts here: the first consultation's started at
        # the application or the approval (rules R-EG-01, R-EG-02).
        tasks=(
            Task(
                Recipient.IFK_OR_INTEGRATION_MAILBOX,
                _("Leistungsanspruch bestätigt – Erstgespräch anbieten (BG %(bg)s)"),
            ),
        ),
    ),
    # Rule R-EN-04: once no benefit is paid any more, the Fallabschluss is due.
    Step(
        "end_benefit",
        _("Leistungsbezug beendet"),
        track="state",
        source=(AntragState.BEWILLIGT, AntragState.AN_INTEGRATION),
        target=AntragState.LEISTUNG_BEENDET,
        permission="intake.decide_antrag",
        needs_comment=True,
        confirm=_("Die Hilfebedürftigkeit ist beendet; es werden keine Leistungen mehr gezahlt."),
        dated=True,
        starts=StartEvent.BENEFIT_ENDED,
        style="secondary",
    ),
    Step(
        "record_case_closure",
        _("Fallabschluss bearbeitet"),
        track="state",
        source=(AntragState.LEISTUNG_BEENDET,),
        target=AntragState.FALL_ABGESCHLOSSEN,
        permission="intake.decide_antrag",
        dated=True,
        completes=CompletingEvent.CASE_CLOSURE,
    ),
    # -- The first consultation (Integration track), taken through the booking -------------
    Step(
        "book_first_consultation",
        _("Erstgespräch buchen"),
        track="eg_state",
        source=(ErstgespraechState.OFFEN,),
        target=ErstgespraechState.GEBUCHT,
        permission="intake.book_first_consultation",
        taken_on="booking",
        asks=("at", "ifk"),
        requires=(IN_THE_FUTURE, AN_IFK_OF_THE_JOBCENTER),
        fsm_conditions=(first_consultation_bookable,),
        # Rule R-AN-03: the IFK learns of the newly assigned customer.
        tasks=(
            Task(
                Recipient.CONSULTATION_IFK,
                _("Neuer Kunde zugeordnet: Erstgespräch am %(at)s"),
            ),
        ),
    ),
    Step(
        "cancel_first_consultation",
        _("Erstgespräch absagen"),
        track="eg_state",
        source=(ErstgespraechState.GEBUCHT,),
        target=ErstgespraechState.OFFEN,
        permission="intake.book_first_consultation",
        taken_on="booking",
        needs_comment=True,
        style="secondary",
    ),
    Step(
        "record_first_consultation_held",
        _("Erstgespräch durchgeführt"),
        track="eg_state",
        source=(ErstgespraechState.GEBUCHT,),
        target=ErstgespraechState.DURCHGEFUEHRT,
        permission="intake.record_first_consultation",
        taken_on="booking",
        completes=CompletingEvent.FIRST_CONSULTATION,  # rule R-EG-01
    ),
)

BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}


def step(name: str) -> Step:
    return BY_NAME[name]
