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
# Rule R-IA-04: Herford's EZ staff are Leistung staff, so "to the pAp" comes on top of
# Leistung processing the change.
LEISTUNG_AND_PAP = ["leistung", "ifk"]
PAP_WHEN_LATE = ["ifk:late"]  # a rule that fires only when the note comes in late
NOWHERE: list[str] = []  # an entry note only, sent nowhere

# Rule R-IA-04 (Anlage 1 Nr. 3.10: "Historienvermerk VerBIS und unterminierte Wv an pAp"):
# the follow-up has no date of its own, it is due the day the information came in.
SAME_DAY = {"follow_up_days": 0}

# code, name, targets, (date requirement, date label), (reason requirement, reason label),
# text required, hint, description, source[, options: follow_up_days]
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
        PAP,
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
        LEISTUNG_AND_PAP,
        ("optional", "Krankengeld seit"),
        ("none", ""),
        False,
        "",
        "",
        "HF Anlage 1 Nr. 3.10, Anlage 3 Nr. 6.1",
        SAME_DAY,
    ),
    (
        "alg1-aenderung",
        "Bewilligung oder Veränderung von Arbeitslosengeld (ALG I)",
        LEISTUNG_AND_PAP,
        ("optional", "Bewilligung oder Änderung zum"),
        ("none", ""),
        False,
        "",
        "",
        "HF Anlage 1 Nr. 3.10, Anlage 3 Nr. 6.1",
        SAME_DAY,
    ),
    (
        "betreuungsgeld",
        "Betreuungsgeld",
        LEISTUNG_AND_PAP,
        ("optional", "Betreuungsgeld seit"),
        ("none", ""),
        False,
        "",
        "",
        "HF Anlage 1 Nr. 3.10",
        SAME_DAY,
    ),
    (
        "rente",
        "Rente (jeder Art)",
        LEISTUNG_AND_PAP,
        ("optional", "Rente seit"),
        ("none", ""),
        False,
        "Art der Rente in den Text schreiben. Altersrente oder volle Erwerbsminderungsrente "
        "auf Dauer zusätzlich als Ausschlussgrund melden.",
        "",
        "HF Anlage 1 Nr. 3.10",
        SAME_DAY,
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
        LEISTUNG_AND_PAP,
        ("optional", "Änderung zum"),
        ("none", ""),
        True,
        "Wer ist hinzugekommen oder ausgezogen? Namen und Geburtsdaten in den Text schreiben.",
        "",
        "HF Anlage 1 Nr. 3.3, Anlage 3 Nr. 6.1",
        SAME_DAY,
    ),
    (
        "eigenbemuehungen",
        "Eigenbemühungen (Nachweis abgegeben)",
        NOWHERE,
        ("none", ""),
        ("none", ""),
        False,
        "Eingang vermerken und den Vordruck Eigenbemühungen aushändigen.",
        "",
        "HF Anlage 1 Nr. 6.1",
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
        "ortsabwesenheit-rueckmeldung",
        "Ortsabwesenheit (Rückmeldung)",
        PAP_WHEN_LATE,
        ("required", "Rückmeldung fällig am"),
        ("none", ""),
        False,
        "Den vereinbarten Tag der Rückmeldung angeben: kommt die Rückmeldung später, geht "
        "sie an die persönliche Ansprechperson (pAp).",
        "",
        "HF Anlage 1 Nr. 6.1",
        SAME_DAY,
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
    # Older migrations pass historical models without the fields of rule R-IA-04.
    has = {f.name for f in information_type_model._meta.get_fields()}
    rule_has = {f.name for f in routing_rule_model._meta.get_fields()}
    new, targets_of = [], {}
    for position, row in enumerate(TYPES, start=1):
        code, name, targets, (date_req, date_label), (reason_req, reason_label) = row[:5]
        text_required, hint, description, source = row[5:9]
        options = row[9] if len(row) > 9 else {}
        if code in codes or name in names:
            continue
        extra = {}
        if "routed" in has:
            extra = {"routed": bool(targets), "follow_up_days": options.get("follow_up_days")}
        new.append(
            information_type_model(
                **extra,
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
        routing_rule_model(
            information_type_id=t.pk,
            target=target.split(":")[0],
            **(
                {"only_when_late": target.endswith(":late")} if "only_when_late" in rule_has else {}
            ),
        )
        for t in created
        for target in targets_of[t.code]
        if "only_when_late" in rule_has or not target.endswith(":late")
    )
    return len(new)


def herford_update(jobcenter_id: int, *, information_type_model, routing_rule_model) -> None:
    """For a Jobcenter seeded before rule R-IA-04 was complete: the Leistung rule and the
    follow-up of the types Herford sends to Leistung and the pAp, and sick notes to the pAp.
    Only rows still carrying the old default are touched; new types come from `seed`."""
    for row in TYPES:
        code, targets = row[0], row[2]
        options = row[9] if len(row) > 9 else {}
        if targets not in (LEISTUNG_AND_PAP, PAP):
            continue
        t = information_type_model.objects.filter(jobcenter_id=jobcenter_id, code=code).first()
        if t is None:
            continue
        rules = routing_rule_model.objects.filter(information_type_id=t.pk)
        if targets == LEISTUNG_AND_PAP and set(rules.values_list("target", flat=True)) == {"ifk"}:
            routing_rule_model.objects.create(information_type_id=t.pk, target="leistung")
            if t.follow_up_days is None:
                t.follow_up_days = options.get("follow_up_days")
                t.save(update_fields=["follow_up_days"])
        if code == "arbeitsunfaehigkeit" and set(rules.values_list("target", flat=True)) == {
            "integration"
        }:
            rules.update(target="ifk")
