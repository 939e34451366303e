from django import template

from ..models import Channel
from ..services import (
    SUPPORTED_LANGUAGES,
    address_of,
    consents_of,
    language_for,
    messages_of,
    offered_languages,
)

register = template.Library()


@register.inclusion_tag("reminders/partials/customer_panel.html", takes_context=True)
def reminders_panel(context, kunde):
    """Consent per channel and the messages sent, for the customer page (need to know)."""
    user = context["user"]
    if not user.has_perm("reminders.view_messages", kunde):
        return {"visible": False}
    consents = consents_of(kunde)
    channels = [
        {"code": code, "label": label, "address": address_of(kunde, code), "row": consents[code]}
        for code, label in Channel.choices
    ]
    offered = offered_languages(kunde.jobcenter)
    return {
        "visible": True,
        "kunde": kunde,
        "channels": channels,
        "messages": messages_of(kunde),
        "may_change": user.has_perm("reminders.change_consent", kunde),
        "languages": [(code, SUPPORTED_LANGUAGES[code]) for code in offered],
        "language": language_for(kunde),
        "csrf_token": context.get("csrf_token"),
    }
