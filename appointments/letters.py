"""The invitation letter as a PDF, made on the server with ReportLab: no network, no
system libraries, the PDF core font Helvetica (WinAnsi covers German text)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table

from minimumstandards.workdays import BERLIN

from . import invitations
from .customer_codes import checkin_code, customer_link_url
from .models import Appointment

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=6)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, spaceAfter=0)
BOLD = ParagraphStyle("bold", parent=BODY, fontName="Helvetica-Bold")
TITLE = ParagraphStyle(
    "title",
    parent=BODY,
    fontName="Helvetica-Bold",
    fontSize=13,
    leading=17,
    spaceBefore=6,
    spaceAfter=10,
)
RFB = ParagraphStyle(
    "rfb",
    parent=BODY,
    fontSize=9.5,
    leading=12.5,
    borderPadding=6,
    borderWidth=0.8,
    borderColor="#444444",
    spaceBefore=10,
)


def _p(text: str, style=BODY) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def invitation_lines(appointment: Appointment) -> dict:
    """Everything the letter says, as plain text (also used by the tests)."""
    local = timezone.localtime(appointment.starts_at, BERLIN)
    end = timezone.localtime(appointment.ends_at, BERLIN)
    kunde = appointment.kunde
    bg = appointment.antrag.bedarfsgemeinschaft.number if appointment.antrag_id else ""
    when = _("%(day)s, %(date)s, %(start)s bis %(end)s Uhr") % {
        "day": date_format(local, "l"),
        "date": date_format(local, "d.m.Y"),
        "start": f"{local:%H:%M}",
        "end": f"{end:%H:%M}",
    }
    return {
        "subject": invitations.subject(appointment),
        "when": when,
        "with": _("bei %(who)s")
        % {"who": appointment.caseworker.get_full_name() or appointment.caseworker},
        "place": invitations.place_sentence(appointment),
        "purpose": invitations.purpose(appointment),
        "bring": invitations.bring_along(appointment),
        "code": checkin_code(appointment),
        "link": customer_link_url(appointment),
        "rfb": appointment.rfb_text if appointment.with_rfb else "",
        "no_rfb": "" if appointment.with_rfb else invitations.no_rfb_sentence(),
        "reference": " · ".join(
            part
            for part in (
                f"{_('Kd.-Nr.')} {kunde.kundennummer}",
                f"{_('BG-Nummer')} {bg}" if bg else "",
            )
            if part
        ),
    }


QR_SIZE = 32 * mm


def link_qr(url: str, size: float = QR_SIZE) -> Drawing:
    """The customer link as a QR code (ReportLab's own widget, vector, error level M)."""
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _code_block(text: dict) -> Table:
    """The check-in code and the QR code of the customer link, with what they are for."""
    words = [
        _p(f"{_('Termin-Code')}: {text['code']}", BOLD),
        _p(
            _(
                "Mit diesem Code melden Sie sich am Eingang an. Mit dem QR-Code können Sie "
                "den Termin bestätigen, einen anderen Termin wählen oder absagen."
            ),
            SMALL,
        ),
    ]
    return Table(
        [[words, link_qr(text["link"])]],
        colWidths=[125 * mm, 40 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("BOX", (0, 0), (-1, -1), 0.6, "#444444"),
            ("LEFTPADDING", (0, 0), (0, 0), 6),
        ],
    )


def invitation_pdf(appointment: Appointment) -> bytes:
    jobcenter = appointment.jobcenter
    kunde = appointment.kunde
    text = invitation_lines(appointment)
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=text["subject"],
        author=jobcenter.name,
        subject=text["subject"],
        lang="de-DE",
        invariant=True,
    )
    sender = "\n".join(
        part
        for part in (
            jobcenter.name,
            jobcenter.address,
            f"{_('Telefon')} {jobcenter.phone}" if jobcenter.phone else "",
            jobcenter.email,
        )
        if part
    )
    recipient = "\n".join(
        part
        for part in (
            f"{kunde.first_name} {kunde.last_name}",
            kunde.street,
            f"{kunde.postcode} {kunde.city}".strip(),
        )
        if part
    )
    issued = date_format(
        timezone.localtime(appointment.booked_at or timezone.now(), BERLIN), "d.m.Y"
    )
    head = Table(
        [[_p(recipient), _p(sender, SMALL)]],
        colWidths=[95 * mm, 70 * mm],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
    )
    story = [
        _p(jobcenter.name, BOLD),
        Spacer(1, 4 * mm),
        head,
        Spacer(1, 8 * mm),
        _p(f"{_('Datum')}: {issued}    {text['reference']}", SMALL),
        _p(text["subject"], TITLE),
        _p(_("Guten Tag %(name)s,") % {"name": f"{kunde.first_name} {kunde.last_name}"}),
        _p(_("bitte kommen Sie zu folgendem Termin:")),
        _p(text["when"], BOLD),
        _p(text["with"]),
    ]
    if text["place"]:
        story.append(_p(text["place"]))
    story.append(_p(text["purpose"]))
    story.append(_p(_("Bitte bringen Sie mit:")))
    story.append(
        ListFlowable(
            [ListItem(_p(item), leftIndent=12) for item in text["bring"]],
            bulletType="bullet",
            start="–",
            leftIndent=12,
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(_code_block(text))
    story.append(Spacer(1, 3 * mm))
    story.append(
        _p(
            _("Können Sie den Termin nicht wahrnehmen, rufen Sie uns bitte vorher an: %(phone)s.")
            % {"phone": jobcenter.phone or _("siehe Briefkopf")}
        )
    )
    if text["rfb"]:
        story.append(_p(text["rfb"], RFB))
    else:
        story.append(_p(text["no_rfb"]))
    story.append(Spacer(1, 6 * mm))
    story.append(_p(_("Mit freundlichen Grüßen")))
    story.append(_p(_("Ihr %(jc)s") % {"jc": jobcenter.name}))
    doc.build(story)
    return buffer.getvalue()
