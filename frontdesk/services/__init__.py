"""The front desk's actions (rules R-EM-01 to R-EM-03, R-WS-01, R-RU-01), one module a subject.

Every action is one transaction: a visit never changes state without its event, its contact
(waiting and processing time) and its audit row, and a call-up never reaches a customer
another desk has called. Notes and tickets for the back office are raised through routing's
services; the callback clock of a ticket through minimumstandards'. The read models (queues,
teams, appointments, desks) are in `frontdesk.selectors`, the refusals in `frontdesk.errors`.

- `checkin`: checking a walk-in in at the reception, or settling the visit there at once
- `reception`: cancel, identify, back from parking; the day's close
- `desks`: opening, keeping and closing a desk
- `calling`: the call-up at a desk, again, not shown up, back to the queue, parked
- `outcomes`: passing on to another team, finishing with the outcome
- `back_office`: what an outcome tells the back office (notes, callback tickets)
- `displays`: the waiting-room displays' address and key
- `catalogue`: a Jobcenter's default concern catalogue
- `recording`: the event, audit row, contact and number every step writes
- `guards`: locking desk and visit, refusing what is not the actor's
"""
