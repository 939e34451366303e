"""The waiting-room displays: their address and their key."""

from django.db import transaction
from django.urls import reverse

from jobcenter.models import Standort, User
from jobcenter.services import audit_record
from jobcenter.services import secret_hash as sha256_hex

from ..models import Display, display_token_prefix, new_display_token


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
