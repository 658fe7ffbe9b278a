"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

Browser tests are marked `browser`. Without Chromium they skip locally, but fail under CI=true: a skipped
browser test must never pass for green.
"""

import contextlib
import json
import os
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestsInFlight:
    """Wraps the live server's WSGI app to count requests still being handled.

    A player sends its last heartbeat when the page is hidden, so closing a browser context can leave a request
    running in the server's thread while the test tears down. On PostgreSQL that request's transaction deadlocks
    with the flush that empties the database, and the next test starts on a database that was never emptied.
    Teardown therefore waits until the server has been quiet for a moment before the database is flushed.
    """

    def __init__(self, app):
        self.app = app
        self.running = 0
        self.last_activity = time.monotonic()
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.running += 1
            self.last_activity = time.monotonic()
        try:
            return self.app(environ, start_response)
        finally:
            with self.changed:
                self.running -= 1
                self.last_activity = time.monotonic()
                self.changed.notify_all()

    def wait_until_quiet(self, *, quiet_for: float = 0.3, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                now = time.monotonic()
                quiet = now - self.last_activity
                if self.running == 0 and quiet >= quiet_for:
                    return
                if now >= deadline:
                    raise AssertionError(f"the live server still had {self.running} request(s) after {timeout} s")
                self.changed.wait(timeout=max(0.01, quiet_for - quiet if self.running == 0 else 0.1))


@pytest.fixture(scope="session")
def live_server_requests(live_server) -> RequestsInFlight:
    httpd = live_server.thread.httpd
    counter = RequestsInFlight(httpd.get_app())
    httpd.set_app(counter)
    return counter


@pytest.fixture(autouse=True)
def _live_server_settles(request):
    """For tests using the live server: after the browser pages close, wait for the server's last requests,
    before the database is flushed (this fixture is torn down after ``page`` and before the database)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    requests = request.getfixturevalue("live_server_requests")
    yield
    requests.wait_until_quiet()


def close_context(context) -> None:
    """Leave each page first (the player's pagehide heartbeat goes now, while the server is up), then close."""
    for open_page in context.pages:
        with contextlib.suppress(Exception):  # a page that cannot navigate is closed anyway
            open_page.goto("about:blank", timeout=5_000)
    context.close()


@pytest.fixture
def new_page(browser):
    """new_page() → a fresh page in its own browser context (a second person at another desk)."""
    contexts = []

    def make():
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        close_context(context)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, username, password) through the real sign-in form."""

    def do_sign_in(page, username: str, password: str = "correct-horse-battery", next_path: str = "/"):
        page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return do_sign_in


@pytest.fixture
def axe():
    """axe(page) → the WCAG 2.2 A/AA violations axe-core finds on the page as it is now."""

    def run(page) -> list[dict]:
        # evaluate() goes through the DevTools protocol, so the page's strict CSP does not block axe.
        page.evaluate(AXE_JS.read_text())
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' '))}));
            }"""
        )
        if result:
            print(json.dumps(result, indent=2))
        return result

    return run
