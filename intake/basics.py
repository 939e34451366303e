"""The intake's vocabulary: what an intake carries, its errors, and the mailboxes it
sends to. Both intake.services and intake.registration build on it, so neither needs the
other's import the wrong way round.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from jobcenter.errors import DomainError
from jobcenter.models import Jobcenter, Postfach, Team, User

from .models import DocumentType, Kunde
from .neukunde import age_on


class IntakeError(DomainError):
    """A domain rule refused the intake; `person_index` names the person at fault."""

    def __init__(self, message: str, *, person_index: int | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.person_index = person_index


class CaseConflict(DomainError):
    """The case changed under the user's feet, or the step is not possible now."""


@dataclass(frozen=True)
class PersonData:
    first_name: str
    last_name: str
    date_of_birth: date
    kundennummer: str = ""
    is_head: bool = False
    habitual_residence_in_germany: bool = True
    last_benefit_end: date | None = None
    self_employed: bool = False
    needs_interpreter: bool = False
    aufstocker: bool = False
    # Rule R-AN-06: ALG I ran out; the EZ switches the Hauptbetreuung to the Jobcenter.
    rechtskreiswechsel: bool = False
    relation_to_head: str = ""
    phone: str = ""
    email: str = ""
    contact_consent: bool = False


@dataclass(frozen=True)
class IntakeData:
    kind: str
    channel: str
    application_date: date
    reason: str
    return_date: date
    persons: list[PersonData]
    received_at: datetime | None = None
    id_checked: bool = False
    other_household_members: int = 0
    street: str = ""
    postcode: str = ""
    city: str = ""
    leistung_team: Team | None = None
    ifk: User | None = None
    # The intake form's "left empty": an erwerbsfähige member without an IFK gets the one
    # of their Integration team and age group (ifk_proposed_for).
    ifk_by_team: bool = False
    documents: list[DocumentType] = field(default_factory=list)
    # Rule R-AN-02: an application by a proxy or third parties (Antrag.AppliedBy).
    applied_by: str = "self"
    # Rule R-AN-05: a Zuzug, and the document the responsibility was checked by.
    moved_in: bool = False
    residence_evidence: str = ""


class NoDataReason:
    """Cases in which the service centre takes no data and passes the caller to the EZ."""

    CHOICES = [
        ("self_employed", _("selbständig")),
        ("language", _("ungenügende Deutschkenntnisse")),
        ("proxy", _("Antrag durch Bevollmächtigte")),
        ("third_party", _("Antrag durch Dritte (Krankheit, Hospiz, stationärer Aufenthalt)")),
    ]


def eingangszone_postfach(jobcenter: Jobcenter) -> Postfach:
    postfach = (
        Postfach.objects.filter(team__jobcenter=jobcenter, team__kind=Team.Kind.EINGANGSZONE)
        .order_by("team__name")
        .first()
    )
    if postfach is None:
        raise IntakeError(_("Für die Eingangszone ist kein Postfach eingerichtet."))
    return postfach


def integration_team_for(kunde: Kunde) -> Team | None:
    """The customer's Integration team: their IFK's, else U25/Ü25 by age."""
    integration_kinds = [Team.Kind.INTEGRATION_U25, Team.Kind.INTEGRATION_UE25]
    if kunde.ifk_id:
        team = kunde.ifk.teams.filter(kind__in=integration_kinds).first()
        if team is not None:
            return team
    age = age_on(kunde.date_of_birth, timezone.localdate())
    kind = Team.Kind.INTEGRATION_U25 if age < 25 else Team.Kind.INTEGRATION_UE25
    return Team.objects.filter(jobcenter=kunde.jobcenter, kind=kind).order_by("name").first()


def integration_postfach_for(kunde: Kunde) -> Postfach | None:
    team = integration_team_for(kunde)
    return getattr(team, "postfach", None) if team else None
