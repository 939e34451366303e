"""The officer's pages: only their role, only their Jobcenter; holds audited."""

import pytest
from django.urls import reverse

from intake.models import Kunde
from jobcenter.models import AuditEvent
from jobcenter.roles import Role
from privacy.models import LegalHold
from tests.factories import UserFactory

from .conftest import LAST_MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_dsb(db):
    return UserFactory(username="dsb-nebenan", role=Role.DATENSCHUTZ)


def test_search_finds_by_name_and_number_with_bounded_queries(
    build_person, login, dsb, django_assert_max_num_queries
):
    for name in ("Kranich", "Krause", "Kraft"):
        build_person(LAST_MONTH, last_name=name)
    client = login(dsb)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("privacy:search"), {"q": "Kra"})
    page = response.content.decode()
    assert response.status_code == 200
    for name in ("Kranich", "Krause", "Kraft"):
        assert name in page
    kunde = Kunde.objects.get(last_name="Kraft")
    response = client.get(reverse("privacy:search"), {"q": kunde.kundennummer})
    assert "Kraft" in response.content.decode()
    assert "Krause" not in response.content.decode()


def test_other_roles_are_refused_and_other_jobcenters_do_not_exist(
    build_person, login, staff, other_dsb
):
    built = build_person(LAST_MONTH)
    for role in ("admin", "teamleitung", "ez", "leistung"):
        client = login(staff[role])
        assert client.get(reverse("privacy:search")).status_code == 403
        url = reverse("privacy:export_json", args=[built.kunde.pk])
        assert client.get(url).status_code == 403
    client = login(other_dsb)
    assert client.get(reverse("privacy:person", args=[built.kunde.pk])).status_code == 404
    assert client.get(reverse("privacy:export_pdf", args=[built.kunde.pk])).status_code == 404
    response = client.get(reverse("privacy:search"), {"q": "Kranich"})
    assert built.kunde.kundennummer not in response.content.decode()
    assert "Keine Kundin und kein Kunde dieses Jobcenters gefunden." in response.content.decode()


def test_legal_hold_set_and_lifted_with_reason_and_who(build_person, login, dsb):
    built = build_person(LAST_MONTH)
    client = login(dsb)
    url = reverse("privacy:hold_set", args=[built.kunde.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    response = client.post(url, {"reason": "Klage S 12 AS 345/26"})
    assert response.status_code == 302
    hold = LegalHold.objects.get(kunde=built.kunde, lifted_at__isnull=True)
    assert (hold.reason, hold.set_by) == ("Klage S 12 AS 345/26", dsb)
    event = AuditEvent.objects.filter(summary="Sperrvermerk gesetzt").get()
    assert (event.actor, event.subject_id) == (dsb, built.kunde.pk)

    client.post(reverse("privacy:hold_lift", args=[built.kunde.pk]), {"hold": hold.pk})
    hold.refresh_from_db()
    assert hold.lifted_by == dsb and hold.lifted_at is not None
    assert AuditEvent.objects.filter(summary="Sperrvermerk aufgehoben", actor=dsb).exists()


def test_erase_through_the_page_needs_the_confirmation(build_person, login, dsb):
    built = build_person(LAST_MONTH)
    client = login(dsb)
    url = reverse("privacy:erase", args=[built.kunde.pk])
    data = {"grounds": "registered_by_mistake", "reason": "doppelt angelegt"}
    assert client.post(url, data).status_code == 422
    assert Kunde.objects.filter(pk=built.kunde.pk).exists()
    response = client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    assert not Kunde.objects.filter(pk=built.kunde.pk).exists()


def test_the_officer_starts_on_the_search(login, dsb):
    response = login(dsb).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:search")
