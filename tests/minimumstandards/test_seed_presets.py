"""The presets against the seeds' own numbers and dates (issue 11).

Every expected value below is read off the seed's words (quoted in the comments), never
from the preset under test.
"""

from datetime import date

import pytest

from intake.neukunde import InterruptionThreshold, check_neukunde
from minimumstandards.models import DeadlineRule, RuleKind
from minimumstandards.presets import apply_preset

pytestmark = pytest.mark.django_db


def rules_of(jobcenter) -> dict:
    return {
        (r.kind, r.scope): (r.start_event, r.window, r.completing_event, r.application_kind)
        for r in DeadlineRule.objects.filter(jobcenter=jobcenter)
    }


def valid_from_of(jobcenter) -> set:
    return set(
        DeadlineRule.objects.filter(jobcenter=jobcenter).values_list("valid_from", flat=True)
    )


@pytest.mark.rule("R-EG-01")
@pytest.mark.rule("R-EN-01")
def test_cottbus_preset_from_its_seed(jobcenter):
    apply_preset(jobcenter=jobcenter, name="cottbus")
    rules = rules_of(jobcenter)
    # "Stand: 01.01.2021".
    assert valid_from_of(jobcenter) == {date(2021, 1, 1)}
    # "innerhalb von 15 Arbeitstagen ab Antragstellung eine Erstberatung mit Profiling".
    assert rules[(RuleKind.FIRST_CONSULTATION, "")] == (
        "application",
        "15AT",
        "first_consultation",
        "",
    )
    # "Die Erstanträge … innerhalb von 14 Arbeitstagen ab dem Vorliegen der vollständigen
    # Antragsunterlagen zu entscheiden": Erstanträge only.
    assert rules[(RuleKind.DECISION, "")] == (
        "documents_complete",
        "14AT",
        "decision",
        "erstantrag",
    )
    assert RuleKind.CONTACT_DENSITY not in {kind for kind, _scope in rules}
    # "deren Hilfebedürftigkeit um mehr als 182 Kalendertage unterbrochen".
    jobcenter.refresh_from_db()
    assert (jobcenter.interruption_threshold_value, jobcenter.interruption_threshold_unit) == (
        182,
        "days",
    )


@pytest.mark.rule("R-FR-01")
@pytest.mark.rule("R-FR-02")
@pytest.mark.rule("R-EG-02")
@pytest.mark.rule("R-EN-02")
@pytest.mark.rule("R-EN-04")
def test_rhein_lahn_preset_from_its_seed(jobcenter):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    rules = rules_of(jobcenter)
    # "Die Geschäftsanweisungen tritt zum 12.01.2026 in Kraft".
    assert valid_from_of(jobcenter) == {date(2026, 1, 12)}
    # 1.1: "bei persönlichen Vorsprachen … innerhalb von 24 Stunden und bei sonstigen
    # Antragstellung innerhalb von 9 Arbeitstagen".
    assert rules[(RuleKind.ENTRY_CHECK, "personal")][:2] == ("application", "24h")
    assert rules[(RuleKind.ENTRY_CHECK, "other")][:2] == ("application", "9AT")
    # 1.1: "spätestens nach 24 Tagen nach der Antragstellung durch Versagung".
    assert rules[(RuleKind.VERSAGUNG, "")][:2] == ("application", "24KT")
    # 1.3: "innerhalb von 10 Arbeitstagen nach Feststellung des Leistungsanspruches".
    assert rules[(RuleKind.FIRST_CONSULTATION, "")][:2] == ("entitlement", "10AT")
    # 3.1: "Sobald die Unterlagen bearbeitungsreif vorliegen, … innerhalb von 10
    # Arbeitstagen" – every application.
    assert rules[(RuleKind.DECISION, "")] == ("documents_complete", "10AT", "decision", "")
    # 3.1: "Nach Abschluss eines Leistungsfalls ist innerhalb von 4 Wochen der
    # Fallabschluss zu bearbeiten": 4 weeks = 28 calendar days.
    assert rules[(RuleKind.CASE_CLOSURE, "")] == (
        "benefit_ended",
        "28KT",
        "case_closure",
        "",
    )
    # 2.4 names contact intervals per customer group, no deadline of the profile.
    assert RuleKind.CONTACT_DENSITY not in {kind for kind, _scope in rules}
    jobcenter.refresh_from_db()
    assert jobcenter.first_consultation_start == "entitlement"


@pytest.mark.rule("R-NH-01")
@pytest.mark.rule("R-NH-02")
@pytest.mark.rule("R-NH-03")
@pytest.mark.rule("R-NH-04")
@pytest.mark.rule("R-NH-05")
def test_rhein_lahn_follow_ups_at_the_contacts(jobcenter):
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    by_kind = {r.kind: r for r in DeadlineRule.objects.filter(jobcenter=jobcenter)}
    source = "Jobcenter Rhein-Lahn, Kundenprozess, Abschnitt "

    def rule(kind):
        r = by_kind[kind]
        return r.start_event, r.window, r.completing_event, r.source

    # 2.6: "innerhalb von 3 Wochen nach Erhalt des VV eine nachprüfbare Rückmeldung".
    assert rule(RuleKind.VV_FEEDBACK) == ("vv_received", "21KT", "vv_feedback", source + "2.6")
    # 2.8: "einen Termin im Zeitraum von vier Wochen vor bis vier Wochen nach Beendigung der
    # Maßnahme": from 28 days before the end, 56 days long, met by a qualified contact.
    assert rule(RuleKind.MEASURE_END) == ("measure_window", "56KT", "contact", source + "2.8")
    # 2.8: "jährlich die Schulbescheinigungen einzufordern" (each deadline a calendar year).
    assert rule(RuleKind.SCHOOL_CERTIFICATE)[::2] == ("school_year", "school_certificate")
    # 2.8: "spätestens im Januar des Entlassjahres Einladungen": 1 to 31 January.
    assert rule(RuleKind.LEAVING_CLASS) == ("leaving_year", "30KT", "invitation", source + "2.8")
    # 2.8: "mindestens halbjährlich zu überprüfen" (each deadline six calendar months).
    assert rule(RuleKind.AVAILABILITY_REVIEW)[::2] == (
        "availability_reviewed",
        "availability_review",
    )


@pytest.mark.rule("R-NK-01")
def test_rhein_lahn_neukunde_threshold_no_longer_than_two_months(jobcenter):
    """ "mit Ausnahme der letzte Leistungsbezug … liegt noch nicht länger als 2 Monate
    zurück": benefit ended 15.01.2026; on 15.03.2026 it is exactly 2 months ago (not
    longer): not new; on 16.03.2026 longer: new."""
    apply_preset(jobcenter=jobcenter, name="rhein-lahn")
    jobcenter.refresh_from_db()
    assert (jobcenter.interruption_threshold_value, jobcenter.interruption_threshold_unit) == (
        2,
        "months",
    )
    threshold = InterruptionThreshold(
        value=jobcenter.interruption_threshold_value, unit=jobcenter.interruption_threshold_unit
    )

    def new_on(day):
        return check_neukunde(
            birth_date=date(1985, 3, 27),
            application_date=day,
            habitual_residence_in_germany=True,
            last_benefit_end=date(2026, 1, 15),
            threshold=threshold,
        ).is_neukunde

    assert new_on(date(2026, 3, 15)) is False
    assert new_on(date(2026, 3, 16)) is True


@pytest.mark.rule("R-KD-01")
def test_deutsche_weinstrasse_preset_from_its_seed(jobcenter):
    apply_preset(jobcenter=jobcenter, name="deutsche-weinstrasse")
    rules = rules_of(jobcenter)
    # "Umsetzung ab: 01.03.2023".
    assert valid_from_of(jobcenter) == {date(2023, 3, 1)}
    # 3.1: "soll der Abstand zwischen zwei qualifizierten Kontakten nicht mehr als 180
    # Kalendertage überschreiten".
    assert rules[(RuleKind.CONTACT_DENSITY, "")][:2] == ("last_contact", "180KT")
    # 3.2.1: "um mehr als 182 Kalendertage unterbrochen".
    jobcenter.refresh_from_db()
    assert (jobcenter.interruption_threshold_value, jobcenter.interruption_threshold_unit) == (
        182,
        "days",
    )
