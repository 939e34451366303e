from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from intake.models import Kunde


def get_kunde_for_officer(user, pk: int) -> Kunde:
    """A customer of the officer's own Jobcenter (anything else does not exist for them)."""
    if not user.has_perm("privacy.use") or user.jobcenter_id is None:
        raise PermissionDenied
    return get_object_or_404(
        Kunde.objects.select_related("jobcenter", "bedarfsgemeinschaft"),
        pk=pk,
        jobcenter_id=user.jobcenter_id,
    )


def search_kunden(user, query: str, limit: int = 30) -> list[Kunde]:
    query = " ".join((query or "").split())
    if not query:
        return []
    qs = Kunde.objects.filter(jobcenter_id=user.jobcenter_id)
    number = query.replace(" ", "").upper()
    if number[:3].isdigit():
        qs = qs.filter(kundennummer=number)
    else:
        qs = qs.filter(last_name__istartswith=query)
    return list(
        qs.select_related("bedarfsgemeinschaft").order_by("last_name", "first_name", "pk")[:limit]
    )
