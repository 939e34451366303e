"""Who may see, stop and count the minimum-standard clocks (django-rules; see
jobcenter.predicates).

Object permissions take the deadline. The views, the services, the context processor and
the templates ask these, so each answers the same everywhere; `minimumstandards.access`
asks them for its gate.
"""

import rules

from jobcenter.predicates import (
    is_administration,
    is_datenschutz,
    is_eingangszone,
    is_integration,
    is_leistung,
    is_staff_member,
    is_teamleitung,
)


@rules.predicate
def the_deadline_is_theirs(user, deadline) -> bool:
    """The deadline is of the user's team or their own (`access.deadlines_visible_to`, the
    same rule as a filter). Asked without one (the case page's column, the views' gate
    before the deadline is loaded), the answer is the desk's alone."""
    if deadline is None:
        return True
    from .access import deadlines_visible_to  # the loaders import the models; so do rules

    return deadlines_visible_to(user).filter(pk=deadline.pk).exists()


# The desks that work with deadlines see their team's (team level, as the dashboards are).
rules.add_perm(
    "minimumstandards.view_deadlines",
    is_leistung | is_integration | is_teamleitung | is_eingangszone,
)
# Who may stop a clock (and let it run again): the desks that own deadlines, not the
# Eingangszone that sees them; with a deadline, only one of their own.
rules.add_perm(
    "minimumstandards.pause_deadline",
    (is_leistung | is_integration | is_teamleitung) & the_deadline_is_theirs,
)
# The team lead's figures and their export.
rules.add_perm("minimumstandards.view_dashboard", is_teamleitung)
# The deadline calculator: every account of a Jobcenter.
rules.add_perm(
    "minimumstandards.use_calculator", is_staff_member | is_administration | is_datenschutz
)
