"""Fixtures for the browser journeys: a live server, headless Chromium, and axe-core.

A journey is walked the way the platform must work: in a browser with JavaScript switched off, on a
320 px wide phone. Every page it reaches is then opened again in a second context with JavaScript
on and the same cookies, where axe-core checks it against WCAG 2.1 A and AA and the page is checked
for sideways scrolling (both need JavaScript). Pages that answer a POST (a form shown again with its
errors, an import report) cannot be fetched again, nor can a message shown once after a redirect, so
for those the second context is given the very HTML the journey saw, at the same address, with the
live server's stylesheet. A page seen twice the same (but for its CSRF tokens) is checked once.

Needs Debian's Chromium (``CHROMIUM``, default /usr/bin/chromium), Playwright and axe-core from
``npm ci``. Without them the tests are skipped, or fail when ``LMS_REQUIRE_BROWSER=1`` (as in CI).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from lms.testing import TEST_PASSWORD

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_PATH = REPO / "node_modules" / "axe-core" / "axe.min.js"
# Only violations are needed: collecting the passing checks too would double the time of each run.
AXE_OPTIONS = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"], "resultTypes": ["violations"]}
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*')
PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
BROWSER_LOCALE = "uk-UA"  # a browser in Ukraine asks for Ukrainian


def unavailable(message: str) -> None:
    """Skip, or fail where the browser tests are required (``LMS_REQUIRE_BROWSER=1``)."""
    if os.environ.get("LMS_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@functools.cache
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def check_axe(page: Any) -> None:
    """Run axe-core on the page (which must have JavaScript on): no WCAG 2.1 A/AA violations."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # not already loaded as an init script
        page.evaluate(axe_source())
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    problems = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]} "
        f"{violation['helpUrl']}"
        for violation in result["violations"]
    ]
    for problem in problems:
        print(f"axe on {page.url}: {problem}")
    assert problems == [], f"axe found violations on {page.url}"


def check_no_sideways_scrolling(page: Any) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways: {widths[0]} px wide in a {widths[1]} px window"
    )


# --- live server ------------------------------------------------------------------------------------


def _not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"the app is not served yet"]


@pytest.fixture
def _server() -> Iterator[BaseWSGIServer]:
    """A server bound to a free port before the app exists, so the app can be told its own address."""
    server = make_server("127.0.0.1", 0, _not_ready, threaded=True)
    yield server
    server.server_close()


@pytest.fixture
def app_config(app_config: dict[str, Any], _server: BaseWSGIServer) -> dict[str, Any]:
    """Links in invitations are built from LMS_BASE_URL: make it the live server's address."""
    return {**app_config, "LMS_BASE_URL": f"http://127.0.0.1:{_server.server_port}"}


@pytest.fixture
def live_server(app: Any, _server: BaseWSGIServer) -> Iterator[str]:
    """The ``app`` fixture's app served over HTTP in a thread; yields its base URL."""
    _server.app = app
    thread = threading.Thread(target=_server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield app.config["LMS_BASE_URL"]
    _server.shutdown()
    thread.join(timeout=10)


# --- browser ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium was not found at {CHROMIUM}: install the system package chromium")
    if not AXE_PATH.is_file():
        unavailable(f"axe-core was not found at {AXE_PATH}: run npm ci")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class SecondContext:
    """The context with JavaScript on where a test's pages are checked: made from the first
    journey's ``storage_state()`` at its first check, then given the cookies of whichever journey
    asks before each later one (the app keeps nothing else in the browser). axe-core is loaded as
    an init script, which the pages' Content-Security-Policy does not block, once per context."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.context: Any = None
        self.checked: set[tuple[str, str, str]] = set()  # (address, replayed, page without CSRF tokens)

    def check(self, journey: Journey, html: str, replay: bool, status: int = 200) -> None:
        """Open the journey's page with its cookies; run axe and the width check there. With
        ``replay`` the page is not fetched again but given the HTML the journey saw (the answer to a
        POST cannot be fetched again, nor a message shown once)."""
        url = journey.page.url
        seen = (url, str(replay), CSRF_VALUE.sub(r"\1", html))
        if seen in self.checked:
            return
        self.checked.add(seen)
        state = journey.context.storage_state()
        if self.context is None:
            self.context = self.browser.new_context(
                java_script_enabled=True,
                viewport=journey.viewport,
                locale=BROWSER_LOCALE,
                storage_state=state,
            )
            self.context.add_init_script(axe_source())
            self.context.new_page()
        else:
            self.context.clear_cookies()
            self.context.add_cookies(state["cookies"])
        page = self.context.pages[0]
        page.set_viewport_size(journey.viewport)

        def is_this_page(address: str) -> bool:
            return address == url

        if replay:
            page.route(
                is_this_page,
                lambda route: route.fulfill(
                    status=status, content_type="text/html; charset=utf-8", body=html
                ),
            )
        try:
            page.goto(url)
        finally:
            if replay:
                page.unroute(is_this_page)
        check_axe(page)
        check_no_sideways_scrolling(page)

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


class Journey:
    """Someone using the site in a browser with JavaScript off. Each page they reach is recorded in
    ``visited`` and checked at once in the :class:`SecondContext`, with their cookies."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int], checker: SecondContext) -> None:
        self.base_url = base_url
        self.viewport = viewport
        self.checker = checker
        self.context = browser.new_context(
            java_script_enabled=False, viewport=viewport, locale=BROWSER_LOCALE, base_url=base_url
        )
        self.page = self.context.new_page()
        self.visited: list[str] = []

    def goto(self, path: str) -> Any:
        return self._arrived(self.page.goto(path))

    def click(self, selector: str) -> Any:
        """Follow a link or press a button that leads to another page."""
        with self.page.expect_navigation() as navigation:
            self.page.click(selector)
        return self._arrived(navigation.value)

    def menu(self, href: str) -> Any:
        """Follow a link of the header: first open its area (a ``<summary>``, which needs no script)
        when the area is closed."""
        if not self.page.locator(f'nav a[href="{href}"]').is_visible():
            inside = self.page.locator(f'a[href="{href}"]')  # ``has`` is matched within each details
            self.page.locator("nav details", has=inside).locator("summary").click()
        return self.click(f'nav a[href="{href}"]')

    def fill(self, fields: dict[str, str]) -> None:
        for selector, value in fields.items():
            self.page.fill(selector, value)

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def _arrived(self, response: Any) -> Any:
        assert response is not None, f"no page after navigating to {self.page.url}"
        self.visited.append(self.page.url)
        html = self.page.content()
        # A page may add to itself with Kaskad's own script files (the hub map), never an inline script;
        # this journey, walked with JavaScript off, shows that it works without them.
        scripts = re.findall(r"<script\b[^>]*>", html)
        own = [tag for tag in scripts if re.search(r'\bsrc="/static/[\w./-]+\.js"', tag)]
        assert scripts == own, f"{self.page.url} has a script not from Kaskad's static files: {scripts}"
        answers_post = response.request.method != "GET"
        self.checker.check(self, html, replay=answers_post, status=response.status)
        if not answers_post and 'class="messages"' in html:  # fetching it again would lose the message
            self.checker.check(self, html, replay=True, status=response.status)
        return response

    def close(self) -> None:
        self.context.close()


def log_in(person: Journey, email: str, password: str = TEST_PASSWORD) -> None:
    """From any page: the login link in the menu, the form, and back on the home page."""
    person.click('nav a[href="/login"]')
    person.fill({"#email": email, "#password": password})
    person.click('main form button[type="submit"]')
    assert person.path == "/"


@pytest.fixture
def journey(browser: Any, live_server: str) -> Iterator[Callable[..., Journey]]:
    """``journey()`` starts a new visitor (no cookies) on a phone; ``journey(viewport=DESKTOP)`` too."""
    started: list[Journey] = []
    checker = SecondContext(browser)

    def start(viewport: dict[str, int] = PHONE) -> Journey:
        started.append(Journey(browser, live_server, viewport, checker))
        return started[-1]

    yield start
    for each in started:
        each.close()
    checker.close()
