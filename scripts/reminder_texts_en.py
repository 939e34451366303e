"""Writes locale/en/LC_MESSAGES/django.po (the English texts of confirmations and
reminders, reminders/texts.py) and compiles it with msgfmt.

Run after changing a text: `.venv/bin/python scripts/reminder_texts_en.py`. German stays
the msgid; a text missing here goes out in German.
"""

import subprocess
from pathlib import Path

EN = {
    "l, j. F Y": "l, j F Y",
    "D d.m.Y": "D d/m/Y",
    "%(time)s Uhr": "%(time)s",
    "telefonisch: wir rufen Sie an": "by phone: we will call you",
    "per Video: den Zugang erhalten Sie gesondert": "by video: you will receive the access separately",
    "dieses Schreiben": "this letter",
    "Personalausweis oder Reisepass": "identity card or passport",
    "Lebenslauf und Zeugnisse, soweit vorhanden": "CV and certificates, if you have them",
    "Ihr %(jobcenter)s\n(Diese Nachricht wurde automatisch versandt.)": (
        "Your %(jobcenter)s\n(This message was sent automatically.)"
    ),
    "Ihr Termin am %(day)s wurde abgesagt": "Your appointment on %(day)s has been cancelled",
    "Ihr Termin am %(day)s um %(clock)s wurde vom Jobcenter abgesagt. "
    "Sie erhalten einen neuen Termin.": (
        "Your appointment on %(day)s at %(clock)s has been cancelled by the Jobcenter. "
        "You will receive a new appointment."
    ),
    "Guten Tag,": "Hello,",
    "%(jobcenter)s: Ihr Termin am %(day)s um %(clock)s ist abgesagt. "
    "Sie erhalten einen neuen Termin.": (
        "%(jobcenter)s: your appointment on %(day)s at %(clock)s is cancelled. "
        "You will receive a new appointment."
    ),
    "Ihr Termin ist gebucht.": "Your appointment is booked.",
    "Ihr Termin wurde verlegt. Der neue Termin:": "Your appointment has been moved. The new appointment:",
    "Wir erinnern Sie an Ihren Termin.": "A reminder of your appointment.",
    "Ihr Termin am %(day)s": "Your appointment on %(day)s",
    "Neuer Termin am %(day)s": "New appointment on %(day)s",
    "Erinnerung: Ihr Termin am %(day)s": "Reminder: your appointment on %(day)s",
    "Wann: %(day)s, %(clock)s": "When: %(day)s, %(clock)s",
    "Wo: %(place)s": "Where: %(place)s",
    "Bitte mitbringen: %(items)s": "Please bring: %(items)s",
    "Termin bestätigen, absagen oder um einen anderen Termin bitten:\n%(link)s": (
        "Confirm, cancel or ask for another date:\n%(link)s"
    ),
    "%(jobcenter)s: %(heading)s %(day)s, %(clock)s, %(place)s. Bestätigen oder absagen: %(link)s": (
        "%(jobcenter)s: %(heading)s %(day)s, %(clock)s, %(place)s. Confirm or cancel: %(link)s"
    ),
    "Erinnerung: Unterlagen bis %(day)s": "Reminder: documents due by %(day)s",
    "Bitte reichen Sie bis %(day)s noch ein:": "Please hand in by %(day)s:",
    "Abgabe: %(where)s": "Where to hand in: %(where)s",
    "%(jobcenter)s: Bitte reichen Sie bis %(day)s noch ein: %(items)s.": (
        "%(jobcenter)s: please hand in by %(day)s: %(items)s."
    ),
}


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [f'"{line}\\n"' for line in lines[:-1]] + ([f'"{lines[-1]}"'] if lines[-1] else [])
    return '""\n' + "\n".join(parts)


def main() -> None:
    folder = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    out = [
        "# English texts of confirmations and reminders (scripts/reminder_texts_en.py).",
        'msgid ""',
        'msgstr ""',
        '"Language: en\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
        "",
    ]
    for msgid, msgstr in EN.items():
        if "%(" in msgid:
            out.append("#, python-format")
        out += [f"msgid {quote(msgid)}", f"msgstr {quote(msgstr)}", ""]
    po = folder / "django.po"
    po.write_text("\n".join(out), encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", str(folder / "django.mo"), str(po)], check=True)


if __name__ == "__main__":
    main()
