"""What the hand-out letter says about its sender: the site, the return address for the
window envelope, the contact and the hours (DIN 5008, issue 12).

The letter's site is the one of the BG's Leistung team, else the Jobcenter's first site;
the contact is that team (its mailbox's address if it has one) with the Jobcenter's phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobcenter.hours import WeeklySchedule
from jobcenter.models import Standort


@dataclass(frozen=True)
class Sender:
    name: str
    address_lines: list[str]
    return_address: str  # the one line above the recipient in the address window
    contact: str
    phone: str
    email: str
    opening_hours: str
    phone_hours: str


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def letter_sender(antrag) -> Sender:
    jobcenter = antrag.jobcenter
    team = antrag.bedarfsgemeinschaft.leistung_team
    standort = team.standort if team is not None and team.standort_id else None
    if standort is None:
        standort = (
            Standort.objects.filter(jobcenter=jobcenter)
            .prefetch_related("opening_hours", "phone_hours")
            .order_by("name")
            .first()
        )
    address = _lines(standort.address if standort and standort.address else jobcenter.address)
    postfach = getattr(team, "postfach", None) if team is not None else None
    return Sender(
        name=jobcenter.name,
        address_lines=address,
        return_address=" · ".join([jobcenter.name, *address]),
        contact=team.name if team is not None else "",
        phone=jobcenter.phone,
        email=(postfach.email if postfach is not None and postfach.email else jobcenter.email),
        opening_hours=WeeklySchedule.opening_hours_of(standort).summary() if standort else "",
        phone_hours=WeeklySchedule.phone_hours_of(standort).summary() if standort else "",
    )
