"""The floors of the front desk's bench (issue 13): minimal views on the same stack.

Each floor goes through the whole middleware stack the real view does (session, CSRF,
login, idle check, no-store, CSP, axes), checks the role, and makes the same essential
writes as the real step in one transaction (the visit, its concerns, contact, event and
audit row, the site's version) - and nothing else: no forms, no routing rules, no
templates, no messages. What the real view costs beyond its floor is the overhead to cut.

Mounted only by the bench: `bench/frontdesk_http.py` runs gunicorn with settings whose
ROOT_URLCONF is `bench.floors`, which adds these under /bench-floor/ to the normal URLs.
No production URLconf imports this module.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from frontdesk.models import (
    Contact,
    Desk,
    SiteVersion,
    Visit,
    VisitConcern,
    VisitEvent,
    VisitState,
)
from jobcenter.models import AuditEvent


def _audit(actor, target, action: str, summary: str, subject_id=None) -> None:
    AuditEvent.objects.create(
        actor=actor,
        jobcenter_id=actor.jobcenter_id,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        subject_id=subject_id,
        summary=summary,
        changes={},
    )


def _bump(standort_id: int) -> None:
    SiteVersion.objects.filter(pk=standort_id).update(value=F("value") + 1)


def _role(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@require_POST
def checkin_floor(request):
    """A check-in: the number, the visit, its concern, contact, event, audit, version."""
    _role(request, "frontdesk.receive_visitors")
    now = timezone.now()
    standort_id = int(request.POST["standort"])
    concern_id = int(request.POST["concerns"])
    team_id = int(request.POST["team"])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO frontdesk_dailycounter (standort_id, day, last_value) "
                "VALUES (%s, %s, 1) ON CONFLICT (standort_id, day) DO UPDATE "
                "SET last_value = frontdesk_dailycounter.last_value + 1 RETURNING last_value",
                [standort_id, timezone.localdate(now)],
            )
            (number,) = cursor.fetchone()
        visit = Visit.objects.create(
            jobcenter_id=request.user.jobcenter_id,
            standort_id=standort_id,
            day=timezone.localdate(now),
            number=f"F{number:03d}",
            team_id=team_id,
            checked_in_at=now,
            checked_in_by=request.user,
            queued_at=now,
        )
        VisitConcern.objects.bulk_create([VisitConcern(visit=visit, concern_id=concern_id)])
        Contact.objects.create(visit=visit, team_id=team_id, queued_at=now)
        VisitEvent.objects.create(
            visit=visit,
            standort_id=standort_id,
            action="check_in",
            source="",
            target=visit.state,
            at=now,
            actor=request.user,
            team_id=team_id,
        )
        _audit(request.user, visit, "create", f"{visit.number}: angemeldet")
        # (Visit.objects.create raised the version through the signal already.)
    return HttpResponseRedirect(f"/bench-floor/empfang/?neu={visit.pk}")


def _my_desk(request) -> Desk:
    desk = Desk.objects.filter(occupied_by=request.user).first()
    if desk is None:
        raise PermissionDenied
    return desk


@require_POST
def call_floor(request):
    """The call-up: the next waiting visit (skip locked), its contact, event, audit, version."""
    _role(request, "frontdesk.use_desk")
    now = timezone.now()
    with transaction.atomic():
        desk = _my_desk(request)
        visit = (
            Visit.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                standort_id=desk.standort_id,
                day=timezone.localdate(now),
                state=VisitState.WAITING,
                team__in=desk.teams.all(),
            )
            .order_by("-priority", "queued_at", "pk")
            .first()
        )
        if visit is None:
            return HttpResponse("leer", status=409)
        Visit.objects.filter(pk=visit.pk).update(
            state=VisitState.CALLED,
            desk=desk,
            served_by=request.user,
            called_at=now,
            last_called_at=now,
            call_count=1,
        )
        Contact.objects.filter(visit=visit, ended_at__isnull=True).update(
            called_at=now, desk=desk, served_by=request.user, call_count=1
        )
        VisitEvent.objects.create(
            visit=visit,
            standort_id=desk.standort_id,
            action="call",
            source="waiting",
            target="called",
            at=now,
            actor=request.user,
            desk=desk,
        )
        _audit(request.user, visit, "transition", f"{visit.number}: aufgerufen")
        _bump(desk.standort_id)
    return HttpResponseRedirect("/bench-floor/aufruf/")


def desk_floor(request):
    """The desk page's essentials: the desk, who is called, the first 50 waiting, the audit."""
    _role(request, "frontdesk.use_desk")
    desk = _my_desk(request)
    current = Visit.objects.filter(desk=desk, state=VisitState.CALLED).first()
    queue = list(
        Visit.objects.filter(
            standort_id=desk.standort_id,
            day=timezone.localdate(),
            state=VisitState.WAITING,
            team__in=desk.teams.all(),
        )
        .order_by("-priority", "queued_at", "pk")
        .values_list("number", "queued_at", "kunde_id")[:50]
    )
    _audit(request.user, desk, "view", "Aufrufplatz eingesehen")
    lines = [f"{n} {q:%H:%M}" for n, q, _k in queue]
    if current is not None:
        lines.insert(0, f'<form action="/bench-floor/besuch/{current.pk}/abschliessen/"></form>')
    return HttpResponse("\n".join(lines))


@require_POST
def finish_floor(request, pk: int):
    """Finishing: the visit done, its concern handled, contact ended, event, audit, version."""
    _role(request, "frontdesk.use_desk")
    now = timezone.now()
    with transaction.atomic():
        desk = _my_desk(request)
        visit = (
            Visit.objects.select_for_update(of=("self",))
            .filter(pk=pk, desk=desk, state=VisitState.CALLED)
            .first()
        )
        if visit is None:
            return HttpResponse("nicht hier", status=409)
        Visit.objects.filter(pk=visit.pk).update(
            state=VisitState.DONE, outcome="resolved", finished_at=now
        )
        VisitConcern.objects.filter(visit=visit).update(handled=True)
        Contact.objects.filter(visit=visit, ended_at__isnull=True).update(
            ended_at=now, outcome="resolved"
        )
        VisitEvent.objects.create(
            visit=visit,
            standort_id=desk.standort_id,
            action="finish",
            source="called",
            target="done",
            at=now,
            actor=request.user,
            desk=desk,
        )
        _audit(request.user, visit, "transition", f"{visit.number}: abgeschlossen")
        _bump(desk.standort_id)
    return HttpResponseRedirect("/bench-floor/aufruf/")


def reception_floor(request):
    """The check-in's redirect page, its essentials: the new visit and the site's open count."""
    _role(request, "frontdesk.receive_visitors")
    new = Visit.objects.filter(pk=request.GET.get("neu") or 0).values_list("number").first()
    waiting = Visit.objects.filter(
        jobcenter_id=request.user.jobcenter_id,
        day=timezone.localdate(),
        state=VisitState.WAITING,
    ).count()
    return HttpResponse(f"{new} {waiting}")


floor_patterns = [
    path("empfang/", reception_floor),
    path("empfang/anmelden/", checkin_floor),
    path("aufruf/", desk_floor),
    path("aufruf/naechste/", call_floor),
    path("besuch/<int:pk>/abschliessen/", finish_floor),
]

urlpatterns = [
    path("bench-floor/", include(floor_patterns)),
    path("", include("jobcenter.urls")),
]
