"""More filters of the deadline list for the backoffice bench (bench/backoffice.py, issue 13).

The team lead's lists are in pages_dashboard.py; these are the list's other parts and
filters: an IFK's (a team and their own, which the list reads apart), the flagged ones of a
Leistung worker and an IFK (what their badge opens), the paused ones, the completed ones of
a month, a rule's running ones of a month (the forecast's links), those of no team.
"""

PAGES: list[tuple[str, str, str]] = [
    ("Fristenliste: IFK, offen", "/fristen/liste/", "ifk"),
    ("Fristenliste: IFK, gemeldet (Badge)", "/fristen/liste/?zustand=gemeldet", "ifk"),
    ("Fristenliste: Leistung, gemeldet (Badge)", "/fristen/liste/?zustand=gemeldet", "leistung"),
    (
        "Fristenliste: Leistung, gemeldet, Entscheidung, Seite 10",
        "/fristen/liste/?zustand=gemeldet&regel=decision&seite=10",
        "leistung",
    ),
    ("Fristenliste: angehalten", "/fristen/liste/?zustand=angehalten", "teamleitung"),
    (
        "Fristenliste: fristgerecht, Monat",
        "/fristen/liste/?regel=callback&zustand=fristgerecht&zeitraum=2026-10",
        "teamleitung",
    ),
    (
        "Fristenliste: verspätet, alle",
        "/fristen/liste/?zustand=verspaetet&seite=20",
        "teamleitung",
    ),
    (
        "Fristenliste: Entscheidung läuft, Monat",
        "/fristen/liste/?regel=decision&zustand=laeuft&zeitraum=2027-01",
        "teamleitung",
    ),
    ("Fristenliste: ohne Team", "/fristen/liste/?team=ohne", "teamleitung"),
    (
        "Fristenliste: IFK, Kontaktdichte gefährdet",
        "/fristen/liste/?regel=contact_density&zustand=gefaehrdet",
        "ifk",
    ),
]
