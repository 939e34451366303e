"""The appointments app's actions, one module a subject (rules R-EG-03 to R-KD-01).

Every write is one transaction. The case moves only through
`intake.services.antrag_transition`, called inside these transactions, so that an
appointment and its case never disagree; notes and tasks go through `routing.services`,
deadlines through `minimumstandards.services`. The read models (the booking chain's slots,
the limits of a first consultation, group events' coverage) are in `appointments.selectors`,
the refusals in `appointments.errors`.

- `calendars`: released windows and absences of a caseworker's calendar
- `first_consultation`: booking the EG along the chain, by the team lead, the escalation
- `follow_ups`: follow-up consultations booked, and contacts entered afterwards
- `group_events`: inviting to a group event, creating a series of them
- `outcomes`: held, no-show (and the re-invitation), cancelled; a group event's attendance
- `contact_density`: the customer's contact group, the next due contact and its deadline
- `nachhaltung`: the follow-ups at the contacts (placement proposals, measures, pupils,
  § 10 restrictions) and their deadlines (rules R-NH-01 to R-NH-05)
- `booking`: what every booking does (the appointment, the slot claimed, the case moved)
- `arrival`: the customer checked in at the reception for an appointment
"""
