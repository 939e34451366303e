"""The default catalogue of information types and where each goes (rules R-IA-03, R-IA-04).

Every item of the Wuppertal list (rule R-IA-03: to Leistung and Integration at once; to
Integration only) and Herford's additions for the pAp (rule R-IA-04; Anlage 3 Nr. 6.1, Anlage 1
Nr. 6.1). Each Jobcenter gets its own copy when it is created and edits it in the admin;
the lists are "not exhaustive".

Plain data and one function over model classes passed in, so that the migrations (with
their historical models) and `routing.services.catalogue_seed` read the same rows.
"""

BOTH = ["leistung", "integration"]
INTEGRATION = ["integration"]
PAP = ["ifk"]

# code, name, targets, (date requirement, date label), (reason requirement, reason label),
# text required, hint, description, source
TYPES = [
    (
        "stationaere-unterbringung",
        "Unterbringung in einer vollstationären Einrichtung",
        BOTH,
        ("optional", "Aufnahme in die Einrichtung am"),
        ("none", ""),
        False,
        "Name der Einrichtung in den Text schreiben, falls bekannt.",
        "",
        "WU 3",
    ),
    (
        "schwangerschaft",
        "Schwangerschaft",
        BOTH,
        ("optional", "voraussichtlicher Entbindungstermin"),
        ("none", ""),
        False,
        "Als Nachweis des Entbindungstermins genügt eine Bescheinigung der behandelnden "
        "Ärztin oder des behandelnden Arztes. Den Mutterpass nicht anfordern.",
        "",
        "WU 3",
    ),
    (
        "mietschulden-stromsperre",
        "Mietschulden / Stromsperre",
        BOTH,
        ("optional", "Sperre angekündigt zum"),
        ("none", ""),
        False,
        "Bei drohender Räumung oder Sperre „dringend“ ankreuzen.",
        "",
        "WU 3",
    ),
    (
        "umzug",
        "Umzug",
        BOTH,
        ("optional", "Umzug am"),
        ("none", ""),
        False,
        "Neue Anschrift in den Text schreiben. Unter 25-Jährige brauchen vor dem Umzug eine "
        "Zusicherung.",
        "",
        "WU 3",
    ),
    (
        "beschaeftigung-aufnahme",
        "Aufnahme oder Änderung einer Beschäftigung",
        BOTH,
        ("required", "Beginn oder Änderung am"),
        ("none", ""),
        False,
        "Jede Beschäftigung melden: versicherungspflichtig oder geringfügig, laufend oder "
        "vergangen, auch rückwirkende Zeiträume aus dem Datenabgleich nach § 52 SGB II; "
        "einschließlich Ausbildung und Studium.",
        "",
        "WU 3, HF Anlage 3 Nr. 6.1",
    ),
    (
        "beschaeftigung-ende",
        "Beendigung einer Beschäftigung",
        BOTH,
        ("required", "Ende der Beschäftigung am"),
        ("required", "Grund der Beendigung"),
        False,
        "Den angegebenen oder nachgewiesenen Zeitpunkt der Arbeitsaufgabe und den Grund "
        "angeben. Ist der Grund nicht bekannt, „nicht bekannt“ eintragen.",
        "",
        "WU 3",
    ),
    (
        "ausschlussgrund",
        "Ausschlussgrund (auch einzelner Personen der BG)",
        BOTH,
        ("required", "Ausschluss möglich ab"),
        ("required", "Grund des Ausschlusses"),
        False,
        "Zum Beispiel Altersrente, volle Erwerbsminderungsrente auf Dauer, Studium. Als "
        "Kundin oder Kunde die betroffene Person der BG wählen.",
        "",
        "WU 3",
    ),
    (
        "schulbescheinigung",
        "Schulbescheinigung",
        BOTH,
        ("none", ""),
        ("none", ""),
        False,
        "",
        "",
        "WU 3",
    ),
    (
        "tod",
        "Tod einer oder eines Leistungsberechtigten",
        BOTH,
        ("required", "Sterbedatum"),
        ("none", ""),
        False,
        "Als Kundin oder Kunde die verstorbene Person wählen.",
        "",
        "WU 3",
    ),
    (
        "aufhebung-ablehnung",
        "Aufhebung / Ablehnung / Versagung / Entziehung der Leistung",
        INTEGRATION,
        ("required", "Datum der Aufhebung, Ablehnung, Versagung oder Entziehung"),
        ("none", ""),
        False,
        "",
        "",
        "WU 3",
    ),
    (
        "arbeitsunfaehigkeit",
        "Arbeitsunfähigkeitsbescheinigung / ärztliches Attest",
        INTEGRATION,
        ("optional", "arbeitsunfähig bis"),
        ("none", ""),
        False,
        "",
        "",
        "WU 3, HF Anlage 1 Nr. 6.1",
    ),
    (
        "massnahme-unterlagen",
        "Unterlagen zu Trainingsmaßnahmen, Arbeitsgelegenheiten, Qualifizierungen und "
        "Weiterbildungen",
        INTEGRATION,
        ("none", ""),
        ("none", ""),
        False,
        "",
        "",
        "WU 3",
    ),
    (
        "kostenantrag",
        "Antrag auf Bewerbungskosten, Fahrkosten zum Vorstellungsgespräch oder Umzugs- und "
        "Fahrkosten bei Arbeitsaufnahme",
        INTEGRATION,
        ("none", ""),
        ("none", ""),
        False,
        "",
        "",
        "WU 3",
    ),
    (
        "eingliederungszuschuss",
        "Antrag einer Arbeitgeberin oder eines Arbeitgebers auf Eingliederungszuschuss (EGZ)",
        INTEGRATION,
        ("none", ""),
        ("none", ""),
        False,
        "",
        "",
        "WU 3",
    ),
    (
        "einstiegsgeld",
        "Antrag auf Einstiegsgeld",
        INTEGRATION,
        ("none", ""),
        ("none", ""),
        False,
        "",
        "",
        "WU 3",
    ),
    (
        "arbeitspaket-schueler",
        "Arbeitspaket / Anmeldebogen Schülerin oder Schüler",
        INTEGRATION,
        ("none", ""),
        ("none", ""),
        False,
        "",
        "",
        "WU 3",
    ),
    (
        "krankengeld",
        "Krankengeldbezug",
        PAP,
        ("optional", "Krankengeld seit"),
        ("none", ""),
        False,
        "",
        "",
        "HF Anlage 3 Nr. 6.1",
    ),
    (
        "alg1-aenderung",
        "Veränderung im Bezug von Arbeitslosengeld (ALG I)",
        PAP,
        ("optional", "Änderung zum"),
        ("none", ""),
        False,
        "",
        "",
        "HF Anlage 3 Nr. 6.1",
    ),
    (
        "ueberschuldung",
        "Überschuldung",
        PAP,
        ("none", ""),
        ("none", ""),
        False,
        "Auf die Schuldnerberatung hinweisen.",
        "",
        "HF Anlage 3 Nr. 6.1",
    ),
    (
        "bg-personen",
        "Änderung der Personen der Bedarfsgemeinschaft",
        PAP,
        ("optional", "Änderung zum"),
        ("none", ""),
        True,
        "Wer ist hinzugekommen oder ausgezogen? Namen und Geburtsdaten in den Text schreiben.",
        "",
        "HF Anlage 3 Nr. 6.1",
    ),
    (
        "ortsabwesenheit",
        "Ortsabwesenheit (Antrag)",
        PAP,
        ("required", "abwesend ab"),
        ("none", ""),
        True,
        "Zeitraum und Erreichbarkeit in den Text schreiben.",
        "",
        "HF Anlage 1 Nr. 6.1",
    ),
    (
        "gespraechswunsch",
        "Gesprächswunsch / Beratungsbedarf",
        PAP,
        ("none", ""),
        ("none", ""),
        True,
        "Anliegen und Rückrufnummer in den Text schreiben; eilige Anliegen zusätzlich "
        "telefonisch weitergeben.",
        "",
        "HF Anlage 1 und 3 Nr. 6.1",
    ),
    (
        "sonstiges",
        "Sonstige Information für Leistung und Integration",
        BOTH,
        ("none", ""),
        ("none", ""),
        True,
        "Für alles, was in keine andere Informationsart passt: die Listen sind nicht abschließend.",
        "",
        "WU 3",
    ),
]


def seed(jobcenter_id: int, *, information_type_model, routing_rule_model) -> int:
    """Create the default types (and their rules) the Jobcenter does not have yet.

    A type counts as present when the Jobcenter has one with its code or its name, so the
    Jobcenter's own edits are never overwritten. Returns how many types were created.
    """
    existing = information_type_model.objects.filter(jobcenter_id=jobcenter_id)
    codes = set(existing.values_list("code", flat=True))
    names = set(existing.values_list("name", flat=True))
    new, targets_of = [], {}
    for position, row in enumerate(TYPES, start=1):
        code, name, targets, (date_req, date_label), (reason_req, reason_label) = row[:5]
        text_required, hint, description, source = row[5:]
        if code in codes or name in names:
            continue
        new.append(
            information_type_model(
                jobcenter_id=jobcenter_id,
                code=code,
                name=name,
                position=position * 10,
                event_date=date_req,
                event_date_label=date_label,
                reason=reason_req,
                reason_label=reason_label,
                text_required=text_required,
                hint=hint,
                description=description,
                source=source,
            )
        )
        targets_of[code] = targets
    if not new:
        return 0
    information_type_model.objects.bulk_create(new)
    # Read back by code: not every backend hands back the new primary keys.
    created = information_type_model.objects.filter(
        jobcenter_id=jobcenter_id, code__in=list(targets_of)
    )
    routing_rule_model.objects.bulk_create(
        routing_rule_model(information_type_id=t.pk, target=target)
        for t in created
        for target in targets_of[t.code]
    )
    return len(new)
