"""The back office's lists for bench/backoffice.py: worklists, case list, search, mailboxes.

(page name, URL path with query, role); see bench/backoffice.py for the registry.
"""

PAGES: list[tuple[str, str, str]] = [
    # Leistung's worklist: the team's ~31,000 open cases (at 100,000 customers) and its mailbox.
    ("arbeitsliste-leistung", "/arbeitsliste/", "leistung"),
    ("arbeitsliste-leistung-seite-3", "/arbeitsliste/?seite=3", "leistung"),
    ("arbeitsliste-leistung-status", "/arbeitsliste/?status=unterlagen_fehlen", "leistung"),
    ("arbeitsliste-leistung-faelle", "/arbeitsliste/?art=fall", "leistung"),
    ("arbeitsliste-leistung-suche", "/arbeitsliste/?q=Weber", "leistung"),
    ("arbeitsliste-leistung-kunde", "/arbeitsliste/?sortierung=kunde", "leistung"),
    ("arbeitsliste-leistung-eingang", "/arbeitsliste/?sortierung=eingang&richtung=ab", "leistung"),
    # The IFK's worklist ("Heute") and its panel on the calendar.
    ("arbeitsliste-ifk", "/arbeitsliste/", "ifk"),
    ("arbeitsliste-ifk-faellig", "/arbeitsliste/?sortierung=faellig", "ifk"),
    ("termine-arbeitsliste-ifk", "/termine/arbeitsliste/", "ifk"),
    # The case list with every filter: the team lead sees all ~250,000 cases.
    ("faelle-offen", "/faelle/", "teamleitung"),
    ("faelle-risiko", "/faelle/?state=risk", "teamleitung"),
    ("faelle-erfasst", "/faelle/?state=erfasst", "teamleitung"),
    ("faelle-bewilligt", "/faelle/?state=bewilligt", "teamleitung"),
    ("faelle-alle", "/faelle/?state=all", "teamleitung"),
    ("faelle-alle-seite-2", "/faelle/?state=all&page=2", "teamleitung"),
    ("faelle-suche-name", "/faelle/?q=Weber", "teamleitung"),
    ("faelle-suche-kdnr", "/faelle/?q=962D000151", "teamleitung"),
    ("faelle-suche-bg", "/faelle/?q=96201BG0000151", "teamleitung"),
    ("faelle-leistung", "/faelle/", "leistung"),
    ("faelle-leistung-risiko", "/faelle/?state=risk", "leistung"),
    # The customer search: name, typo'd name, name with first name, Kd.-Nr., BG-Nummer.
    ("kunden-name", "/kunden/?q=Schneider", "empfang"),
    ("kunden-name-tippfehler", "/kunden/?q=Schnieder", "empfang"),
    ("kunden-name-vorname", "/kunden/?q=Schneider%2C+Anna", "empfang"),
    ("kunden-kdnr", "/kunden/?q=962D000151", "empfang"),
    ("kunden-bg", "/kunden/?q=96201BG0000151", "empfang"),
    ("kunden-name-leistung", "/kunden/?q=Zimmermann", "leistung"),
    # The mailboxes: the overview, a team mailbox in each view, the personal one.
    ("postfaecher", "/postfaecher/", "leistung"),
    ("postfach-offen", "/postfaecher/{postfach}/", "leistung"),
    ("postfach-neu", "/postfaecher/{postfach}/?sortierung=neu", "leistung"),
    ("postfach-wiedervorlage", "/postfaecher/{postfach}/?ansicht=wiedervorlage", "leistung"),
    ("postfach-erledigt", "/postfaecher/{postfach}/?ansicht=erledigt", "leistung"),
    ("postfach-persoenlich", "/postfaecher/persoenlich/", "ifk"),
    ("postfaecher-teamleitung", "/postfaecher/", "teamleitung"),
]
