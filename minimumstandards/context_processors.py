from django.http import HttpRequest
from django.utils import timezone

from .access import deadlines_visible_to


def deadline_badge(request: HttpRequest) -> dict:
    """How many of the user's team deadlines are at risk or breached (one query a page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return {}
    count = deadlines_visible_to(user).open().filter(warn_at__lte=timezone.now()).count()
    return {"deadlines_at_risk": count}
