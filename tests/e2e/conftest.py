"""A real browser for the e2e tests: Playwright driving Debian's chromium (CI installs it)."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path("/tmp/recovery-record-e2e")


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
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """`screenshot("name")` saves the page under /tmp for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take
