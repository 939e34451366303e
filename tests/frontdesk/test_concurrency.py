"""Two desks never call the same customer: real PostgreSQL row locks, real threads."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from frontdesk.errors import FrontdeskError, QueueEmpty
from frontdesk.models import Desk, Outcome, Visit, VisitState
from frontdesk.services import calling
from frontdesk.services.calling import visit_call, visit_call_next
from frontdesk.services.desks import desk_open
from frontdesk.services.outcomes import visit_finish
from jobcenter.roles import Role
from tests.factories import UserFactory

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def counters(jobcenter, site, teams, catalogue):
    """Eight Eingangszone desks, each opened by its own person."""
    result = []
    for n in range(8):
        desk = Desk.objects.create(standort=site, name=f"Schalter {n + 1}")
        desk.teams.set([teams["ez"]])
        user = UserFactory(
            username=f"ez{n}", jobcenter=jobcenter, role=Role.EINGANGSZONE, teams=[teams["ez"]]
        )
        desk_open(actor=user, desk_id=desk.pk, now=at(8))
        result.append((user, desk))
    return result


def _in_thread(name, target, results):
    def run():
        try:
            results[name] = target()
        except FrontdeskError as error:
            results[name] = error
        finally:
            connections.close_all()

    return threading.Thread(target=run, name=name)


def test_many_desks_calling_at_once_never_share_a_customer(check_in, counters):
    waiting = [check_in("sachstand", now=at(9, i)) for i in range(5)]
    results: dict = {}
    barrier = threading.Barrier(len(counters))

    def caller(user, desk):
        def call():
            barrier.wait(timeout=10)
            return visit_call_next(actor=user, desk_id=desk.pk, now=at(9, 30))

        return call

    threads = [_in_thread(desk.name, caller(user, desk), results) for user, desk in counters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    called = [r.pk for r in results.values() if isinstance(r, Visit)]
    empty = [r for r in results.values() if isinstance(r, QueueEmpty)]
    assert sorted(called) == sorted(v.pk for v in waiting)  # each exactly once
    assert len(empty) == len(counters) - len(waiting)
    assert Visit.objects.filter(state=VisitState.CALLED).values("desk").distinct().count() == 5


def test_second_desk_skips_the_customer_the_first_is_calling(check_in, counters, monkeypatch):
    first = check_in("sachstand", now=at(9))
    second = check_in("sachstand", now=at(9, 1))
    (user_a, desk_a), (user_b, desk_b) = counters[:2]
    picked, go = threading.Event(), threading.Event()
    original = calling._call

    def slow_call(visit, desk, actor, now, **kwargs):
        if threading.current_thread().name == "A":
            picked.set()  # desk A holds the row lock of the first customer now
            assert go.wait(10)
        return original(visit, desk, actor, now, **kwargs)

    monkeypatch.setattr(calling, "_call", slow_call)
    results: dict = {}
    a = _in_thread(
        "A", lambda: visit_call_next(actor=user_a, desk_id=desk_a.pk, now=at(9, 5)), results
    )
    a.start()
    assert picked.wait(10)
    # Desk B does not wait for A's lock and does not get A's customer: it gets the next.
    b = _in_thread(
        "B", lambda: visit_call_next(actor=user_b, desk_id=desk_b.pk, now=at(9, 5)), results
    )
    b.start()
    b.join(timeout=10)
    assert not b.is_alive(), "desk B waited for desk A's row lock"
    go.set()
    a.join(timeout=10)
    assert results["A"] == first
    assert results["B"] == second
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.desk_id) == (VisitState.CALLED, desk_a.pk)
    assert (second.state, second.desk_id) == (VisitState.CALLED, desk_b.pk)


def test_two_desks_calling_the_same_customer_one_gets_a_clear_message(
    check_in, counters, monkeypatch
):
    visit = check_in("sachstand", now=at(9))
    (user_a, desk_a), (user_b, desk_b) = counters[:2]
    picked, go = threading.Event(), threading.Event()
    original = calling._call

    def slow_call(visit, desk, actor, now, **kwargs):
        if threading.current_thread().name == "A":
            picked.set()
            assert go.wait(10)
        return original(visit, desk, actor, now, **kwargs)

    monkeypatch.setattr(calling, "_call", slow_call)
    results: dict = {}

    def call(user, desk):
        return lambda: visit_call(
            actor=user, desk_id=desk.pk, visit_id=visit.pk, reason="Termin", now=at(9, 5)
        )

    a = _in_thread("A", call(user_a, desk_a), results)
    a.start()
    assert picked.wait(10)
    b = _in_thread("B", call(user_b, desk_b), results)
    b.start()
    b.join(timeout=10)
    go.set()
    a.join(timeout=10)
    assert results["A"] == visit
    assert "gerade an einem anderen Schalter" in str(results["B"])
    # Afterwards the message names the desk.
    with pytest.raises(FrontdeskError, match="inzwischen an Schalter 1 aufgerufen"):
        visit_call(actor=user_b, desk_id=desk_b.pk, visit_id=visit.pk, reason="x")


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_finishing_twice_at_once_is_recorded_once(check_in, counters):
    """Two tabs of one desk (or a double click) queue on the desk's row lock."""
    user, desk = counters[0]
    visit = check_in("sachstand", now=at(9))
    visit_call_next(actor=user, desk_id=desk.pk, now=at(9, 1))
    handled = list(visit.visit_concerns.values_list("concern_id", flat=True))
    results: dict = {}

    def finish():
        return visit_finish(
            actor=user,
            desk_id=desk.pk,
            visit_id=visit.pk,
            outcome=Outcome.RESOLVED,
            handled=handled,
            now=at(9, 5),
        )

    threads = [_in_thread(name, finish, results) for name in ("tab1", "tab2")]
    with transaction.atomic():
        Desk.objects.select_for_update().get(pk=desk.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < len(threads):
            assert time.monotonic() < deadline, "workers never queued on the row lock"
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=10)
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["FrontdeskError", "Visit"]
    assert "bereits abgeschlossen" in str(
        next(r for r in results.values() if isinstance(r, FrontdeskError))
    )
    visit.refresh_from_db()
    assert visit.state == VisitState.DONE
    assert visit.events.filter(action="finish").count() == 1
