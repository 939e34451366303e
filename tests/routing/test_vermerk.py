"""The note form of every desk: search, validation, routing in one transaction, history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobcenter.models import AuditEvent
from routing import services
from routing.models import Aufgabe, AufgabeEvent, Vermerk
from routing.services import RoutingError, vermerk_route
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("routing:vermerk_new")
DESKS = ["empfang", "ez", "leistung", "ifk", "hotline", "teamleitung"]


def routed_notes():
    return Vermerk.objects.filter(information_type__isnull=False)


def post(client, **data):
    payload = {"action": "speichern", "known_on": timezone.localdate().isoformat(), **data}
    return client.post(URL, payload)


@pytest.mark.parametrize("who", [*DESKS, "leistung_b", "admin"])
def test_form_is_open_to_every_desk(login, staff, who):
    status = 403 if who == "admin" else 200
    assert login(staff[who]).get(URL).status_code == status


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/anmelden/" in response["Location"]


def test_search_by_name_bg_and_kundennummer(login, staff, kunde):
    client = login(staff["ez"])
    for q in ("Kowalski", "kowalski sabine", kunde.kundennummer, kunde.bedarfsgemeinschaft.number):
        page = client.get(reverse("routing:kunde_search"), {"q": q}).content.decode()
        assert f'value="{kunde.pk}"' in page, q
    page = client.get(reverse("routing:kunde_search"), {"q": "Niemand"}).content.decode()
    assert "Keine Kundin und kein Kunde gefunden" in page


def test_search_finds_only_what_the_user_may_see(login, staff, kunde, outsider):
    page = login(outsider).get(reverse("routing:kunde_search"), {"q": "Kowalski"}).content.decode()
    assert f'value="{kunde.pk}"' not in page
    # Leistung of another team does not find the customer either.
    page = login(staff["leistung_b"]).get(URL, {"q": "Kowalski"}).content.decode()
    assert kunde.kundennummer not in page


def test_no_js_search_keeps_what_was_typed(login, staff, kunde):
    response = login(staff["ez"]).post(
        URL, {"action": "suchen", "q": "Kowal", "information_type": "umzug", "text": "Neue Adresse"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{kunde.pk}"' in page and "Neue Adresse" in page
    assert "Bitte prüfen Sie" not in page


def test_type_details_show_hint_and_required_fields(login, staff):
    client = login(staff["ez"])
    page = client.get(
        reverse("routing:type_details"), {"information_type": "schwangerschaft"}
    ).content.decode()
    assert "Mutterpass nicht anfordern" in page
    assert "voraussichtlicher Entbindungstermin" in page
    page = client.get(
        reverse("routing:type_details"), {"information_type": "beschaeftigung-ende"}
    ).content.decode()
    assert "Ende der Beschäftigung am" in page and "Grund der Beendigung" in page
    assert "optional" not in page  # both are required
    page = client.get(
        reverse("routing:type_details"), {"information_type": "schulbescheinigung"}
    ).content.decode()
    assert "Grund" not in page and 'name="event_date"' not in page


def test_saving_routes_to_every_mailbox_records_the_path_and_shows_in_history(
    login, staff, teams, kunde
):
    client = login(staff["ez"])
    response = post(
        client,
        kunde=kunde.pk,
        information_type="schwangerschaft",
        urgent="on",
        event_date="2027-03-01",
        attachment_ref="d.3 4711",
    )
    vermerk = routed_notes().get()
    assert response.status_code == 302
    assert response["Location"] == reverse("routing:vermerk_detail", args=[vermerk.pk])
    assert vermerk.source == Vermerk.Source.EINGANGSZONE and vermerk.urgent
    assert vermerk.subject.startswith(
        "Schwangerschaft – voraussichtlicher Entbindungstermin 01.03.2027"
    )
    mailboxes = {a.postfach for a in vermerk.deliveries.all()}
    assert mailboxes == {teams["leistung"].postfach, teams["ue25"].postfach}
    assert all(a.urgent for a in vermerk.deliveries.all())
    assert AufgabeEvent.objects.filter(action="routed", aufgabe__vermerk=vermerk).count() == 2
    assert AuditEvent.objects.filter(target_id=vermerk.pk, action="create").exists()

    detail = client.get(response["Location"]).content.decode()
    assert "Postfach Team leistung" in detail and "Postfach Team ue25" in detail
    assert "offen, noch nicht übernommen" in detail
    assert "d.3 4711" in detail

    history = (
        login(staff["leistung"])
        .get(reverse("intake:customer_detail", args=[kunde.pk]))
        .content.decode()
    )
    assert "Schwangerschaft" in history and "Weitergeleitet an:" in history
    assert "Vermerk schreiben" in history


def test_message_names_the_targets_and_asks_integration_to_call(login, staff, kunde):
    client = login(staff["ifk"])
    response = post(
        client,
        kunde=kunde.pk,
        information_type="beschaeftigung-aufnahme",
        event_date=timezone.localdate().isoformat(),
        urgent="on",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Vermerk gespeichert und weitergeleitet an: Postfach Team leistung." in page
    assert "Dringend: Bitte Postfach Team leistung zusätzlich telefonisch informieren." in page
    assert Aufgabe.objects.get(vermerk__isnull=False).call_requested


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"information_type": "gibtsnicht"},
            "information_type",
            "Diese Informationsart gibt es nicht",
        ),
        ({"information_type": ""}, "information_type", "Bitte die Informationsart wählen."),
        ({"kunde": ""}, "kunde", "Bitte eine Kundin oder einen Kunden suchen und auswählen."),
        ({"kunde": "999999"}, "kunde", "wurde nicht gefunden"),
        ({"known_on": "FUTURE"}, "known_on", "darf nicht in der Zukunft liegen"),
        ({"known_on": "PAST"}, "known_on", "als Kundin oder Kunde erfasst"),
        ({"known_on": "kein Datum"}, "known_on", "gültiges Datum"),
        (
            {"information_type": "beschaeftigung-ende", "event_date": "2026-10-31"},
            "reason",
            "Bitte „Grund der Beendigung“ angeben: Pflichtangabe bei „Beendigung einer Beschäftigung“.",
        ),
        (
            {"information_type": "ausschlussgrund", "reason": "Altersrente"},
            "event_date",
            "Bitte „Ausschluss möglich ab“ angeben",
        ),
        (
            {"information_type": "aufhebung-ablehnung"},
            "event_date",
            "Pflichtangabe bei „Aufhebung / Ablehnung / Versagung / Entziehung der Leistung“",
        ),
        ({"information_type": "sonstiges"}, "text", "ist ein Text nötig"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(login, staff, kunde, data, field, message):
    today = timezone.localdate()
    payload = {"kunde": kunde.pk, "information_type": "umzug", **data}
    if payload.get("known_on") == "FUTURE":
        payload["known_on"] = (today + timedelta(days=1)).isoformat()
    elif payload.get("known_on") == "PAST":
        payload["known_on"] = (today - timedelta(days=3)).isoformat()
    response = post(login(staff["ez"]), **payload)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Es wurde nichts gespeichert" in page
    assert message in page
    assert f'href="#id_{field}"' in page
    assert not routed_notes().exists()
    assert not Aufgabe.objects.filter(vermerk__isnull=False).exists()


def test_a_customer_of_another_jobcenter_is_not_found(login, kunde, outsider):
    response = post(login(outsider), kunde=kunde.pk, information_type="umzug")
    assert response.status_code == 422
    assert "wurde nicht gefunden" in response.content.decode()
    assert not routed_notes().exists()


def test_service_refuses_an_author_of_another_jobcenter(kunde, types, outsider):
    with pytest.raises(RoutingError):
        vermerk_route(
            author=outsider,
            kunde=kunde,
            information_type=types["umzug"],
            known_on=timezone.localdate(),
        )


def test_unroutable_note_is_refused_whole(login, staff, kunde):
    bg = kunde.bedarfsgemeinschaft
    bg.leistung_team = None
    bg.save()
    response = post(login(staff["ez"]), kunde=kunde.pk, information_type="umzug")
    page = response.content.decode()
    assert response.status_code == 422
    assert "an Leistung kann nicht weitergeleitet werden" in page
    assert "nicht gespeichert und an niemanden weitergeleitet" in page
    assert not routed_notes().exists()
    assert not Aufgabe.objects.filter(vermerk__isnull=False).exists()


def test_a_fault_while_routing_leaves_nothing_half_routed(monkeypatch, staff, kunde, types):
    calls = {"n": 0}
    real = services.audit_record

    def failing(**kwargs):
        if kwargs.get("target").__class__ is Aufgabe:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("Datenbank weg")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", failing)
    with pytest.raises(RuntimeError):
        vermerk_route(
            author=staff["ez"],
            kunde=kunde,
            information_type=types["umzug"],
            known_on=timezone.localdate(),
        )
    assert not routed_notes().exists()
    assert not Aufgabe.objects.filter(vermerk__isnull=False).exists()


def test_inactive_type_is_refused(staff, kunde, types):
    t = types["umzug"]
    t.active = False
    t.save()
    with pytest.raises(RoutingError) as error:
        vermerk_route(
            author=staff["ez"], kunde=kunde, information_type=t, known_on=timezone.localdate()
        )
    assert "nicht mehr aktiv" in error.value.message


def test_hotline_form_is_a_ticket(login, staff, kunde):
    client = login(staff["hotline"])
    assert "Ticket aufnehmen" in client.get(URL).content.decode()
    post(client, kunde=kunde.pk, information_type="umzug")
    assert set(Aufgabe.objects.filter(vermerk__isnull=False).values_list("kind", flat=True)) == {
        "ticket"
    }


def test_existing_callers_keep_working(staff, kunde):
    # intake, frontdesk and appointments call these with their original keywords.
    note = services.vermerk_create(
        kunde=kunde,
        author=staff["ez"],
        subject="Beratung",
        known_on=timezone.localdate(),
        kind=Vermerk.Kind.BERATUNG,
        text="Profiling",
    )
    assert note.information_type is None and not note.deliveries.exists()
    task = services.aufgabe_create(
        created_by=staff["ez"],
        title="Rückruf",
        postfach=staff["ez"].teams.first().postfach,
        kunde=kunde,
        due_at=timezone.now(),
    )
    assert task.kind == Aufgabe.Kind.TASK and task.events.get().action == "created"
    with pytest.raises(ValueError):
        services.aufgabe_create(created_by=staff["ez"], title="ohne Ziel")


def test_vermerk_detail_is_scoped(login, staff, kunde, types, outsider):
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    url = reverse("routing:vermerk_detail", args=[routed.vermerk.pk])
    assert login(staff["leistung"]).get(url).status_code == 200
    assert login(staff["leistung_b"]).get(url).status_code == 404
    assert login(outsider).get(url).status_code == 404
    stranger = UserFactory(
        username="ifk-other", jobcenter=staff["ez"].jobcenter, role="integration"
    )
    assert login(stranger).get(url).status_code == 404


def test_customer_history_query_count_does_not_grow(
    login, staff, kunde, types, django_assert_max_num_queries
):
    client = login(staff["ez"])
    url = reverse("intake:customer_detail", args=[kunde.pk])
    vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for _ in range(10):
        vermerk_route(
            author=staff["ez"],
            kunde=kunde,
            information_type=types["schwangerschaft"],
            known_on=timezone.localdate(),
        )
    with django_assert_max_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert page.count("Weitergeleitet an:") == 11


@pytest.mark.rule("R-IA-01")
def test_an_allgemeiner_vermerk_without_type_is_recorded_and_routed_nowhere(login, staff, kunde):
    # DW 5.1: "Ein erfolgloser Anrufversuch ... Allgemeiner Vermerk": no information type,
    # so no mailbox gets it; it stands in the customer's history.
    client = login(staff["ifk"])
    page = client.get(URL).content.decode()
    assert "Allgemeiner Vermerk" in page
    before = set(Vermerk.objects.values_list("pk", flat=True))
    refused = post(client, kunde=kunde.pk, information_type="-allgemein")
    assert refused.status_code == 422
    assert set(Vermerk.objects.values_list("pk", flat=True)) == before
    response = post(
        client, kunde=kunde.pk, information_type="-allgemein", text="Anruf, nicht erreicht"
    )
    vermerk = Vermerk.objects.exclude(pk__in=before).get()
    assert response.status_code == 302
    assert (vermerk.kunde, vermerk.information_type, vermerk.kind) == (
        kunde,
        None,
        Vermerk.Kind.ALLGEMEIN,
    )
    assert vermerk.subject == "Anruf, nicht erreicht"
    assert not Aufgabe.objects.filter(vermerk=vermerk).exists()
    history = client.get(reverse("intake:customer_detail", args=[kunde.pk])).content.decode()
    assert "Anruf, nicht erreicht" in history
