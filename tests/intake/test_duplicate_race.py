"""Two intake submissions for the same person at once (real PostgreSQL, real threads).

Each worker is held right after its duplicate check until the other has checked too (or a
short timeout passes): without a lock both find no customer and both create one.
"""

import contextlib
import threading

import pytest
from django.db import connections

from intake import services
from intake.models import Antrag, Kunde
from intake.services import IntakeError, antrag_register
from tests.factories import intake_data, person


def _race(monkeypatch, actors, persons_per_worker) -> list[str]:
    checked = threading.Barrier(len(actors), timeout=1.5)
    original = services._resolve_person

    def resolve_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        # With the lock the other worker waits on it (the barrier breaks): it checks later.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait()
        return result

    monkeypatch.setattr(services, "_resolve_person", resolve_then_wait)
    results: list[str] = []

    def worker(actor, leistung_team, persons):
        try:
            antrag_register(
                actor=actor,
                jobcenter=actor.jobcenter,
                data=intake_data(leistung_team=leistung_team, persons=persons),
            )
            results.append("created")
        except IntakeError as error:
            results.append(error.message)
        except Exception as error:  # a 500 in the view
            results.append(f"crash: {error!r}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(actor, team, persons))
        for (actor, team), persons in zip(actors, persons_per_worker, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


@pytest.mark.django_db(transaction=True)
def test_same_person_twice_at_once_one_customer_one_case(monkeypatch, staff, teams):
    actors = [(staff["ez"], teams["leistung"]), (staff["teamleitung"], teams["leistung"])]
    erika = [person(is_head=True)]

    results = _race(monkeypatch, actors, [erika, erika])

    assert not [r for r in results if r.startswith("crash")], results
    assert Kunde.objects.count() == 1
    assert Antrag.objects.count() == 1
    assert len(results) == 2 and results.count("created") == 1
    loser = next(r for r in results if r != "created")
    assert "ist bereits als Kunde erfasst" in loser
    assert "Bitte die Kd.-Nr. eintragen" in loser


@pytest.mark.django_db(transaction=True)
def test_name_differing_in_case_and_spaces_is_the_same_person(monkeypatch, staff, teams):
    actors = [(staff["ez"], teams["leistung"]), (staff["teamleitung"], teams["leistung"])]
    results = _race(
        monkeypatch,
        actors,
        [[person(is_head=True)], [person(first=" ERIKA ", last="mustermann", is_head=True)]],
    )
    assert Kunde.objects.count() == 1
    assert Antrag.objects.count() == 1
    assert any("ist bereits als Kunde erfasst" in r for r in results)


@pytest.mark.django_db(transaction=True)
def test_same_new_kundennummer_twice_at_once_no_crash(monkeypatch, staff, teams):
    """A Kd.-Nr. typed in from VerBIS for a person not yet here: the second submission
    finds the first one's customer instead of failing on the unique number."""
    nr = f"{staff['ez'].jobcenter.kundennummer_prefix}777777"
    actors = [(staff["ez"], teams["leistung"]), (staff["teamleitung"], teams["leistung"])]
    erika = [person(is_head=True, kundennummer=nr)]

    results = _race(monkeypatch, actors, [erika, erika])

    assert not [r for r in results if r.startswith("crash")], results
    assert Kunde.objects.filter(kundennummer=nr).count() == 1
    assert Antrag.objects.count() == 1
    loser = next(r for r in results if r != "created")
    assert "bereits ein Antrag in Bearbeitung" in loser
