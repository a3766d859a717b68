"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser starts once per test session; every test gets a fresh context (no cookies, no storage) and a
`journey`: a page whose every document load must be checked with axe before the test ends.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("OPENASC_CHROMIUM", "/usr/bin/chromium")
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
PASSWORD = "correct-horse-battery"  # every factory-made user's password (openasc/core/tests/factories.py)
DEFAULT_TIMEOUT_MS = 15_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so that fixtures can tell whether the test body failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium():
    """The system Chromium, launched once. Missing browser: a failure in CI, a skip on a workstation."""
    if not Path(CHROMIUM).exists():
        reason = (
            f"the browser tests need Debian's Chromium at {CHROMIUM} "
            "(sudo apt-get install chromium, or set OPENASC_CHROMIUM)"
        )
        if _in_ci():
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an asyncio loop on this thread for as long as it runs, which makes
    # Django refuse ORM calls from test code ("You cannot call this from an async context"). The calls are
    # synchronous, so allow them, for exactly as long as the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    playwright = sync_playwright().start()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def reference_codes(request):
    """The coded lists (gender, client type, ...) for tests that use the live server.

    Migrations load them, but a transactional test ends by emptying every table, so each browser test
    loads them again (and forgets the cached lists either side).
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    from openasc.core import codes
    from openasc.core.models import ReferenceCode

    def forget_cached_lists() -> None:
        clear = getattr(codes, "clear_cache", None) or getattr(codes.values, "cache_clear", None)
        if clear is not None:
            clear()

    codes.bulk_load_rows(ReferenceCode)
    forget_cached_lists()
    yield
    forget_cached_lists()


class Journey:
    """One member of staff's browser tab. Every page it loads is checked with axe (see `check`)."""

    def __init__(self, page, base_url: str):
        from openasc.ui.tests.accessibility import assert_accessible

        self._assert_accessible = assert_accessible
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.loads: list[str] = []  # every document the tab loaded, in order
        self.checked = 0  # how many of them have been checked
        self.errors: list[str] = []  # script errors and content security policy refusals
        page.on("load", lambda: self.loads.append(page.url))
        page.on("pageerror", lambda exc: self.errors.append(f"script error on {page.url}: {exc}"))
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP refused something on {self.page.url}: {message.text}")

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url)

    def check(self) -> None:
        """axe and the GOV.UK error pattern on the page as it is now, and the tab has no script errors."""
        self.page.wait_for_load_state("load")
        self._assert_accessible(self.page, just_loaded=len(self.loads) > self.checked)
        assert not self.errors, "\n".join(self.errors)
        self.checked = len(self.loads)

    def goto(self, path: str, *, status: int | None = 200):
        response = self.page.goto(self.url(path))
        if status is not None:
            assert response is not None and response.status == status, (
                f"GET {path}: {response.status if response else 'no response'}, expected {status}"
            )
        self.check()
        return response

    def submit(self, button_text: str, *, status: int | None = None) -> None:
        """Press a form's button, wait for the page it leads to and check it."""
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button_text, exact=True).click()
        response = navigation.value
        if status is not None:
            assert response is not None and response.status == status, (
                f"{button_text!r}: {response.status if response else 'no response'}, expected {status}"
            )
        self.check()

    def click_link(self, name: str, *, exact: bool = False) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name, exact=exact).first.click()
        self.check()

    def sign_in(self, username: str, password: str = PASSWORD, *, start: str = "/") -> None:
        """Through the real sign-in form, as a member of staff would."""
        if not self.path.startswith("/sign-in"):
            self.goto(start)
        assert self.path.startswith("/sign-in"), f"expected the sign-in page, got {self.page.url}"
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.submit("Sign in")
        assert not self.path.startswith("/sign-in"), f"sign-in as {username} failed: {self.error_messages()}"

    def screenshot(self, name: str) -> None:
        """Keep a picture of the page for people to look at, when OPENASC_SCREENSHOTS names a folder."""
        folder = os.environ.get("OPENASC_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    def error_messages(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".govuk-error-summary__list li").all_inner_texts()]

    def error_links(self) -> list[tuple[str, str]]:
        return [
            (a.get_attribute("href"), a.inner_text().strip())
            for a in self.page.locator(".govuk-error-summary__list a").all()
        ]


@pytest.fixture
def new_journey(chromium, live_server, request, tmp_path):
    """Open a fresh browser context (a different member of staff, a clean cookie jar) as often as needed."""
    opened: list[tuple[object, Journey]] = []

    def make() -> Journey:
        context = chromium.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        journey = Journey(context.new_page(), live_server.url)
        opened.append((context, journey))
        return journey

    yield make
    call = getattr(request.node, "report_call", None)
    passed = call is not None and call.passed
    try:
        for i, (_context, journey) in enumerate(opened):
            if not passed:
                shot = tmp_path / f"failure-{i}.png"
                try:
                    journey.page.screenshot(path=str(shot), full_page=True)
                    print(f"\nscreenshot of {journey.page.url}: {shot}")
                except Exception as exc:
                    print(f"\nno screenshot: {exc}")
            elif journey.checked < len(journey.loads):
                unchecked = journey.loads[journey.checked :]
                pytest.fail(f"pages loaded but never checked with axe: {unchecked}", pytrace=False)
    finally:
        for context, _ in opened:
            context.close()


@pytest.fixture
def journey(new_journey) -> Journey:
    return new_journey()
