"""Who may do what at the front desk (django-rules; see jobcenter.predicates).

The views ask `permission_required` / `request.user.has_perm`, the services and the visit's
transitions (`Visit.call`, `Visit.cancel`, …: their `permission=`) ask these, the templates
`{% has_perm %}`: each answers the same everywhere. Which visits a person sees is the
queryset `frontdesk.access.visits_visible_to`; it asks these permissions for its gate.
"""

import rules
from django.contrib.auth.backends import ModelBackend

from jobcenter.predicates import (
    is_eingangszone,
    is_empfang,
    is_integration,
    is_leistung,
    is_staff_member,
    is_teamleitung,
    of_the_same_jobcenter,
    user_team_ids,
)

# The model permission "Auswertungen je Mitarbeiter/in", granted person by person in the admin.
EMPLOYEE_FIGURES_PERMISSION = "frontdesk.view_employee_figures"


@rules.predicate
def granted_employee_figures(user) -> bool:
    """The admin granted the model permission (asked of Django's ModelBackend: the rules
    backend knows nothing of it)."""
    return ModelBackend().has_perm(user, EMPLOYEE_FIGURES_PERMISSION)


@rules.predicate
def leads_or_belongs_to_the_team(user, team) -> bool:
    return team is not None and (team.lead_id == user.pk or team.pk in user_team_ids(user))


# The reception checks walk-ins in: Empfang, the Eingangszone and the team lead.
receives_visitors = is_empfang | is_eingangszone | is_teamleitung
# The desks that call customers up: the Eingangszone, Leistung, Integration, the team lead.
works_at_a_desk = is_eingangszone | is_leistung | is_integration | is_teamleitung

rules.add_perm("frontdesk.receive_visitors", receives_visitors)
rules.add_perm("frontdesk.use_desk", works_at_a_desk)
# The visits of the Jobcenter's sites (which ones: frontdesk.access.visits_visible_to).
rules.add_perm("frontdesk.see_visits", receives_visitors | works_at_a_desk)
# A visit's steps at a desk: call, recall, no-show, requeue, park, pass on, finish.
rules.add_perm("frontdesk.work_visit", works_at_a_desk & of_the_same_jobcenter)
# A visit's steps at the reception: check in and settle, back from parking, cancel.
rules.add_perm(
    "frontdesk.receive_visit", (receives_visitors | works_at_a_desk) & of_the_same_jobcenter
)
# Out of turn, a team lead calls any customer of a team they lead or belong to (the team),
# whichever queues their desk serves and whoever the customer is booked with.
rules.add_perm("frontdesk.step_in_for_team", is_teamleitung & leads_or_belongs_to_the_team)
# The queue now and its reports (waiting and processing times): the team lead.
rules.add_perm("frontdesk.view_queue_live", is_teamleitung)
rules.add_perm("frontdesk.view_queue_report", is_teamleitung)
# Per-employee figures are personal data (rule R-DS-01): the team lead, and only with the
# model permission granted in the admin.
rules.add_perm("frontdesk.see_employee_figures", is_teamleitung & granted_employee_figures)
# The silent alarm (Notruf): every member of staff with a site, from every staff page; they
# see and take over the alarms of their own site only (frontdesk.services.alarm).
rules.add_perm("frontdesk.raise_alarm", is_staff_member)
