"""Who may do what with customers and cases (django-rules; see jobcenter.predicates).

Object permissions take the customer or the case; the views, the services, the step table
(`intake.steps`) and the templates all ask these, so each answers the same everywhere.
"""

import rules

from jobcenter.predicates import (
    is_eingangszone,
    is_empfang,
    is_hotline,
    is_integration,
    is_leistung,
    is_staff_member,
    is_teamleitung,
    of_the_same_jobcenter,
    user_team_ids,
)


@rules.predicate
def sees_the_customer(user, kunde) -> bool:
    """The need-to-know rule of the customer record (`intake.access.kunden_visible_to`)."""
    from .access import kunden_visible_to  # the loaders import the models; so do rules

    return kunde is not None and kunden_visible_to(user).filter(pk=kunde.pk).exists()


@rules.predicate
def sees_the_case(user, antrag) -> bool:
    """The need-to-know rule of the case (`intake.access.antraege_visible_to`)."""
    from .access import antraege_visible_to

    return antrag is not None and antraege_visible_to(user).filter(pk=antrag.pk).exists()


@rules.predicate
def in_the_cases_leistung_team(user, antrag) -> bool:
    return antrag is not None and antrag.bedarfsgemeinschaft.leistung_team_id in user_team_ids(user)


@rules.predicate
def holds_its_first_consultation(user, antrag) -> bool:
    return antrag is not None and antrag.eg_with_id == user.pk


works_on_cases = is_eingangszone | is_leistung | is_integration | is_teamleitung
decides_cases = (is_leistung | is_teamleitung) & of_the_same_jobcenter & in_the_cases_leistung_team

# Finding a customer: every desk of the front office (reception too, to check in). The
# front of the house finds every customer of the Jobcenter; Leistung those of its teams,
# Integration those of its IFKs (`intake.access.kunden_visible_to`).
rules.add_perm("intake.search_kunden", is_staff_member)
rules.add_perm(
    "intake.find_every_kunde", is_empfang | is_eingangszone | is_hotline | is_teamleitung
)
rules.add_perm("intake.open_kunde", is_staff_member & sees_the_customer)
# Master data (IFK, contact, address) corrected after intake (issue 12).
rules.add_perm("intake.change_kunde", (is_eingangszone | is_teamleitung) & sees_the_customer)
# Taking an application: the EZ in person, the service centre by phone (rule R-AN-02).
rules.add_perm("intake.register_antrag", is_eingangszone | is_hotline | is_teamleitung)
rules.add_perm("intake.take_phone_intake", is_hotline | is_teamleitung)
# The cases: the desks that work them.
rules.add_perm("intake.list_antraege", works_on_cases)
# The EZ and the lead see every case; Leistung its teams', Integration its own.
rules.add_perm("intake.see_every_antrag", is_eingangszone | is_teamleitung)
rules.add_perm("intake.open_antrag", works_on_cases & sees_the_case)
# The steps of a case (intake.steps names which step needs which of these).
rules.add_perm("intake.decide_antrag", decides_cases)
# The EZ follows up the returned work package (rule R-AN-01) as well as Leistung.
rules.add_perm(
    "intake.confirm_documents", decides_cases | (is_eingangszone & of_the_same_jobcenter)
)
rules.add_perm("intake.edit_checklist", is_eingangszone | is_leistung | is_teamleitung)
# The EZ schedules and records the ID check of phone and postal applications, and follows
# up each person's Arbeitspaket (rules R-AN-01, R-AN-02).
rules.add_perm("intake.record_id_check", (is_eingangszone | is_teamleitung) & of_the_same_jobcenter)
rules.add_perm(
    "intake.follow_up_arbeitspaket", (is_eingangszone | is_teamleitung) & of_the_same_jobcenter
)
# The EZ books the first consultation (rule R-EG-03), so may Integration and the lead.
rules.add_perm(
    "intake.book_first_consultation",
    (is_eingangszone | is_integration | is_teamleitung) & of_the_same_jobcenter,
)
# Who holds first consultations: the integration specialists (IFK).
rules.add_perm("intake.hold_first_consultation", is_integration)
rules.add_perm(
    "intake.record_first_consultation",
    of_the_same_jobcenter & ((is_integration & holds_its_first_consultation) | is_teamleitung),
)
