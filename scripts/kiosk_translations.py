"""Writes frontdesk/locale/<lang>/LC_MESSAGES/django.po (the app's own catalogue, beside the project's locale/) for the kiosk's strings (issue 16) and
compiles them with gettext's msgfmt. The kiosk alone is translated: the staff UI stays
German (settings.KIOSK_LANGUAGES). Edit the table here, run
`.venv/bin/python scripts/kiosk_translations.py`, commit the .po and .mo files.
"""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLURALS = {
    "en": "nplurals=2; plural=(n != 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;",
    "uk": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}
LANGS = ["en", "tr", "ar", "uk", "ru"]
# German msgid → (en, tr, ar, uk, ru)
T = {
    "Anmeldung": ("Check-in", "Giriş", "تسجيل الوصول", "Реєстрація", "Регистрация"),
    "Sprache": ("Language", "Dil", "اللغة", "Мова", "Язык"),
    "Willkommen": ("Welcome", "Hoş geldiniz", "مرحبًا", "Ласкаво просимо", "Добро пожаловать"),
    "Willkommen im Jobcenter": (
        "Welcome to the Jobcenter",
        "Jobcenter'a hoş geldiniz",
        "مرحبًا بكم في مركز العمل (Jobcenter)",
        "Ласкаво просимо до Jobcenter",
        "Добро пожаловать в Jobcenter",
    ),
    "Bitte wählen Sie:": (
        "Please choose:",
        "Lütfen seçin:",
        "يرجى الاختيار:",
        "Будь ласка, оберіть:",
        "Пожалуйста, выберите:",
    ),
    "Ich habe einen Termin": (
        "I have an appointment",
        "Randevum var",
        "لدي موعد",
        "У мене призначена зустріч",
        "У меня назначена встреча",
    ),
    "Ich habe ein Anliegen": (
        "I have a request",
        "Bir talebim var",
        "لدي طلب",
        "У мене є питання",
        "У меня есть вопрос",
    ),
    "Termin-Code von Ihrem Brief": (
        "Appointment code from your letter",
        "Mektubunuzdaki randevu kodu",
        "رمز الموعد من رسالتك",
        "Код зустрічі з вашого листа",
        "Код встречи из вашего письма",
    ),
    "Tippen Sie die Ziffern ein oder halten Sie den QR-Code unter den Scanner.": (
        "Type in the digits or hold the QR code under the scanner.",
        "Rakamları girin veya QR kodunu tarayıcının altına tutun.",
        "أدخل الأرقام أو ضع رمز QR تحت الماسح الضوئي.",
        "Введіть цифри або піднесіть QR-код до сканера.",
        "Введите цифры или поднесите QR-код к сканеру.",
    ),
    "Letzte Ziffer löschen": (
        "Delete last digit",
        "Son rakamı sil",
        "حذف آخر رقم",
        "Видалити останню цифру",
        "Удалить последнюю цифру",
    ),
    "Alles löschen": ("Clear all", "Tümünü sil", "حذف الكل", "Видалити все", "Удалить всё"),
    "Zurück": ("Back", "Geri", "رجوع", "Назад", "Назад"),
    "Anmelden": ("Check in", "Giriş yap", "تسجيل الوصول", "Зареєструватися", "Зарегистрироваться"),
    "Worum geht es?": (
        "What is it about?",
        "Konu nedir?",
        "ما هو طلبك؟",
        "Про що йдеться?",
        "О чём идёт речь?",
    ),
    "Ihre Nummer": ("Your number", "Numaranız", "رقمك", "Ваш номер", "Ваш номер"),
    "Sie sind angemeldet": (
        "You are checked in",
        "Girişiniz yapıldı",
        "تم تسجيل وصولك",
        "Вас зареєстровано",
        "Вы зарегистрированы",
    ),
    "Termin um %(at)s Uhr": (
        "Appointment at %(at)s",
        "Randevu saati %(at)s",
        "الموعد الساعة %(at)s",
        "Зустріч о %(at)s",
        "Встреча в %(at)s",
    ),
    "Erwartete Wartezeit": (
        "Expected wait",
        "Tahmini bekleme süresi",
        "وقت الانتظار المتوقع",
        "Очікуваний час очікування",
        "Ожидаемое время ожидания",
    ),
    "Bitte gehen Sie zu: %(room)s": (
        "Please go to: %(room)s",
        "Lütfen şuraya gidin: %(room)s",
        "يرجى التوجه إلى: %(room)s",
        "Будь ласка, пройдіть до: %(room)s",
        "Пожалуйста, пройдите в: %(room)s",
    ),
    "Bitte nehmen Sie Platz. Ihre Nummer erscheint auf der Anzeige.": (
        "Please take a seat. Your number will appear on the screen.",
        "Lütfen oturun. Numaranız ekranda görünecek.",
        "يرجى الجلوس. سيظهر رقمك على الشاشة.",
        "Будь ласка, сідайте. Ваш номер з’явиться на екрані.",
        "Пожалуйста, присаживайтесь. Ваш номер появится на экране.",
    ),
    "Nummer drucken": (
        "Print number",
        "Numarayı yazdır",
        "طباعة الرقم",
        "Надрукувати номер",
        "Распечатать номер",
    ),
    "Fertig": ("Done", "Tamam", "تم", "Готово", "Готово"),
    "Termin": ("Appointment", "Randevu", "موعد", "Зустріч", "Встреча"),
    "Unterlagen abgeben": (
        "Hand in documents",
        "Belge teslim etmek",
        "تسليم مستندات",
        "Здати документи",
        "Сдать документы",
    ),
    "Bürgergeld beantragen": (
        "Apply for Bürgergeld (citizen's benefit)",
        "Bürgergeld (vatandaş parası) başvurusu",
        "تقديم طلب للحصول على Bürgergeld (إعانة المواطن)",
        "Подати заяву на Bürgergeld (допомогу)",
        "Подать заявление на Bürgergeld (пособие)",
    ),
    "Ich habe kein Geld mehr": (
        "I have no money left",
        "Hiç param kalmadı",
        "لم يعد لدي مال",
        "У мене закінчилися гроші",
        "У меня закончились деньги",
    ),
    "Frage zu meinem Bescheid": (
        "Question about my decision letter",
        "Kararım hakkında bir sorum var",
        "سؤال حول قرار الإعانة الخاص بي",
        "Питання щодо мого рішення",
        "Вопрос по моему решению",
    ),
    "Etwas hat sich geändert (Adresse, Konto, Einkommen)": (
        "Something has changed (address, account, income)",
        "Bir şey değişti (adres, hesap, gelir)",
        "تغيّر شيء ما (العنوان، الحساب، الدخل)",
        "Щось змінилося (адреса, рахунок, дохід)",
        "Что-то изменилось (адрес, счёт, доход)",
    ),
    "Krankmeldung abgeben": (
        "Hand in a sick note",
        "Hastalık raporu teslim etmek",
        "تسليم شهادة مرضية",
        "Здати лікарняний",
        "Сдать больничный",
    ),
    "Formulare abholen": (
        "Pick up forms",
        "Form almak",
        "استلام نماذج",
        "Отримати бланки",
        "Получить бланки",
    ),
    "Etwas anderes": ("Something else", "Başka bir konu", "شيء آخر", "Інше", "Другое"),
    "Diesen Code kennen wir nicht. Bitte prüfen Sie die Ziffern auf Ihrem Brief.": (
        "We do not know this code. Please check the digits on your letter.",
        "Bu kodu tanımıyoruz. Lütfen mektubunuzdaki rakamları kontrol edin.",
        "هذا الرمز غير معروف. يرجى التحقق من الأرقام الموجودة في رسالتك.",
        "Цей код нам невідомий. Будь ласка, перевірте цифри у вашому листі.",
        "Этот код нам неизвестен. Пожалуйста, проверьте цифры в вашем письме.",
    ),
    "Zu diesem Code gibt es heute an diesem Standort keinen Termin. Bitte wenden Sie sich an den Empfang.": (
        "There is no appointment for this code here today. Please go to the reception.",
        "Bu kod için bugün burada randevu yok. Lütfen danışmaya başvurun.",
        "لا يوجد موعد لهذا الرمز هنا اليوم. يرجى التوجه إلى الاستقبال.",
        "За цим кодом сьогодні тут немає зустрічі. Будь ласка, зверніться до реєстратури.",
        "По этому коду сегодня здесь нет встречи. Пожалуйста, обратитесь в регистратуру.",
    ),
    "Sie sind für diesen Termin schon angemeldet. Bitte nehmen Sie Platz.": (
        "You are already checked in for this appointment. Please take a seat.",
        "Bu randevu için girişiniz zaten yapıldı. Lütfen oturun.",
        "تم تسجيل وصولك لهذا الموعد بالفعل. يرجى الجلوس.",
        "Ви вже зареєстровані на цю зустріч. Будь ласка, сідайте.",
        "Вы уже зарегистрированы на эту встречу. Пожалуйста, присаживайтесь.",
    ),
    "Das geht hier leider nicht. Bitte wenden Sie sich an den Empfang.": (
        "Sorry, this is not possible here. Please go to the reception.",
        "Maalesef bu burada mümkün değil. Lütfen danışmaya başvurun.",
        "عذرًا، هذا غير ممكن هنا. يرجى التوجه إلى الاستقبال.",
        "На жаль, тут це неможливо. Будь ласка, зверніться до реєстратури.",
        "К сожалению, здесь это невозможно. Пожалуйста, обратитесь в регистратуру.",
    ),
    "Sie sind gleich dran": (
        "You are next",
        "Sıra birazdan sizde",
        "دورك بعد قليل",
        "Ваша черга зараз",
        "Ваша очередь сейчас",
    ),
    "mehr als %(n)d Stunden": (
        "more than %(n)d hours",
        "%(n)d saatten fazla",
        "أكثر من %(n)d ساعات",
        "понад %(n)d години",
        "более %(n)d часов",
    ),
    "ca. %(n)d Minuten": (
        "about %(n)d minutes",
        "yaklaşık %(n)d dakika",
        "حوالي %(n)d دقيقة",
        "близько %(n)d хвилин",
        "около %(n)d минут",
    ),
    "Dieser Kiosk ist nicht freigeschaltet": (
        "This kiosk is not enabled",
        "Bu kiosk etkin değil",
        "هذا الجهاز غير مفعّل",
        "Цей кіоск не активовано",
        "Этот киоск не активирован",
    ),
}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    for i, lang in enumerate(LANGS):
        folder = ROOT / "frontdesk" / "locale" / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            "# The self check-in kiosk's strings (issue 16); written by scripts/kiosk_translations.py.",
            'msgid ""',
            'msgstr ""',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            f'"Language: {lang}\\n"',
            f'"Plural-Forms: {PLURALS[lang]}\\n"',
            "",
        ]
        for msgid, texts in T.items():
            flag = ["#, python-format"] if "%(" in msgid else []
            lines += [*flag, f"msgid {_q(msgid)}", f"msgstr {_q(texts[i])}", ""]
        po = folder / "django.po"
        po.write_text("\n".join(lines), encoding="utf-8")
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(folder / "django.mo"), str(po)], check=True
        )


if __name__ == "__main__":
    main()
