"""Which invitation carries a Rechtsfolgenbelehrung, and what the letter says (rule R-TE-05).

The rules are data with a valid-from date (`InvitationRule`); without a row of its own a
Jobcenter follows the defaults below, which are the Bürgergeld rules in force since 2023.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minimumstandards.workdays import berlin_wall_time

from .models import Appointment, Form, InvitationRule, Kind, Status

Occasion = InvitationRule.Occasion

# § 15 Abs. 4 SGB II (rule R-TE-05): the first invitation to draw up the Kooperationsplan
# carries no RFB; after a no-show without good reason the next one does (rule R-TE-06); the
# group event for new customers is invited with RFB (rule R-GV-01).
DEFAULT_WITH_RFB = {
    Occasion.ERSTEINLADUNG: False,
    Occasion.FOLGEEINLADUNG: False,
    Occasion.NACH_MELDEVERSAEUMNIS: True,
    Occasion.GRUPPE: True,
}

DEFAULT_RFB_TEXT = gettext_lazy(
    "Rechtsfolgenbelehrung: Wenn Sie ohne wichtigen Grund nicht zu diesem Termin kommen, "
    "wird Ihr Bürgergeld nach § 32 SGB II gemindert. Die Minderung beträgt 10 Prozent des "
    "für Sie maßgebenden Regelbedarfs und dauert einen Monat. Ein wichtiger Grund kann zum "
    "Beispiel eine Erkrankung sein, die Ihnen das Erscheinen unmöglich macht; bitte weisen "
    "Sie ihn nach (bei Krankheit mit einer ärztlichen Bescheinigung). Können Sie den Termin "
    "nicht wahrnehmen, melden Sie sich bitte sofort bei uns."
)


# Rule R-TE-07, § 37 Abs. 2 Satz 1 SGB X: "Ein schriftlicher Verwaltungsakt, der im Inland
# durch die Post übermittelt wird, gilt am vierten Tag nach der Aufgabe zur Post als bekannt
# gegeben" since 1 January 2025 (Postrechtsmodernisierungsgesetz); "am dritten Tag" before.
# The law in force on the day of posting decides. The fiction names a day, not a working
# day: it holds on a Saturday, Sunday or holiday too (no shift under § 26 Abs. 3 SGB X).
FOUR_DAYS_FROM = date(2025, 1, 1)


def received_by_post(posted_on: date) -> date:
    """The day a letter posted on `posted_on` counts as received (bekannt gegeben)."""
    return posted_on + timedelta(days=4 if posted_on >= FOUR_DAYS_FROM else 3)


def earliest_by_post(posted_on: date) -> date:
    """The first day a posted invitation's appointment may lie on: the day after it counts
    as received. The fiction fixes a day, not an hour; a letter deemed received that day may
    come with the afternoon post, so the appointment is not on the day of receipt itself."""
    return received_by_post(posted_on) + timedelta(days=1)


def not_before_by_post(posted_on: date) -> datetime:
    """The first moment (00:00 Berlin) a posted invitation's appointment may start at."""
    return berlin_wall_time(earliest_by_post(posted_on), time(0))


@dataclass(frozen=True)
class RuleInForce:
    occasion: str
    with_rfb: bool
    rfb_text: str
    valid_from: date | None  # None: the built-in default


def rule_in_force(*, jobcenter, occasion: str, on: date) -> RuleInForce:
    """The rule for `occasion` valid on `on`, the day the invitation is issued."""
    rule = (
        InvitationRule.objects.filter(jobcenter=jobcenter, occasion=occasion, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        return RuleInForce(occasion, DEFAULT_WITH_RFB[occasion], str(DEFAULT_RFB_TEXT), None)
    return RuleInForce(
        occasion, rule.with_rfb, rule.rfb_text or str(DEFAULT_RFB_TEXT), rule.valid_from
    )


def occasion_for(*, kunde, kind: str) -> str:
    """After a no-show (with nothing held since) every invitation is one after a no-show."""
    last = (
        Appointment.objects.filter(
            kunde=kunde, status__in=[Status.DURCHGEFUEHRT, Status.MELDEVERSAEUMNIS]
        )
        .order_by("-starts_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    if last == Status.MELDEVERSAEUMNIS:
        return Occasion.NACH_MELDEVERSAEUMNIS
    if kind == Kind.GRUPPE:
        return Occasion.GRUPPE
    if kind == Kind.ERSTGESPRAECH:
        return Occasion.ERSTEINLADUNG
    return Occasion.FOLGEEINLADUNG


def follow_up_rfb_required(*, kunde, on: date) -> bool:
    """Whether the rule in force gives the next follow-up invitation an RFB anyway."""
    occasion = occasion_for(kunde=kunde, kind=Kind.FOLGEGESPRAECH)
    return rule_in_force(jobcenter=kunde.jobcenter, occasion=occasion, on=on).with_rfb


def subject(appointment: Appointment) -> str:
    if appointment.kind == Kind.ERSTGESPRAECH:
        return _("Einladung zum Erstgespräch")
    if appointment.kind == Kind.GRUPPE:
        return _("Einladung zur Gruppenveranstaltung für Neukunden")
    return _("Einladung zu einem Gespräch")


def purpose(appointment: Appointment) -> str:
    if appointment.kind == Kind.ERSTGESPRAECH:
        return _(
            "Wir möchten mit Ihnen über Ihre berufliche Situation sprechen und gemeinsam "
            "Ihren Kooperationsplan erstellen."
        )
    if appointment.kind == Kind.GRUPPE:
        return _(
            "In der Veranstaltung informieren wir Sie über Ihre Rechte und Pflichten und über "
            "unsere Angebote für Ihren Weg in Arbeit."
        )
    return _(
        "Wir möchten mit Ihnen über Ihre berufliche Situation und die nächsten Schritte sprechen."
    )


def place_sentence(appointment: Appointment) -> str:
    if appointment.form == Form.TELEFON:
        return _("Wir rufen Sie zu diesem Termin an. Bitte halten Sie Ihr Telefon bereit.")
    if appointment.form == Form.VIDEO:
        return _("Das Gespräch findet per Video statt; den Zugang erhalten Sie gesondert.")
    site = appointment.standort
    where = f"{site.name}, {site.address}".strip(", ") if site else ""
    if appointment.form == Form.WALK_AND_TALK:
        return _("Treffpunkt: %(where)s (Gespräch im Gehen).") % {"where": where}
    return _("Ort: %(where)s") % {"where": where} if where else ""


def bring_along(appointment: Appointment) -> list[str]:
    items = [_("Personalausweis oder Reisepass"), _("dieses Schreiben")]
    if appointment.kind in (Kind.ERSTGESPRAECH, Kind.FOLGEGESPRAECH):
        items.append(_("Lebenslauf und Zeugnisse, soweit vorhanden"))
    return items


def no_rfb_sentence() -> str:
    return _(
        "Diese Einladung enthält keine Rechtsfolgenbelehrung. Bitte kommen Sie trotzdem: "
        "Das Gespräch ist wichtig für Ihre weitere Unterstützung. Können Sie nicht kommen, "
        "sagen Sie bitte rechtzeitig ab."
    )
