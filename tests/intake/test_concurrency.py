"""Two people acting on one case at once: real PostgreSQL row locks, real threads."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from intake.models import Antrag, AntragState
from intake.services import CaseConflict, antrag_transition
from tests.factories import register, settle_checklist


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Statistics views are snapshotted per transaction; we poll inside one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def _race(antrag_id: int, attempts: list[tuple]) -> list[str]:
    """Run the attempts in threads that all queue on the case's row lock, then release it."""
    results: list[str] = []

    def worker(actor, name, comment):
        try:
            antrag_transition(
                actor=actor,
                antrag_id=antrag_id,
                name=name,
                expected_state=AntragState.BEARBEITUNGSREIF,
                comment=comment,
            )
            results.append(name)
        except CaseConflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=attempt) for attempt in attempts]
    with transaction.atomic():
        # Hold the row so every worker is certainly blocked on it before any proceeds.
        Antrag.objects.select_for_update().get(pk=antrag_id)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < len(threads):
            assert time.monotonic() < deadline, "workers never queued on the row lock"
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=10)
    return results


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_at_once_one_wins_the_other_is_told(staff, teams):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    settle_checklist(antrag)
    antrag_transition(
        actor=staff["leistung"],
        antrag_id=antrag.pk,
        name="complete_entry_check",
        expected_state=AntragState.ERFASST,
        documents_complete=True,
    )

    results = _race(
        antrag.pk,
        [(staff["leistung"], "approve", ""), (staff["teamleitung"], "reject", "kein Anspruch")],
    )

    assert sorted(results) in (["approve", "conflict"], ["conflict", "reject"])
    antrag.refresh_from_db()
    winner = next(r for r in results if r != "conflict")
    assert (
        antrag.state == {"approve": AntragState.BEWILLIGT, "reject": AntragState.ABGELEHNT}[winner]
    )
    # Exactly one decision in the history: register, entry check, the winner.
    assert antrag.history.count() == 3


@pytest.mark.django_db(transaction=True)
def test_same_step_twice_at_once_is_recorded_once(staff, teams):
    antrag = register(actor=staff["ez"], leistung_team=teams["leistung"])
    settle_checklist(antrag)
    antrag_transition(
        actor=staff["leistung"],
        antrag_id=antrag.pk,
        name="complete_entry_check",
        expected_state=AntragState.ERFASST,
        documents_complete=True,
    )
    results = _race(
        antrag.pk, [(staff["leistung"], "approve", ""), (staff["teamleitung"], "approve", "")]
    )
    assert sorted(results) == ["approve", "conflict"]
    antrag.refresh_from_db()
    assert antrag.state == AntragState.BEWILLIGT
    assert antrag.history.filter(target=AntragState.BEWILLIGT).count() == 1
