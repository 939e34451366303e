"""Read-side queries: mailbox lists, the lead's overview, rule statistics, history.

Every function returns a fixed number of queries, however many rows there are.
"""

from datetime import timedelta

from django.db.models import (
    Case,
    Count,
    FilteredRelation,
    IntegerField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from jobcenter.models import Postfach
from minimumstandards.models import Deadline

from .access import aufgaben_visible_to
from .models import Aufgabe, AufgabeEvent, InformationType, RoutingRule, Vermerk

# Intake (rule R-AN-03) and appointments raise this task for the IFK after booking a first consultation.
NEW_CUSTOMER_TITLE_PREFIX = "Neuer Kunde zugeordnet"


def open_deadlines_prefetch() -> Prefetch:
    return Prefetch(
        "deadlines",
        queryset=Deadline.objects.open().order_by("due_at"),
        to_attr="open_deadlines",
    )


def for_display(qs: QuerySet[Aufgabe]) -> QuerySet[Aufgabe]:
    return qs.select_related(
        "kunde__bedarfsgemeinschaft",
        "vermerk__information_type",
        "claimed_by",
        "postfach",
        "assignee",
        "done_by",
        "hotline_ticket",
    ).prefetch_related(open_deadlines_prefetch())


VIEWS = {
    "offen": "open",
    "wiedervorlage": "follow_up",
    "meine": "mine",
    "erledigt": "done",
}


def mailbox_items(
    *, user, postfach: Postfach | None, view: str = "offen", sort: str = "dringend"
) -> QuerySet[Aufgabe]:
    """The items of one team mailbox (or the user's personal ones), as the user chose, in
    order (without what a row shows: `for_display` on the page's items)."""
    today = timezone.localdate()
    qs = aufgaben_visible_to(user)
    qs = qs.filter(postfach=postfach) if postfach is not None else qs.filter(assignee=user)
    if view == "erledigt":
        # Index `aufgabe_done` (routing 0008) yields this order: no sort of all done items.
        return qs.filter(status=Aufgabe.Status.DONE).order_by("-done_at", "-id")
    qs = qs.open()
    if view == "wiedervorlage":
        qs = qs.filter(follow_up_on__gt=today)
    elif view == "meine":
        qs = qs.filter(claimed_by=user)
    else:
        # Parked until their follow-up date: out of the way until then.
        qs = qs.filter(Q(follow_up_on__isnull=True) | Q(follow_up_on__lte=today))
    if sort == "neu":
        qs = qs.order_by("-created_at", "-id")
    else:
        # Most urgent first: unclaimed urgent, then follow-ups past due, urgent, the rest;
        # within each, the oldest first (it has waited longest).
        qs = qs.annotate(
            rank=Case(
                When(urgent=True, claimed_by__isnull=True, then=Value(0)),
                When(follow_up_on__lt=today, then=Value(1)),
                When(urgent=True, then=Value(2)),
                When(follow_up_on=today, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        ).order_by("rank", "created_at", "id")
    return qs


def mailbox_overview(*, postfaecher: QuerySet[Postfach]) -> list[Postfach]:
    """Counts and ages per mailbox (the team lead's view), in one query."""
    now = timezone.now()
    today = timezone.localdate()
    # Joined to the open items only (index `aufgabe_mailbox`): the done ones, which grow
    # without end, are never read.
    open_ = Q(open_items__isnull=False)
    return list(
        postfaecher.select_related("team")
        .annotate(
            open_items=FilteredRelation(
                "aufgaben", condition=Q(aufgaben__status=Aufgabe.Status.OPEN)
            )
        )
        .annotate(
            n_open=Count("open_items"),
            n_unclaimed=Count("open_items", filter=open_ & Q(open_items__claimed_by__isnull=True)),
            n_urgent_unclaimed=Count(
                "open_items",
                filter=open_ & Q(open_items__urgent=True, open_items__claimed_by__isnull=True),
            ),
            n_follow_up_past=Count("open_items", filter=Q(open_items__follow_up_on__lt=today)),
            n_older_1d=Count(
                "open_items", filter=Q(open_items__created_at__lt=now - timedelta(days=1))
            ),
            n_older_3d=Count(
                "open_items", filter=Q(open_items__created_at__lt=now - timedelta(days=3))
            ),
            oldest=Min("open_items__created_at"),
        )
        .order_by("team__name")
    )


def personal_count(user) -> int:
    return Aufgabe.objects.open().filter(assignee=user).count()


def rule_statistics(*, jobcenter_id: int | None) -> list[InformationType]:
    """Per type and rule: how often it fired, how often a delivery was re-routed by hand."""
    fired_filter = Q(aufgaben__vermerk__isnull=False)
    rerouted_filter = Q(
        events__action=AufgabeEvent.Action.REROUTED,
    )
    if jobcenter_id is not None:
        fired_filter &= Q(aufgaben__kunde__jobcenter_id=jobcenter_id)
        rerouted_filter &= Q(events__aufgabe__kunde__jobcenter_id=jobcenter_id)
    rules = RoutingRule.objects.annotate(
        fired=Count("aufgaben", filter=fired_filter, distinct=True),
        rerouted=Count("events__aufgabe", filter=rerouted_filter, distinct=True),
    ).order_by("target", "team_kind")
    types = InformationType.objects.prefetch_related(Prefetch("rules", queryset=rules))
    if jobcenter_id is not None:
        types = types.filter(jobcenter_id=jobcenter_id)
    return list(types.order_by("position", "name"))


def customer_history(kunde, user) -> QuerySet[Vermerk]:
    """The customer's notes `user` may read, with where each went and how far it got."""
    deliveries = Aufgabe.objects.select_related("postfach", "assignee", "claimed_by").order_by("id")
    return (
        Vermerk.objects.visible_to(user)
        .filter(kunde=kunde)
        .select_related("author", "information_type")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("-created_at", "-id")
    )
