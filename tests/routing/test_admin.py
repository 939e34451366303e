"""The catalogue is data the Jobcenter edits; a rule table that routes nowhere is refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from routing.models import Aufgabe, InformationType, RoutingRule
from routing.services import aufgabe_reroute, vermerk_route

pytestmark = pytest.mark.django_db


def change_url(t):
    return reverse("admin:routing_informationtype_change", args=[t.pk])


def form_data(t, rules, **overrides):
    data = {
        "name": t.name,
        "code": t.code,
        "active": "on" if t.active else "",
        "position": t.position,
        "source": t.source,
        "hint": t.hint,
        "description": t.description,
        "event_date": t.event_date,
        "event_date_label": t.event_date_label,
        "reason": t.reason,
        "reason_label": t.reason_label,
        "rules-TOTAL_FORMS": len(rules),
        "rules-INITIAL_FORMS": sum(1 for r in rules if r.get("id")),
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
    }
    if t.text_required:
        data["text_required"] = "on"
    if t.routed:
        data["routed"] = "on"
    if t.follow_up_days is not None:
        data["follow_up_days"] = t.follow_up_days
    for i, rule in enumerate(rules):
        for key, value in rule.items():
            data[f"rules-{i}-{key}"] = value
        if t.pk:
            data[f"rules-{i}-information_type"] = t.pk
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def existing(t):
    return [
        {"id": r.pk, "target": r.target, "team_kind": r.team_kind, "active": "on"}
        for r in t.rules.all()
    ]


def test_admin_lists_the_catalogue(login, staff):
    page = login(staff["admin"]).get(reverse("admin:routing_informationtype_changelist"))
    assert page.status_code == 200
    assert "Schwangerschaft" in page.content.decode()
    assert (
        login(staff["teamleitung"])
        .get(reverse("admin:routing_informationtype_changelist"))
        .status_code
        == 302
    )  # not the admin role: sent to the admin login


def test_deactivating_every_rule_of_an_active_type_is_refused(login, staff, types):
    t = types["umzug"]
    rules = existing(t)
    for rule in rules:
        rule["active"] = ""
    response = login(staff["admin"]).post(change_url(t), form_data(t, rules))
    assert response.status_code == 200
    assert "würde an niemanden weitergeleitet" in response.content.decode()
    assert t.rules.filter(active=True).count() == 2


def test_deleting_the_last_rule_is_refused(login, staff, types):
    t = types["einstiegsgeld"]
    rules = existing(t)
    rules[0]["DELETE"] = "on"
    response = login(staff["admin"]).post(change_url(t), form_data(t, rules))
    assert "würde an niemanden weitergeleitet" in response.content.decode()
    assert t.rules.count() == 1


def test_team_kind_needs_a_kind_and_a_new_rule_can_be_added(login, staff, types):
    t = types["schulbescheinigung"]
    client = login(staff["admin"])
    rules = [*existing(t), {"target": "team_kind", "team_kind": "", "active": "on"}]
    response = client.post(change_url(t), form_data(t, rules))
    assert "Bitte die Art des Teams wählen" in response.content.decode()
    rules[-1]["team_kind"] = "but"
    response = client.post(change_url(t), form_data(t, rules))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert t.rules.filter(target="team_kind", team_kind="but").exists()


def test_a_deactivated_type_may_keep_no_active_rule(login, staff, types):
    t = types["umzug"]
    rules = existing(t)
    for rule in rules:
        rule["active"] = ""
    response = login(staff["admin"]).post(change_url(t), form_data(t, rules, active=""))
    assert response.status_code == 302
    assert not InformationType.objects.get(pk=t.pk).active


def test_a_new_type_must_route_somewhere(login, staff):
    client = login(staff["admin"])
    blank = InformationType(name="Pflegegrad", code="pflegegrad")
    response = client.post(
        reverse("admin:routing_informationtype_add"), form_data(blank, [], active="on")
    )
    assert "würde an niemanden weitergeleitet" in response.content.decode()
    response = client.post(
        reverse("admin:routing_informationtype_add"),
        form_data(blank, [{"target": "leistung", "active": "on"}], active="on"),
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get(information_type__code="pflegegrad").target == "leistung"


def test_rules_page_shows_fired_and_rerouted_per_rule(login, staff, teams, kunde, types):
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    misrouted = next(a for a in routed.aufgaben if a.postfach == teams["leistung"].postfach)
    aufgabe_reroute(
        actor=staff["leistung"],
        aufgabe_id=misrouted.pk,
        postfach=teams["leistung_b"].postfach,
        reason="falsches Team",
    )
    response = login(staff["teamleitung"]).get(reverse("routing:rules"))
    umzug = next(t for t in response.context["types"] if t.code == "umzug")
    stats = {r.target: (r.fired, r.rerouted) for r in umzug.rules.all()}
    assert stats == {"leistung": (2, 1), "integration": (2, 0)}
    # The admin's inline shows the same numbers.
    page = login(staff["admin"]).get(change_url(types["umzug"])).content.decode()
    assert "Von Hand umgeleitet" in page


def test_rules_page_is_for_staff(client, login, staff, outsider, types):
    rules_url = reverse("routing:rules")
    anonymous = client.get(rules_url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert login(staff["hotline"]).get(rules_url).status_code == 200
    assert login(staff["admin"]).get(rules_url).status_code == 200
    # Staff of another Jobcenter get their own table: none of our rows, none of our names.
    ours = types["umzug"]
    ours.name = "Umzug innerhalb Wuppertals"
    ours.save(update_fields=["name"])
    page = login(outsider).get(rules_url)
    assert page.status_code == 200
    shown = list(page.context["types"])
    assert shown and {t.jobcenter_id for t in shown} == {outsider.jobcenter_id}
    assert "Umzug innerhalb Wuppertals" not in page.content.decode()


def test_rules_page_query_count_does_not_grow(
    login, staff, kunde, types, django_assert_max_num_queries
):
    client = login(staff["teamleitung"])
    url = reverse("routing:rules")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for code in ("umzug", "tod", "krankengeld", "schulbescheinigung"):
        t = types[code]
        vermerk_route(
            author=staff["ez"],
            kunde=kunde,
            information_type=t,
            known_on=timezone.localdate(),
            event_date=timezone.localdate() if t.asks_date else None,
        )
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_api_client_admin_shows_the_token_once(login, staff):
    from routing.models import ApiClient

    client = login(staff["admin"])
    response = client.post(
        reverse("admin:routing_apiclient_add"),
        {"name": "Online-Portal", "active": "on"},
        follow=True,
    )
    page = response.content.decode()
    api_client = ApiClient.objects.get(name="Online-Portal")
    assert api_client.jobcenter == staff["admin"].jobcenter
    assert "wird nur jetzt angezeigt" in page and api_client.token_prefix in page
    again = client.get(reverse("admin:routing_apiclient_change", args=[api_client.pk]))
    assert "wird nur jetzt angezeigt" not in again.content.decode()
    duplicate = client.post(reverse("admin:routing_apiclient_add"), {"name": "Online-Portal"})
    assert "gibt es bereits" in duplicate.content.decode()


def test_items_are_read_only_in_the_admin(login, staff, teams, kunde, types):
    routed = vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )
    item = routed.aufgaben[0]
    before = Aufgabe.objects.filter(pk=item.pk).values().get()
    client = login(staff["admin"])
    assert client.get(reverse("admin:routing_aufgabe_changelist")).status_code == 200
    change = reverse("admin:routing_aufgabe_change", args=[item.pk])
    page = client.get(change)
    assert page.status_code == 200 and "zugestellt nach Regel" in page.content.decode()
    # A posted change, an added item and a deletion all leave the items as they were.
    client.post(
        change,
        {
            "title": "Umbenannt",
            "status": Aufgabe.Status.DONE,
            "postfach": teams["leistung_b"].postfach.pk,
            "urgent": "on",
        },
    )
    assert Aufgabe.objects.filter(pk=item.pk).values().get() == before
    count = Aufgabe.objects.count()
    add = client.post(reverse("admin:routing_aufgabe_add"), {"title": "Neu", "kind": "note"})
    assert add.status_code == 403
    delete = reverse("admin:routing_aufgabe_delete", args=[item.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Aufgabe.objects.count() == count
