"""The appointments panel of the case page (templates/intake/case_detail.html)."""

from django import template
from django.utils import timezone

from intake.models import NEGATIVE_STATES, ErstgespraechState

from .. import access, selectors
from ..forms import GroupInviteForm
from ..models import Kind, Status

register = template.Library()


@register.inclusion_tag("appointments/partials/case_panel.html", takes_context=True)
def case_appointments(context, antrag):
    user = context["request"].user
    appointments = list(
        access.appointments_visible_to(user)
        .filter(antrag=antrag)
        .select_related("caseworker", "kunde", "standort")
        .order_by("-starts_at", "-id")
    )
    booked_eg = next(
        (a for a in appointments if a.kind == Kind.ERSTGESPRAECH and a.status == Status.GEBUCHT),
        None,
    )
    may_book = (
        user.has_perm("intake.book_first_consultation", antrag)
        and antrag.eg_state == ErstgespraechState.OFFEN
        and antrag.state not in NEGATIVE_STATES
    )
    return {
        "request": context["request"],
        "antrag": antrag,
        "appointments": appointments,
        "booked_eg": booked_eg,
        # Rule R-GV-02: the group events booked at the application, for the EZ to hand over.
        "group_invitations": sorted(
            (a for a in appointments if a.kind == Kind.GRUPPE and a.status == Status.GEBUCHT),
            key=lambda a: (a.starts_at, a.kunde.date_of_birth),
        ),
        "limits": selectors.eg_limits(antrag),
        "may_book": may_book and antrag.first_consultation_bookable(),
        "waits_for_entitlement": may_book and not antrag.first_consultation_bookable(),
        "may_see": user.has_perm("appointments.use_calendar"),
        "may_invite_group": user.has_perm("appointments.invite_to_group_event", antrag.applicant)
        and antrag.state not in NEGATIVE_STATES
        and not any(a.kind == Kind.GRUPPE and a.status == Status.GEBUCHT for a in appointments),
        "group_form": GroupInviteForm(jobcenter=antrag.jobcenter, prefix="gi"),
        "is_lead": user.has_perm("appointments.book_by_hand", antrag),
        "now": timezone.now(),
    }
