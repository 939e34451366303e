from django import template

from ..selectors import customer_history

register = template.Library()


@register.inclusion_tag("routing/partials/customer_history.html", takes_context=True)
def routing_history(context, kunde, limit: int = 50):
    """The customer's notes with the mailboxes each went to (for intake's customer page)."""
    return {
        "kunde": kunde,
        "vermerke": customer_history(kunde)[:limit],
        "user": context.get("user"),
    }
