"""Two people claim one item at once; one system sends one ticket twice at once."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from routing.models import ApiSubmission, Aufgabe, InformationType, Vermerk
from routing.services import (
    RoutingError,
    api_client_create,
    api_payload_hash,
    api_ticket_submit,
    aufgabe_claim,
    vermerk_route,
)
from tests.factories import person, register

from .conftest import ensure_catalogue


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_one_wins_the_other_is_told(staff, teams):
    ensure_catalogue()
    kunde = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Rasch", "Zugriff", is_head=True)],
    ).applicant
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=InformationType.objects.get(code="umzug"),
        known_on=timezone.localdate(),
    )
    item = next(a for a in routed.aufgaben if a.postfach == teams["leistung"].postfach)
    results: list[str] = []

    def worker(actor):
        try:
            aufgabe_claim(actor=actor, aufgabe_id=item.pk)
            results.append(actor.username)
        except RoutingError as error:
            results.append(error.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(staff[u],)) for u in ("leistung", "teamleitung")
    ]
    with transaction.atomic():
        Aufgabe.objects.select_for_update().get(pk=item.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < len(threads):
            assert time.monotonic() < deadline, "workers never queued on the row lock"
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=10)

    winners = [r for r in results if r in ("leistung", "teamleitung")]
    assert len(winners) == 1
    loser = next(r for r in results if r not in winners)
    assert loser.startswith("Bereits übernommen von")
    item.refresh_from_db()
    assert item.claimed_by.username == winners[0]
    assert item.events.filter(action="claimed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_ticket_sent_twice_at_once_is_routed_once(staff, teams):
    ensure_catalogue()
    kunde = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[person("Doppelt", "Gesendet", is_head=True)],
    ).applicant
    client, _token = api_client_create(jobcenter=kunde.jobcenter, name="Portal")
    information_type = InformationType.objects.prefetch_related("rules").get(code="umzug")
    payload = {"client_key": "k-1", "kundennummer": kunde.kundennummer}
    answers: list[tuple] = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait(timeout=5)
            answers.append(
                api_ticket_submit(
                    client=client,
                    client_key="k-1",
                    payload_hash=api_payload_hash(payload),
                    render=lambda routed: {"id": routed.vermerk.pk},
                    kunde=kunde,
                    information_type=information_type,
                    known_on=timezone.localdate(),
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(created for _response, created in answers) == [False, True]
    assert answers[0][0] == answers[1][0]
    assert Vermerk.objects.filter(source=Vermerk.Source.API).count() == 1
    assert ApiSubmission.objects.count() == 1
    assert Aufgabe.objects.filter(vermerk__source=Vermerk.Source.API).count() == 2
