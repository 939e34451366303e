"""The self check-in kiosk at a site's entrance (issue 16).

A kiosk is a device like the waiting-room display: no login, an unguessable key in its
address, stored only as a hash. A customer checks in there

- for an appointment, with the Termin-Code from the letter (typed on the keypad, or the
  letter's QR code read by a scanner, which types the customer link):
  :func:`kiosk_check_in_appointment`;
- as a walk-in, with a concern picked in plain words: :func:`kiosk_check_in_walk_in`.

Both are the reception's own check-in (`visit_check_in`), run under the kiosk's technical
account: the same visit, number, queue, appointment arrival and audit as at the reception,
with the kiosk as who checked the customer in. Nothing here returns a customer's name.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments import customer_codes
from appointments.models import Appointment as Termin
from appointments.models import Status
from jobcenter.models import Standort, User
from jobcenter.roles import Role
from jobcenter.services import audit_record
from jobcenter.services import secret_hash as sha256_hex

from ..errors import FrontdeskError
from ..models import Concern, Kiosk, Visit, display_token_prefix, new_display_token
from ..selectors import Appointment
from .checkin import CheckIn, visit_check_in

# The walk-in concerns the kiosk offers, in this order: catalogue code → the words a
# customer understands (translated in locale/, see README) and its pictogram in
# static/frontdesk/kiosk/. Only those active in the Jobcenter's catalogue are shown; the
# catalogue decides where each goes, as at the reception.
KIOSK_CONCERNS = [
    ("unterlagen", _("Unterlagen abgeben"), "unterlagen"),
    ("antrag", _("Bürgergeld beantragen"), "antrag"),
    ("mittellosigkeit", _("Ich habe kein Geld mehr"), "geld"),
    ("leistungsfrage", _("Frage zu meinem Bescheid"), "frage"),
    ("veraenderung", _("Etwas hat sich geändert (Adresse, Konto, Einkommen)"), "aenderung"),
    ("au", _("Krankmeldung abgeben"), "krank"),
    ("vordrucke", _("Formulare abholen"), "formulare"),
    ("sonstiges", _("Etwas anderes"), "anderes"),
]
KIOSK_LABELS = {code: label for code, label, _icon in KIOSK_CONCERNS}


class KioskRefused(Exception):
    """What the kiosk tells the customer instead: `reason` is one of REASONS."""

    REASONS = {
        "unknown": _("Diesen Code kennen wir nicht. Bitte prüfen Sie die Ziffern auf Ihrem Brief."),
        "not_here": _(
            "Zu diesem Code gibt es heute an diesem Standort keinen Termin. "
            "Bitte wenden Sie sich an den Empfang."
        ),
        "already": _("Sie sind für diesen Termin schon angemeldet. Bitte nehmen Sie Platz."),
        "reception": _("Das geht hier leider nicht. Bitte wenden Sie sich an den Empfang."),
    }

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self):
        """Lazy: translated when the page is rendered in the customer's language."""
        return self.REASONS[self.reason]


@dataclass(frozen=True)
class KioskConcern:
    concern: Concern
    label: str
    icon: str


def kiosk_path(token: str) -> str:
    return reverse("frontdesk:kiosk", args=[token])


def kiosk_concerns(kiosk: Kiosk) -> list[KioskConcern]:
    """The concerns the kiosk offers a walk-in (one query)."""
    found = {
        c.code: c
        for c in Concern.objects.active().filter(
            jobcenter_id=kiosk.standort.jobcenter_id, code__in=list(KIOSK_LABELS)
        )
    }
    return [
        KioskConcern(concern=found[code], label=label, icon=icon)
        for code, label, icon in KIOSK_CONCERNS
        if code in found
    ]


def kiosk_label(visit: Visit) -> str:
    """The concern of a kiosk visit in plain words, for its ticket (lazy: translated when
    shown in the active language)."""
    codes = [vc.concern.code for vc in visit.visit_concerns.select_related("concern")]
    for code in codes:
        if code in KIOSK_LABELS:
            return KIOSK_LABELS[code]
    return _("Termin") if "termin" in codes else _("Etwas anderes")


def kiosk_account_for(standort: Standort, name: str) -> User:
    account = User(
        username=f"kiosk-{secrets.token_hex(6)}",
        first_name="Kiosk",
        last_name=name[:150],
        jobcenter_id=standort.jobcenter_id,
        standort=standort,
        role=Role.EMPFANG,
    )
    account.set_unusable_password()  # the device never logs in
    account.save()
    return account


@transaction.atomic
def kiosk_create(*, standort: Standort, name: str, actor: User | None = None) -> tuple[Kiosk, str]:
    """A new kiosk with its technical account and key; the key is returned once only."""
    token = new_display_token()
    kiosk = Kiosk.objects.create(
        standort=standort,
        name=name,
        account=kiosk_account_for(standort, name),
        token_prefix=display_token_prefix(token),
        token_hash=sha256_hex(token),
    )
    audit_record(actor=actor, action="create", target=kiosk, summary=kiosk.name)
    return kiosk, token


@transaction.atomic
def kiosk_new_key(*, kiosk: Kiosk, actor: User | None = None) -> str:
    """Give the kiosk a fresh key (the old address stops working) and return it."""
    token = new_display_token()
    kiosk.token_prefix, kiosk.token_hash = display_token_prefix(token), sha256_hex(token)
    kiosk.save(update_fields=["token_prefix", "token_hash"])
    audit_record(
        actor=actor, action="change", target=kiosk, summary=f"{kiosk.name}: neuer Zugangsschlüssel"
    )
    return token


def _todays_appointment(kiosk: Kiosk, code: str, now: datetime) -> Termin:
    pk = customer_codes.appointment_id_from_code(code)
    if pk is None:
        raise KioskRefused("unknown")
    termin = (
        Termin.objects.filter(pk=pk, jobcenter_id=kiosk.standort.jobcenter_id)
        .select_related("caseworker", "kunde")
        .first()
    )
    day = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(day, time.min))
    if (
        termin is None
        or termin.status != Status.GEBUCHT
        or not start <= termin.starts_at < start + timedelta(days=1)
        or termin.standort_id not in (None, kiosk.standort_id)
        or termin.kunde_id is None
    ):
        # Another Jobcenter's, another site's, another day's or a cancelled one: the
        # customer learns no more than that it is not for here and now.
        raise KioskRefused("not_here")
    if termin.arrived_at is not None:
        raise KioskRefused("already")
    return termin


def kiosk_check_in_appointment(*, kiosk: Kiosk, code: str, now: datetime | None = None) -> Visit:
    """Check the customer in for today's appointment named by `code` (a Termin-Code or a
    scanned customer link), exactly as the reception's "Zum Termin anmelden" does."""
    now = now or timezone.now()
    termin = _todays_appointment(kiosk, code, now)
    appointment = Appointment(
        at=termin.starts_at,
        with_user=termin.caseworker,
        label=termin.get_kind_display(),
        antrag_id=termin.antrag_id,
        pk=termin.pk,
        arrived_at=termin.arrived_at,
    )
    data = CheckIn(
        standort=kiosk.standort, concerns=[], kunde=termin.kunde, appointment=appointment
    )
    try:
        return visit_check_in(actor=kiosk.account, data=data, now=now)
    except FrontdeskError as error:
        # Two check-ins at once: the second finds the arrival recorded under the lock.
        reason = "already" if getattr(error, "field", "") == "with_appointment" else "reception"
        raise KioskRefused(reason) from error


def kiosk_check_in_walk_in(*, kiosk: Kiosk, concern_id: int, now: datetime | None = None) -> Visit:
    """Give a walk-in a number for one of the kiosk's concerns, as the reception would for
    an unknown walk-in with that concern (queue by the catalogue, `queue_for`)."""
    offered = {k.concern.pk: k.concern for k in kiosk_concerns(kiosk)}
    concern = offered.get(concern_id)
    if concern is None:
        raise KioskRefused("reception")
    data = CheckIn(standort=kiosk.standort, concerns=[concern], concerns_current=True)
    try:
        return visit_check_in(actor=kiosk.account, data=data, now=now)
    except FrontdeskError as error:
        raise KioskRefused("reception") from error
