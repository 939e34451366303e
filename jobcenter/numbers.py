"""How figures are rounded, once, for the screen and for every export.

Commercial rounding (half up, "kaufmännisch") on the decimal value a person reads: 21.95
minutes is 22,0. Django's `number_format` cuts a float's digits off instead (21.96 → "21,9"),
which made the reports disagree with their own exports; screen and export both call this.
"""

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float | int | Decimal | None, digits: int) -> Decimal | None:
    if value is None or value == "":
        return None
    # Through str(), as floatformat does: 2.675 is the 2.675 the person would round by hand,
    # not the binary 2.67499999… behind it.
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def minutes_of(seconds: float | int | None) -> Decimal | None:
    """A duration in seconds as minutes with one decimal, as every report shows it."""
    if seconds is None or seconds == "":
        return None
    return round_half_up(Decimal(str(float(seconds))) / 60, 1)


def german_decimal(value: Decimal, digits: int) -> str:
    """`value` with `digits` decimals and a decimal comma, no thousands separator."""
    return f"{value:.{digits}f}".replace(".", ",")
