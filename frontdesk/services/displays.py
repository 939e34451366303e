"""The waiting-room displays: their address, their key and their guidance."""

from django.db import transaction
from django.urls import reverse

from jobcenter.models import Jobcenter, Standort, User
from jobcenter.services import audit_record
from jobcenter.services import secret_hash as sha256_hex

from ..models import Display, display_token_prefix, new_display_token

# The display's guidance, in German and the second languages a Jobcenter may choose
# (Jobcenter.display_languages). Fixed texts for a screen no one logs in to.
GUIDANCE = {
    "de": "Bitte warten Sie, bis Ihre Nummer erscheint.",
    "en": "Please wait until your number appears.",
    "tr": "Lütfen numaranız ekranda görünene kadar bekleyin.",
    "ar": "يرجى الانتظار حتى يظهر رقمك.",
    "uk": "Будь ласка, зачекайте, доки з’явиться ваш номер.",
    "ru": "Пожалуйста, подождите, пока не появится ваш номер.",
    "pl": "Proszę czekać, aż pojawi się Twój numer.",
    "fa": "لطفاً صبر کنید تا شماره شما نمایش داده شود.",
}
RIGHT_TO_LEFT = {"ar", "fa"}


def display_guidance(jobcenter: Jobcenter) -> list[dict]:
    """The guidance lines of the screen: German first, then the Jobcenter's languages in
    their order (unknown codes and repeats left out), each with its language and direction."""
    codes = ["de"]
    for code in jobcenter.display_languages.split(","):
        code = code.strip()
        if code in GUIDANCE and code not in codes:
            codes.append(code)
    return [
        {"lang": c, "dir": "rtl" if c in RIGHT_TO_LEFT else "ltr", "text": GUIDANCE[c]}
        for c in codes
    ]


def display_path(token: str) -> str:
    return reverse("frontdesk:display", args=[token])


@transaction.atomic
def display_new_key(*, display: Display, actor: User | None = None) -> str:
    """Give the display a fresh key (the old address stops working) and return it. Only its
    hash is stored: this is the one moment its address can be shown."""
    token = new_display_token()
    display.token_prefix, display.token_hash = display_token_prefix(token), sha256_hex(token)
    display.save(update_fields=["token_prefix", "token_hash"])
    audit_record(
        actor=actor,
        action="change",
        target=display,
        summary=f"{display.name}: neuer Zugangsschlüssel",
    )
    return token


@transaction.atomic
def display_create(
    *, standort: Standort, name: str, actor: User | None = None
) -> tuple[Display, str]:
    """A new display with its key; the key is returned once and stored hashed."""
    token = new_display_token()
    display = Display.objects.create(
        standort=standort,
        name=name,
        token_prefix=display_token_prefix(token),
        token_hash=sha256_hex(token),
    )
    audit_record(actor=actor, action="create", target=display, summary=display.name)
    return display, token
