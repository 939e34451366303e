"""The IFK's calendar page (issue 12): today's arrivals and appointments on top, the week
calendar above the contact-density list."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_week_calendar_stands_above_the_contact_density_list(client, staff):
    client.force_login(staff["ifk"])
    page = client.get(reverse("appointments:calendar")).content.decode()
    arrivals, week, contacts = (
        page.index(marker) for marker in ('id="arrivals"', 'id="week"', 'id="h-contacts"')
    )
    assert arrivals < week < contacts
    assert page.count('id="h-contacts"') == 1
