"""Rule profiles of the seed Jobcenters, with their numbers and source (docs/rules.en.md)."""

from datetime import date

from django.db import transaction

from jobcenter.models import Jobcenter

from .models import ApplicationKind, DeadlineRule, RuleKind, Scope, StartEvent
from .models import CompletingEvent as C

K, S, E = RuleKind, Scope, StartEvent
ThresholdUnit = Jobcenter.ThresholdUnit

# The sources, as docs/rules.en.md names them.
_RL = "Jobcenter Rhein-Lahn, Kundenprozess, Abschnitt "
_CB_4 = "Jobcenter Cottbus, Neukundenmanagement, Abschnitt 4"
_DW_3_1 = "Jobcenter Deutsche Weinstraße, GA 01/2023, Abschnitt 3.1"

# (kind, scope, start event, window, completing event, warning lead, source[, for
# which applications: all unless named])
_ENTRY_CHECK = [
    (K.ENTRY_CHECK, S.PERSONAL, E.APPLICATION, "24h", C.ENTRY_CHECK, "4h", _RL + "1.1"),
    (K.ENTRY_CHECK, S.OTHER, E.APPLICATION, "9AT", C.ENTRY_CHECK, "1AT", _RL + "1.1"),
]
_VERSAGUNG = [(K.VERSAGUNG, S.ALL, E.APPLICATION, "24KT", C.DECISION, "1AT", _RL + "1.1")]
_CALLBACK = [(K.CALLBACK, S.ALL, E.TICKET, "24h", C.CALLBACK, "4h", _RL + "4.4")]
_COTTBUS = [
    (K.FIRST_CONSULTATION, S.ALL, E.APPLICATION, "15AT", C.FIRST_CONSULTATION, "1AT", _CB_4),
    # Rule R-EN-01: "Die Erstanträge … innerhalb von 14 Arbeitstagen": Erstanträge only.
    (
        K.DECISION,
        S.ALL,
        E.DOCUMENTS_COMPLETE,
        "14AT",
        C.DECISION,
        "1AT",
        _CB_4,
        ApplicationKind.ERSTANTRAG,
    ),
]
_CONTACT_DENSITY = [
    (K.CONTACT_DENSITY, S.ALL, E.LAST_CONTACT, "180KT", C.CONTACT, "14KT", _DW_3_1),
]

# Rule R-EN-04: "Nach Abschluss eines Leistungsfalls ist innerhalb von 4 Wochen der
# Fallabschluss zu bearbeiten": 4 weeks are 28 calendar days (rule R-ZT-01).
_CASE_CLOSURE = [
    (K.CASE_CLOSURE, S.ALL, E.BENEFIT_ENDED, "28KT", C.CASE_CLOSURE, "1AT", _RL + "3.1"),
]
# Rule R-KO-01: "spätestens nach Ablauf von jeweils sechs Monaten … fortzuschreiben". Each
# deadline gets its own window of six calendar months (181 to 184 days); the rule's window
# is the longest of them.
_KOOPERATIONSPLAN = [
    (
        K.KOOPERATIONSPLAN,
        S.ALL,
        E.KOOPERATIONSPLAN,
        "184KT",
        C.KOOPERATIONSPLAN,
        "14KT",
        _RL + "2.7",
    ),
]
# Rules R-NH-01 to R-NH-05, the follow-ups at the contacts. R-NH-01: "innerhalb von 3
# Wochen nach Erhalt des VV" is 21 calendar days from the receipt. R-NH-02: "ein Termin im
# Zeitraum von vier Wochen vor bis vier Wochen nach Beendigung der Maßnahme": the clock
# starts when the window opens, 28 days before the end, and runs 56 days. R-NH-03
# ("jährlich") and R-NH-05 ("mindestens halbjährlich") run a calendar year and six calendar
# months: each deadline gets that exact length as its own window; the rule's window is
# the usual one. R-NH-04: "spätestens im Januar des Entlassjahres": from 1 January, 30 days
# to the end of 31 January.
_FOLLOW_UPS = [
    (K.VV_FEEDBACK, S.ALL, E.VV_RECEIVED, "21KT", C.VV_FEEDBACK, "1AT", _RL + "2.6"),
    (K.MEASURE_END, S.ALL, E.MEASURE_WINDOW, "56KT", C.CONTACT, "1AT", _RL + "2.8"),
    (
        K.SCHOOL_CERTIFICATE,
        S.ALL,
        E.SCHOOL_YEAR,
        "365KT",
        C.SCHOOL_CERTIFICATE,
        "1AT",
        _RL + "2.8",
    ),
    (K.LEAVING_CLASS, S.ALL, E.LEAVING_YEAR, "30KT", C.INVITATION, "1AT", _RL + "2.8"),
    (
        K.AVAILABILITY_REVIEW,
        S.ALL,
        E.AVAILABILITY_REVIEWED,
        "182KT",
        C.AVAILABILITY_REVIEW,
        "1AT",
        _RL + "2.8",
    ),
]
# Rule R-NK-01: how long an interruption of the benefit must be for a Neukunde.
_182_DAYS = (182, ThresholdUnit.DAYS)  # Cottbus 2, Deutsche Weinstraße 3.2.1

# Each preset's rules are valid from the day its instruction applies: Cottbus "Stand:
# 01.01.2021"; Rhein-Lahn "tritt zum 12.01.2026 in Kraft"; Deutsche Weinstraße
# "Umsetzung ab: 01.03.2023".
PRESETS: dict[str, dict] = {
    "cottbus": {
        "label": "Jobcenter Cottbus (2021)",
        "valid_from": date(2021, 1, 1),
        "first_consultation_start": Jobcenter.FirstConsultationStart.APPLICATION,
        "neukunde_threshold": _182_DAYS,
        "rules": [
            *_COTTBUS,
            *_CALLBACK,
        ],
    },
    "rhein-lahn": {
        "label": "Jobcenter Rhein-Lahn (2026)",
        "valid_from": date(2026, 1, 12),
        "first_consultation_start": Jobcenter.FirstConsultationStart.ENTITLEMENT,
        # "mit Ausnahme der letzte Leistungsbezug … liegt noch nicht länger als 2 Monate
        # zurück": exactly 2 months ago is not new.
        "neukunde_threshold": (2, ThresholdUnit.MONTHS),
        # 1.2: "Unmittelbar nach Antragstellung … Termin mit Rechtsfolgenbelehrung für die
        # nächste Gruppenveranstaltung" (rule R-GV-02); 1.3: "Erstgespräche sollen in
        # Präsenz erfolgen" (rule R-TE-08).
        "group_event_at_application": True,
        "eg_in_person": True,
        # No contact-density clock: section 2.4 sets intervals per customer group, none of
        # them a deadline of the profile.
        "rules": [
            *_ENTRY_CHECK,
            *_VERSAGUNG,
            (
                K.FIRST_CONSULTATION,
                S.ALL,
                E.ENTITLEMENT,
                "10AT",
                C.FIRST_CONSULTATION,
                "1AT",
                _RL + "1.3",
            ),
            (K.DECISION, S.ALL, E.DOCUMENTS_COMPLETE, "10AT", C.DECISION, "1AT", _RL + "3.1"),
            *_CASE_CLOSURE,
            *_CALLBACK,
            *_KOOPERATIONSPLAN,
            *_FOLLOW_UPS,
        ],
    },
    "deutsche-weinstrasse": {
        "label": "Jobcenter Deutsche Weinstraße (2023)",
        "valid_from": date(2023, 3, 1),
        "first_consultation_start": Jobcenter.FirstConsultationStart.APPLICATION,
        "neukunde_threshold": _182_DAYS,
        # Rule R-KD-01: "Die Fallmanager*innen, sowie die Mitarbeitenden in Projekten sind
        # von dieser Regelung ausgenommen."
        "own_contact_concepts": True,
        "rules": [
            *_CONTACT_DENSITY,
            *_CALLBACK,
        ],
    },
    # The demo Jobcenter: Cottbus' order (EG booked at intake) with every clock of the seeds.
    "demo": {
        "label": "Demo (Cottbus-Ablauf, alle Fristen)",
        "valid_from": date(2020, 1, 1),
        "first_consultation_start": Jobcenter.FirstConsultationStart.APPLICATION,
        "neukunde_threshold": _182_DAYS,
        "rules": [
            *_ENTRY_CHECK,
            *_VERSAGUNG,
            *_COTTBUS,
            *_CALLBACK,
            *_CONTACT_DENSITY,
            *_CASE_CLOSURE,
            *_KOOPERATIONSPLAN,
            *_FOLLOW_UPS,
        ],
    },
}


@transaction.atomic
def apply_preset(*, jobcenter: Jobcenter, name: str, valid_from: date | None = None) -> int:
    """Add the preset's rules to the profile (a new version from `valid_from`)."""
    preset = PRESETS[name]
    valid_from = valid_from or preset["valid_from"]
    created = 0
    for kind, scope, start, window, completing, lead, source, *for_kind in preset["rules"]:
        _rule, was_created = DeadlineRule.objects.update_or_create(
            jobcenter=jobcenter,
            kind=kind,
            scope=scope,
            valid_from=valid_from,
            defaults={
                "start_event": start,
                "window": window,
                "completing_event": completing,
                "warn_lead": lead,
                "source": source,
                "application_kind": for_kind[0] if for_kind else ApplicationKind.ALL,
            },
        )
        created += was_created
    # The booking order of the first consultation follows the rule's start event; the
    # Neukunde threshold is the Jobcenter's too (rule R-NK-01).
    jobcenter.first_consultation_start = preset["first_consultation_start"]
    value, unit = preset["neukunde_threshold"]
    jobcenter.interruption_threshold_value = value
    jobcenter.interruption_threshold_unit = unit
    # The group event at the application (rule R-GV-02) and the first consultation in
    # person (rule R-TE-08) apply from the preset's day; a preset without them turns them off.
    jobcenter.group_event_at_application_from = (
        valid_from if preset.get("group_event_at_application") else None
    )
    jobcenter.eg_in_person_from = valid_from if preset.get("eg_in_person") else None
    jobcenter.own_contact_concepts = preset.get("own_contact_concepts", False)
    jobcenter.save(
        update_fields=[
            "first_consultation_start",
            "interruption_threshold_value",
            "interruption_threshold_unit",
            "group_event_at_application_from",
            "eg_in_person_from",
            "own_contact_concepts",
        ]
    )
    return created
