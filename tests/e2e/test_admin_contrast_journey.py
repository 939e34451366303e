"""The administration's list pages (Django admin changelists under /verwaltung/) with their
breadcrumbs: axe on each state, and the breadcrumb colours measured (WCAG 1.4.3, ≥ 4.5:1 for
the text and the links, also while a link has the keyboard focus), in light and dark mode."""

import pytest
from playwright.sync_api import Page, expect

from jobcenter.roles import Role
from tests.factories import JobcenterFactory, TeamFactory, UserFactory

from .conftest import axe_check, login, visit

pytestmark = pytest.mark.e2e

# Text colour against the nearest background behind it, as sRGB via a 1×1 canvas.
COLOURS_JS = """(el) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const srgb = (colour) => {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = colour;
        ctx.fillRect(0, 0, 1, 1);
        return [...ctx.getImageData(0, 0, 1, 1).data];
    };
    let behind = 'rgb(255, 255, 255)';
    for (let p = el; p; p = p.parentElement) {
        const c = getComputedStyle(p).backgroundColor;
        if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { behind = c; break; }
    }
    return {text: srgb(getComputedStyle(el).color), behind: srgb(behind)};
}"""


def contrast(a: list[int], b: list[int]) -> float:
    def luminance(rgb: list[int]) -> float:
        channels = [c / 255 for c in rgb[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ratio(locator) -> float:
    colours = locator.evaluate(COLOURS_JS)
    return contrast(colours["text"], colours["behind"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_changelist_breadcrumbs_have_enough_contrast(page: Page, live_server, scheme):
    jobcenter = JobcenterFactory(slug="neustadt", name="Jobcenter Neustadt", bundesland="HE")
    UserFactory(username="verwaltung", jobcenter=jobcenter, role=Role.ADMINISTRATION)
    TeamFactory(jobcenter=jobcenter, name="Integration Ü25 Nord")
    page.emulate_media(color_scheme=scheme)

    login(page, live_server, "verwaltung")
    visit(page, f"{live_server.url}/verwaltung/jobcenter/team/")
    expect(page.get_by_role("link", name="Integration Ü25 Nord")).to_be_visible()
    crumbs = page.locator("div.breadcrumbs")
    expect(crumbs).to_contain_text("Teams")
    assert ratio(crumbs) >= 4.5
    links = crumbs.get_by_role("link")
    assert links.count() >= 2
    for i in range(links.count()):
        link = links.nth(i)
        assert ratio(link) >= 4.5, link.inner_text()
        link.focus()
        assert ratio(link) >= 4.5, f"focused: {link.inner_text()}"
        ring = link.evaluate(
            "(el) => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
        )
        assert ring[0] == "solid" and ring[1] >= 2, ring
        link.hover()
        assert ratio(link) >= 4.5, f"hovered: {link.inner_text()}"
    axe_check(page)
