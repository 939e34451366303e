"""Each Jobcenter has its own concern catalogue (issue 9)."""

import pytest
from django.urls import reverse

from frontdesk.errors import FrontdeskError
from frontdesk.forms import CheckInForm
from frontdesk.models import Concern, ConcernClass
from frontdesk.services.checkin import CheckIn, visit_check_in
from jobcenter.models import Standort
from jobcenter.roles import Role
from tests.factories import JobcenterFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    jobcenter = JobcenterFactory(slug="herford", name="Jobcenter Herford")
    admin = UserFactory(username="admin_hf", jobcenter=jobcenter, role=Role.ADMINISTRATION)
    return {"jobcenter": jobcenter, "admin": admin}


def concern(jobcenter, code="unterlagen") -> Concern:
    return Concern.objects.get(jobcenter=jobcenter, code=code)


def codes(jobcenter) -> set[str]:
    return set(Concern.objects.filter(jobcenter=jobcenter).values_list("code", flat=True))


def test_each_jobcenter_has_the_default_classes_and_concerns(jobcenter, other):
    assert codes(jobcenter) == codes(other["jobcenter"])
    for jc in (jobcenter, other["jobcenter"]):
        # Rule R-EM-02, written out here: Rhein-Lahn's four classes ...
        assert list(ConcernClass.objects.filter(jobcenter=jc).values_list("name", flat=True)) == [
            "Schnellanliegen",
            "Antragstellung / akute Mittellosigkeit",
            "Leistungsanliegen",
            "Sonstige Anliegen",
        ]
        # ... and a few of their concerns, with who handles them and how.
        seeded = {
            c.code: (c.concern_class.name, c.handled_by, c.route)
            for c in Concern.objects.filter(jobcenter=jc).select_related("concern_class")
        }
        assert seeded["unterlagen"] == ("Schnellanliegen", "empfang", "desk")
        assert seeded["antrag"][1:] == ("leistung", "in_person")
        assert seeded["mittellosigkeit"][0] == "Antragstellung / akute Mittellosigkeit"
        assert seeded["umzug_u25"][1] == "sachbearbeitung"
        assert seeded["but"][1] == "but"
        assert seeded["sonstiges"] == ("Sonstige Anliegen", seeded["sonstiges"][1], "ticket")
        # A concern's class is one of the same Jobcenter's.
        assert not Concern.objects.filter(jobcenter=jc).exclude(concern_class__jobcenter=jc)


def test_admin_edit_changes_only_the_own_concern(login, staff, jobcenter, other):
    ours, theirs = concern(jobcenter), concern(other["jobcenter"])
    data = {
        "name": "Unterlagen einwerfen",
        "concern_class": ours.concern_class_id,
        "position": ours.position,
        "active": "on",
        "handled_by": ours.handled_by,
        "route": ours.route,
        "handouts": ours.handouts,
        "target_wait_minutes": 5,
        "notes": ours.notes,
        "record": ours.record,
        "information_type": ours.information_type_id or "",
        "reference": ours.reference,
    }
    url = reverse("admin:frontdesk_concern_change", args=[ours.pk])
    client = login(staff["admin"])
    # The inline of the concern's type choices posts back as the page showed it.
    for inline in client.get(url).context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": formset.initial_form_count(),
                f"{formset.prefix}-INITIAL_FORMS": formset.initial_form_count(),
            }
        )
        for form in formset.initial_forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is not None and value is not False:
                    data[form.add_prefix(name)] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.name, ours.target_wait_minutes) == ("Unterlagen einwerfen", 5)
    assert (theirs.name, theirs.target_wait_minutes) == ("Unterlagen abgeben", 10)


def test_admin_cannot_see_or_change_another_jobcenters_concerns(login, staff, jobcenter, other):
    client = login(staff["admin"])
    theirs = concern(other["jobcenter"])
    page = client.get(reverse("admin:frontdesk_concern_changelist"))
    assert {c.jobcenter_id for c in page.context["cl"].result_list} == {jobcenter.pk}
    classes = client.get(reverse("admin:frontdesk_concernclass_changelist"))
    assert {c.jobcenter_id for c in classes.context["cl"].result_list} == {jobcenter.pk}
    change = reverse("admin:frontdesk_concern_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    client.post(change, {"name": "Gekapert", "target_wait_minutes": 1})
    theirs.refresh_from_db()
    assert theirs.name == "Unterlagen abgeben"
    # The class choices of the own concern form are the own Jobcenter's.
    form = client.get(reverse("admin:frontdesk_concern_add")).context["adminform"].form
    assert {c.jobcenter_id for c in form.fields["concern_class"].queryset} == {jobcenter.pk}


def test_check_in_offers_and_takes_only_the_own_concerns(staff, site, jobcenter, other):
    form = CheckInForm(
        user=staff["empfang"],
        standorte=Standort.objects.filter(pk=site.pk),
        served_teams=jobcenter.teams.all(),
    )
    assert {c.jobcenter_id for c in form.fields["concerns"].queryset} == {jobcenter.pk}
    with pytest.raises(FrontdeskError, match="nicht zu Ihrem Jobcenter"):
        visit_check_in(
            actor=staff["empfang"],
            data=CheckIn(standort=site, concerns=[concern(other["jobcenter"])]),
        )


def test_concern_codes_are_unique_within_a_jobcenter_only(jobcenter, other):
    from django.db import IntegrityError, transaction

    ours = concern(jobcenter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Concern.objects.create(
            jobcenter=jobcenter,
            code="unterlagen",
            name="doppelt",
            concern_class=ours.concern_class,
            handled_by=ours.handled_by,
            route=ours.route,
            target_wait_minutes=10,
        )
    assert Concern.objects.filter(code="unterlagen").count() == 2
