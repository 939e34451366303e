"""Who sees and changes a customer's consent to reminders and the messages sent.

Need to know: the desks that book and hold appointments or take the customer's call (EZ,
Integration, Servicecenter, team lead) and see the customer. Recording a consent: the desks
that meet the customer or take their call (not the reception, not Leistung).
"""

import rules

from intake.rules import sees_the_customer
from jobcenter.predicates import is_eingangszone, is_hotline, is_integration, is_teamleitung

books_or_answers = is_eingangszone | is_integration | is_hotline | is_teamleitung

rules.add_perm("reminders.view_messages", books_or_answers & sees_the_customer)
rules.add_perm("reminders.change_consent", books_or_answers & sees_the_customer)
