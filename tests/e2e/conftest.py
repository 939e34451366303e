"""Browser journeys in real Chromium (Playwright, sync API) against pytest-django's live server.

Every page state a journey reaches is checked with axe-core (WCAG 2.0/2.1 A and AA, plus
landmark-unique). This cannot be forgotten: the `page` fixture records every main-frame
navigation, `axe_check` marks the current state as checked, and the test fails at teardown
if a journey moved on from a page (or ended on one) that axe never saw. `visit()` and
`submit()` navigate and check in one step; use them instead of `page.goto()` and bare clicks.

Each check also fails on what axe cannot see but a user would: a stylesheet, script or font
that did not load, a JavaScript error, or a violation of the app's Content-Security-Policy.

Run: DATABASE_URL=postgres://... .venv/bin/python -m pytest tests/e2e -q
Screenshot for the README: add E2E_SCREENSHOT=1 (writes docs/screenshot.png).
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.factories import PASSWORD, seed_catalogues

# Playwright's sync API keeps an event loop running in the main thread; Django then refuses
# ORM calls from that thread (SynchronousOnlyOperation) unless this is set. Test code only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe rules outside those tags that the app must pass as well: `landmark-unique` (tagged
# best-practice) catches two landmarks with the same role and name, e.g. a section and the
# table wrapper inside it both named by one heading; screen readers list them twice.
EXTRA_RULES = {"landmark-unique": {"enabled": True}}

# The CSP (script-src 'self') forbids inline scripts, and `add_script_tag(path=...)` inserts
# axe as an inline <script>: the browser refuses it. Instead of `bypass_csp=True`, which would
# also hide the app's own CSP violations from these tests, axe is loaded from a same-origin
# URL that Playwright answers from the vendored file (page.route); the request never reaches
# the app, and the real CSP stays in force.
AXE_URL_PATH = "/__e2e__/axe.min.js"

E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e/ is an `e2e` test (deselect with `-m "not e2e"`)."""
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember whether the test body failed, for the teardown of `page`."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db, django_db_serialized_rollback, live_server) -> None:
    """The browser talks to the live server in another thread: data must be committed.

    transactional_db empties every table after each test, which would also remove what the
    migrations put there (content types). Serialized rollback puts that back before each
    test; the catalogues of any Jobcenter restored with it are seeded again explicitly
    (a new Jobcenter gets them when it is created).
    """
    seed_catalogues()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (set E2E_CHROMIUM).")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make assets`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageStates:
    """What one page went through: the states axe has not checked, and what went wrong."""

    unchecked: str | None = None
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # A download (Content-Disposition: attachment) ends its navigation with ERR_ABORTED by
    # design; such a failure is no problem once the download arrived. So does a background
    # poll (fetch / XHR: the alarm, the queue) still in flight when the page navigates away.
    failed: list[tuple[str, str]] = field(default_factory=list)
    downloads: set[str] = field(default_factory=set)
    background: set[str] = field(default_factory=set)

    def take_failures(self) -> None:
        for url, failure in self.failed:
            aborted = "ERR_ABORTED" in str(failure)
            if not (aborted and (url in self.downloads or url in self.background)):
                self.problems.append(f"request failed: {url} ({failure})")
        self.failed.clear()

    def navigated(self, url: str) -> None:
        if url == "about:blank":
            return
        if self.unchecked is not None:
            self.skipped.append(self.unchecked)
        self.unchecked = url


_STATES: dict[Page, PageStates] = {}


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    states = PageStates()
    _STATES[page] = states

    page.route(
        f"**{AXE_URL_PATH}",
        lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript; charset=utf-8"),
    )
    page.on(
        "framenavigated",
        lambda frame: states.navigated(frame.url) if frame == page.main_frame else None,
    )
    page.on("pageerror", lambda error: states.problems.append(f"JavaScript error: {error}"))

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            states.problems.append(f"CSP violation: {message.text}")

    page.on("console", on_console)

    def on_response(response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            states.problems.append(f"{response.status} for {response.url}")

    page.on("response", on_response)

    def on_request_failed(request) -> None:
        if request.resource_type in ("fetch", "xhr"):
            states.background.add(request.url)
        states.failed.append((request.url, request.failure))

    page.on("requestfailed", on_request_failed)
    page.on("download", lambda download: states.downloads.add(download.url))

    yield page

    context.close()
    del _STATES[page]
    if request.node.stash.get(_CALL_FAILED, True):
        return  # the test already failed (or never ran): its own error is what matters
    missed = [*states.skipped, *([states.unchecked] if states.unchecked else [])]
    assert not missed, (
        "These page states were never checked with axe_check(); navigate with visit() / "
        "submit(), or call axe_check(page) after each navigation:\n  " + "\n  ".join(missed)
    )


def axe_check(page: Page) -> None:
    """Run axe-core on the current page state; fail with a readable list of violations."""
    page.wait_for_load_state("load")
    states = _STATES[page]
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL_PATH)
    violations = page.evaluate(
        """async ([tags, rules]) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules});
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.length,
                targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
            }));
        }""",
        [WCAG_TAGS, EXTRA_RULES],
    )
    url = page.url
    states.unchecked = None
    states.take_failures()
    problems = list(states.problems)
    states.problems.clear()
    lines = [
        f"- {v['id']} ({v['impact']}): {v['help']} [{v['nodes']} element(s)]: "
        + ", ".join(v["targets"])
        for v in violations
    ] + [f"- {p}" for p in problems]
    if lines:
        pytest.fail(f"Accessibility / page problems on {url}:\n" + "\n".join(lines), pytrace=False)


def visit(page: Page, path: str) -> None:
    """Open a page of the app and check it."""
    response = page.goto(path)
    assert response is not None, path
    assert response.status < 400, f"{path}: HTTP {response.status}"
    axe_check(page)


def submit(page: Page, control: Locator) -> None:
    """Click a button or link that loads a new page, wait for it, and check it."""
    with page.expect_navigation():
        control.click()
    axe_check(page)


def login(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form, as a person would."""
    visit(page, f"{live_server.url}/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    submit(page, page.get_by_role("button", name="Anmelden", exact=True))
    expect(page).not_to_have_url(re.compile(r"/anmelden/"))
    expect(page.get_by_role("button", name=re.compile(r"^Abmelden"))).to_be_visible()


def assert_styled(page: Page) -> None:
    """The KERN stylesheet and the app's CSS are applied (not just requested)."""
    sheets = page.evaluate(
        "() => [...document.styleSheets].map((s) => [s.href, s.cssRules.length])"
    )
    loaded = {href.rsplit("/", 1)[-1]: rules for href, rules in sheets if href}
    assert loaded.get("kern.min.css", 0) > 0 and loaded.get("app.css", 0) > 0, sheets
    # .skip-link is moved off-screen by app.css; unstyled it would sit at the top.
    assert page.locator(".skip-link").evaluate("(el) => getComputedStyle(el).position") == (
        "absolute"
    )
    font = page.locator("body").evaluate("(el) => getComputedStyle(el).fontFamily")
    assert "Fira Sans" in font, font
