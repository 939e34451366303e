"""Single sign-on against a real slapd (tests/sso/servers.py): the directory's groups give
role, Jobcenter and teams through the administration's table at every login; an unmapped
person is refused in German; with single sign-on on only break-glass accounts log in with a
local password, and each such login is audited and logged without a name."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from jobcenter import sso
from jobcenter.models import AuditEvent, DirectoryGroupMapping, User
from jobcenter.roles import Role
from tests.factories import PASSWORD, JobcenterFactory, TeamFactory, UserFactory
from tests.sso.servers import DIRECTORY_PASSWORD

WRONG = "Benutzername oder Passwort ist falsch."
NO_GROUP = "keiner Gruppe zugeordnet"
UNREACHABLE = "Der Verzeichnisdienst ist gerade nicht erreichbar"
BREAK_GLASS_ONLY = "nur für Notfallzugänge möglich"


@pytest.fixture
def mappings(jobcenter, teams, ldap_server):
    """The administration's table for the test directory (hand-written, as an admin would)."""

    def mapping(group, role, *team_keys, position=100, jc=jobcenter):
        m = DirectoryGroupMapping.objects.create(
            jobcenter=jc, group=group, role=role, position=position
        )
        m.teams.set([teams[k] for k in team_keys])
        return m

    return {
        "leistung": mapping("JC-Leistung-A", Role.LEISTUNG, "leistung"),
        # By its DN, and before the Leistung group: a team lead in both is a team lead.
        "teamleitung": mapping(
            ldap_server.group_dn("JC-Teamleitung"), Role.TEAMLEITUNG, position=10
        ),
        "team_ez": mapping("JC-Team-EZ", "", "ez"),
        # Case does not count.
        "eingangszone": mapping("jc-eingangszone", Role.EINGANGSZONE, "ez"),
    }


@pytest.fixture
def ldap_on(settings, ldap_server):
    for name, value in ldap_server.settings().items():
        setattr(settings, name, value)
    return ldap_server


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def logged_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"])


@pytest.mark.django_db
def test_ldap_login_gives_the_mapped_role_jobcenter_and_team(client, ldap_on, mappings, teams):
    response = post_login(client, "lena.leistung", DIRECTORY_PASSWORD)

    assert response.status_code == 302
    user = logged_in_user(client)
    assert (user.username, user.first_name, user.last_name) == ("lena.leistung", "Lena", "Leistung")
    assert user.role == Role.LEISTUNG
    assert user.jobcenter == teams["leistung"].jobcenter
    assert set(user.teams.all()) == {teams["leistung"]}
    assert user.directory_source == User.DirectorySource.LDAP
    assert not user.has_usable_password()
    # Lands on the Leistung's own page.
    assert client.get(reverse("home"))["Location"] == reverse("intake:case_list")


@pytest.mark.django_db
def test_several_groups_the_smallest_vorrang_gives_the_role_teams_add_up(
    client, ldap_on, mappings, teams
):
    post_login(client, "tim.teamleitung", DIRECTORY_PASSWORD)

    user = logged_in_user(client)
    assert user.role == Role.TEAMLEITUNG
    assert set(user.teams.all()) == {teams["ez"], teams["leistung"]}
    assert client.get(reverse("home"))["Location"] == reverse("minimumstandards:dashboard")


@pytest.mark.django_db
def test_unmapped_group_is_refused_in_german(client, ldap_on, mappings):
    response = post_login(client, "nora.kantine", DIRECTORY_PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert NO_GROUP in page and "Administration Ihres Jobcenters" in page
    assert User.objects.get(username="nora.kantine").role == ""


@pytest.mark.django_db
def test_a_changed_group_changes_access_at_the_next_login(client, ldap_on, mappings, teams):
    post_login(client, "wim.wechsel", DIRECTORY_PASSWORD)
    user = logged_in_user(client)
    assert (user.role, set(user.teams.all())) == (Role.EINGANGSZONE, {teams["ez"]})
    client.post(reverse("logout"))

    ldap_on.modify_members("JC-Eingangszone", remove="wim.wechsel")
    ldap_on.modify_members("JC-Leistung-A", add="wim.wechsel")
    try:
        post_login(client, "wim.wechsel", DIRECTORY_PASSWORD)
        user = logged_in_user(client)
        assert (user.role, set(user.teams.all())) == (Role.LEISTUNG, {teams["leistung"]})
        client.post(reverse("logout"))

        # Out of every mapped group: refused, and role and teams are gone here too.
        ldap_on.modify_members("JC-Leistung-A", remove="wim.wechsel")
        response = post_login(client, "wim.wechsel", DIRECTORY_PASSWORD)
        assert NO_GROUP in response.content.decode()
        user.refresh_from_db()
        assert (user.role, list(user.teams.all())) == ("", [])
    finally:
        ldap_on.modify_members("JC-Eingangszone", add="wim.wechsel")


@pytest.mark.django_db
def test_a_mapping_edited_in_the_administration_counts_at_the_next_login(
    client, ldap_on, mappings, teams
):
    post_login(client, "lena.leistung", DIRECTORY_PASSWORD)
    client.post(reverse("logout"))
    mappings["leistung"].teams.set([teams["leistung_b"]])

    post_login(client, "lena.leistung", DIRECTORY_PASSWORD)

    assert set(logged_in_user(client).teams.all()) == {teams["leistung_b"]}


@pytest.mark.django_db
def test_wrong_directory_password_says_so_in_german(client, ldap_on, mappings):
    response = post_login(client, "lena.leistung", "falsch")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_directory_down_says_so_in_german(client, ldap_on, mappings, settings):
    from tests.sso.servers import free_port

    settings.AUTH_LDAP_SERVER_URI = f"ldap://127.0.0.1:{free_port()}"
    response = post_login(client, "lena.leistung", DIRECTORY_PASSWORD)

    page = response.content.decode()
    assert response.status_code == 200
    assert UNREACHABLE in page and "Notfallzugang" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_service_account_bind_refused_says_so_in_german(client, ldap_on, mappings, settings):
    settings.AUTH_LDAP_BIND_PASSWORD = "nicht-das-richtige"
    response = post_login(client, "lena.leistung", DIRECTORY_PASSWORD)

    assert UNREACHABLE in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- break-glass ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_sso_on_a_local_password_logs_in_only_a_break_glass_account(
    client, ldap_on, staff, caplog
):
    # "ez" has a local password (the demo's kind of account) but no break-glass flag.
    response = post_login(client, "ez", PASSWORD)
    assert response.status_code == 200
    assert BREAK_GLASS_ONLY in response.content.decode()
    assert "_auth_user_id" not in client.session

    notfall = UserFactory(username="notfall", jobcenter=staff["admin"].jobcenter, break_glass=True)
    notfall.role = Role.ADMINISTRATION
    notfall.save()
    with caplog.at_level(logging.INFO):
        response = post_login(client, "notfall", PASSWORD)

    assert response.status_code == 302
    assert logged_in_user(client) == notfall
    events = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN)
    assert [(e.actor_id, e.target_id, e.jobcenter_id) for e in events] == [
        (notfall.pk, notfall.pk, notfall.jobcenter_id)
    ]
    assert f"break-glass login user_id={notfall.pk}" in caplog.text
    assert "notfall" not in caplog.text.replace("Notfall", "")  # no user name in any log line


@pytest.mark.django_db
def test_without_sso_everyone_logs_in_locally_and_break_glass_is_still_audited(
    client, staff, jobcenter
):
    response = post_login(client, "ez", PASSWORD)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()
    client.post(reverse("logout"))

    notfall = UserFactory(username="notfall", jobcenter=jobcenter, break_glass=True)
    assert post_login(client, "notfall", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=notfall).count() == 1


@pytest.mark.django_db
def test_a_break_glass_account_never_signs_in_through_the_directory(client, ldap_on, mappings):
    # bea.notfall is also in the directory; here she is the local break-glass account.
    local = UserFactory(username="bea.notfall", break_glass=True)

    response = post_login(client, "bea.notfall", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    local.refresh_from_db()
    assert local.directory_source == ""

    assert post_login(client, "bea.notfall", PASSWORD).status_code == 302


# --- the mapping itself -----------------------------------------------------------------------


@pytest.mark.django_db
def test_groups_of_two_jobcenters_are_refused(jobcenter, teams):
    other = JobcenterFactory(slug="hagen", name="Jobcenter Hagen")
    DirectoryGroupMapping.objects.create(jobcenter=jobcenter, group="A", role=Role.LEISTUNG)
    DirectoryGroupMapping.objects.create(jobcenter=other, group="B", role=Role.LEISTUNG)
    user = UserFactory(username="x")

    with pytest.raises(sso.DirectoryAccessRefused) as refused:
        sso.apply_directory_groups(user, ["a", "b"], source="oidc")
    assert refused.value.code == "several_jobcenters"


@pytest.mark.django_db
def test_groups_with_teams_but_no_role_are_refused(jobcenter, teams):
    m = DirectoryGroupMapping.objects.create(jobcenter=jobcenter, group="Nur-Team", role="")
    m.teams.set([teams["ez"]])
    user = UserFactory(username="x", role=Role.EINGANGSZONE, jobcenter=jobcenter)

    with pytest.raises(sso.DirectoryAccessRefused) as refused:
        sso.apply_directory_groups(user, ["Nur-Team"], source="ldap")
    assert refused.value.code == "no_role"
    user.refresh_from_db()
    assert user.role == ""


@pytest.mark.django_db
def test_applying_the_mapping_is_audited_only_when_something_changes(jobcenter, teams):
    m = DirectoryGroupMapping.objects.create(jobcenter=jobcenter, group="G", role=Role.HOTLINE)
    m.teams.set([teams["hotline"]])
    user = UserFactory(username="x")

    sso.apply_directory_groups(user, ["G"], source="oidc")
    sso.apply_directory_groups(user, ["G"], source="oidc")

    changes = AuditEvent.objects.filter(target_id=user.pk, action=AuditEvent.Action.CHANGE)
    assert changes.count() == 1


# --- the administration's table ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_sees_and_edits_only_the_own_jobcenters_mappings(client, staff, teams):
    own = DirectoryGroupMapping.objects.create(
        jobcenter=staff["admin"].jobcenter, group="JC-Eigene", role=Role.LEISTUNG
    )
    other_jc = JobcenterFactory(slug="hagen", name="Jobcenter Hagen")
    other_team = TeamFactory(jobcenter=other_jc, name="Team Hagen")
    foreign = DirectoryGroupMapping.objects.create(
        jobcenter=other_jc, group="JC-Fremde", role=Role.LEISTUNG
    )
    client.force_login(staff["admin"])

    changelist = client.get(reverse("admin:jobcenter_directorygroupmapping_changelist"))
    page = changelist.content.decode()
    assert "JC-Eigene" in page and "JC-Fremde" not in page
    change_foreign = reverse("admin:jobcenter_directorygroupmapping_change", args=[foreign.pk])
    assert client.get(change_foreign).status_code in (302, 404)

    add = client.get(reverse("admin:jobcenter_directorygroupmapping_add"))
    form = add.context["adminform"].form
    assert "jobcenter" not in form.fields
    assert set(form.fields["teams"].queryset) == set(teams.values())
    assert other_team not in form.fields["teams"].queryset

    response = client.post(
        reverse("admin:jobcenter_directorygroupmapping_add"),
        {"group": "JC-Neu", "role": Role.HOTLINE, "teams": [teams["hotline"].pk], "position": 5},
    )
    assert response.status_code == 302
    new = DirectoryGroupMapping.objects.get(group="JC-Neu")
    assert new.jobcenter == staff["admin"].jobcenter
    assert list(new.teams.all()) == [teams["hotline"]]
    # A team of another Jobcenter cannot be smuggled in.
    response = client.post(
        reverse("admin:jobcenter_directorygroupmapping_change", args=[own.pk]),
        {"group": "JC-Eigene", "role": Role.LEISTUNG, "teams": [other_team.pk], "position": 1},
    )
    assert response.status_code == 200
    assert not own.teams.exists()


@pytest.mark.django_db
def test_only_the_installation_grants_break_glass(client, staff):
    client.force_login(staff["admin"])
    url = reverse("admin:jobcenter_user_change", args=[staff["ez"].pk])

    response = client.get(url)

    assert "break_glass" not in response.context["adminform"].form.fields
    assert "Notfallzugang" in response.content.decode()  # shown, read-only


# --- logout -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_logout_of_an_sso_session_goes_on_to_the_providers_end_session(client, settings, staff):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "jobcenter-frontoffice"
    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://anmeldung.example.test/realms/jc/logout"
    user = staff["ifk"]
    user.directory_source = User.DirectorySource.OIDC
    user.save()
    client.force_login(user)
    session = client.session
    session["oidc_id_token"] = "eyJ.test.token"
    session.save()

    response = client.post(reverse("logout"))

    location = urlsplit(response["Location"])
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://anmeldung.example.test/realms/jc/logout"
    )
    assert parse_qs(location.query) == {
        "client_id": ["jobcenter-frontoffice"],
        "post_logout_redirect_uri": ["http://testserver/anmelden/"],
        "id_token_hint": ["eyJ.test.token"],
    }
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_of_a_local_session_stays_here(client, staff):
    client.force_login(staff["ez"])
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
