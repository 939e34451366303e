from django.http import HttpRequest
from django.utils import timezone

from .access import deadlines_visible_to
from .selectors import list_url, state_q


def deadline_badge(request: HttpRequest) -> dict:
    """How many of the user's team deadlines are at risk or breached (one query a page),
    and the list of exactly those (selectors.state_q "gefaehrdet")."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return {}
    count = deadlines_visible_to(user).filter(state_q("gefaehrdet", timezone.now())).count()
    return {"deadlines_at_risk": count, "deadlines_at_risk_url": list_url(state="gefaehrdet")}
