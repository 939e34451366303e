"""An iCalendar file (RFC 5545) per appointment, for the customer's calendar.

The event carries no name and no case number in its title: calendars get synchronised to
places the Jobcenter does not control. Times are Europe/Berlin with a VTIMEZONE that has
the EU summer-time rule, so every calendar program shows the right wall time.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from minimumstandards.workdays import BERLIN

from . import invitations
from .letters import invitation_lines
from .models import Appointment, Status

PRODID = "-//Jobcenter Frontoffice//Termine//DE"


def _berlin() -> Timezone:
    tz = Timezone()
    tz.add("tzid", "Europe/Berlin")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1981, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def appointment_ical(appointment: Appointment) -> bytes:
    jobcenter = appointment.jobcenter
    text = invitation_lines(appointment)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(_berlin())
    event = Event()
    event.add("uid", f"termin-{appointment.pk}@{jobcenter.slug}.jobcenter-frontoffice")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(BERLIN))
    event.add("dtend", appointment.ends_at.astimezone(BERLIN))
    event.add("summary", f"{invitations.subject(appointment)} – {jobcenter.name}")
    location = text["place"]
    if appointment.standort is not None:
        location = f"{appointment.standort.name}, {appointment.standort.address}".strip(", ")
    if location:
        event.add("location", location)
    description = [text["when"], text["with"], text["purpose"], text["reference"]]
    description.append(text["rfb"] or text["no_rfb"])
    if jobcenter.phone:
        description.append(_("Absagen bitte telefonisch: %(phone)s") % {"phone": jobcenter.phone})
    event.add("description", "\n\n".join(d for d in description if d))
    cancelled = appointment.status in (Status.ABGESAGT_JC, Status.ABGESAGT_KUNDE)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
