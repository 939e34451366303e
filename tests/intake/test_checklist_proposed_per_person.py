"""The checklist is proposed per person (issue 12): the Vorstand files the Hauptantrag, each
further person from 15 the Anlage WEP, a child under 15 the Anlage KI."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import DocumentType
from intake.registration import person_documents
from intake.services import catalogue_seed
from tests.intake.test_views import FAMILY, intake_post

pytestmark = pytest.mark.django_db


def born_years_ago(years: int, days_more: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days_more)


@pytest.mark.parametrize(
    "years, is_head, needs",
    [
        (40, True, ["Hauptantrag"]),
        (38, False, ["Anlage WEP"]),
        (16, False, ["Anlage WEP"]),  # the child of 16 needs WEP, not KI
        (15, False, ["Anlage WEP"]),  # 15 today
        (14, False, ["Anlage KI"]),
    ],
)
def test_each_person_needs_their_own_form(years, is_head, needs):
    on = timezone.localdate()
    assert person_documents(born=born_years_ago(years), is_head=is_head, on=on) == needs


def test_the_day_before_the_15th_birthday_is_still_ki():
    on = date(2026, 6, 1)
    assert person_documents(born=date(2011, 6, 2), is_head=False, on=on) == ["Anlage KI"]
    assert person_documents(born=date(2011, 6, 1), is_head=False, on=on) == ["Anlage WEP"]


def test_the_form_proposes_the_checklist_from_the_persons(login, staff, teams, jobcenter):
    catalogue_seed(jobcenter)
    teen = {
        "first_name": "Tim",
        "last_name": "Muster",
        "date_of_birth": born_years_ago(16).isoformat(),
        "relation_to_head": "kind",
    }
    data = intake_post(teams, [FAMILY[0], teen], propose_documents="1")
    response = login(staff["ez"]).post(reverse("intake:new"), data)
    chosen = {
        DocumentType.objects.get(pk=pk).name.split(" –")[0]
        for pk in response.context["form"]["documents"].value()
    }
    assert chosen == {"Hauptantrag", "Anlage WEP"}
    forms = response.context["persons"].forms
    assert [f.needs for f in forms] == [["Hauptantrag"], ["Anlage WEP"]]
    assert "kern-error" not in response.content.decode()


def test_a_proposal_keeps_what_was_ticked(login, staff, teams, jobcenter):
    catalogue_seed(jobcenter)
    mietvertrag = DocumentType.objects.get(jobcenter=jobcenter, name="Mietvertrag")
    data = intake_post(teams, FAMILY[:1], propose_documents="1", documents=[str(mietvertrag.pk)])
    response = login(staff["ez"]).post(reverse("intake:new"), data)
    values = {int(v) for v in response.context["form"]["documents"].value()}
    assert mietvertrag.pk in values and len(values) == 2
