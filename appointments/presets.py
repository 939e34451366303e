"""The seed Jobcenters' invitation rules (rule R-TE-05), beside their deadline presets.

`minimumstandards.presets.PRESETS` holds the deadlines of each seed profile; this app adds
which invitation carries a Rechtsfolgenbelehrung. Both are applied together by
`apply_seed_preset`, with the preset's valid-from date (the day its instruction applies).
"""

from datetime import date

from django.db import transaction

from jobcenter.models import Jobcenter
from minimumstandards.presets import PRESETS, apply_preset

from .models import InvitationRule

Occasion = InvitationRule.Occasion

_CB_3 = "Jobcenter Cottbus, Neukundenmanagement, Abschnitt 3"
_DW_7 = "Jobcenter Deutsche Weinstraße, GA 01/2023, Abschnitt 7"
_RL = "Jobcenter Rhein-Lahn, Kundenprozess, Abschnitt "

# (occasion, with RFB, source) per preset name of `PRESETS`.
INVITATION_PRESETS: dict[str, list[tuple[str, bool, str]]] = {
    # "Eine Einladung mit Rechtsfolgebelehrung ist auszuhändigen bzw. dem Kunden zuzusenden."
    "cottbus": [(occasion, True, _CB_3) for occasion in Occasion.values],
    # "Einladungen sind mit Rechtsfolgenbelehrung persönlich auszuhändigen oder zuzusenden."
    "deutsche-weinstrasse": [(occasion, True, _DW_7) for occasion in Occasion.values],
    "rhein-lahn": [
        # "Die erste Einladung zur Erstellung des Kooperationsplanes hat gem. § 15 Abs. 4
        # SGB II ohne Rechtsfolgenbelehrung zu erfolgen."
        (Occasion.ERSTEINLADUNG, False, _RL + "1.3 und 2.4"),
        # "… sollen mit Rechtsfolgenbelehrung erfolgen, wenn dies notwendig erscheint": the
        # caseworker adds it when booking.
        (Occasion.FOLGEEINLADUNG, False, _RL + "2.4"),
        # "… erfolgt die Folgeeinladung immer mit Rechtsfolgenbelehrung."
        (Occasion.NACH_MELDEVERSAEUMNIS, True, _RL + "1.3 und 2.5"),
        # "… vergibt einen Termin mit Rechtsfolgenbelehrung für die nächste Gruppenveranstaltung"
        (Occasion.GRUPPE, True, _RL + "1.2"),
    ],
}
# The demo Jobcenter invites by today's law, as Rhein-Lahn does.
INVITATION_PRESETS["demo"] = [
    (occasion, with_rfb, "Demo (wie " + source + ")")
    for occasion, with_rfb, source in INVITATION_PRESETS["rhein-lahn"]
]


@transaction.atomic
def apply_invitation_preset(
    *, jobcenter: Jobcenter, name: str, valid_from: date | None = None
) -> int:
    """Add the preset's invitation rules (a new version from `valid_from`)."""
    valid_from = valid_from or PRESETS[name]["valid_from"]
    created = 0
    for occasion, with_rfb, source in INVITATION_PRESETS[name]:
        _rule, was_created = InvitationRule.objects.update_or_create(
            jobcenter=jobcenter,
            occasion=occasion,
            valid_from=valid_from,
            defaults={"with_rfb": with_rfb, "source": source},
        )
        created += was_created
    return created


@transaction.atomic
def apply_seed_preset(*, jobcenter: Jobcenter, name: str, valid_from: date | None = None) -> int:
    """A seed profile as a whole: its deadline rules and its invitation rules."""
    created = apply_preset(jobcenter=jobcenter, name=name, valid_from=valid_from)
    return created + apply_invitation_preset(jobcenter=jobcenter, name=name, valid_from=valid_from)
