"""The desk's details (issue 12): "nicht erschienen" only after calls spread over time, a
double click is one call, the desk choice starts on the last desk, the called customer's
name opens their record, and the waiting-room display shows only who is called now, marks
recalls and guides in the Jobcenter's languages."""

import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontdesk.errors import FrontdeskError
from frontdesk.models import Desk, Outcome, SiteSettings, VisitEvent, VisitState
from frontdesk.services.calling import (
    no_show_refusal,
    visit_call_next,
    visit_no_show,
    visit_park,
    visit_recall,
)
from frontdesk.services.outcomes import visit_finish, visit_pass_on
from tests.factories import register

from .conftest import at

pytestmark = pytest.mark.django_db

A = VisitEvent.Action


@pytest.fixture
def ez(staff, desks, open_desk):
    open_desk(staff["ez"], desks["s1"], now=at(8))
    return staff["ez"], desks["s1"]


def _moment(hms):
    return hms[0] if isinstance(hms[0], datetime) else at(*hms)


def recall(ez, visit, *hms):
    """Recall at a clock time today (hour, minute, second) or at a given moment."""
    user, desk = ez
    return visit_recall(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=_moment(hms))


def no_show(ez, visit, *hms):
    user, desk = ez
    return visit_no_show(actor=user, desk_id=desk.pk, visit_id=visit.pk, now=_moment(hms))


@pytest.fixture
def called(check_in, ez):
    """A customer called at 9:00:00 at Schalter 1."""
    check_in("unterlagen", now=at(8, 50))
    user, desk = ez
    return visit_call_next(actor=user, desk_id=desk.pk, now=at(9))


# --- "nicht erschienen" only after the calls spread over the set time ------------------


def test_three_calls_within_two_minutes_are_not_enough(ez, called):
    # Defaults: 3 calls, at least 2 minutes from the first to the last. 9:00, 9:01, 9:01:59.
    recall(ez, called, 9, 1)
    visit = recall(ez, called, 9, 1, 59)
    assert visit.call_count == 3
    assert no_show_refusal(visit) == "erst nach 3 Aufrufen über mindestens 2 Minuten"
    with pytest.raises(FrontdeskError, match="erst nach 3 Aufrufen über mindestens 2 Minuten"):
        no_show(ez, visit, 9, 5)
    visit.refresh_from_db()
    assert visit.state == VisitState.CALLED


def test_three_calls_over_two_minutes_allow_the_no_show(ez, called):
    recall(ez, called, 9, 1)
    visit = recall(ez, called, 9, 2)  # exactly 2 minutes after the first call
    assert no_show_refusal(visit) == ""
    visit = no_show(ez, visit, 9, 2, 30)
    assert (visit.state, visit.finished_at) == (VisitState.NO_SHOW, at(9, 2, 30))


def test_two_calls_over_ten_minutes_are_too_few(ez, called):
    visit = recall(ez, called, 9, 10)
    with pytest.raises(FrontdeskError, match=r"erst nach 3 Aufrufen .* \(bisher 2 Aufrufe\)"):
        no_show(ez, visit, 9, 11)


def test_three_clicks_within_five_seconds_are_one_call(ez, called):
    # 9:00:00 called; 9:00:02 and 9:00:05 are the same call again: not counted, not shown.
    recall(ez, called, 9, 0, 2)
    visit = recall(ez, called, 9, 0, 5)
    assert (visit.call_count, visit.last_called_at) == (1, at(9))
    assert list(visit.events.filter(action=A.RECALL)) == []
    # 9:00:06 is six seconds after the last counted call: a second call.
    visit = recall(ez, called, 9, 0, 6)
    assert (visit.call_count, visit.last_called_at) == (2, at(9, 0, 6))
    assert visit.contacts.get().call_count == 2
    # 9:00:09 is three seconds after that one: again not counted.
    assert recall(ez, called, 9, 0, 9).call_count == 2


def test_the_sites_own_settings_apply(ez, called, site):
    SiteSettings.objects.create(standort=site, no_show_min_minutes=5, recall_ignored_seconds=10)
    recall(ez, called, 9, 0, 10)  # ten seconds: still the same call
    assert called.__class__.objects.get(pk=called.pk).call_count == 1
    recall(ez, called, 9, 2)
    visit = recall(ez, called, 9, 4)
    assert no_show_refusal(visit) == "erst nach 3 Aufrufen über mindestens 5 Minuten"
    visit = recall(ez, called, 9, 5)  # the fourth call, 5 minutes after the first
    assert no_show_refusal(visit) == ""


def test_the_desk_page_disables_the_button_and_says_why(login, ez, called):
    client = login(ez[0])
    page = client.get(reverse("frontdesk:desk")).content.decode()
    assert "disabled" in _no_show_button(page)
    assert "erst nach 3 Aufrufen über mindestens 2 Minuten" in page
    # Posting it anyway is refused by the service.
    response = client.post(
        reverse("frontdesk:visit_step", args=[called.pk, "nicht-erschienen"]), follow=True
    )
    assert "erst nach 3 Aufrufen über mindestens 2 Minuten (bisher 1 Aufruf)" in (
        response.content.decode()
    )
    called.refresh_from_db()
    assert called.state == VisitState.CALLED

    recall(ez, called, 9, 1)
    recall(ez, called, 9, 2)
    page = client.get(reverse("frontdesk:desk")).content.decode()
    assert "disabled" not in _no_show_button(page)
    assert "erst nach 3 Aufrufen" not in page


def test_a_double_click_on_recall_says_it_did_not_count(login, ez, called, frozen_at):
    # The test's call was at 9:00 today; a recall at 10:00 is long after it: counted.
    frozen_at(10)
    client = login(ez[0])
    url = reverse("frontdesk:visit_step", args=[called.pk, "erneut"])
    page = client.post(url, follow=True).content.decode()
    assert f"{called.number} ist erneut aufgerufen." in page
    page = client.post(url, follow=True).content.decode()
    assert f"{called.number} wurde eben erst aufgerufen; das zählt nicht als neuer Aufruf." in page
    called.refresh_from_db()
    assert called.call_count == 2


def _no_show_button(page: str) -> str:
    form = page.split("nicht-erschienen", 1)[1]
    return form.split("</button>", 1)[0]


# --- the desk choice starts on the last desk and site -----------------------------------


def test_desk_choice_starts_on_the_last_desk(login, staff, desks, other_site, teams):
    south = Desk.objects.create(standort=other_site, name="Süd 1")
    south.teams.set([teams["ez"]])
    client = login(staff["ez"])
    client.post(reverse("frontdesk:desk_open"), {"desk": south.pk})
    client.post(reverse("frontdesk:desk_close"))
    form = client.get(reverse("frontdesk:desk")).context["form"]
    assert form["desk"].value() == south.pk
    page = client.get(reverse("frontdesk:desk")).content.decode()
    assert f'<option value="{south.pk}" selected>' in page


def test_desk_choice_takes_a_free_desk_at_the_same_site_if_the_last_is_taken(
    login, staff, desks, open_desk
):
    client = login(staff["ez"])
    client.post(reverse("frontdesk:desk_open"), {"desk": desks["s2"].pk})
    client.post(reverse("frontdesk:desk_close"))
    open_desk(staff["teamleitung"], desks["s2"])  # someone else sits there now
    form = client.get(reverse("frontdesk:desk")).context["form"]
    # The first free desk of the same site, in the site's order: Schalter 1.
    assert form["desk"].value() == desks["s1"].pk


def test_desk_choice_without_history_starts_on_the_own_site(login, staff, desks, other_site, teams):
    south = Desk.objects.create(standort=other_site, name="Süd 1", position=0)
    south.teams.set([teams["ez"]])
    user = staff["ez"]
    user.standort = other_site
    user.save()
    form = login(user).get(reverse("frontdesk:desk")).context["form"]
    assert form["desk"].value() == south.pk


# --- the called customer's name opens their record --------------------------------------


def test_called_name_links_to_the_record_where_the_role_may_open_it(
    login, staff, teams, check_in, desks, open_desk
):
    kunde = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    desk = Desk.objects.filter(teams=check_in("unterlagen", kunde=kunde).team).first()
    open_desk(staff["ez"], desk)
    visit_call_next(actor=staff["ez"], desk_id=desk.pk)
    page = login(staff["ez"]).get(reverse("frontdesk:desk")).content.decode()
    link = f'href="{reverse("intake:customer_detail", args=[kunde.pk])}"'
    assert link in page
    assert f"{kunde.first_name} {kunde.last_name}</a>" in page


def test_called_name_without_link_where_the_role_may_not_open_it(
    login, staff, teams, check_in, desks, open_desk
):
    # An IFK sees only the customers of their own caseload; this one has none.
    kunde = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    desk = Desk.objects.filter(teams=check_in("unterlagen", kunde=kunde).team).first()
    open_desk(staff["ifk"], desk)
    visit_call_next(actor=staff["ifk"], desk_id=desk.pk)
    page = login(staff["ifk"]).get(reverse("frontdesk:desk")).content.decode()
    assert reverse("intake:customer_detail", args=[kunde.pk]) not in page
    assert f"{kunde.first_name} {kunde.last_name}" in page


# --- the display --------------------------------------------------------------------------


def _state(client, display):
    return json.loads(client.get(reverse("frontdesk:display_data", args=[display.token])).content)


def test_display_drops_finished_passed_on_no_show_and_parked(
    client, display, staff, teams, check_in, desks, open_desk, site
):
    # The display shows the calls of the last quarter of an hour: the test runs just now.
    start = timezone.now() - timedelta(minutes=10)

    def t(minutes, seconds=0):
        return start + timedelta(minutes=minutes, seconds=seconds)

    SiteSettings.objects.create(standort=site, no_show_min_minutes=1)
    for n in range(5):
        check_in("unterlagen", now=t(-5 + n))
    ez = staff["ez"], desks["s1"]
    user, desk = ez
    open_desk(user, desk, now=t(-1))

    def call(minutes):
        return visit_call_next(actor=user, desk_id=desk.pk, now=t(minutes))

    finished = call(0)
    visit_finish(
        actor=user,
        desk_id=desk.pk,
        visit_id=finished.pk,
        outcome=Outcome.RESOLVED,
        handled=list(finished.visit_concerns.values_list("concern_id", flat=True)),
        now=t(1),
    )
    passed = call(2)
    visit_pass_on(
        actor=user,
        desk_id=desk.pk,
        visit_id=passed.pk,
        team=teams["leistung"],
        note="Frage zur Leistung",
        now=t(3),
    )
    gone = call(4)
    recall(ez, gone, t(4, 30))
    recall(ez, gone, t(5))
    no_show(ez, gone, t(5, 10))
    parked = call(6)
    visit_park(actor=user, desk_id=desk.pk, visit_id=parked.pk, now=t(7))
    now_called = call(8)

    numbers = [c["number"] for c in _state(client, display)["calls"]]
    assert numbers == [now_called.number]
    page = client.get(reverse("frontdesk:display", args=[display.token])).content.decode()
    calls = page.split('id="calls"', 1)[1].split("</ol>", 1)[0]
    for number in (finished.number, passed.number, gone.number, parked.number):
        assert f">{number}<" not in calls
    assert f">{now_called.number}<" in calls


def test_display_marks_a_recall(client, display, check_in, ez):
    check_in("unterlagen")
    user, desk = ez
    minute_ago = timezone.now() - timedelta(minutes=1)
    called = visit_call_next(actor=user, desk_id=desk.pk, now=minute_ago)
    page = client.get(reverse("frontdesk:display", args=[display.token])).content.decode()
    calls = page.split('id="calls"', 1)[1].split("</ol>", 1)[0]
    assert f">{called.number}<" in calls
    assert "erneuter Aufruf" not in calls
    recall(ez, called, minute_ago + timedelta(seconds=30))
    state = _state(client, display)
    assert [(c["number"], c["desk"], c["recall"]) for c in state["calls"]] == [
        (called.number, "Schalter 1", True)
    ]
    page = client.get(reverse("frontdesk:display", args=[display.token])).content.decode()
    calls = page.split('id="calls"', 1)[1].split("</ol>", 1)[0]
    assert '<span class="fd-call__recall">erneuter Aufruf</span>' in calls


def test_display_guides_in_german_and_the_jobcenters_languages(client, display, jobcenter):
    jobcenter.display_languages = "en,ar,uk"
    jobcenter.save()
    page = client.get(reverse("frontdesk:display", args=[display.token])).content.decode()
    guidance = page.split('id="guidance"', 1)[1].split("</ul>", 1)[0]
    assert guidance.split("<li")[1:] == [
        ' lang="de" dir="ltr">Bitte warten Sie, bis Ihre Nummer erscheint.</li>',
        ' lang="en" dir="ltr">Please wait until your number appears.</li>',
        ' lang="ar" dir="rtl">يرجى الانتظار حتى يظهر رقمك.</li>',
        ' lang="uk" dir="ltr">Будь ласка, зачекайте, доки з’явиться ваш номер.</li>\n    ',
    ]


def test_display_guidance_only_german_without_second_languages(client, display, jobcenter):
    jobcenter.display_languages = ""
    jobcenter.save()
    page = client.get(reverse("frontdesk:display", args=[display.token])).content.decode()
    guidance = page.split('id="guidance"', 1)[1].split("</ul>", 1)[0]
    assert guidance.count("<li") == 1
    assert 'lang="de"' in guidance
