"""Who is a Neukunde (new customer)? — pure domain logic, no Django.

Specification: rule R-NK-01 (docs/rules.en.md#r-nk-01), from Cottbus, Deutsche
Weinstraße and Rhein-Lahn.  A person is a Neukunde when all of the following hold:

1. they have completed their 15th year of life (das 15. Lebensjahr vollendet) and have
   not yet reached the age limit (Altersgrenze) of § 7a SGB II,
2. their habitual residence (gewöhnlicher Aufenthalt) is in Germany, and
3. it is a first application (Erstantrag), or their need for benefits
   (Hilfebedürftigkeit) was interrupted long enough — the threshold is a setting of the
   Jobcenter (see :class:`InterruptionThreshold`).

Whether the person is actually in need (hilfebedürftig) is not decided here (rule R-NK-01).

Age arithmetic follows the BGB rules for computing a person's age:

* § 187 Abs. 2 Satz 2 BGB: the day of birth counts as the first day of life, so
* § 188 Abs. 2 BGB: a year (or month) of life is completed at the *end* of the day
  before the day that corresponds by number to the birthday.  On the birthday itself the
  age is therefore already completed, all day long.
* § 188 Abs. 3 BGB: if the corresponding day does not exist in the final month
  (29 February in a common year, the 31st in a 30-day month, …) the period ends at the
  end of the last day of that month.  Someone born 29.02.2008 completes 18 years at the
  end of 28.02.2026 and is 18 on 01.03.2026; someone born 31.01. completes a month of
  life at the end of 28./29.02.

Everything here works on calendar dates (Europe/Berlin civil days); callers convert
timestamps to local dates first.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import ngettext

__all__ = [
    "DEFAULT_THRESHOLD",
    "InterruptionThreshold",
    "NeukundeCheck",
    "ThresholdUnit",
    "add_months",
    "age_limit",
    "age_on",
    "altersgrenze",
    "check_neukunde",
    "completed_months_on",
    "has_reached_age_limit",
    "interruption_days",
    "last_eligible_day",
    "vollendung",
]

#: Minimum age: § 7 Abs. 1 Satz 1 Nr. 1 SGB II ("das 15. Lebensjahr vollendet").
MINDESTALTER = 15

# § 7a Satz 2 SGB II: raise of the age limit over 65 years, in months, per birth year.
# Born before 1947: no raise (Satz 1); born 1964 or later: 24 months (67 years).
_ANHEBUNG_MONATE: dict[int, int] = {
    1947: 1,
    1948: 2,
    1949: 3,
    1950: 4,
    1951: 5,
    1952: 6,
    1953: 7,
    1954: 8,
    1955: 9,
    1956: 10,
    1957: 11,
    1958: 12,  # 66 Jahre
    1959: 14,  # from here on 2 months per birth year
    1960: 16,
    1961: 18,
    1962: 20,
    1963: 22,  # 66 Jahre und 10 Monate
}


# --------------------------------------------------------------------------- dates


def _last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_months(d: date, months: int) -> tuple[date, bool]:
    """Return (d + months, clamped?) where the day is clamped to the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last)), d.day > last


def add_months(d: date, months: int) -> date:
    """Calendar month arithmetic with clamping (31.01. + 1 Monat → 28./29.02.).

    Clamping to the last day of the month mirrors § 188 Abs. 3 BGB.
    """
    return _shift_months(d, months)[0]


# ---------------------------------------------------------------------------- age


def _check_born(birth_date: date, on: date) -> None:
    if on < birth_date:
        raise ValueError(f"{on.isoformat()} liegt vor dem Geburtsdatum {birth_date.isoformat()}")


def age_on(birth_date: date, on: date) -> int:
    """Completed years of life (vollendete Lebensjahre) held throughout the day ``on``.

    A year is completed at the end of the day before the birthday (§§ 187 Abs. 2,
    188 Abs. 2 BGB), so on the birthday the new age already applies.  For a birthday on
    29 February the year is completed at the end of 28 February in common years
    (§ 188 Abs. 3 BGB), so the new age applies from 1 March.  Comparing (month, day)
    tuples yields exactly this: in a common year (2, 28) < (2, 29) <= (3, 1).
    """
    _check_born(birth_date, on)
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def completed_months_on(birth_date: date, on: date) -> int:
    """Completed months of life held throughout the day ``on`` (same BGB rules as age_on).

    A month is completed at the end of the day before the day with the birth day's number,
    or at the end of the month's last day if that number does not exist in it
    (born 31.01. → first month completed at the end of 28./29.02.).
    """
    _check_born(birth_date, on)
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    return months - (on.day < birth_date.day)


def vollendung(birth_date: date, *, years: int, months: int = 0) -> date:
    """The day at whose end (24:00) the age of ``years`` years and ``months`` months is
    completed (Vollendung eines Lebensalters).

    § 188 Abs. 2 BGB: end of the day before the day corresponding by number to the day of
    birth; § 188 Abs. 3 BGB: if that day is missing in the month, end of the month's last
    day.  The age applies from the following day.
    """
    target, clamped = _shift_months(birth_date, years * 12 + months)
    # Clamped: the corresponding day does not exist, so the period ends with the last day
    # of the month, which is exactly the clamped date.
    return target if clamped else target - timedelta(days=1)


# ----------------------------------------------------------------- § 7a SGB II


def age_limit(birth_year: int) -> tuple[int, int]:
    """The age (years, months) whose completion sets the § 7a SGB II limit."""
    if birth_year < 1947:
        raise_by = 0  # Satz 1: 65. Lebensjahr
    elif birth_year >= 1964:
        raise_by = 24  # "ab 1964": 67 Jahre
    else:
        raise_by = _ANHEBUNG_MONATE[birth_year]
    return divmod(65 * 12 + raise_by, 12)


def last_eligible_day(birth_date: date) -> date:
    """The last day on which the person is still below the § 7a SGB II age limit.

    § 7a SGB II, for *every* birth-year band: the limit is reached "mit Ablauf des Monats,
    in dem sie das 65. Lebensjahr vollenden" (born before 1947) resp. "auf den Ablauf des
    Monats, in dem ein Lebensalter vollendet wird von …" (table for 1947 and later).  So it
    is always the last day of the month containing the day at whose end the relevant age
    is completed.  Born 01.09.1946: 65 completed at the end of 31.08.2011 → last eligible
    day 31.08.2011 (on the 65th birthday the limit is already reached).
    """
    years, months = age_limit(birth_date.year)
    completed = vollendung(birth_date, years=years, months=months)
    return _last_day_of_month(completed.year, completed.month)


def altersgrenze(birth_date: date) -> date:
    """The first day on which the § 7a SGB II age limit has been reached (no longer
    eligible): the day after :func:`last_eligible_day`, always the 1st of a month."""
    return last_eligible_day(birth_date) + timedelta(days=1)


def has_reached_age_limit(birth_date: date, on: date) -> bool:
    """True when, on the day ``on``, the person has reached the § 7a SGB II age limit."""
    return on > last_eligible_day(birth_date)


# ---------------------------------------------------------- interruption threshold


class ThresholdUnit(StrEnum):
    DAYS = "days"
    MONTHS = "months"


def interruption_days(last_benefit_end: date, application_date: date) -> int:
    """Calendar days without benefit strictly between the last day of benefit and the
    application date.

    The last day of benefit was covered; the application date is the first day of the
    renewed need (benefits are granted from the application, § 37 SGB II), so neither
    counts as a day of interruption.  Benefit ending 31.01. and a new application on
    02.02. → 1 day (01.02.).  0 or negative: no interruption (still in benefit or
    seamless).
    """
    return (application_date - last_benefit_end).days - 1


@dataclass(frozen=True)
class InterruptionThreshold:
    """How long the need must have been interrupted for a repeat application to count as
    new.  A setting of the Jobcenter.

    * ``unit == "days"`` (Cottbus, DW: "um mehr als 182 Kalendertage unterbrochen"):
      new when :func:`interruption_days` is **strictly more than** ``value``.  With 182:
      182 days without benefit → not new, 183 → new.  I.e. new from
      ``last_benefit_end + (value + 2) days`` on.
    * ``unit == "months"`` (Rhein-Lahn, rule R-NK-01: new "unless the last benefit ended less than 2 months
      ago"): the last benefit ended less than ``value`` months ago while the application
      falls within ``value`` months of the day the benefit ended — per rule R-ZT-01 a
      period of N months after the day of an event ends at the end of the day with the
      same number N months later (clamped, § 188 Abs. 2/3 BGB).  So new when
      ``application_date > add_months(last_benefit_end, value)``.  Benefit ending 15.01.,
      2 months: application on 15.03. → not new, 16.03. → new; ending 31.12. →
      not new on 28.02. (29.02.), new from 01.03.
    """

    value: int
    unit: ThresholdUnit = ThresholdUnit.DAYS

    def __post_init__(self) -> None:
        # Accept plain strings ("days") from settings / database rows.
        object.__setattr__(self, "unit", ThresholdUnit(self.unit))
        if isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0:
            raise ValueError(f"Schwellenwert muss eine ganze Zahl >= 0 sein, nicht {self.value!r}")

    def is_exceeded(self, last_benefit_end: date, application_date: date) -> bool:
        """True when the interruption is long enough for the application to count as new."""
        if self.unit is ThresholdUnit.DAYS:
            return interruption_days(last_benefit_end, application_date) > self.value
        return application_date > add_months(last_benefit_end, self.value)

    def describe(self) -> str:
        """German label, e.g. "mehr als 182 Kalendertage" / "mindestens 2 Monate"."""
        if self.unit is ThresholdUnit.DAYS:
            return ngettext(
                "mehr als %(n)d Kalendertag", "mehr als %(n)d Kalendertage", self.value
            ) % {"n": self.value}
        return ngettext("mindestens %(n)d Monat", "mindestens %(n)d Monate", self.value) % {
            "n": self.value
        }


#: Cottbus and Deutsche Weinstraße (rule R-NK-01): more than 182 calendar days.
DEFAULT_THRESHOLD = InterruptionThreshold(182, ThresholdUnit.DAYS)


# --------------------------------------------------------------------------- check


@dataclass(frozen=True)
class NeukundeCheck:
    """Outcome of :func:`check_neukunde`.

    ``reasons`` are German, human-readable sentences for the front desk: every failed
    condition when ``is_neukunde`` is False, the reason the application counts as new
    (Erstantrag / long enough interruption) when True.
    """

    is_neukunde: bool
    reasons: tuple[str, ...]


def _fmt(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def check_neukunde(
    *,
    birth_date: date,
    application_date: date,
    habitual_residence_in_germany: bool,
    last_benefit_end: date | None,
    threshold: InterruptionThreshold = DEFAULT_THRESHOLD,
) -> NeukundeCheck:
    """Decide whether the applicant is a Neukunde on ``application_date``.

    ``last_benefit_end`` is the last day for which SGB II benefits were received (from
    this Jobcenter, where the Jobcenter's rule says so — the caller selects the record);
    ``None`` means none ever: an Erstantrag.  Age is evaluated on the application date.
    All failed conditions are reported, not just the first.
    """
    if application_date < birth_date:
        raise ValueError("Antragsdatum liegt vor dem Geburtsdatum")

    failures: list[str] = []

    # 1. Alter: 15. Lebensjahr vollendet, § 7a-Altersgrenze noch nicht erreicht.
    if age_on(birth_date, application_date) < MINDESTALTER:
        failures.append(f"unter {MINDESTALTER} Jahre alt")
    if has_reached_age_limit(birth_date, application_date):
        failures.append(
            f"Altersgrenze nach § 7a SGB II erreicht (mit Ablauf des "
            f"{_fmt(last_eligible_day(birth_date))})"
        )

    # 2. Gewöhnlicher Aufenthalt in Deutschland.
    if not habitual_residence_in_germany:
        failures.append("kein gewöhnlicher Aufenthalt in Deutschland")

    # 3. Erstantrag oder ausreichend lange Unterbrechung.
    if last_benefit_end is None:
        positive = "Erstantrag"
    else:
        gap = interruption_days(last_benefit_end, application_date)
        if gap <= 0:
            # Still receiving benefit, or the new application follows seamlessly.
            failures.append(
                f"Leistungsbezug nicht unterbrochen (letzter Leistungstag {_fmt(last_benefit_end)})"
            )
            positive = ""
        elif threshold.is_exceeded(last_benefit_end, application_date):
            positive = ngettext(
                "Leistungsbezug %(n)d Tag unterbrochen",
                "Leistungsbezug %(n)d Tage unterbrochen",
                gap,
            ) % {"n": gap}
        elif threshold.unit is ThresholdUnit.DAYS:
            failures.append(
                ngettext(
                    "Leistungsbezug nur %(n)d Tag unterbrochen",
                    "Leistungsbezug nur %(n)d Tage unterbrochen",
                    gap,
                )
                % {"n": gap}
                + " "
                + ngettext("(Schwelle: %(n)d Tag)", "(Schwelle: %(n)d Tage)", threshold.value)
                % {"n": threshold.value}
            )
            positive = ""
        else:
            failures.append(
                ngettext(
                    "letzter Leistungsbezug endete vor weniger als %(n)d Monat",
                    "letzter Leistungsbezug endete vor weniger als %(n)d Monaten",
                    threshold.value,
                )
                % {"n": threshold.value}
                + " "
                + ngettext(
                    "(am %(day)s, nur %(n)d Tag unterbrochen)",
                    "(am %(day)s, nur %(n)d Tage unterbrochen)",
                    gap,
                )
                % {"day": _fmt(last_benefit_end), "n": gap}
            )
            positive = ""

    if failures:
        return NeukundeCheck(False, tuple(failures))
    return NeukundeCheck(True, (positive,))
