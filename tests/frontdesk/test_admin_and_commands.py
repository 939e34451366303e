from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from frontdesk.models import Display, VisitState

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["concern", "concernclass", "desk", "display", "sitesettings"])
def test_administration_edits_the_front_desk(login, staff, desks, display, catalogue, model):
    client = login(staff["admin"])
    assert client.get(reverse(f"admin:frontdesk_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:frontdesk_{model}_add")).status_code == 200


def test_display_admin_shows_the_link_and_renews_the_token(login, staff, display):
    client = login(staff["admin"])
    page = client.get(reverse("admin:frontdesk_display_change", args=[display.pk]))
    assert f"/anzeige/{display.token}/" in page.content.decode()
    old = display.token
    client.post(
        reverse("admin:frontdesk_display_changelist"),
        {"action": "new_token", "_selected_action": [display.pk]},
    )
    display.refresh_from_db()
    assert display.token != old
    assert client.get(reverse("frontdesk:display", args=[old])).status_code == 404


def test_other_jobcenters_admin_sees_none_of_our_displays(login, display):
    from jobcenter.roles import Role
    from tests.factories import UserFactory

    admin = UserFactory(role=Role.ADMINISTRATION)
    page = login(admin).get(reverse("admin:frontdesk_display_changelist")).content.decode()
    assert display.token not in page


def test_displays_command_creates_one_per_site(site, other_site):
    out = StringIO()
    call_command("frontdesk_displays", "--anlegen", stdout=out)
    assert Display.objects.count() == 2
    assert out.getvalue().count("http://127.0.0.1:8000/anzeige/") == 2


def test_close_day_ends_yesterdays_open_visits(check_in, staff, desks, open_desk):
    from frontdesk.services import visit_call_next

    yesterday = at(9) - timedelta(days=1)
    check_in("unterlagen", now=yesterday)
    check_in("unterlagen", now=yesterday)
    open_desk(staff["ez"], desks["s1"], now=yesterday)
    called = visit_call_next(actor=staff["ez"], desk_id=desks["s1"].pk, now=yesterday)
    waiting = check_in("unterlagen", now=yesterday)
    today = check_in("unterlagen", now=at(9))
    out = StringIO()
    call_command("frontdesk_close_day", stdout=out)
    assert "3 offene Besuche" in out.getvalue()
    for visit in (waiting, called, today):
        visit.refresh_from_db()
    assert waiting.state == called.state == VisitState.CANCELLED
    assert called.desk is None
    assert today.state == VisitState.WAITING
