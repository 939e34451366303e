"""The answer to a request for information (Art. 15 DSGVO, § 83 SGB X): everything stored
about one person, read through the registry, as JSON and as PDF."""

import json
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from minimumstandards.workdays import BERLIN

from .registry import entries

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=12, spaceAfter=2)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
H1 = ParagraphStyle("h1", parent=BODY, fontName="Helvetica-Bold", fontSize=14, leading=18)
H2 = ParagraphStyle(
    "h2", parent=BODY, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=8
)
H3 = ParagraphStyle("h3", parent=BODY, fontName="Helvetica-Bold", spaceBefore=4)


def _value(obj: models.Model, field: models.Field):
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else str(related)
    value = field.value_from_object(obj)
    if field.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(value, datetime):
        return timezone.localtime(value, BERLIN).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# German labels of fields declared without one (Django would print "created at").
FALLBACK_LABELS = {
    "jobcenter": "Jobcenter",
    "created_at": "angelegt am",
    "updated_at": "geändert am",
    "at": "Zeitpunkt",
    "kunde": "Kunde",
    "antrag": "Antrag",
    "bedarfsgemeinschaft": "Bedarfsgemeinschaft",
    "visit": "Besuch",
    "aufgabe": "Aufgabe",
    "vermerk": "Vermerk",
    "deadline": "Frist",
    "document_type": "Unterlage",
    "field": "Feld",
    "transition": "Schritt",
    "source": "von",
    "target": "nach",
    "actor": "Person",
    "comment": "Kommentar",
    "client": "Schnittstelle",
    "client_key": "Schlüssel des Absenders",
    "payload_hash": "Prüfsumme",
    "response": "Antwort",
    "level": "Stufe",
    "created_by": "angelegt von",
    "standort": "Standort",
    "team": "Team",
    "desk": "Schalter",
    "concern": "Anliegen",
    "position": "Reihenfolge",
    "action": "Vorgang",
    "assignee": "zugewiesen an",
    "author": "verfasst von",
    "booked_at": "gebucht am",
    "booked_by": "gebucht von",
    "group_event": "Gruppenveranstaltung",
    "kind": "Art",
    "owner_postfach": "Postfach",
    "owner_user": "zuständige Person",
    "rule": "Regel",
    "status": "Status",
}


def _label(field: models.Field) -> str:
    label = str(field.verbose_name)
    if label == field.name.replace("_", " "):
        return FALLBACK_LABELS.get(field.name, label)
    return label


def _readable(value) -> str:
    """ISO dates of the JSON as a German reader writes them."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return date_format(date.fromisoformat(value), "d.m.Y")
            return date_format(datetime.fromisoformat(value), "d.m.Y H:i")
        except ValueError:
            return value
    return str(value)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name != "id"]


def person_data(kunde) -> dict:
    """Every record of every registered model that belongs to the person."""
    sections = []
    for entry in entries():
        model = entry.model
        fields = _fields(model)
        rows = entry.rows_of(kunde)
        related = [f.name for f in fields if f.is_relation]
        if related:
            rows = rows.select_related(*related)
        sections.append(
            {
                "model": model._meta.label,
                "title": str(model._meta.verbose_name_plural),
                "fields": {f.name: _label(f) for f in fields},
                "records": [
                    {"id": obj.pk, **{f.name: _value(obj, f) for f in fields}} for obj in rows
                ],
            }
        )
    return {
        "kunde": {"id": kunde.pk, "kundennummer": kunde.kundennummer, "name": kunde.full_name},
        "jobcenter": kunde.jobcenter.name,
        "created_at": timezone.localtime(timezone.now(), BERLIN).isoformat(),
        "legal_basis": "Art. 15 DSGVO, § 83 SGB X",
        "sections": sections,
    }


def person_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def person_pdf(data: dict) -> bytes:
    buffer = BytesIO()
    title = _("Auskunft nach Art. 15 DSGVO")
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=data["jobcenter"],
        lang="de-DE",
        invariant=True,
    )
    created = datetime.fromisoformat(data["created_at"])
    story = [
        _p(title, H1),
        _p(data["jobcenter"]),
        _p(
            _("%(name)s, Kd.-Nr. %(nr)s · erstellt am %(when)s")
            % {
                "name": data["kunde"]["name"],
                "nr": data["kunde"]["kundennummer"],
                "when": date_format(created, "d.m.Y H:i"),
            }
        ),
        _p(
            _(
                "Diese Auskunft enthält alle Daten, die das Jobcenter in diesem Verfahren über "
                "Sie speichert, und wer sie eingesehen oder geändert hat (§ 83 SGB X)."
            ),
            SMALL,
        ),
        Spacer(1, 4 * mm),
    ]
    for section in data["sections"]:
        records = section["records"]
        story.append(_p(f"{section['title']} ({len(records)})", H2))
        if not records:
            story.append(_p(_("Keine Einträge."), SMALL))
        labels = section["fields"]
        for number, record in enumerate(records, start=1):
            story.append(_p(f"{section['title']} {number}", H3))
            for name, label in labels.items():
                value = record.get(name)
                if value in (None, "", [], {}):
                    continue
                if value is True:
                    value = _("ja")
                elif value is False:
                    value = _("nein")
                story.append(_p(f"{label}: {_readable(value)}", SMALL))
    doc.build(story)
    return buffer.getvalue()
