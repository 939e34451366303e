"""The administration keeps each Jobcenter to itself (issue 9, "holes found").

Two Jobcenters, an Administration user in each. The registry tests walk every registered
ModelAdmin, so an admin added later is held to the same rules without a test of its own.
"""

from datetime import date, time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from appointments.models import InvitationRule
from jobcenter.models import (
    AuditEvent,
    Deputy,
    OpeningHours,
    PhoneHours,
    Standort,
    Team,
    User,
)
from jobcenter.roles import Role
from minimumstandards.models import ClosingDay, DeadlineRule
from tests.factories import JobcenterFactory, TeamFactory, UserFactory

# Installation data with no Jobcenter: choices of it are not a Jobcenter's to limit.
SHARED_MODELS = {ContentType}


@pytest.fixture
def other_jc(db):
    return JobcenterFactory(slug="nebenan", name="Jobcenter Nebenan", bundesland="NI")


@pytest.fixture
def theirs(other_jc):
    site = Standort.objects.create(jobcenter=other_jc, name="Standort Nebenan")
    team = TeamFactory(jobcenter=other_jc, name="Team Nebenan", standort=site)
    admin_user = UserFactory(username="admin-nebenan", jobcenter=other_jc, role=Role.ADMINISTRATION)
    ifk = UserFactory(
        username="ifk-nebenan", jobcenter=other_jc, role=Role.INTEGRATION, teams=[team]
    )
    return {"site": site, "team": team, "admin": admin_user, "ifk": ifk}


def _user_post(user, **overrides):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "role": user.role,
        "standort": "",
        "teams": [str(t.pk) for t in user.teams.all()],
        "deputy_entries-TOTAL_FORMS": "0",
        "deputy_entries-INITIAL_FORMS": "0",
        "deputy_entries-MIN_NUM_FORMS": "0",
        "deputy_entries-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


# --- the holes --------------------------------------------------------------------------------


def test_administration_cannot_make_itself_superuser_or_move_jobcenter(login, staff, theirs):
    me = staff["admin"]
    response = login(me).post(
        reverse("admin:jobcenter_user_change", args=[me.pk]),
        _user_post(
            me,
            is_superuser="on",
            is_staff="on",
            jobcenter=str(theirs["admin"].jobcenter_id),
            groups=["1"],
        ),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert not me.is_superuser and not me.is_staff
    assert me.jobcenter_id == staff["ez"].jobcenter_id
    page = login(me).get(reverse("admin:jobcenter_user_change", args=[me.pk])).content.decode()
    for hidden in ('name="is_superuser"', 'name="is_staff"', 'name="groups"', 'name="jobcenter"'):
        assert hidden not in page


def test_another_jobcenters_team_site_or_deputy_is_refused(login, staff, theirs):
    ifk = staff["ifk"]
    client = login(staff["admin"])
    url = reverse("admin:jobcenter_user_change", args=[ifk.pk])
    for overrides in (
        {"teams": [str(theirs["team"].pk)]},
        {"standort": str(theirs["site"].pk)},
        {
            "deputy_entries-TOTAL_FORMS": "1",
            "deputy_entries-0-deputy": str(theirs["ifk"].pk),
            "deputy_entries-0-position": "1",
        },
    ):
        response = client.post(url, _user_post(ifk, **overrides))
        assert response.status_code == 200, overrides
    ifk.refresh_from_db()
    assert list(ifk.teams.all()) == [staff["ifk"].teams.get()]
    assert not Deputy.objects.filter(ifk=ifk).exists()


def test_team_form_refuses_another_jobcenters_lead_site_and_owner(login, staff, teams, theirs):
    team = teams["leistung"]
    data = {
        "jobcenter": str(theirs["team"].jobcenter_id),
        "name": team.name,
        "kind": team.kind,
        "standort": "",
        "lead": str(theirs["ifk"].pk),
        "postfach-TOTAL_FORMS": "1",
        "postfach-INITIAL_FORMS": "1",
        "postfach-MIN_NUM_FORMS": "0",
        "postfach-MAX_NUM_FORMS": "1",
        "postfach-0-id": str(team.postfach.pk),
        "postfach-0-team": str(team.pk),
        "postfach-0-name": team.postfach.name,
        "postfach-0-email": "",
    }
    client = login(staff["admin"])
    url = reverse("admin:jobcenter_team_change", args=[team.pk])
    assert client.post(url, data).status_code == 200
    assert (
        client.post(url, {**data, "lead": "", "standort": str(theirs["site"].pk)}).status_code
        == 200
    )
    assert client.post(url, {**data, "lead": ""}).status_code == 302
    team.refresh_from_db()
    assert team.jobcenter_id == staff["admin"].jobcenter_id
    assert team.lead is None and team.standort is None


@pytest.mark.parametrize(
    "model, data",
    [
        (ClosingDay, {"day": "2026-12-24", "closed": "on", "reason": "Heiligabend"}),
        (
            InvitationRule,
            {
                "occasion": InvitationRule.Occasion.choices[0][0],
                "with_rfb": "on",
                "rfb_text": "Rechtsfolgenbelehrung",
                "valid_from": "2026-01-01",
                "source": "",
            },
        ),
    ],
)
def test_rules_and_closing_days_belong_to_the_admins_jobcenter(login, staff, theirs, model, data):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    response = login(staff["admin"]).post(
        url, {**data, "jobcenter": str(theirs["site"].jobcenter_id)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert model.objects.get().jobcenter_id == staff["admin"].jobcenter_id


def test_another_jobcenters_deadline_rule_cannot_be_opened_or_changed(login, staff, theirs):
    from minimumstandards.presets import PRESETS, apply_preset

    apply_preset(jobcenter=theirs["site"].jobcenter, name=next(iter(PRESETS)))
    rule = DeadlineRule.objects.filter(jobcenter=theirs["site"].jobcenter).first()
    client = login(staff["admin"])
    url = reverse("admin:minimumstandards_deadlinerule_change", args=[rule.pk])
    assert client.get(url).status_code == 302  # "does not exist": back to the index
    client.post(url, {"kind": rule.kind})
    assert DeadlineRule.objects.get(pk=rule.pk).window == rule.window


def test_superusers_are_invisible_to_a_jobcenters_administration(login, staff):
    root = UserFactory(
        username="root", jobcenter=staff["admin"].jobcenter, is_superuser=True, is_staff=True
    )
    client = login(staff["admin"])
    assert "root" not in client.get(reverse("admin:jobcenter_user_changelist")).content.decode()
    assert client.get(reverse("admin:jobcenter_user_change", args=[root.pk])).status_code == 302
    client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "x-neu-und-lang-2026", "password2": "x-neu-und-lang-2026"},
    )
    root.refresh_from_db()
    assert not root.check_password("x-neu-und-lang-2026")


def test_groups_and_permissions_are_hidden(login, staff):
    client = login(staff["admin"])
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:auth_group_changelist") not in index
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


# --- staff set up in minutes ------------------------------------------------------------------


def _add_staff(client, site, team, deputy):
    return client.post(
        reverse("admin:jobcenter_user_add"),
        {
            "username": "neu.kollegin",
            "first_name": "Nora",
            "last_name": "Neu",
            "email": "nora.neu@example.org",
            "password1": "ein-langes-passwort-2026",
            "password2": "ein-langes-passwort-2026",
            "role": Role.INTEGRATION,
            "standort": str(site.pk),
            "teams": [str(team.pk)],
            "deputy_entries-TOTAL_FORMS": "1",
            "deputy_entries-INITIAL_FORMS": "0",
            "deputy_entries-MIN_NUM_FORMS": "0",
            "deputy_entries-MAX_NUM_FORMS": "1000",
            "deputy_entries-0-deputy": str(deputy.pk),
            "deputy_entries-0-position": "1",
        },
    )


def test_new_staff_member_on_one_page_can_log_in_and_lands_on_work(client, staff, teams):
    site = Standort.objects.create(jobcenter=staff["admin"].jobcenter, name="Hauptstelle")
    client.force_login(staff["admin"])
    response = _add_staff(client, site, teams["ue25"], staff["ifk"])
    assert response.status_code == 302, response.content.decode()[:3000]
    new = User.objects.get(username="neu.kollegin")
    assert response["Location"] == reverse("admin:jobcenter_user_change", args=[new.pk])
    assert new.jobcenter_id == staff["admin"].jobcenter_id
    assert (new.role, new.standort, list(new.teams.all())) == (
        Role.INTEGRATION,
        site,
        [teams["ue25"]],
    )
    assert [d.deputy for d in new.deputy_entries.all()] == [staff["ifk"]]
    page = client.get(response["Location"]).content.decode()
    assert "ist angelegt" in page and "existiert nicht" not in page
    assert AuditEvent.objects.filter(target_id=new.pk, action="create").exists()

    client.logout()
    response = client.post(
        reverse("login"), {"username": "neu.kollegin", "password": "ein-langes-passwort-2026"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("routing:worklist")


def test_staff_page_shows_only_what_a_jobcenter_admin_needs(login, staff):
    page = (
        login(staff["admin"])
        .get(reverse("admin:jobcenter_user_change", args=[staff["ifk"].pk]))
        .content.decode()
    )
    for name in ("first_name", "last_name", "email", "is_active", "role", "teams", "standort"):
        assert f'name="{name}"' in page, name
    for absent in ("is_superuser", "user_permissions", "last_login", "date_joined", "Superuser"):
        assert absent not in page, absent
    assert "deputy_entries-TOTAL_FORMS" in page
    assert "../password/" in page  # the reset link


def test_administration_lands_on_the_admin_index(login, staff):
    assert login(staff["admin"]).get(reverse("home"))["Location"] == reverse("admin:index")


# --- sites: opening and phone hours, copied across weekdays -----------------------------------


def test_hours_of_one_weekday_copied_to_monday_to_friday(login, staff):
    site = Standort.objects.create(jobcenter=staff["admin"].jobcenter, name="Hauptstelle")
    OpeningHours.objects.create(standort=site, weekday=0, opens=time(8), closes=time(12))
    PhoneHours.objects.create(standort=site, weekday=0, opens=time(9), closes=time(11))
    OpeningHours.objects.create(standort=site, weekday=3, opens=time(14), closes=time(18))

    def formset(prefix, model):
        rows = list(model.objects.filter(standort=site))
        data = {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for i, row in enumerate(rows):
            data.update(
                {
                    f"{prefix}-{i}-id": str(row.pk),
                    f"{prefix}-{i}-standort": str(site.pk),
                    f"{prefix}-{i}-weekday": str(row.weekday),
                    f"{prefix}-{i}-opens": row.opens.strftime("%H:%M"),
                    f"{prefix}-{i}-closes": row.closes.strftime("%H:%M"),
                }
            )
        return data

    response = login(staff["admin"]).post(
        reverse("admin:jobcenter_standort_change", args=[site.pk]),
        {
            "name": site.name,
            "address": "",
            "copy_weekday": "0",
            **formset("opening_hours", OpeningHours),
            **formset("phone_hours", PhoneHours),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    opening = sorted(site.opening_hours.values_list("weekday", "opens"))
    assert opening == [(d, time(8)) for d in range(5)]
    assert sorted(site.phone_hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]


# --- the audit trail --------------------------------------------------------------------------


def test_audit_log_speaks_german_and_shows_changes_to_own_data_by_anyone(login, staff, theirs):
    from jobcenter.services import audit_record

    team = Team.objects.filter(jobcenter=staff["admin"].jobcenter).first()
    # A superuser (no Jobcenter) changes our team; another Jobcenter's event stays theirs.
    root = UserFactory(username="root", jobcenter=None, is_superuser=True)
    audit_record(actor=root, action="change", target=team, summary="Fremd geändert")
    audit_record(actor=theirs["admin"], action="change", target=theirs["team"], summary="Nebenan")
    client = login(staff["admin"])
    page = client.get(reverse("admin:jobcenter_auditevent_changelist")).content.decode()
    assert "Fremd geändert" in page and "Nebenan" not in page
    assert "geändert" in page and ">change<" not in page
    for heading in ("Zeitpunkt", "Person", "Vorgang", "Art des Datensatzes", "Datensatz-Nr."):
        assert heading in page
    ct = ContentType.objects.get_for_model(Team)
    filtered = client.get(
        reverse("admin:jobcenter_auditevent_changelist"),
        {"target_type__id__exact": ct.pk, "target_id": team.pk, "zeitraum": "7"},
    )
    assert filtered.status_code == 200 and "Fremd geändert" in filtered.content.decode()
    by_person = client.get(
        reverse("admin:jobcenter_auditevent_changelist"), {"actor__id__exact": staff["ez"].pk}
    )
    assert by_person.status_code == 200 and "Fremd geändert" not in by_person.content.decode()
    searched = client.get(reverse("admin:jobcenter_auditevent_changelist"), {"q": "abc"})
    assert searched.status_code == 200


def test_who_looked_at_this_person(login, staff, antrag):
    from jobcenter.services import audit_read

    kunde = antrag.applicant
    audit_read(
        actor=staff["leistung"], target=kunde, summary="Akte geöffnet", subject_ids=[kunde.pk]
    )
    client = login(staff["admin"])
    url = reverse("admin:intake_subject_reads")
    assert client.get(url).status_code == 200
    page = client.get(url, {"kundennummer": kunde.kundennummer}).content.decode()
    assert "Akte geöffnet" in page and str(staff["leistung"]) in page
    assert AuditEvent.objects.filter(
        actor=staff["admin"], subject_id=kunde.pk, summary="Einsichtsprotokoll abgerufen"
    ).exists()
    missing = client.get(url, {"kundennummer": "999X999999"}).content.decode()
    assert "Keine Kundin" in missing
    assert login(staff["ez"]).get(url).status_code == 302


def test_another_jobcenters_customer_is_not_found(login, staff, antrag, theirs):
    kunde = antrag.applicant
    page = login(theirs["admin"]).get(
        reverse("admin:intake_subject_reads"), {"kundennummer": kunde.kundennummer}
    )
    assert "Keine Kundin" in page.content.decode()


# --- own password -----------------------------------------------------------------------------


def test_staff_change_their_own_password_audited(client, staff, password):
    user = staff["ez"]
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Passwort ändern" in page.content.decode()
    assert reverse("password_change") in client.get(reverse("intake:new")).content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "ganz-neu-und-lang-2026",
            "new_password2": "ganz-neu-und-lang-2026",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("ganz-neu-und-lang-2026")
    event = AuditEvent.objects.get(actor=user, target_id=user.pk, action="change")
    assert event.summary == "Passwort geändert"
    assert "ganz-neu" not in str(event.changes)


def test_closing_day_day_is_own(login, staff):
    ClosingDay.objects.create(jobcenter=staff["admin"].jobcenter, day=date(2026, 5, 1))
    assert (
        login(staff["admin"])
        .get(reverse("admin:minimumstandards_closingday_changelist"))
        .status_code
        == 200
    )
