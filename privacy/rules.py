"""Who answers for the data protection of a Jobcenter (django-rules; see jobcenter.predicates).

Only the data-protection officer (role "Datenschutz") of the person's Jobcenter: the export
shows every record, which no caseworker needs to know as a whole.
"""

import rules

from jobcenter.predicates import is_datenschutz, of_the_same_jobcenter

rules.add_perm("privacy.use", is_datenschutz)
# Export (Art. 15 DSGVO), legal holds: the object is the customer.
rules.add_perm("privacy.manage_person", is_datenschutz & of_the_same_jobcenter)
rules.add_perm("privacy.erase_person", is_datenschutz & of_the_same_jobcenter)
