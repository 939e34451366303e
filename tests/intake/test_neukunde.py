"""Tests for intake.neukunde (rule R-NK-01, § 7a SGB II, §§ 187/188 BGB).

Pure Python: run with ``pytest -p no:django tests/intake/test_neukunde.py``.
Expected dates are written out literally so they do not depend on the implementation.
"""

from datetime import date, timedelta

import pytest

from intake.neukunde import (
    DEFAULT_THRESHOLD,
    InterruptionThreshold,
    NeukundeCheck,
    ThresholdUnit,
    add_months,
    age_limit,
    age_on,
    altersgrenze,
    check_neukunde,
    completed_months_on,
    has_reached_age_limit,
    interruption_days,
    last_eligible_day,
    vollendung,
)

D = date
DAY = timedelta(days=1)
MONTHS_2 = InterruptionThreshold(2, "months")


def check(**overrides):
    kwargs = dict(
        birth_date=D(1990, 5, 17),
        application_date=D(2026, 3, 10),
        habitual_residence_in_germany=True,
        last_benefit_end=None,
        threshold=DEFAULT_THRESHOLD,
    )
    kwargs.update(overrides)
    return check_neukunde(**kwargs)


# ------------------------------------------------------------------ add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2025, 12, 31), 2, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2026, 1, 15), 2, D(2026, 3, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


# ------------------------------------------------------------------------ age


def test_age_on_birthday_is_completed_day_before_is_not():
    birth = D(2011, 3, 10)
    assert age_on(birth, D(2026, 3, 9)) == 14
    assert age_on(birth, D(2026, 3, 10)) == 15
    assert age_on(birth, D(2026, 3, 11)) == 15


def test_age_on_day_of_birth_is_zero_and_before_birth_raises():
    assert age_on(D(2020, 6, 1), D(2020, 6, 1)) == 0
    with pytest.raises(ValueError):
        age_on(D(2020, 6, 1), D(2020, 5, 31))


def test_born_29_february_completes_year_at_end_of_28_february():
    birth = D(2008, 2, 29)
    # 2026 is a common year: 18 completed at the end of 28.02.2026.
    assert vollendung(birth, years=18) == D(2026, 2, 28)
    assert age_on(birth, D(2026, 2, 28)) == 17
    assert age_on(birth, D(2026, 3, 1)) == 18
    # Leap year: completed at the end of 28.02., 29.02. is the birthday.
    assert vollendung(birth, years=16) == D(2024, 2, 28)
    assert age_on(birth, D(2024, 2, 28)) == 15
    assert age_on(birth, D(2024, 2, 29)) == 16


def test_vollendung_regular_and_31st():
    assert vollendung(D(2008, 3, 15), years=18) == D(2026, 3, 14)
    assert vollendung(D(2008, 3, 1), years=18) == D(2026, 2, 28)
    # Born 31.01.: the 1st month of life is completed at the end of February's last day.
    assert vollendung(D(2026, 1, 31), years=0, months=1) == D(2026, 2, 28)
    assert vollendung(D(2024, 1, 31), years=0, months=1) == D(2024, 2, 29)
    assert vollendung(D(2026, 1, 30), years=0, months=1) == D(2026, 2, 28)
    assert vollendung(D(2026, 1, 28), years=0, months=1) == D(2026, 2, 27)


def test_completed_months_on_month_end_births():
    assert completed_months_on(D(2026, 1, 31), D(2026, 2, 28)) == 0
    assert completed_months_on(D(2026, 1, 31), D(2026, 3, 1)) == 1
    assert completed_months_on(D(2026, 1, 28), D(2026, 2, 28)) == 1


def test_age_functions_agree_with_vollendung_for_every_day():
    """Cross-check the tuple arithmetic against the § 188 BGB month arithmetic."""
    birth = D(1999, 12, 28)
    while birth <= D(2000, 3, 5):
        for years, months in [(15, 0), (18, 0), (0, 1), (0, 2), (65, 1), (66, 2)]:
            c = vollendung(birth, years=years, months=months)
            total = years * 12 + months
            assert completed_months_on(birth, c) == total - 1
            assert completed_months_on(birth, c + DAY) == total
            if months == 0:
                assert age_on(birth, c) == years - 1
                assert age_on(birth, c + DAY) == years
        birth += DAY


# -------------------------------------------------------------- § 7a SGB II

# (birth year, (years, months)) exactly as in the table of § 7a Satz 2 SGB II.
AGE_LIMIT_TABLE = [
    (1900, (65, 0)),
    (1946, (65, 0)),
    (1947, (65, 1)),
    (1948, (65, 2)),
    (1949, (65, 3)),
    (1950, (65, 4)),
    (1951, (65, 5)),
    (1952, (65, 6)),
    (1953, (65, 7)),
    (1954, (65, 8)),
    (1955, (65, 9)),
    (1956, (65, 10)),
    (1957, (65, 11)),
    (1958, (66, 0)),
    (1959, (66, 2)),
    (1960, (66, 4)),
    (1961, (66, 6)),
    (1962, (66, 8)),
    (1963, (66, 10)),
    (1964, (67, 0)),
    (1990, (67, 0)),
]


@pytest.mark.parametrize(("year", "limit"), AGE_LIMIT_TABLE)
def test_age_limit_table(year, limit):
    assert age_limit(year) == limit


# Born on the 15th of June: age completed on the 14th, limit at the end of that month.
MID_MONTH = [
    (1946, D(2011, 6, 30)),
    (1947, D(2012, 7, 31)),
    (1948, D(2013, 8, 31)),
    (1949, D(2014, 9, 30)),
    (1950, D(2015, 10, 31)),
    (1951, D(2016, 11, 30)),
    (1952, D(2017, 12, 31)),
    (1953, D(2019, 1, 31)),
    (1954, D(2020, 2, 29)),
    (1955, D(2021, 3, 31)),
    (1956, D(2022, 4, 30)),
    (1957, D(2023, 5, 31)),
    (1958, D(2024, 6, 30)),
    (1959, D(2025, 8, 31)),
    (1960, D(2026, 10, 31)),
    (1961, D(2027, 12, 31)),
    (1962, D(2029, 2, 28)),
    (1963, D(2030, 4, 30)),
    (1964, D(2031, 6, 30)),
]

# Born on 1 January: the age is completed at the end of the last day of the month before
# the "birthday month", so the limit is reached one month earlier than for the 2nd.
FIRST_OF_MONTH = [
    (1946, D(2010, 12, 31)),
    (1947, D(2012, 1, 31)),
    (1948, D(2013, 2, 28)),
    (1949, D(2014, 3, 31)),
    (1950, D(2015, 4, 30)),
    (1951, D(2016, 5, 31)),
    (1952, D(2017, 6, 30)),
    (1953, D(2018, 7, 31)),
    (1954, D(2019, 8, 31)),
    (1955, D(2020, 9, 30)),
    (1956, D(2021, 10, 31)),
    (1957, D(2022, 11, 30)),
    (1958, D(2023, 12, 31)),
    (1959, D(2025, 2, 28)),
    (1960, D(2026, 4, 30)),
    (1961, D(2027, 6, 30)),
    (1962, D(2028, 8, 31)),
    (1963, D(2029, 10, 31)),
    (1964, D(2030, 12, 31)),
]


@pytest.mark.parametrize(("year", "last_day"), MID_MONTH)
def test_age_limit_every_band_mid_month(year, last_day):
    birth = D(year, 6, 15)
    assert last_eligible_day(birth) == last_day
    assert altersgrenze(birth) == last_day + DAY
    assert not has_reached_age_limit(birth, last_day)
    assert has_reached_age_limit(birth, last_day + DAY)


@pytest.mark.parametrize(("year", "last_day"), FIRST_OF_MONTH)
def test_age_limit_every_band_born_first_of_month(year, last_day):
    birth = D(year, 1, 1)
    assert last_eligible_day(birth) == last_day
    assert not has_reached_age_limit(birth, last_day)
    assert has_reached_age_limit(birth, last_day + DAY)


def test_band_edge_31_12_1946_vs_01_01_1947():
    # Born 31.12.1946: 65 completed at the end of 30.12.2011 → limit end of Dec 2011.
    assert last_eligible_day(D(1946, 12, 31)) == D(2011, 12, 31)
    assert altersgrenze(D(1946, 12, 31)) == D(2012, 1, 1)
    # Born 01.01.1947: 65y1m completed at the end of 31.01.2012 → limit end of Jan 2012.
    assert last_eligible_day(D(1947, 1, 1)) == D(2012, 1, 31)
    assert altersgrenze(D(1947, 1, 1)) == D(2012, 2, 1)


def test_band_edge_31_12_1963_vs_01_01_1964():
    # 66y10m: 31.10.2030 exists → completed at the end of 30.10.2030.
    assert last_eligible_day(D(1963, 12, 31)) == D(2030, 10, 31)
    # 67y: completed at the end of 31.12.2030.
    assert last_eligible_day(D(1964, 1, 1)) == D(2030, 12, 31)
    assert last_eligible_day(D(1964, 1, 2)) == D(2031, 1, 31)


def test_1958_is_66_years_and_1959_is_66_years_2_months():
    assert last_eligible_day(D(1958, 3, 20)) == D(2024, 3, 31)
    assert last_eligible_day(D(1959, 3, 20)) == D(2025, 5, 31)
    # Both born on the 1st: completed at the end of the previous month.
    assert last_eligible_day(D(1958, 3, 1)) == D(2024, 2, 29)
    assert last_eligible_day(D(1959, 3, 1)) == D(2025, 4, 30)


def test_before_1947_limit_reached_on_65th_birthday_if_born_on_the_first():
    # Turns 65 on 01.09.2011 → completed at the end of 31.08.2011: on the birthday the
    # limit has already been reached.
    birth = D(1946, 9, 1)
    assert last_eligible_day(birth) == D(2011, 8, 31)
    assert has_reached_age_limit(birth, D(2011, 9, 1))
    # Turns 65 on 02.01.2011 → completed at the end of 01.01.2011 → end of January.
    assert last_eligible_day(D(1946, 1, 2)) == D(2011, 1, 31)


@pytest.mark.parametrize(
    ("birth", "last_day"),
    [
        # 31st, target day missing (31.04.) → completed at the end of 30.04.
        (D(1947, 3, 31), D(2012, 4, 30)),
        (D(1947, 3, 30), D(2012, 4, 30)),
        (D(1947, 4, 1), D(2012, 4, 30)),
        (D(1947, 4, 2), D(2012, 5, 31)),
        # 65y2m from end of December lands in February.
        (D(1948, 12, 31), D(2014, 2, 28)),
        (D(1948, 12, 28), D(2014, 2, 28)),
        (D(1959, 12, 31), D(2026, 2, 28)),
        # End of month births.
        (D(1955, 4, 30), D(2021, 1, 31)),
        (D(1962, 11, 30), D(2029, 7, 31)),
        # 29 February.
        (D(1944, 2, 29), D(2009, 2, 28)),  # 65th birthday missing in 2009
        (D(1944, 3, 1), D(2009, 2, 28)),
        (D(1948, 2, 29), D(2013, 4, 30)),
        (D(1956, 2, 29), D(2021, 12, 31)),
        (D(1964, 2, 29), D(2031, 2, 28)),  # 2031 is a common year
        (D(1968, 2, 29), D(2035, 2, 28)),
        (D(1972, 2, 29), D(2039, 2, 28)),
    ],
)
def test_age_limit_month_end_and_leap_day_births(birth, last_day):
    assert last_eligible_day(birth) == last_day
    assert not has_reached_age_limit(birth, last_day)
    assert has_reached_age_limit(birth, last_day + DAY)


def test_last_eligible_day_is_always_a_month_end_and_after_completion():
    birth = D(1945, 1, 1)
    while birth <= D(1966, 12, 31):
        last = last_eligible_day(birth)
        assert (last + DAY).day == 1
        years, months = age_limit(birth.year)
        limit_months = years * 12 + months
        # Not yet completed when the month of reaching begins, completed by its end.
        assert completed_months_on(birth, last.replace(day=1)) < limit_months
        assert completed_months_on(birth, last + DAY) >= limit_months
        birth += timedelta(days=3)


# ----------------------------------------------------------- check_neukunde


def test_first_application_adult_is_neukunde():
    result = check()
    assert result == NeukundeCheck(True, ("Erstantrag",))


def test_result_is_frozen():
    result = check()
    with pytest.raises(AttributeError):
        result.is_neukunde = False  # type: ignore[misc]


def test_age_15_edges():
    birth = D(2011, 3, 10)
    before = check(birth_date=birth, application_date=D(2026, 3, 9))
    assert not before.is_neukunde
    assert before.reasons == ("unter 15 Jahre alt",)
    assert check(birth_date=birth, application_date=D(2026, 3, 10)).is_neukunde


def test_age_15_born_29_february():
    leap = D(2008, 2, 29)
    # 15th birthday 2023 (common year): 15 completed at the end of 28.02.2023.
    assert not check(birth_date=leap, application_date=D(2023, 2, 28)).is_neukunde
    assert check(birth_date=leap, application_date=D(2023, 3, 1)).is_neukunde


def test_age_limit_day_before_and_day_of_reaching():
    birth = D(1960, 6, 15)  # 66y4m → last eligible day 31.10.2026
    assert check(birth_date=birth, application_date=D(2026, 10, 31)).is_neukunde
    reached = check(birth_date=birth, application_date=D(2026, 11, 1))
    assert not reached.is_neukunde
    assert reached.reasons == (
        "Altersgrenze nach § 7a SGB II erreicht (mit Ablauf des 31.10.2026)",
    )


def test_no_habitual_residence():
    result = check(habitual_residence_in_germany=False)
    assert result == NeukundeCheck(False, ("kein gewöhnlicher Aufenthalt in Deutschland",))


def test_all_failures_are_reported():
    result = check(
        birth_date=D(2015, 1, 1),
        habitual_residence_in_germany=False,
        last_benefit_end=D(2026, 3, 1),
    )
    assert not result.is_neukunde
    assert result.reasons == (
        "unter 15 Jahre alt",
        "kein gewöhnlicher Aufenthalt in Deutschland",
        "Leistungsbezug nur 8 Tage unterbrochen (Schwelle: 182 Tage)",
    )


def test_application_before_birth_raises():
    with pytest.raises(ValueError):
        check(birth_date=D(2026, 3, 11), application_date=D(2026, 3, 10))


# ------------------------------------------------------- interruption threshold


def test_interruption_days_counts_days_strictly_between():
    assert interruption_days(D(2026, 1, 31), D(2026, 2, 1)) == 0
    assert interruption_days(D(2026, 1, 31), D(2026, 2, 2)) == 1
    assert interruption_days(D(2026, 1, 31), D(2026, 1, 31)) == -1


def test_days_threshold_exactly_182_is_not_new_183_is():
    end = D(2026, 1, 31)
    at_182 = check(last_benefit_end=end, application_date=D(2026, 8, 2))
    assert interruption_days(end, D(2026, 8, 2)) == 182
    assert not at_182.is_neukunde
    assert at_182.reasons == ("Leistungsbezug nur 182 Tage unterbrochen (Schwelle: 182 Tage)",)

    at_183 = check(last_benefit_end=end, application_date=D(2026, 8, 3))
    assert at_183 == NeukundeCheck(True, ("Leistungsbezug 183 Tage unterbrochen",))


def test_days_threshold_short_interruption_reason():
    result = check(last_benefit_end=D(2026, 1, 31), application_date=D(2026, 3, 13))
    assert result == NeukundeCheck(
        False, ("Leistungsbezug nur 40 Tage unterbrochen (Schwelle: 182 Tage)",)
    )


@pytest.mark.parametrize("application", [D(2026, 1, 20), D(2026, 1, 31), D(2026, 2, 1)])
def test_ongoing_or_seamless_benefit_is_not_new(application):
    for threshold in (DEFAULT_THRESHOLD, MONTHS_2, InterruptionThreshold(0, "days")):
        result = check(
            last_benefit_end=D(2026, 1, 31), application_date=application, threshold=threshold
        )
        assert not result.is_neukunde
        assert result.reasons == (
            "Leistungsbezug nicht unterbrochen (letzter Leistungstag 31.01.2026)",
        )


def test_months_threshold_edge():
    end = D(2026, 1, 15)
    within = check(last_benefit_end=end, application_date=D(2026, 3, 15), threshold=MONTHS_2)
    assert not within.is_neukunde
    assert within.reasons == (
        "letzter Leistungsbezug endete vor weniger als 2 Monaten "
        "(am 15.01.2026, nur 58 Tage unterbrochen)",
    )
    after = check(last_benefit_end=end, application_date=D(2026, 3, 16), threshold=MONTHS_2)
    assert after == NeukundeCheck(True, ("Leistungsbezug 59 Tage unterbrochen",))


@pytest.mark.parametrize(
    ("end", "last_not_new"),
    [
        (D(2025, 12, 31), D(2026, 2, 28)),
        (D(2023, 12, 31), D(2024, 2, 29)),
        (D(2026, 3, 31), D(2026, 5, 31)),
        (D(2026, 7, 31), D(2026, 9, 30)),
    ],
)
def test_months_threshold_clamps_at_month_end(end, last_not_new):
    assert not MONTHS_2.is_exceeded(end, last_not_new)
    assert MONTHS_2.is_exceeded(end, last_not_new + DAY)


def test_threshold_accepts_strings_and_validates():
    assert InterruptionThreshold(2, "months").unit is ThresholdUnit.MONTHS
    assert InterruptionThreshold(182, "days") == DEFAULT_THRESHOLD
    assert DEFAULT_THRESHOLD.unit == "days"
    assert DEFAULT_THRESHOLD.describe() == "mehr als 182 Kalendertage"
    assert MONTHS_2.describe() == "mindestens 2 Monate"
    with pytest.raises(ValueError):
        InterruptionThreshold(2, "weeks")
    with pytest.raises(ValueError):
        InterruptionThreshold(-1, "days")
    with pytest.raises(AttributeError):
        DEFAULT_THRESHOLD.value = 10  # type: ignore[misc]


# ------------------------------------------------------- plain German: 1 Tag, 2 Tage


@pytest.mark.parametrize(
    ("application", "days"), [(D(2026, 2, 2), "1 Tag"), (D(2026, 2, 3), "2 Tage")]
)
def test_short_interruption_in_days_agrees_with_its_count(application, days):
    one = InterruptionThreshold(1, "days")
    result = check(last_benefit_end=D(2026, 1, 31), application_date=application, threshold=one)
    if days == "1 Tag":
        assert result.reasons == ("Leistungsbezug nur 1 Tag unterbrochen (Schwelle: 1 Tag)",)
    else:
        assert result == NeukundeCheck(True, ("Leistungsbezug 2 Tage unterbrochen",))


@pytest.mark.parametrize(
    ("application", "days"), [(D(2026, 2, 2), "1 Tag"), (D(2026, 2, 3), "2 Tage")]
)
def test_short_interruption_in_months_agrees_with_its_counts(application, days):
    one_month = InterruptionThreshold(1, "months")
    result = check(
        last_benefit_end=D(2026, 1, 31), application_date=application, threshold=one_month
    )
    assert result.reasons == (
        f"letzter Leistungsbezug endete vor weniger als 1 Monat (am 31.01.2026, nur {days} unterbrochen)",
    )


def test_threshold_of_one_is_singular():
    assert InterruptionThreshold(1, "days").describe() == "mehr als 1 Kalendertag"
    assert InterruptionThreshold(1, "months").describe() == "mindestens 1 Monat"
