"""The default concern catalogue as the seed Jobcenters describe it (rule R-EM-02).

Rhein-Lahn's four classes (rule R-EM-02) and, per class, the concerns of Herford's task catalogue
(Anlage 1 for the reception, Anlage 3 for the Eingangszone). Each Jobcenter gets its own
copy when it is created and edits it in the admin; a concern is deactivated, never deleted.

Plain data and one function over model classes passed in, so that the migrations (with
their historical models) and `frontdesk.services.catalogue.catalogue_seed` read the same rows.
"""

CLASSES = [
    (
        "schnell",
        "Schnellanliegen",
        "Zügig und unmittelbar an der Anlaufstelle zu klären, ohne den Fachbereich: "
        "Unterlagen abgeben, Flyer, Identitätsprüfung, Veränderungen anzeigen, "
        "Bearbeitungsstand, Kopien, Vordrucke.",
    ),
    (
        "antrag",
        "Antragstellung / akute Mittellosigkeit",
        "Taggleich persönliche Weiterleitung in den Leistungsbereich zur leistungsrechtlichen "
        "Vorprüfung; bei akuter Mittellosigkeit unmittelbar.",
    ),
    (
        "leistung",
        "Leistungsanliegen",
        "Fragen zum Leistungsbezug, die nicht als Schnellanliegen zu klären sind: i. d. R. "
        "taggleich persönliche Weiterleitung; mittlerer Schwierigkeitsgrad in der "
        "Eingangszone.",
    ),
    (
        "sonstige",
        "Sonstige Anliegen",
        "Das Anliegen wird aufgenommen, der zuständige Fachbereich per Ticket informiert; "
        "Rückruf binnen 24 Stunden oder zeitnaher Termin.",
    ),
]

# code, class, name, handled by, route, hand-outs, record ("vermerk": a note in the customer's
# history only), the information type it records (routing/catalogue.py code: the note goes
# where routing's rules send that type), target waiting minutes, notes, source
E, EZ, L, SB, BUT, INT, FB = (
    "empfang",
    "eingangszone",
    "leistung",
    "sachbearbeitung",
    "but",
    "integration",
    "fachbereich",
)
DESK, PERSON, TICKET, TERMIN = "desk", "in_person", "ticket", "appointment"
# fmt: off
CONCERNS = [
    # --- Schnellanliegen ------------------------------------------------------------------
    ("unterlagen", "schnell", "Unterlagen abgeben", E, DESK,
     "Eingangsbestätigung auf Wunsch", "", "sonstiges", 10,
     "Eingang vermerken und an das zuständige Postfach leiten.",
     "RL 4.4; HF Anlage 1, 4.3"),
    ("vordrucke", "schnell", "Vordrucke, Merkblätter oder Flyer abholen", E, DESK,
     "Vordrucke, Merkblätter, Flyer Maßarbeit", "", "", 10, "",
     "RL 4.4; HF 5a, Anlage 1, 3.1"),
    ("identitaet", "schnell", "Identitätsprüfung", E, DESK, "", "", "", 10, "",
     "RL 4.4; HF Anlage 1"),
    ("veraenderung", "schnell",
     "Veränderung mitteilen (Anschrift, Bankverbindung, Einkommen)", E, DESK,
     "Veränderungsmitteilung", "", "umzug", 10,
     "Änderungen bei Arbeit oder Ausbildung gehen auch an die Integration.",
     "RL 4.4; WU 2, 3"),
    ("sachstand", "schnell", "Bearbeitungsstand erfragen", E, DESK, "", "", "", 10,
     "", "RL 4.4"),
    ("kopien", "schnell", "Kopien anfertigen lassen", E, DESK, "", "", "", 10, "",
     "RL 4.4; HF 2"),
    ("au", "schnell", "Arbeitsunfähigkeitsbescheinigung abgeben", E, DESK, "", "", "arbeitsunfaehigkeit", 10, "An die persönliche Ansprechperson (pAp) weiterleiten.",
     "HF Anlage 1, 6.1; WU 3"),
    ("eigenbemuehungen", "schnell", "Eigenbemühungen abgeben", E, DESK,
     "Vordruck Eigenbemühungen", "", "eigenbemuehungen", 10,
     "Eingangsvermerk in der Kundenhistorie.", "HF Anlage 1, 6.1"),
    ("wertgutschein", "schnell", "Hinterlegten Wertgutschein abholen", E, DESK, "", "vermerk", "", 10, "Identität prüfen.", "HF Anlage 1, 3.5"),
    ("bescheinigung", "schnell", "Bescheinigung für P-Konto oder Rundfunkbeitrag", EZ, DESK,
     "Bescheinigung", "", "", 15, "", "HF Anlage 3, 6.3"),
    # --- Antragstellung / akute Mittellosigkeit -------------------------------------------
    ("antrag", "antrag", "Antrag auf Bürgergeld stellen (Erstantrag)", L, PERSON,
     "Hauptantrag mit Anlagen, Arbeitspaket, Freischaltcode jobcenter.digital", "", "", 30, "Herford: Antragsaufnahme in der Eingangszone.",
     "RL 4.4, 4.2; HF Anlage 1, 2.1; CB 3"),
    ("mittellosigkeit", "antrag", "Akute Mittellosigkeit (Vorschuss, Abschlag, Gutschein)", L,
     PERSON, "Antrag auf Vorschuss / Abschlag", "vermerk", "", 15,
     "Vorrang prüfen; Kontoauszüge und ggf. Verlustanzeige vorlegen lassen.",
     "RL 4.4; HF Anlage 1, 3.6; Anlage 3, 3.6"),
    ("darlehen", "antrag", "Darlehen bei Mittellosigkeit", EZ, PERSON, "Darlehensantrag", "", "", 20, "", "HF Anlage 1, 3.7; Anlage 3, 3.7"),
    # --- Leistungsanliegen ---------------------------------------------------------------
    ("leistungsfrage", "leistung", "Fragen zum Bescheid oder zur Leistung", EZ, DESK,
     "Flyer Maßarbeit", "", "", 30, "",
     "RL 4.4; HF Anlage 1, 3.1; Anlage 3, 3.1"),
    ("weiterbewilligung", "leistung", "Weiterbewilligungsantrag mit Beratungsbedarf", EZ, DESK,
     "Weiterbewilligungsantrag, Flyer Maßarbeit", "vermerk", "", 30,
     "Vollständig ausgefüllte Anträge nimmt der Empfang an.",
     "HF Anlage 1, 3.2; Anlage 3, 3.2"),
    ("personenzahl", "leistung",
     "Änderung der Personen im Haushalt (Einzug, Auszug, Geburt, Trennung)", EZ, DESK,
     "Anlage WEP / KI", "", "bg-personen", 30, "", "HF Anlage 1, 3.3; Anlage 3, 3.3"),
    ("umzug", "leistung", "Umzug, Kosten der Unterkunft und Heizung", EZ, DESK,
     "Darlehensantrag Kaution, Antrag umzugsbedingte Kosten", "", "umzug", 30,
     "Umzugsersuchen unter 25 Jahren und Instandhaltung bei Hauseigentum: Sachbearbeitung.",
     "HF Anlage 1, 3.4; Anlage 3, 3.4; WU 3"),
    ("einmalig", "leistung", "Einmalige Leistungen (z. B. Erstausstattung)", EZ, DESK,
     "Antragsvordruck", "vermerk", "", 30, "",
     "HF Anlage 1, 3.8; Anlage 3, 3.8"),
    ("arbeit", "leistung", "Arbeitsaufnahme, Kündigung oder Einkommensänderung", EZ, DESK,
     "Anlage EK, Einkommensbescheinigung", "", "sonstiges", 30,
     "Selbständigkeit: Sachbearbeitung.", "HF Anlage 1, 3.9, 3.10; WU 3"),
    ("dritte", "leistung", "Vollmacht, Betreuung, Auskunft an Dritte", EZ, DESK, "", "vermerk", "", 30, "", "HF Anlage 1, 3.14"),
    ("but", "leistung", "Bildung und Teilhabe (BuT)", BUT, DESK, "Antragsunterlagen BuT",
     "vermerk", "", 30, "Vollständige Anträge annehmen; Beratung durch das BuT-Team.",
     "HF Anlage 1, 5; Anlage 3, 5"),
    # --- Sonstige Anliegen ----------------------------------------------------------------
    ("umzug_u25", "sonstige", "Umzugsersuchen unter 25 Jahren", SB, TERMIN, "", "", "", 20, "", "HF Anlage 1, 3.4"),
    ("mietschulden", "sonstige", "Miet- oder Energieschulden", SB, TERMIN, "", "", "mietschulden-stromsperre", 20, "", "HF Anlage 1, 3.7; WU 3"),
    ("selbstaendig", "sonstige", "Selbständigkeit (Gründung, Aufgabe, Einkommen)", SB, TERMIN,
     "Anlage EKS", "", "", 20, "", "HF Anlage 1, 3.9, 3.11"),
    ("widerspruch", "sonstige", "Widerspruch, Überprüfungsantrag, Klage", SB, TERMIN, "", "", "", 20, "", "HF Anlage 1, 3.13"),
    ("pap", "sonstige", "Gesprächswunsch an die Arbeitsvermittlung (pAp)", INT, TICKET, "", "", "", 20, "Regelmäßig telefonisch an die pAp weitergeben.",
     "HF Anlage 1, 6.1; RL 2.3"),
    ("ortsabwesenheit", "sonstige", "Ortsabwesenheit beantragen oder zurückmelden", INT, TICKET,
     "", "", "", 20, "", "HF Anlage 1, 6.1"),
    ("beschwerde", "sonstige", "Beschwerde (Kundenreaktionsmanagement)", FB, TICKET, "", "", "", 20, "Termin nach Rücksprache mit der Teamleitung.", "HF Anlage 1, 1.7"),
    ("sonstiges", "sonstige", "Sonstiges Anliegen", FB, TICKET, "", "", "", 20, "",
     "RL 4.4"),
    ("termin", "sonstige", "Vorsprache mit Termin", INT, TERMIN, "", "", "", 10,
     "Kundinnen und Kunden mit Termin werden direkt weitergeleitet.", "HF 5a"),
]
# fmt: on


# Rule R-IA-03: for these concerns the desk picks what was reported or handed in (the most
# frequent first); routing's table alone decides where the note goes. concern code →
# (information type code, short label at the desk)
DESK_CHOICES = {
    "veraenderung": [
        ("umzug", "Anschrift / Umzug"),
        ("beschaeftigung-aufnahme", "Arbeit aufgenommen oder Einkommen aus Arbeit geändert"),
        ("beschaeftigung-ende", "Arbeit beendet"),
        ("bg-personen", "Personen im Haushalt (Einzug, Auszug, Geburt)"),
        ("krankengeld", "Krankengeld"),
        ("alg1-aenderung", "Arbeitslosengeld (ALG I)"),
        ("rente", "Rente"),
        ("betreuungsgeld", "Betreuungsgeld"),
        ("schwangerschaft", "Schwangerschaft"),
        ("sonstiges", "Sonstiges (z. B. Bankverbindung)"),
    ],
    "unterlagen": [
        ("arbeitsunfaehigkeit", "Arbeitsunfähigkeitsbescheinigung / Attest"),
        ("beschaeftigung-aufnahme", "Arbeitsvertrag / Lohnabrechnung"),
        ("schulbescheinigung", "Schulbescheinigung"),
        ("eigenbemuehungen", "Nachweis der Eigenbemühungen"),
        ("massnahme-unterlagen", "Unterlagen zu einer Maßnahme"),
        ("beschaeftigung-ende", "Kündigung / Arbeitsbescheinigung"),
        ("sonstiges", "Sonstige Unterlagen"),
    ],
}


def seed_desk_choices(jobcenter_id: int, *, concern_model, choice_model, information_type_model):
    """The desk's choices of the concerns above, for concerns that have none yet."""
    types = dict(
        information_type_model.objects.filter(jobcenter_id=jobcenter_id).values_list("code", "pk")
    )
    for code, choices in DESK_CHOICES.items():
        concern = concern_model.objects.filter(jobcenter_id=jobcenter_id, code=code).first()
        if concern is None or choice_model.objects.filter(concern_id=concern.pk).exists():
            continue
        choice_model.objects.bulk_create(
            choice_model(
                concern_id=concern.pk,
                information_type_id=types[type_code],
                label=label,
                position=position,
            )
            for position, (type_code, label) in enumerate(choices, start=1)
            if type_code in types
        )


def seed(
    jobcenter_id: int, *, concern_class_model, concern_model, information_type_model=None
) -> int:
    """Create the default classes and concerns the Jobcenter does not have yet.

    Classes are matched by name, concerns by code: the Jobcenter's own edits stay. The
    information type a concern records is the Jobcenter's own type with the catalogue's code
    (routing seeds first, see INSTALLED_APPS); without such a type the link stays empty.
    Returns how many concerns were created.
    """
    classes = {c.name: c for c in concern_class_model.objects.filter(jobcenter_id=jobcenter_id)}
    missing = [
        concern_class_model(
            jobcenter_id=jobcenter_id, name=name, description=description, position=position
        )
        for position, (_key, name, description) in enumerate(CLASSES, start=1)
        if name not in classes
    ]
    if missing:
        concern_class_model.objects.bulk_create(missing)
        classes = {c.name: c for c in concern_class_model.objects.filter(jobcenter_id=jobcenter_id)}
    class_of = {key: classes.get(name) for key, name, _description in CLASSES}
    codes = set(
        concern_model.objects.filter(jobcenter_id=jobcenter_id).values_list("code", flat=True)
    )
    types = (
        dict(
            information_type_model.objects.filter(jobcenter_id=jobcenter_id).values_list(
                "code", "pk"
            )
        )
        if information_type_model is not None
        else {}
    )
    new = []
    for position, row in enumerate(CONCERNS, start=1):
        code, key, name, handled_by, route, handouts, record, type_code = row[:8]
        target, notes, reference = row[8:]
        if code in codes or class_of[key] is None:
            continue
        concern = concern_model(
            jobcenter_id=jobcenter_id,
            code=code,
            concern_class_id=class_of[key].pk,
            name=name,
            handled_by=handled_by,
            route=route,
            handouts=handouts,
            record=record,
            target_wait_minutes=target,
            notes=notes,
            reference=reference,
            position=position,
        )
        if information_type_model is not None:
            concern.information_type_id = types.get(type_code)
        new.append(concern)
    concern_model.objects.bulk_create(new)
    return len(new)


def information_type_codes() -> dict[str, str]:
    """Concern code → the code of the information type it records (rows that record one)."""
    return {row[0]: row[7] for row in CONCERNS if row[7]}
