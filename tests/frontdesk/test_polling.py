"""An unchanged poll costs nothing (issue 13): the desk list and the waiting-room display
answer 304 from their site's version, which every write they show raises, and only then.

Time is frozen at 10:30 today (the ETag carries the minute); `tick` moves it on.
"""

from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from frontdesk.models import Concern, Desk, SiteSettings
from frontdesk.services.calling import visit_call_next
from frontdesk.services.outcomes import visit_finish
from frontdesk.services.reception import visit_cancel
from jobcenter.models import Standort
from tests.factories import JobcenterFactory, person, register, seed_catalogues

from .conftest import at, make_display

pytestmark = pytest.mark.django_db

POLL = {"HTTP_X_POLL": "1", "HTTP_HX_REQUEST": "true"}


@pytest.fixture
def clock(monkeypatch):
    """timezone.now frozen at 10:30:10 today; clock.tick(seconds) moves it on."""

    class Clock:
        now = at(10, 30, 10)

        def tick(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def desk_client(clock, client, staff, desks, open_desk, catalogue):
    open_desk(staff["ez"], desks["s1"])
    client.force_login(staff["ez"])
    return client


def poll(client, etag=None):
    headers = dict(POLL)
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(reverse("frontdesk:desk_queue"), **headers)


def fresh_etag(client) -> str:
    response = poll(client)
    assert response.status_code == 200
    return response["ETag"]


# --- the desk list --------------------------------------------------------------------------


def test_unchanged_desk_list_is_304_from_one_query(
    desk_client, check_in, django_assert_num_queries
):
    check_in("unterlagen")
    etag = fresh_etag(desk_client)
    with django_assert_num_queries(1):  # session row, desk, occupant and version together
        response = poll(desk_client, etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""
    assert "no-store" in response["Cache-Control"]


def test_the_desk_page_hands_the_list_its_etag(desk_client, check_in):
    check_in("unterlagen")
    page = desk_client.get(reverse("frontdesk:desk"))
    etag = poll(desk_client)["ETag"]
    assert f'data-etag="{etag.replace(chr(34), "&quot;")}"' in page.content.decode()
    assert poll(desk_client, etag).status_code == 304


def test_a_stale_etag_gets_the_new_list(desk_client, check_in):
    check_in("unterlagen")
    etag = fresh_etag(desk_client)
    newcomer = check_in("unterlagen")
    response = poll(desk_client, etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert newcomer.number in response.content.decode()
    assert poll(desk_client, response["ETag"]).status_code == 304


def test_the_next_minute_is_answered_afresh(desk_client, check_in, clock):
    check_in("unterlagen")  # queued at 10:30:10
    etag = fresh_etag(desk_client)
    clock.tick(40)  # 10:30:50: same minute
    assert poll(desk_client, etag).status_code == 304
    clock.tick(15)  # 10:31:05
    response = poll(desk_client, etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_minutes_waited_are_the_same_all_minute(desk_client, check_in, clock):
    check_in("unterlagen")  # 10:30:10
    clock.tick(60 * 5 + 45)  # 10:35:55: five minutes and 45 seconds
    early = poll(desk_client)
    clock.tick(10)  # 10:36:05
    late = poll(desk_client)
    # Counted from the start of the minute, so that one ETag is one list: at 10:35:55
    # from 10:35:00 (4 minutes 50 seconds), at 10:36:05 from 10:36:00 (5 minutes 50).
    assert "4 Min." in early.content.decode()
    assert "5 Min." in late.content.decode()
    assert early["ETag"] != late["ETag"]


def _rename_concern(catalogue, **_):
    concern = catalogue["unterlagen"]
    concern.name = "Unterlagen abgeben (neu)"
    concern.save()


def _call_next(staff, desks, **_):
    visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk)


def _cancel(staff, waiting, **_):
    visit_cancel(actor=staff["empfang"], visit_id=waiting.pk)


def _check_in(check_in, **_):
    check_in("unterlagen")


def _desk_teams(desks, teams, **_):
    desks["s1"].teams.add(teams["leistung"])


def _other_desk_opened(staff, desks, open_desk, **_):
    open_desk(staff["teamleitung"], desks["s2"])


def _desk_renamed(desks, **_):
    desk = Desk.objects.get(pk=desks["s2"].pk)
    desk.name = "Schalter 2a"
    desk.save()


def _kunde_in_the_queue_renamed(waiting, **_):
    kunde = waiting.kunde
    kunde.last_name = "Neumann"
    kunde.save()


def _team_renamed(teams, **_):
    team = teams["ez"]
    team.name = "Eingangszone Nord"
    team.save()


def _settings(site, **_):
    settings, _created = SiteSettings.objects.get_or_create(standort=site)
    settings.default_service_minutes = 17
    settings.save()


def _appointment_booked(staff, site, waiting, **_):
    from .test_appointment_arrival import book

    book(waiting.kunde, staff["ifk"], at(11), standort=site)


def _jobcenter_languages(jobcenter, **_):
    jobcenter.refresh_from_db()
    jobcenter.display_languages = "en,tr"
    jobcenter.save()


def _site_renamed(site, **_):
    site = Standort.objects.get(pk=site.pk)
    site.name = "Hauptstelle Mitte"
    site.save()


WRITES = {
    "check-in": _check_in,
    "call next": _call_next,
    "cancel": _cancel,
    "concern renamed": _rename_concern,
    "desk serves another team": _desk_teams,
    "another desk opened": _other_desk_opened,
    "desk renamed": _desk_renamed,
    "customer in the queue renamed": _kunde_in_the_queue_renamed,
    "team renamed": _team_renamed,
    "queue settings": _settings,
    "appointment booked": _appointment_booked,
    "display languages": _jobcenter_languages,
    "site renamed": _site_renamed,
}


@pytest.fixture
def waiting(check_in, staff, teams):
    kunde = register(actor=staff["ez"], leistung_team=teams["leistung"]).applicant
    return check_in("unterlagen", kunde=kunde)


@pytest.mark.parametrize("write", WRITES)
def test_every_write_the_list_shows_changes_its_etag(
    write,
    desk_client,
    waiting,
    check_in,
    staff,
    desks,
    teams,
    catalogue,
    site,
    jobcenter,
    open_desk,
):
    etag = fresh_etag(desk_client)
    WRITES[write](
        check_in=check_in,
        staff=staff,
        desks=desks,
        teams=teams,
        catalogue=catalogue,
        site=site,
        jobcenter=jobcenter,
        waiting=waiting,
        open_desk=open_desk,
    )
    response = poll(desk_client, etag)
    assert response.status_code == 200, write
    assert response["ETag"] != etag


def test_finishing_changes_the_etag(desk_client, waiting, staff, desks, catalogue):
    visit = visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk)
    etag = fresh_etag(desk_client)
    visit_finish(
        actor=staff["ez"],
        desk_id=desks["s1"].pk,
        visit_id=visit.pk,
        outcome="resolved",
        handled=[vc.concern_id for vc in visit.visit_concerns.all()],
        extra=[],
        note="",
    )
    assert poll(desk_client, etag).status_code == 200


def test_the_page_shows_the_renamed_concern_after_a_stale_etag(desk_client, waiting, catalogue):
    etag = fresh_etag(desk_client)
    _rename_concern(catalogue)
    response = poll(desk_client, etag)
    assert "Unterlagen abgeben (neu)" in response.content.decode()


UNRELATED = {
    "visit at another site": lambda check_in, other_site, teams, **_: _visit_elsewhere(
        check_in, other_site, teams
    ),
    "customer not in the house renamed": lambda staff, teams, **_: _rename(
        register(
            actor=staff["ez"],
            leistung_team=teams["leistung"],
            persons=[person("Jan", "Anders", date(1990, 1, 2), is_head=True)],
        ).applicant
    ),
    "other Jobcenter's concern": lambda **_: _other_jobcenter_concern(),
    "desk heartbeat": lambda desks, **_: Desk.objects.filter(pk=desks["s2"].pk).update(
        last_seen_at=timezone.now()
    ),
}


def _visit_elsewhere(check_in, other_site, teams):
    desk = Desk.objects.create(standort=other_site, name="Schalter Süd")
    desk.teams.set([teams["ez"]])
    check_in("unterlagen", standort=other_site)


def _rename(kunde):
    kunde.first_name = "Jana"
    kunde.save()


def _other_jobcenter_concern():
    JobcenterFactory(slug="herford", name="Jobcenter Herford", bundesland="NW")
    seed_catalogues()
    concern = Concern.objects.exclude(jobcenter__slug="wuppertal").first()
    concern.name = concern.name + " (geändert)"
    concern.save()


@pytest.mark.parametrize("write", UNRELATED)
def test_an_unrelated_write_keeps_the_etag(
    write, desk_client, waiting, check_in, other_site, staff, teams, desks
):
    etag = fresh_etag(desk_client)
    UNRELATED[write](
        check_in=check_in, other_site=other_site, staff=staff, teams=teams, desks=desks
    )
    assert poll(desk_client, etag).status_code == 304


def test_a_poll_neither_saves_nor_prolongs_the_session(desk_client, waiting):
    etag = fresh_etag(desk_client)
    key = desk_client.cookies["sessionid"].value
    before = Session.objects.get(session_key=key)
    assert poll(desk_client, etag).status_code == 304
    assert poll(desk_client).status_code == 200  # a full poll, too
    after = Session.objects.get(session_key=key)
    assert after.expire_date == before.expire_date
    assert after.get_decoded()["last_activity"] == before.get_decoded()["last_activity"]


def test_an_idle_session_gets_no_304_but_the_login(desk_client, waiting, settings):
    etag = fresh_etag(desk_client)
    session = desk_client.session
    session["last_activity"] -= settings.SESSION_IDLE_SECONDS + 5
    session.save()
    response = poll(desk_client, etag)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_the_etag_is_no_key_for_another_user(
    desk_client, waiting, client, staff, django_user_model
):
    etag = fresh_etag(desk_client)
    client.force_login(staff["teamleitung"])  # the same client, now another person
    assert poll(client, etag).status_code != 304


def test_a_closed_desk_gets_no_304(desk_client, waiting, desks):
    etag = fresh_etag(desk_client)
    Desk.objects.filter(pk=desks["s1"].pk).update(occupied_by=None)  # taken away, no signal
    assert poll(desk_client, etag).status_code == 204


def test_a_changed_password_gets_no_304(desk_client, waiting, staff):
    etag = fresh_etag(desk_client)
    user = staff["ez"]
    user.set_password("Ein-ganz-neues-Passwort-2026")
    user.save()
    response = poll(desk_client, etag)
    assert response.status_code != 304


def test_a_304_keeps_the_desk_seen(desk_client, waiting, desks, clock):
    etag = fresh_etag(desk_client)
    clock.tick(45)  # same minute (10:30:55); the heartbeat was written at 10:30:10
    Desk.objects.filter(pk=desks["s1"].pk).update(last_seen_at=clock.now - timedelta(minutes=2))
    assert poll(desk_client, etag).status_code == 304
    assert Desk.objects.get(pk=desks["s1"].pk).last_seen_at == clock.now


# --- the display --------------------------------------------------------------------------


@pytest.fixture
def screen(clock, site, desks, catalogue):
    return make_display(site, "Wartebereich")


def display_poll(client, screen, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(reverse("frontdesk:display_data", args=[screen.token]), **headers)


def test_unchanged_display_is_304_from_one_query(client, screen, django_assert_num_queries):
    first = display_poll(client, screen)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        response = display_poll(client, screen, first["ETag"])
    assert response.status_code == 304
    assert response.content == b""


def test_the_display_page_hands_its_script_the_etag(client, screen):
    page = client.get(reverse("frontdesk:display", args=[screen.token]))
    etag = display_poll(client, screen)["ETag"]
    assert f'data-etag="{etag.replace(chr(34), "&quot;")}"' in page.content.decode()


def test_a_call_up_reaches_the_display_at_once(client, screen, check_in, staff, desks, open_desk):
    open_desk(staff["ez"], desks["s1"])
    visit = check_in("unterlagen")
    etag = display_poll(client, screen)["ETag"]
    assert display_poll(client, screen, etag).status_code == 304
    visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk)
    response = display_poll(client, screen, etag)
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["calls"]] == [visit.number]


def test_the_display_clock_moves_on(client, screen, clock):
    etag = display_poll(client, screen)["ETag"]
    clock.tick(50)  # 10:31:00
    response = display_poll(client, screen, etag)
    assert response.status_code == 200
    assert response.json()["time"] == "10:31"


def test_another_displays_etag_or_a_wrong_key_gets_no_304(client, screen, site):
    etag = display_poll(client, screen)["ETag"]
    other = make_display(site, "Flur")
    assert display_poll(client, other, etag).status_code == 200
    screen.token = screen.token[:-2] + ("AA" if not screen.token.endswith("AA") else "BB")
    assert display_poll(client, screen, etag).status_code == 404


def test_a_switched_off_display_gets_no_304(client, screen):
    from frontdesk.models import Display

    etag = display_poll(client, screen)["ETag"]
    Display.objects.filter(pk=screen.pk).update(active=False)
    assert display_poll(client, screen, etag).status_code == 404
