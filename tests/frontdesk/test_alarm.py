"""The silent staff alarm (Notruf): who it reaches, what it records, what a poll costs."""

import pytest
from django.core import mail
from django.urls import reverse

from frontdesk.models import StaffAlarm
from frontdesk.services.alarm import alarm_raise
from jobcenter.models import AuditEvent, Standort
from jobcenter.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGION = reverse("frontdesk:alarm_region")
RAISE = reverse("frontdesk:alarm_raise")


@pytest.fixture
def people(staff, site, other_site, outsider):
    """At the main site: the EZ (at desk 1), an IFK in room 2.14, the reception; the
    Leistung colleague works at the other site; the outsider in another Jobcenter."""
    for key in ("ez", "ifk", "empfang", "teamleitung"):
        staff[key].standort = site
    staff["ifk"].room = "Raum 2.14"
    staff["leistung"].standort = other_site
    outsider.standort = Standort.objects.create(jobcenter=outsider.jobcenter, name="Anderswo")
    for user in (*staff.values(), outsider):
        user.save()
    return {**staff, "outsider": outsider}


def region_for(client, user) -> str:
    client.force_login(user)
    response = client.get(REGION, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_an_alarm_reaches_every_colleague_at_the_site_and_no_one_elsewhere(
    client, people, site, django_capture_on_commit_callbacks
):
    site.alarm_email = "sicherheit@example.org"
    site.save()
    client.force_login(people["ifk"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RAISE, {"next": "/termine/"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    alarm = StaffAlarm.objects.get()
    assert alarm.standort == site and alarm.place == "Raum 2.14"

    for colleague in ("ez", "empfang", "teamleitung"):
        html = region_for(client, people[colleague])
        assert "NOTRUF" in html and "Raum 2.14" in html and 'role="alert"' in html
    for elsewhere in ("leistung", "outsider"):
        assert "NOTRUF" not in region_for(client, people[elsewhere])
    # The raiser's own screen stays quiet: a line, no alert, no sound.
    own = region_for(client, people["ifk"])
    assert "NOTRUF" not in own and "data-alarm-sound" not in own and "Gesendet" in own

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sicherheit@example.org"]
    assert "Raum 2.14" in mail.outbox[0].body and "Hauptstelle" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="alarm.raise", actor=people["ifk"]).count() == 1


def test_the_place_is_the_open_desk_before_the_room(people, desks, open_desk):
    people["ez"].room = "0.01"
    people["ez"].save()
    open_desk(people["ez"], desks["s1"])
    alarm, created = alarm_raise(actor=people["ez"])
    assert created and alarm.place == "Schalter 1"


def test_a_second_press_is_the_same_alarm_and_mail_goes_once(
    people, site, django_capture_on_commit_callbacks
):
    site.alarm_email = "sicherheit@example.org"
    site.save()
    with django_capture_on_commit_callbacks(execute=True):
        first, created = alarm_raise(actor=people["empfang"])
        again, created_again = alarm_raise(actor=people["empfang"])
    assert created and not created_again and first.pk == again.pk
    assert StaffAlarm.objects.count() == 1 and len(mail.outbox) == 1
    # A redelivered task (acks_late) finds the alarm notified and sends nothing again.
    from frontdesk.tasks import alarm_notify

    alarm_notify(first.pk)
    assert len(mail.outbox) == 1


def test_without_a_site_the_alarm_says_whom_to_call(client, people):
    people["hotline"].standort = None
    people["hotline"].save()
    client.force_login(people["hotline"])
    response = client.post(RAISE, {"next": "/"}, follow=True)
    assert "Sicherheitsdienst direkt" in response.content.decode()
    assert not StaffAlarm.objects.exists()


def test_a_colleague_takes_over_and_ends_it(client, people):
    alarm, _ = alarm_raise(actor=people["empfang"])
    client.force_login(people["ez"])
    client.post(reverse("frontdesk:alarm_ack", args=[alarm.pk]), HTTP_HX_REQUEST="true")
    alarm.refresh_from_db()
    assert alarm.acknowledged_by == people["ez"]
    assert "kommt" in region_for(client, people["empfang"])  # the raiser learns help comes
    # Someone at another site cannot end it (it does not exist for them).
    client.force_login(people["leistung"])
    client.post(reverse("frontdesk:alarm_end", args=[alarm.pk]), HTTP_HX_REQUEST="true")
    alarm.refresh_from_db()
    assert alarm.ended_at is None
    client.force_login(people["teamleitung"])
    client.post(reverse("frontdesk:alarm_end", args=[alarm.pk]), HTTP_HX_REQUEST="true")
    alarm.refresh_from_db()
    assert alarm.ended_by == people["teamleitung"]
    assert "NOTRUF" not in region_for(client, people["ez"])
    assert list(
        AuditEvent.objects.filter(target_id=alarm.pk, action__startswith="alarm.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["alarm.raise", "alarm.acknowledge", "alarm.end"]


def test_an_unchanged_poll_is_204_with_one_query_and_a_change_shows(
    client, people, django_assert_max_num_queries
):
    client.force_login(people["ez"])
    first = client.get(REGION, HTTP_HX_REQUEST="true", HTTP_X_POLL="1")
    version = first.content.decode().split("?v=")[1].split('"')[0]
    # Session and user are two queries of every request; the version is the third.
    with django_assert_max_num_queries(3):
        unchanged = client.get(REGION, {"v": version}, HTTP_HX_REQUEST="true", HTTP_X_POLL="1")
    assert unchanged.status_code == 204
    alarm_raise(actor=people["empfang"])
    changed = client.get(REGION, {"v": version}, HTTP_HX_REQUEST="true", HTTP_X_POLL="1")
    assert changed.status_code == 200 and "NOTRUF" in changed.content.decode()


def test_every_staff_page_carries_the_button_and_the_region(client, people):
    client.force_login(people["ifk"])
    html = client.get(reverse("routing:worklist")).content.decode()
    assert 'aria-keyshortcuts="Alt+Shift+A"' in html and 'id="alarm-region"' in html
    admin = UserFactory(jobcenter=people["ez"].jobcenter, role=Role.ADMINISTRATION)
    client.force_login(admin)
    assert client.post(RAISE).status_code == 403
