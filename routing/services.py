"""Notes and tasks. Other apps raise them through these functions only."""

from datetime import date, datetime

from jobcenter.models import Postfach, User
from jobcenter.services import audit_record

from .models import Aufgabe, Vermerk


def vermerk_create(
    *,
    kunde,
    author: User,
    subject: str,
    text: str = "",
    known_on: date,
    kind: str = Vermerk.Kind.ALLGEMEIN,
) -> Vermerk:
    vermerk = Vermerk.objects.create(
        kunde=kunde, author=author, subject=subject, text=text, known_on=known_on, kind=kind
    )
    audit_record(actor=author, action="create", target=vermerk, summary=subject)
    return vermerk


def aufgabe_create(
    *,
    created_by: User,
    title: str,
    description: str = "",
    postfach: Postfach | None = None,
    assignee: User | None = None,
    kunde=None,
    due_at: datetime | None = None,
) -> Aufgabe:
    if postfach is None and assignee is None:
        raise ValueError("A task needs a mailbox or a person.")
    aufgabe = Aufgabe.objects.create(
        created_by=created_by,
        title=title,
        description=description,
        postfach=postfach,
        assignee=assignee,
        kunde=kunde,
        due_at=due_at,
    )
    audit_record(actor=created_by, action="create", target=aufgabe, summary=title)
    return aufgabe
