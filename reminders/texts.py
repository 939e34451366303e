"""The texts of confirmations and reminders: plain, short, in the customer's language.

Nothing beyond date, time, place, what to bring and the customer link (no kind of
appointment, no caseworker, no case): an SMS can be read over a shoulder and a mailbox can
be shared. The German texts are the msgids; other languages come from
``locale/<code>/LC_MESSAGES/django.po`` (German wherever a translation is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appointments.customer_codes import customer_link_url
from appointments.invitations import bring_along
from appointments.models import Form

from .models import Nachricht
from .selectors import owed_documents


@dataclass
class Composed:
    subject: str
    body: str
    sms: str


def _when(moment) -> tuple[str, str, str]:
    local = timezone.localtime(moment)
    # Translators: a date format (Django's date syntax): "Montag, 7. Dezember 2026".
    long_day = date_format(local, _("l, j. F Y"))
    # Translators: a short date format for an SMS: "Mo 07.12.2026".
    short_day = date_format(local, _("D d.m.Y"))
    clock = _("%(time)s Uhr") % {"time": f"{local:%H:%M}"}
    return long_day, short_day, clock


def _place(appointment) -> str:
    if appointment.form == Form.TELEFON:
        return _("telefonisch: wir rufen Sie an")
    if appointment.form == Form.VIDEO:
        return _("per Video: den Zugang erhalten Sie gesondert")
    site = appointment.standort
    if site is None:
        return appointment.jobcenter.name
    return ", ".join(part for part in (site.name, " ".join(site.address.split())) if part)


def _bring(appointment) -> list[str]:
    letter = _("dieses Schreiben")
    return [item for item in bring_along(appointment) if item != letter]


def _signature(jobcenter) -> str:
    return _("Ihr %(jobcenter)s\n(Diese Nachricht wurde automatisch versandt.)") % {
        "jobcenter": jobcenter.name
    }


def compose(row: Nachricht) -> Composed:
    with translation.override(row.language or "de"):
        if row.kind == Nachricht.Kind.ALARM:
            return _alarm(row)
        if row.kind == Nachricht.Kind.DOCUMENTS:
            return _documents(row)
        return _appointment(row)


def _appointment(row: Nachricht) -> Composed:
    appointment = row.appointment
    assert appointment is not None
    long_day, short_day, clock = _when(appointment.starts_at)
    place = _place(appointment)
    jobcenter = appointment.jobcenter
    if row.kind == Nachricht.Kind.CANCELLED:
        subject = _("Ihr Termin am %(day)s wurde abgesagt") % {"day": short_day}
        lead = _(
            "Ihr Termin am %(day)s um %(clock)s wurde vom Jobcenter abgesagt. "
            "Sie erhalten einen neuen Termin."
        ) % {"day": long_day, "clock": clock}
        body = "\n\n".join([_("Guten Tag,"), lead, _signature(jobcenter)])
        sms = _(
            "%(jobcenter)s: Ihr Termin am %(day)s um %(clock)s ist abgesagt. Sie erhalten einen neuen Termin."
        ) % {
            "jobcenter": jobcenter.name,
            "day": short_day,
            "clock": clock,
        }
        return Composed(subject, body, sms)
    kind = Nachricht.Kind(row.kind)
    heading = {
        Nachricht.Kind.CONFIRMATION: _("Ihr Termin ist gebucht."),
        Nachricht.Kind.MOVED: _("Ihr Termin wurde verlegt. Der neue Termin:"),
        Nachricht.Kind.REMINDER: _("Wir erinnern Sie an Ihren Termin."),
    }[kind]
    subject = {
        Nachricht.Kind.CONFIRMATION: _("Ihr Termin am %(day)s"),
        Nachricht.Kind.MOVED: _("Neuer Termin am %(day)s"),
        Nachricht.Kind.REMINDER: _("Erinnerung: Ihr Termin am %(day)s"),
    }[kind] % {"day": short_day}
    bring = _bring(appointment)
    link = customer_link_url(appointment)
    lines = [
        _("Wann: %(day)s, %(clock)s") % {"day": long_day, "clock": clock},
        _("Wo: %(place)s") % {"place": place},
    ]
    if bring:
        lines.append(_("Bitte mitbringen: %(items)s") % {"items": ", ".join(bring)})
    body = "\n\n".join(
        [
            _("Guten Tag,"),
            heading + "\n\n" + "\n".join(lines),
            _("Termin bestätigen, absagen oder um einen anderen Termin bitten:\n%(link)s")
            % {"link": link},
            _signature(jobcenter),
        ]
    )
    sms = _(
        "%(jobcenter)s: %(heading)s %(day)s, %(clock)s, %(place)s. Bestätigen oder absagen: %(link)s"
    ) % {
        "jobcenter": jobcenter.name,
        "heading": heading,
        "day": short_day,
        "clock": clock,
        "place": place,
        "link": link,
    }
    return Composed(subject, body, sms)


def _documents(row: Nachricht) -> Composed:
    antrag = row.antrag
    assert antrag is not None
    jobcenter = antrag.jobcenter
    day = date_format(antrag.return_date, _("l, j. F Y"))
    short_day = date_format(antrag.return_date, _("D d.m.Y"))
    items = owed_documents(antrag)
    subject = _("Erinnerung: Unterlagen bis %(day)s") % {"day": short_day}
    lines = [
        _("Bitte reichen Sie bis %(day)s noch ein:") % {"day": day},
        "\n".join(f"- {item}" for item in items),
    ]
    if jobcenter.address.strip():
        lines.append(_("Abgabe: %(where)s") % {"where": " ".join(jobcenter.address.split())})
    body = "\n\n".join([_("Guten Tag,"), "\n".join(lines), _signature(jobcenter)])
    sms = _("%(jobcenter)s: Bitte reichen Sie bis %(day)s noch ein: %(items)s.") % {
        "jobcenter": jobcenter.name,
        "day": short_day,
        "items": ", ".join(items),
    }
    return Composed(subject, body, sms)


def _alarm(row: Nachricht) -> Composed:
    alarm = row.alarm
    assert alarm is not None
    at = f"{timezone.localtime(alarm.raised_at):%H:%M}"
    sms = _("NOTRUF %(site)s: %(place)s, %(at)s Uhr. Bitte sofort hingehen.") % {
        "site": alarm.standort.name,
        "place": alarm.place,
        "at": at,
    }
    return Composed(sms, sms, sms)
