from django.http import HttpRequest

from .access import deadlines_at_risk_count
from .selectors import list_url


def deadline_badge(request: HttpRequest) -> dict:
    """How many of the user's team deadlines the scan flagged (at risk or breached; one
    index-only query a page, `access.deadlines_at_risk_count`), and the list of exactly
    those (selectors.state_q "gemeldet": the same alerts)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return {}
    return {
        "deadlines_at_risk": deadlines_at_risk_count(user),
        "deadlines_at_risk_url": list_url(state="gemeldet"),
    }
