"""The staff roles of the front office (domain.md §1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPFANG = "empfang", _("Empfang")
    EINGANGSZONE = "eingangszone", _("Eingangszone")
    LEISTUNG = "leistung", _("Leistung")
    INTEGRATION = "integration", _("Integration")
    HOTLINE = "hotline", _("Hotline / Servicecenter")
    TEAMLEITUNG = "teamleitung", _("Teamleitung")
    ADMINISTRATION = "administration", _("Administration")
    # The data-protection officer (Art. 37 ff. DSGVO): answers requests for information
    # (Art. 15 DSGVO, § 83 SGB X), sets legal holds and erases customers where the law allows.
    DATENSCHUTZ = "datenschutz", _("Datenschutz")


class Bundesland(models.TextChoices):
    # Codes as the `holidays` package names the German subdivisions.
    BW = "BW", _("Baden-Württemberg")
    BY = "BY", _("Bayern")
    BE = "BE", _("Berlin")
    BB = "BB", _("Brandenburg")
    HB = "HB", _("Bremen")
    HH = "HH", _("Hamburg")
    HE = "HE", _("Hessen")
    MV = "MV", _("Mecklenburg-Vorpommern")
    NI = "NI", _("Niedersachsen")
    NW = "NW", _("Nordrhein-Westfalen")
    RP = "RP", _("Rheinland-Pfalz")
    SL = "SL", _("Saarland")
    SN = "SN", _("Sachsen")
    ST = "ST", _("Sachsen-Anhalt")
    SH = "SH", _("Schleswig-Holstein")
    TH = "TH", _("Thüringen")
