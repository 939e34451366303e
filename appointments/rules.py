"""Who may do what with calendars, appointments and group events (django-rules; see
jobcenter.predicates).

Object permissions take the caseworker (a calendar), the appointment, the group event, the
customer or the site; the views, the services (`require_perm`) and the case page's panel
(`appointments_tags`) ask these, so each answers the same everywhere. Asked without an
object (a view's gate before it loads one), the role decides alone. Which appointments a
person sees is the queryset `appointments.access.appointments_visible_to`. Booking the first
consultation is intake's permission (`intake.book_first_consultation`, with the case).
"""

import rules

from jobcenter.predicates import (
    is_eingangszone,
    is_integration,
    is_teamleitung,
    of_the_same_jobcenter,
)

from .models import Kind


def _leads(user, member_id: int | None) -> bool:
    """`member_id` is in one of the teams of `user`, a team lead."""
    if member_id is None or not is_teamleitung(user):
        return False
    from .access import team_members  # the loaders import the models; so do rules

    return team_members(user).filter(pk=member_id).exists()


@rules.predicate
def without_object(user, obj) -> bool:
    """Asked without an object (a view's gate before it loads one): the role decides."""
    return obj is None


# The object belongs to the user's Jobcenter, or none is asked about.
in_the_users_jobcenter = without_object | of_the_same_jobcenter


@rules.predicate
def leads_the_caseworker(user, appointment) -> bool:
    """The appointment's caseworker is in one of the lead's teams."""
    return appointment is not None and _leads(user, appointment.caseworker_id)


@rules.predicate
def holds_the_appointment(user, appointment) -> bool:
    return appointment is not None and appointment.caseworker_id == user.pk


@rules.predicate
def looks_after_the_customer(user, appointment) -> bool:
    """The IFK holds the appointment or is the customer's IFK."""
    return appointment is not None and user.pk in (
        appointment.caseworker_id,
        appointment.kunde.ifk_id,
    )


@rules.predicate
def books_first_consultations_and_groups(user, appointment) -> bool:
    """The EZ takes the customer's call or visit and books the EG (rule R-EG-03)."""
    return appointment is not None and appointment.kind in (Kind.ERSTGESPRAECH, Kind.GRUPPE)


@rules.predicate
def is_the_caseworker(user, caseworker) -> bool:
    return caseworker is not None and caseworker.pk == user.pk


@rules.predicate
def caseworker_of_the_leads_teams(user, caseworker) -> bool:
    """The lead's calendars: the active IFKs of their teams (`access.caseworkers_visible_to`)."""
    from .access import caseworkers_visible_to

    return caseworker is not None and caseworkers_visible_to(user).filter(pk=caseworker.pk).exists()


@rules.predicate
def hosts_the_event(user, event) -> bool:
    return event is not None and user.is_active and user.pk == event.host_id


@rules.predicate
def leads_the_host(user, event) -> bool:
    return event is not None and _leads(user, event.host_id)


# Who works with calendars at all: the EZ books, Integration holds the appointments, the
# team lead organises (rule R-EG-03).
rules.add_perm("appointments.use_calendar", is_eingangszone | is_integration | is_teamleitung)
# Integration holds consultations in its own calendar: its worklist, its follow-ups, the
# contacts it enters afterwards.
rules.add_perm("appointments.hold_consultations", is_integration)
# Release windows and enter absences (object: the caseworker): the IFK in their own
# calendar, the lead in those of the IFKs of their teams.
rules.add_perm(
    "appointments.manage_calendar",
    (is_integration & (without_object | (of_the_same_jobcenter & is_the_caseworker)))
    | (is_teamleitung & (without_object | (of_the_same_jobcenter & caseworker_of_the_leads_teams))),
)
# Record an appointment as held or missed (object: the appointment): the IFK who holds it,
# the lead of their team.
rules.add_perm(
    "appointments.record_outcome",
    (is_integration & (without_object | (of_the_same_jobcenter & holds_the_appointment)))
    | (is_teamleitung & (without_object | (of_the_same_jobcenter & leads_the_caseworker))),
)
# Cancel an appointment (object: the appointment): the lead of the caseworker's team, the
# EZ a first consultation or group event, the IFK who holds it or looks after the customer.
rules.add_perm(
    "appointments.cancel_appointment",
    (is_teamleitung & (without_object | (of_the_same_jobcenter & leads_the_caseworker)))
    | (
        is_eingangszone
        & (without_object | (of_the_same_jobcenter & books_first_consultations_and_groups))
    )
    | (is_integration & (without_object | (of_the_same_jobcenter & looks_after_the_customer))),
)
# The team lead books a first consultation by hand, any free slot in the team (object: the
# case; rule R-EG-03).
rules.add_perm("appointments.book_by_hand", is_teamleitung & in_the_users_jobcenter)
# Follow-up consultations (object: the customer): Integration and the lead.
rules.add_perm(
    "appointments.book_follow_up", (is_integration | is_teamleitung) & in_the_users_jobcenter
)
# A contact entered afterwards (object: the customer; rule R-TE-04): Integration.
rules.add_perm("appointments.record_contact", is_integration & in_the_users_jobcenter)
# A customer's contacts and contact density (object: the customer; rule R-KD-01).
rules.add_perm(
    "appointments.work_contacts", (is_integration | is_teamleitung) & in_the_users_jobcenter
)
# Invite to a group event (object: the customer; rule R-GV-01): whoever books.
rules.add_perm(
    "appointments.invite_to_group_event",
    (is_eingangszone | is_integration | is_teamleitung) & in_the_users_jobcenter,
)
# Create series of group events (object: the site): Integration and the lead.
rules.add_perm(
    "appointments.manage_group_events",
    (is_integration | is_teamleitung) & in_the_users_jobcenter,
)
# Record a group event's attendance (object: the event): its host, the lead of the host's
# team.
rules.add_perm(
    "appointments.record_group_event",
    of_the_same_jobcenter & (hosts_the_event | leads_the_host),
)
# Whether group events take place at every site often enough: the EZ and the lead.
rules.add_perm("appointments.see_group_coverage", is_eingangszone | is_teamleitung)
# Qualified consultations per week: the IFK their own, the lead their teams'.
rules.add_perm("appointments.view_figures", is_integration | is_teamleitung)
rules.add_perm("appointments.view_team_figures", is_teamleitung)
