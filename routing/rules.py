"""Who may do what with notes, mailboxes and their items (django-rules; see jobcenter.predicates).

Object permissions take the mailbox item (`Aufgabe`). The views, the services and the
templates all ask these, so each answers the same everywhere; the loaders in
`routing.access` (and `Vermerk.objects.visible_to`) ask them for their gate.
"""

import rules

from jobcenter.predicates import (
    is_administration,
    is_datenschutz,
    is_eingangszone,
    is_empfang,
    is_hotline,
    is_integration,
    is_leistung,
    is_staff_member,
    is_teamleitung,
)


@rules.predicate
def works_the_item(user, aufgabe) -> bool:
    """The item is the user's own or lies in a mailbox they work
    (`routing.access.aufgaben_visible_to`, the same rule as a filter)."""
    from .access import aufgaben_visible_to  # the loaders import the models; so do rules

    return aufgabe is not None and aufgaben_visible_to(user).filter(pk=aufgabe.pk).exists()


@rules.predicate
def the_item_is_open(user, aufgabe) -> bool:
    return aufgabe is not None and aufgabe.is_open


@rules.predicate
def claimed_by_a_colleague(user, aufgabe) -> bool:
    return bool(aufgabe is not None and aufgabe.claimed_by_id and aufgabe.claimed_by_id != user.pk)


# Every desk writes notes and works its team's mailbox (rule R-IA-02).
rules.add_perm("routing.write_vermerk", is_staff_member)
rules.add_perm("routing.use_mailboxes", is_staff_member)
# The hotline takes callback tickets on the phone (WU 2c, rule R-RU-01); the team whose
# mailbox holds one completes a caller's identity with `routing.act_on_aufgabe`.
rules.add_perm("routing.take_ticket", is_hotline)
# Need to know (rule R-DS-01, § 67a SGB X): the reception and the hotline learn that a
# customer exists, their appointments today and their open concerns, not what was said in
# a consultation. They never read a Beratungsvermerk.
rules.add_perm(
    "routing.read_consultation_notes",
    is_eingangszone | is_leistung | is_integration | is_teamleitung,
)
# The reception's work needs what was taken in at the reception (its own open concerns),
# not what other desks learnt about the person (health, debts …).
rules.add_perm("routing.read_notes_of_every_desk", is_staff_member & ~is_empfang)
# One item: work it (claim, release, forward …) …
rules.add_perm("routing.work_aufgabe", is_staff_member & works_the_item)
# … and act on it while it is open: not while a colleague holds it, unless one leads the
# team (a lead may act on any item of a mailbox they oversee, even one claimed).
rules.add_perm(
    "routing.act_on_aufgabe",
    is_staff_member
    & the_item_is_open
    & (~claimed_by_a_colleague | is_teamleitung)
    & works_the_item,
)
# The worklist of Integration and Leistung.
rules.add_perm("routing.use_worklist", is_integration | is_leistung)
# The routing table: every desk reads it, the administration edits it (in the admin).
rules.add_perm("routing.read_rules", is_staff_member | is_administration | is_datenschutz)
rules.add_perm("routing.edit_rules", is_administration | rules.is_superuser)
