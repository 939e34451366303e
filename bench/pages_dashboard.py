"""The team lead's deadline pages for the backoffice bench (bench/backoffice.py, issue 14).

Each entry: (page name, URL path with query, role). The harness logs in as a user of the
role and measures the page beside its floor; the URLs use no ids, so they fit any seed.
"""

PAGES: list[tuple[str, str, str]] = [
    ("Fristen-Übersicht", "/fristen/", "teamleitung"),
    ("Fristen-Übersicht (live)", "/fristen/live/", "teamleitung"),
    ("Fristenliste: überschritten", "/fristen/liste/?zustand=ueberschritten", "teamleitung"),
    (
        "Fristenliste: Entscheidung droht",
        "/fristen/liste/?regel=decision&zustand=droht",
        "teamleitung",
    ),
    (
        "Fristenliste: Erstgespräch, Seite 5",
        "/fristen/liste/?regel=first_consultation&zustand=offen&seite=5",
        "teamleitung",
    ),
    ("Fristenliste: gefährdet (Badge)", "/fristen/liste/?zustand=gefaehrdet", "leistung"),
    ("Fristenliste: gemeldet (Badge)", "/fristen/liste/?zustand=gemeldet", "teamleitung"),
    (
        "Fristenliste: Team, Zeitraum",
        "/fristen/liste/?zustand=offen&zeitraum=2026-12",
        "teamleitung",
    ),
    ("Prognose 10 Arbeitstage", "/fristen/prognose/", "teamleitung"),
    ("Prognose 30 Arbeitstage", "/fristen/prognose/?tage=30", "teamleitung"),
    ("Kennzahlen", "/termine/kennzahlen/", "teamleitung"),
    ("Warteschlange: Wartende", "/warteschlange/wartend/", "teamleitung"),
]
