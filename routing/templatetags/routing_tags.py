from django import template

from ..selectors import customer_history

register = template.Library()


@register.inclusion_tag("routing/partials/customer_history.html", takes_context=True)
def routing_history(context, kunde, limit: int = 50):
    """The customer's notes the user may read, with the mailboxes each went to (for
    intake's customer page)."""
    user = context["user"]
    return {
        "kunde": kunde,
        "vermerke": customer_history(kunde, user)[:limit],
        "user": user,
    }
