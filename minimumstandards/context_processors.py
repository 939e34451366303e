from django.http import HttpRequest

from .access import deadlines_at_risk_count


def deadline_badge(request: HttpRequest) -> dict:
    """How many of the user's team deadlines are at risk or breached (one query a page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return {}
    return {"deadlines_at_risk": deadlines_at_risk_count(user)}
