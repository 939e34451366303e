"""Where a piece of information goes, and why: rules resolved to a customer's mailboxes.

`plan_routing` is used by the dry run and by saving alike, so what the dry run shows is
exactly what saving does. It reads only; `services.vermerk_route` writes the plan.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Kunde
from intake.neukunde import age_on
from jobcenter.models import Postfach, Team, User
from jobcenter.predicates import user_team_ids
from jobcenter.roles import Role

from .models import InformationType, RoutingRule, Vermerk

INTEGRATION_KINDS = (Team.Kind.INTEGRATION_U25, Team.Kind.INTEGRATION_UE25)


@dataclass
class Target:
    """One mailbox (or person) a note goes to, the rules that sent it there and why."""

    rules: list[RoutingRule]
    postfach: Postfach | None
    assignee: User | None
    reasons: list[str]
    skipped: str = ""  # why it is not delivered (the author's own desk already has it)
    call_requested: bool = False

    @property
    def label(self) -> str:
        if self.assignee is not None:
            return _("%(name)s persönlich") % {"name": self.assignee}
        return str(self.postfach)

    @property
    def key(self) -> tuple:
        return (getattr(self.postfach, "pk", None), getattr(self.assignee, "pk", None))


@dataclass
class RoutingPlan:
    information_type: InformationType
    kunde: Kunde
    source: str
    targets: list[Target] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def deliveries(self) -> list[Target]:
        return [t for t in self.targets if not t.skipped]

    @property
    def ok(self) -> bool:
        return not self.problems


def source_for(user: User) -> str:
    """The desk a person writes from (rule R-IA-02): their role decides the flow."""
    return {
        Role.EMPFANG: Vermerk.Source.EMPFANG,
        Role.EINGANGSZONE: Vermerk.Source.EINGANGSZONE,
        Role.LEISTUNG: Vermerk.Source.LEISTUNG,
        Role.INTEGRATION: Vermerk.Source.INTEGRATION,
        Role.HOTLINE: Vermerk.Source.HOTLINE,
        Role.TEAMLEITUNG: Vermerk.Source.TEAMLEITUNG,
    }.get(user.role, Vermerk.Source.EINGANGSZONE)


def integration_team(kunde: Kunde) -> tuple[Team | None, str]:
    """The customer's Integration team and why (the same choice as intake's)."""
    if kunde.ifk_id:
        teams = [t for t in kunde.ifk.teams.all() if t.kind in INTEGRATION_KINDS]
        if teams:
            team = sorted(teams, key=lambda t: t.name)[0]
            return team, _("die IFK %(ifk)s gehört zum Team %(team)s") % {
                "ifk": kunde.ifk,
                "team": team,
            }
    age = age_on(kunde.date_of_birth, timezone.localdate())
    kind = Team.Kind.INTEGRATION_U25 if age < 25 else Team.Kind.INTEGRATION_UE25
    team = (
        Team.objects.filter(jobcenter_id=kunde.jobcenter_id, kind=kind)
        .select_related("postfach")
        .order_by("name")
        .first()
    )
    why = (
        _("keine IFK zugeordnet; %(age)d Jahre alt, also %(kind)s")
        if not kunde.ifk_id
        else _("die IFK ist in keinem Integrationsteam; %(age)d Jahre alt, also %(kind)s")
    ) % {"age": age, "kind": Team.Kind(kind).label}
    return team, why


def _postfach(team: Team | None) -> Postfach | None:
    if team is None:
        return None
    try:
        return team.postfach
    except Postfach.DoesNotExist:
        return None


def _resolve(rule: RoutingRule, kunde: Kunde) -> tuple[Postfach | None, User | None, str, str]:
    """(postfach, assignee, why, problem) for one rule and one customer."""
    T = RoutingRule.Target
    if rule.target == T.LEISTUNG:
        bg = kunde.bedarfsgemeinschaft
        team = bg.leistung_team if bg else None
        if team is None:
            return (
                None,
                None,
                "",
                _(
                    "%(name)s hat keine Bedarfsgemeinschaft mit zuständigem Leistungsteam: "
                    "an Leistung kann nicht weitergeleitet werden."
                )
                % {"name": kunde.full_name},
            )
        postfach = _postfach(team)
        if postfach is None:
            return None, None, "", _("Das Team %(team)s hat kein Postfach.") % {"team": team}
        return (
            postfach,
            None,
            _("BG %(bg)s gehört zum Team %(team)s") % {"bg": bg.number, "team": team},
            "",
        )
    if rule.target in (T.INTEGRATION, T.IFK):
        if rule.target == T.IFK and kunde.ifk_id:
            return (
                None,
                kunde.ifk,
                _("%(ifk)s ist die Hauptbetreuung (pAp)") % {"ifk": kunde.ifk},
                "",
            )
        team, why = integration_team(kunde)
        if rule.target == T.IFK:
            why = _("keine IFK zugeordnet, daher an das Integrationsteam: %(why)s") % {"why": why}
        if team is None:
            return (
                None,
                None,
                "",
                _("Für %(name)s ist kein Integrationsteam eingerichtet (%(why)s).")
                % {"name": kunde.full_name, "why": why},
            )
        postfach = _postfach(team)
        if postfach is None:
            return None, None, "", _("Das Team %(team)s hat kein Postfach.") % {"team": team}
        return postfach, None, why, ""
    # A team of a given kind, e.g. Bildung und Teilhabe (rule R-IA-04).
    team = (
        Team.objects.filter(jobcenter_id=kunde.jobcenter_id, kind=rule.team_kind)
        .select_related("postfach")
        .order_by("name")
        .first()
    )
    if team is None:
        return (
            None,
            None,
            "",
            _("Im Jobcenter gibt es kein Team der Art „%(kind)s“.")
            % {"kind": rule.get_team_kind_display()},
        )
    postfach = _postfach(team)
    if postfach is None:
        return None, None, "", _("Das Team %(team)s hat kein Postfach.") % {"team": team}
    return postfach, None, _("Team der Art „%(kind)s“") % {"kind": rule.get_team_kind_display()}, ""


def _already_there(target: Target, author: User, source: str) -> str:
    """The desk that received the information need not send it to itself (rule R-IA-02)."""
    if target.assignee is not None:
        if target.assignee.pk == author.pk:
            return _("Sie sind selbst die Hauptbetreuung und haben den Vermerk geschrieben.")
        return ""
    team_id = target.postfach.team_id
    if source in (Vermerk.Source.LEISTUNG, Vermerk.Source.INTEGRATION) and (
        team_id in user_team_ids(author)
    ):
        return _("Ihr eigenes Team: Sie haben die Information bereits.")
    return ""


def plan_routing(
    *,
    information_type: InformationType,
    kunde: Kunde,
    author: User,
    source: str | None = None,
    urgent: bool = False,
    known_on=None,
    event_date=None,
) -> RoutingPlan:
    """Resolve every active rule of the type for this customer, as seen from this desk.

    - EZ, Servicetheke, Hotline, Teamleitung, API: to every target (rule R-IA-02).
    - Leistung: its own team has it; the rest (Integration) gets it (rule R-IA-02).
    - Integration: its own team / the IFK has it; Leistung gets it at once, urgent ones
      flagged for a phone call as well (rule R-IA-02).
    """
    source = source or source_for(author)
    plan = RoutingPlan(information_type=information_type, kunde=kunde, source=source)
    if not information_type.routed:
        # An entry note only (rule R-IA-04: Eigenbemühungen): recorded, sent nowhere.
        return plan
    rules = [r for r in information_type.rules.all() if r.active]
    if not rules:
        plan.problems.append(
            _(
                "Für die Informationsart „%(type)s“ ist keine Weiterleitung hinterlegt. "
                "Bitte die Verwaltung informieren."
            )
            % {"type": information_type}
        )
        return plan
    by_key: dict[tuple, Target] = {}
    for rule in rules:
        if not rule.applies(known_on=known_on, event_date=event_date):
            # Rule R-IA-04: the return from an Ortsabwesenheit reaches the pAp only when late.
            continue
        postfach, assignee, why, problem = _resolve(rule, kunde)
        if problem:
            plan.problems.append(problem)
            continue
        target = Target(rules=[rule], postfach=postfach, assignee=assignee, reasons=[])
        reason = _("Regel „%(rule)s“: %(why)s") % {"rule": rule.target_label, "why": why}
        existing = by_key.get(target.key)
        if existing is not None:
            existing.rules.append(rule)
            existing.reasons.append(reason)
            continue
        target.reasons.append(reason)
        target.skipped = _already_there(target, author, source)
        target.call_requested = (
            urgent and source == Vermerk.Source.INTEGRATION and rule.side == "leistung"
        )
        by_key[target.key] = target
        plan.targets.append(target)
    return plan
