"""Is this a phone number one can call back? German formats, kept as the caller said them.

Accepted: a national number with its area code or mobile prefix ("0202 123456",
"0202/123456", "(0202) 12 34 56", "0171-1234567") and the international forms of a German
number ("+49 202 123456", "0049 171 1234567", "+49 (0)171 1234567"); other countries
only in the international form ("+48 512 345 678"). Not accepted: a number without area
code ("123456"), letters, or too few/many digits. The number is stored as entered; only the
check normalises it.

(The `phonenumbers` library would know every numbering plan; this check needs only the
German rules and keeps the offices' closed machines free of another dependency.)
"""

import re

from django.utils.translation import gettext as _

# Separators people write between digit groups.
_SEPARATORS = re.compile(r"[\s/\-.()]")
# "+49 (0)171 …": the trunk zero written in brackets belongs to neither form.
_TRUNK_IN_BRACKETS = re.compile(r"^(\+|00)49\s*\(0\)")
_ALLOWED = re.compile(r"^\+?[0-9\s/\-.()]+$")
# German numbers without the trunk 0: area code or mobile prefix (2–5 digits, never 0)
# and subscriber number, 6 to 13 digits in all (E.164 allows 15 with the country code).
_GERMAN = re.compile(r"^[1-9]\d{5,12}$")
_INTERNATIONAL = re.compile(r"^[1-9]\d{6,14}$")

EXAMPLE = "0202 123456, +49 171 1234567"


def phone_number_problem(value: str) -> str:
    """Why `value` is no callback number, or '' when it is one."""
    text = (value or "").strip()
    if not text:
        return _("Bitte die Rückrufnummer angeben.")
    if not _ALLOWED.match(text):
        return _("Bitte nur Ziffern, Leerzeichen und + ( ) / - eingeben, z. B. %(example)s.") % {
            "example": EXAMPLE
        }
    text = _TRUNK_IN_BRACKETS.sub(lambda m: m.group(1) + "49", text)
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+49") or digits.startswith("0049"):
        national = digits[3:] if digits.startswith("+") else digits[4:]
        ok = bool(_GERMAN.match(national))
    elif digits.startswith("+"):
        ok = bool(_INTERNATIONAL.match(digits[1:]))
    elif digits.startswith("00"):
        ok = bool(_INTERNATIONAL.match(digits[2:]))
    elif digits.startswith("0"):
        ok = bool(_GERMAN.match(digits[1:]))
    else:
        return _("Bitte die Rückrufnummer mit Vorwahl angeben, z. B. %(example)s.") % {
            "example": EXAMPLE
        }
    if not ok:
        return _(
            "Das ist keine vollständige Telefonnummer: bitte Vorwahl und Rufnummer "
            "prüfen, z. B. %(example)s."
        ) % {"example": EXAMPLE}
    return ""
