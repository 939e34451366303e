"""Who may do what with the Jobcenter itself (django-rules; see jobcenter.predicates)."""

import rules

from .predicates import is_administration, is_eingangszone, is_teamleitung

# The administration of a Jobcenter runs its site settings, staff and catalogues in the
# admin; an operator's superuser account may too (for every Jobcenter).
rules.add_perm("jobcenter.administer", is_administration | rules.is_superuser)
# Taking applications in person at the Eingangszone (the service centre takes them by
# phone: intake.take_phone_intake).
rules.add_perm("jobcenter.take_personal_intake", is_eingangszone | is_teamleitung)
