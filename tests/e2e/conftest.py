"""A real browser for the e2e tests: Playwright driving Debian's chromium (CI installs it)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path("/tmp/recovery-record-e2e")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Every WCAG 2.0, 2.1 and 2.2 success criterion at level A and AA that axe has a rule for.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` (Debian's build) to run e2e tests")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    # Playwright's sync API keeps an event loop running in this thread while the browser is open, and
    # Django refuses database calls from a thread with a running loop unless told the code is really
    # synchronous, as it is here.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """`new_page()` opens a page in a browser context of its own (its own cookies: another person)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        # A page of this app answers in well under a second; waiting 30 s (Playwright's default) for a
        # missing element only makes a failing run slow.
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(page):
    """`screenshot("name")` saves the page under /tmp for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name, of=None):
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(live_server):
    """`sign_in(page, user)` gives the page a signed-in session without typing the password: the sign-in
    form has its own keyboard test, and skipping it keeps each journey test to the pages it is about."""

    def signed_in(page, user):
        client = Client()
        client.force_login(user, backend="core.user_backend.UserBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return signed_in


def axe_violations(page):
    """The serious and critical WCAG 2.x A/AA violations axe finds on the page as it is now."""
    # Evaluated rather than added as a <script> tag, so a Content-Security-Policy on the page cannot
    # block it and the page's own markup is not changed before it is checked.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


@pytest.fixture
def axe():
    """`axe(page)` fails the test with every serious or critical WCAG 2.x A/AA violation on the page."""

    def check(page):
        violations = axe_violations(page)
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']}; element {' '.join(map(str, node['target']))}; "
            f"{node['failureSummary']}"
            for v in violations
            for node in v["nodes"]
        ]
        assert not lines, f"axe found {len(lines)} accessibility problem(s) on {page.url}:\n" + "\n".join(lines)

    return check
