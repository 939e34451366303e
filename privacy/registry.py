"""Every model that stores something about a customer, in one table.

The Art. 15 export reads it, the erasure handles each entry explicitly, and a test walks
every model of the project (django.apps): a model that references a customer (directly, or
through the Bedarfsgemeinschaft, the case, a visit, a note …) and is missing here fails it.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class Entry:
    label: str  # app_label.ModelName
    # Lookups from the model to the customer (intake.Kunde); a row matching any is theirs.
    paths: tuple[str, ...]
    # What the erasure of the person does with these rows (documentation and the test).
    on_erase: str  # "delete", "unlink" (the person is taken out, the row stays), "cascade"

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)

    def rows_of(self, kunde) -> QuerySet:
        query = Q()
        for path in self.paths:
            query |= Q(**{path: kunde.pk})
        return self.model._default_manager.filter(query).distinct().order_by("pk")


def _e(label: str, *paths: str, on_erase: str = "cascade") -> Entry:
    return Entry(label=label, paths=paths, on_erase=on_erase)


CASE = ("antrag__applicant", "antrag__persons__kunde")

REGISTRY: tuple[Entry, ...] = (
    _e("intake.Kunde", "pk", on_erase="delete"),
    _e("intake.Bedarfsgemeinschaft", "members", "head", on_erase="unlink"),
    _e("intake.Antrag", "applicant", "persons__kunde", on_erase="delete"),
    # A co-applicant's row of another person's case: only the person's own line.
    _e("intake.AntragPerson", "kunde", on_erase="delete"),
    _e("intake.Nachweis", *CASE),
    _e("intake.AntragTransition", *CASE),
    _e("routing.Vermerk", "kunde", on_erase="delete"),
    _e("routing.ApiSubmission", "vermerk__kunde", on_erase="delete"),
    _e("routing.Aufgabe", "kunde", on_erase="delete"),
    _e("routing.AufgabeEvent", "aufgabe__kunde"),
    _e("routing.HotlineTicket", "aufgabe__kunde"),
    _e("frontdesk.Visit", "kunde", on_erase="unlink"),
    _e("frontdesk.VisitConcern", "visit__kunde", on_erase="unlink"),
    _e("frontdesk.Contact", "visit__kunde", on_erase="unlink"),
    _e("frontdesk.VisitEvent", "visit__kunde", on_erase="unlink"),
    _e("appointments.Appointment", "kunde", on_erase="delete"),
    _e("appointments.BookingEscalation", "antrag__applicant", on_erase="delete"),
    _e("appointments.ContactProfile", "kunde"),
    _e("appointments.Kooperationsplan", "kunde"),
    _e("appointments.PlacementProposal", "kunde"),
    _e("appointments.MeasureParticipation", "kunde"),
    _e("appointments.SchoolRecord", "kunde"),
    _e("appointments.AvailabilityRestriction", "kunde"),
    _e("minimumstandards.Deadline", "kunde", "antrag__applicant", "aufgabe__kunde"),
    _e(
        "minimumstandards.DeadlineAlert",
        "deadline__kunde",
        "deadline__antrag__applicant",
        "deadline__aufgabe__kunde",
    ),
    # Consent to reminders and the log of messages sent (never their text).
    _e("reminders.Einwilligung", "kunde"),
    _e("reminders.Nachricht", "kunde", "appointment__kunde", "antrag__applicant"),
    _e("privacy.LegalHold", "kunde"),
    _e("privacy.Anonymisation", "kunde"),
    # Who read or changed the person's data: no foreign key (jobcenter imports no app).
    _e("jobcenter.AuditEvent", "subject_id", on_erase="unlink"),
)


def entries() -> tuple[Entry, ...]:
    return REGISTRY


def covered_labels() -> set[str]:
    return {entry.model._meta.label for entry in REGISTRY}
