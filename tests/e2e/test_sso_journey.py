"""Single sign-on in Chromium through a real OpenID provider's login page (npm
`oidc-provider`, started by the `oidc_provider` fixture): log in with the directory account,
land on the role's page with the mapped role and team, log out, and the provider's session is
gone too. axe checks every page state, the provider's pages included."""

import copy
import re

import pytest
from playwright.sync_api import expect

from jobcenter.models import DirectoryGroupMapping, User
from jobcenter.roles import Role
from tests.sso.servers import DIRECTORY_PASSWORD

from .conftest import axe_check, submit, visit


@pytest.fixture
def oidc_on(settings, oidc_provider):
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    # As settings/sso.py does in production: logout's form may redirect to the provider.
    csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["form-action"].append(oidc_provider.issuer)
    settings.CONTENT_SECURITY_POLICY = csp
    return oidc_provider


@pytest.fixture
def integration_mapping(jobcenter, teams):
    mapping = DirectoryGroupMapping.objects.create(
        jobcenter=jobcenter, group="/JC/Integration-U25", role=Role.INTEGRATION
    )
    mapping.teams.set([teams["u25"]])
    return mapping


def sign_in_at_provider(page, oidc_provider, login: str) -> None:
    expect(page).to_have_url(re.compile("^" + re.escape(oidc_provider.issuer) + "/interaction/"))
    page.get_by_label("Benutzername").fill(login)
    page.get_by_label("Passwort").fill(DIRECTORY_PASSWORD)
    submit(page, page.get_by_role("button", name="Anmelden"))


def test_sso_login_lands_on_the_roles_page_and_logout_ends_the_provider_session(
    page, live_server, oidc_on, integration_mapping, teams
):
    visit(page, f"{live_server.url}/anmelden/")
    submit(page, page.get_by_role("link", name="Mit dem Dienstkonto anmelden"))
    sign_in_at_provider(page, oidc_on, "ida.integration")

    # The IFK's start page, as the mapped role.
    expect(page).to_have_url(f"{live_server.url}/arbeitsliste/")
    expect(page.get_by_role("button", name="Abmelden (Ida Integration)")).to_be_visible()
    user = User.objects.get(username="ida.integration")
    assert user.role == Role.INTEGRATION
    assert list(user.teams.all()) == [teams["u25"]]
    assert user.directory_source == User.DirectorySource.OIDC
    # A directory account has no password here to change.
    expect(page.get_by_role("link", name="Passwort ändern")).to_have_count(0)

    # Logout goes on to the provider, which asks once and sends us back to the login page.
    submit(page, page.get_by_role("button", name="Abmelden (Ida Integration)"))
    expect(page).to_have_url(re.compile("^" + re.escape(oidc_on.issuer) + "/session/end"))
    submit(page, page.get_by_role("button", name="Ja, abmelden"))
    expect(page).to_have_url(f"{live_server.url}/anmelden/")

    # The provider's session is gone: signing in again asks for the password again.
    submit(page, page.get_by_role("link", name="Mit dem Dienstkonto anmelden"))
    expect(page).to_have_url(re.compile("^" + re.escape(oidc_on.issuer) + "/interaction/"))
    expect(page.get_by_label("Passwort")).to_be_visible()
    axe_check(page)


def test_sso_login_without_a_mapped_group_is_refused_in_german(
    page, live_server, oidc_on, integration_mapping
):
    visit(page, f"{live_server.url}/anmelden/")
    submit(page, page.get_by_role("link", name="Mit dem Dienstkonto anmelden"))
    sign_in_at_provider(page, oidc_on, "olaf.ohnegruppe")

    expect(page).to_have_url(re.compile(r"/anmelden/"))
    expect(page.get_by_role("alert")).to_contain_text("keiner Gruppe zugeordnet")
    expect(page.get_by_role("button", name=re.compile("^Abmelden"))).to_have_count(0)
    # The break-glass form stays folded away under its own heading.
    expect(page.get_by_text("Notfallzugang (Passwort dieser Anwendung)")).to_be_visible()
