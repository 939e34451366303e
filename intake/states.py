"""The states of a case on its two tracks: the application and the first consultation.

Kept apart from the models so that the step table (`intake.steps`) can name them and the
models can build their transitions from that table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AntragState(models.TextChoices):
    ERFASST = "erfasst", _("Eingangsprüfung offen")
    UNTERLAGEN_FEHLEN = "unterlagen_fehlen", _("Unterlagen fehlen")
    BEARBEITUNGSREIF = "bearbeitungsreif", _("Entscheidungsreif")
    BEWILLIGT = "bewilligt", _("Bewilligt")
    ABGELEHNT = "abgelehnt", _("Abgelehnt")
    VERSAGT = "versagt", _("Versagt")
    ZURUECKGENOMMEN = "zurueckgenommen", _("Zurückgenommen (Antragsverzicht)")
    AN_INTEGRATION = "an_integration", _("An Integration übergeben")
    # Rule R-EN-04: the benefit ended; the Fallabschluss is due within 4 weeks.
    LEISTUNG_BEENDET = "leistung_beendet", _("Leistungsbezug beendet")
    FALL_ABGESCHLOSSEN = "fall_abgeschlossen", _("Fallabschluss bearbeitet")


class ErstgespraechState(models.TextChoices):
    OFFEN = "offen", _("nicht gebucht")
    GEBUCHT = "gebucht", _("Erstgespräch gebucht")
    DURCHGEFUEHRT = "durchgefuehrt", _("Erstgespräch durchgeführt")


class EntryCheckPart(models.TextChoices):
    """The five parts of the entry check (rule R-FR-01)."""

    BENEFITS_ADVICE = "benefits_advice", _("Leistungsberatung")
    NEED = "need", _("Vorprüfung der Hilfebedürftigkeit")
    PRIORITY_CLAIMS = "priority_claims", _("Klärung vorrangiger Ansprüche")
    IDENTITY = "identity", _("Identitätsprüfung")
    FORMS = "forms", _("Zusammenstellung der notwendigen Vordrucke")


OPEN_STATES = (AntragState.ERFASST, AntragState.UNTERLAGEN_FEHLEN, AntragState.BEARBEITUNGSREIF)
# A case closed without entitlement gets no first consultation.
NEGATIVE_STATES = (AntragState.ABGELEHNT, AntragState.VERSAGT, AntragState.ZURUECKGENOMMEN)
