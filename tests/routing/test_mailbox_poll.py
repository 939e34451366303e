"""The mailbox list refreshes itself (htmx poll) and marks new urgent items (issue 12).

The poll answers with the list alone, audits only customers it had not shown yet, costs the
same number of queries however many items there are, and marks each unclaimed urgent item
with the sentence the page announces ("Neue dringende Aufgabe: …"), nothing personal in it.
The pages declare their keyboard shortcuts (aria-keyshortcuts) and list them visibly.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jobcenter.models import AuditEvent
from routing.services import aufgabe_claim, aufgabe_create, vermerk_route
from tests.factories import person, register

pytestmark = pytest.mark.django_db

POLL = {"HX-Request": "true", "X-Poll": "1"}
URGENT_ROW = re.compile(r'<tr [^>]*data-urgent="([^"]*)"')


def mailbox_url(teams):
    return reverse("routing:mailbox", args=[teams["leistung"].postfach.pk])


def urgent_death(staff, teams, kunde, types):
    return vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["tod"],
        known_on=timezone.localdate(),
        event_date=timezone.localdate(),
        urgent=True,
    ).vermerk.deliveries.get(postfach=teams["leistung"].postfach)


def moving(staff, kunde, types):
    return vermerk_route(
        author=staff["ez"],
        kunde=kunde,
        information_type=types["umzug"],
        known_on=timezone.localdate(),
    )


def test_the_poll_answers_with_the_list_alone(login, staff, teams, kunde, types):
    moving(staff, kunde, types)
    client = login(staff["leistung"])
    page = client.get(mailbox_url(teams)).content.decode()
    # The page: the list polls itself with the filter's choices, under a live region.
    assert 'hx-trigger="every 10s"' in page and 'hx-include="#mailbox-filter"' in page
    assert 'aria-live="polite" id="mailbox-announce"' in page

    poll = client.get(mailbox_url(teams), headers=POLL)
    assert poll.status_code == 200
    fragment = poll.content.decode()
    assert "Umzug" in fragment and "<table" in fragment
    assert "<html" not in fragment and "<h1" not in fragment
    assert 'id="mailbox-filter"' not in fragment and "mailbox-announce" not in fragment
    assert "Hauptnavigation" not in fragment


def test_the_poll_keeps_the_chosen_view(login, staff, teams, kunde, types):
    moving(staff, kunde, types)
    client = login(staff["leistung"])
    done = client.get(mailbox_url(teams), {"ansicht": "erledigt"}, headers=POLL).content.decode()
    assert "Keine Einträge in dieser Ansicht." in done
    assert "Umzug" not in done


def test_only_unclaimed_urgent_items_are_marked_for_the_announcement(
    login, staff, teams, kunde, types
):
    moving(staff, kunde, types)
    urgent = urgent_death(staff, teams, kunde, types)
    client = login(staff["leistung"])
    marked = URGENT_ROW.findall(client.get(mailbox_url(teams), headers=POLL).content.decode())
    assert marked == [f"Neue dringende Aufgabe: {urgent.title}"]
    # The sentence names the item as the list does, never the customer.
    assert kunde.last_name not in marked[0] and kunde.kundennummer not in marked[0]

    aufgabe_claim(actor=staff["leistung"], aufgabe_id=urgent.pk)
    assert URGENT_ROW.findall(client.get(mailbox_url(teams), headers=POLL).content.decode()) == []


def test_a_poll_audits_only_customers_not_yet_shown(login, staff, teams, kunde, types):
    moving(staff, kunde, types)
    client = login(staff["leistung"])
    views = AuditEvent.objects.filter(actor=staff["leistung"], action=AuditEvent.Action.VIEW)
    client.get(mailbox_url(teams))
    assert views.filter(subject_id=kunde.pk).count() == 1
    for _ in range(3):
        client.get(mailbox_url(teams), headers=POLL)
    assert views.filter(subject_id=kunde.pk).count() == 1  # not one per poll

    other = register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Jonas", "Brandt", is_head=True)],
    ).applicant
    aufgabe_create(
        created_by=staff["ez"], title="Rückruf", postfach=teams["leistung"].postfach, kunde=other
    )
    client.get(mailbox_url(teams), headers=POLL)
    client.get(mailbox_url(teams), headers=POLL)
    assert views.filter(subject_id=other.pk).count() == 1
    assert views.filter(subject_id=kunde.pk).count() == 1
    # Opening the page again (not a poll) is a new read of everyone it shows.
    client.get(mailbox_url(teams))
    assert views.filter(subject_id=kunde.pk).count() == 2


def test_the_poll_costs_the_same_queries_however_many_items(
    login, staff, teams, kunde, types, django_assert_max_num_queries
):
    moving(staff, kunde, types)
    client = login(staff["leistung"])
    client.get(mailbox_url(teams), headers=POLL)
    with django_assert_max_num_queries(50) as few:
        client.get(mailbox_url(teams), headers=POLL)
    for _ in range(12):
        urgent_death(staff, teams, kunde, types)
    with django_assert_max_num_queries(len(few)):
        fragment = client.get(mailbox_url(teams), headers=POLL).content.decode()
    assert len(URGENT_ROW.findall(fragment)) == 12


def test_mailbox_and_item_declare_and_list_their_shortcuts(login, staff, teams, kunde, types):
    urgent = urgent_death(staff, teams, kunde, types)
    moving(staff, kunde, types)
    client = login(staff["leistung"])
    page = client.get(mailbox_url(teams)).content.decode()
    assert "Tastenkürzel:" in page
    # "Nächsten Eintrag öffnen" leads to the top of the list: the unclaimed urgent item.
    next_link = re.search(r'<a [^>]*id="mailbox-next"[^>]*>', page).group(0)
    assert f'href="{reverse("routing:item", args=[urgent.pk])}"' in next_link
    assert 'aria-keyshortcuts="Alt+Shift+N"' in next_link

    item = client.get(reverse("routing:item", args=[urgent.pk])).content.decode()
    assert "Tastenkürzel:" in item
    claim = re.search(
        r'<button [^>]*aria-keyshortcuts="Alt\+Shift\+U"[^>]*>\s*<span[^>]*>([^<]*)', item
    )
    assert claim and claim.group(1) == "Übernehmen"
    note = re.search(r'<textarea [^>]*aria-keyshortcuts="Alt\+Shift\+E"[^>]*>', item).group(0)
    assert 'name="done-note"' in note


def test_an_empty_or_done_view_offers_no_next_item(login, staff, teams, kunde, types):
    client = login(staff["leistung"])
    assert 'id="mailbox-next"' not in client.get(mailbox_url(teams)).content.decode()
    moving(staff, kunde, types)
    done_view = client.get(mailbox_url(teams), {"ansicht": "erledigt"}).content.decode()
    assert 'id="mailbox-next"' not in done_view


def test_the_overview_polls_its_table_alone_with_the_urgent_counts(
    login, staff, teams, kunde, types, django_assert_max_num_queries
):
    client = login(staff["teamleitung"])
    overview = reverse("routing:mailboxes")
    page = client.get(overview).content.decode()
    assert 'id="mailboxes-table"' in page and 'hx-trigger="every 10s"' in page

    postfach = teams["leistung"].postfach
    row = re.compile(rf'<tr [^>]*id="postfach-{postfach.pk}"[^>]*>')
    before = row.search(client.get(overview, headers=POLL).content.decode()).group(0)
    assert 'data-urgent-count="0"' in before
    assert f'data-urgent-new="Neue dringende Aufgabe im {postfach.name}"' in before

    with django_assert_max_num_queries(50) as few:
        client.get(overview, headers=POLL)
    for _ in range(3):
        urgent_death(staff, teams, kunde, types)
    with django_assert_max_num_queries(len(few)):
        fragment = client.get(overview, headers=POLL).content.decode()
    assert 'data-urgent-count="3"' in row.search(fragment).group(0)
    assert "<html" not in fragment and "Vermerk schreiben" not in fragment
    assert "mailbox-announce" not in fragment
