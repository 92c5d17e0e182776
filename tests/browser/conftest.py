"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

The server runs in a thread of this process, on the same test database, so data a test
creates (and commits) is what the browser sees. Without /usr/bin/chromium these tests skip,
unless ESAFETY_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            # The live server's threads read what the test committed, on their own connections.
            item.add_marker(pytest.mark.commits)
            # The test server may be cut off mid-file when the browser moves on; the unclosed
            # file it leaves is the server's, not the app's, and must not fail the test.
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )


@pytest.fixture(scope="session")
def _playwright_browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if os.environ.get("ESAFETY_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def server_url(app) -> Iterator[str]:
    """Serve the test app on a free local port for the duration of one test."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        app.config["SERVER_NAME"] = "esafety.test"


@pytest.fixture
def browser_context(_playwright_browser):
    context = _playwright_browser.new_context(viewport={"width": 1024, "height": 800})
    yield context
    context.close()


@pytest.fixture
def page(browser_context, server_url):
    """A fresh page; errors in the page's scripts fail the test."""
    page = browser_context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base_url = server_url
    yield page
    assert errors == [], f"script errors on the page: {errors}"


@pytest.fixture
def phone_page(_playwright_browser, server_url):
    """A page at a phone's size (360 x 740) with touch."""
    context = _playwright_browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = server_url
    yield page
    context.close()


#: Recovery codes kept from each leader's enrolment, so a later sign-in in the same test can
#: give its second step (an app code may be used only once, even within its 30 seconds).
_RECOVERY_CODES: dict[str, list[str]] = {}


def sign_in(page, email: str, password: str) -> None:
    """Sign an adult in through the real login form. Leaders who must use a second step set
    up their authenticator app on the way, as they would the first time, and give one of
    their recovery codes when they sign in again."""
    page.goto(page.base_url + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/enrol"):
        _secret, codes = enrol_authenticator(page)
        _RECOVERY_CODES[email] = codes
        page.get_by_role("link", name="I have kept them: continue").click()
    elif page.url.endswith("/login/code") and _RECOVERY_CODES.get(email):
        page.get_by_label("Code").fill(_RECOVERY_CODES[email].pop())
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()


def enrol_authenticator(page) -> tuple[str, list[str]]:
    """Scan-free enrolment: read the typed key from the page and give the app's code."""
    import pyotp

    secret = page.locator("code.totp-secret").inner_text().strip()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn it on").click()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    return secret, codes


def sign_in_pupil(page, class_code: str, first_name: str, pictures: list[str]) -> None:
    """Sign a pupil in the way a child does: class code, name tile, three pictures."""
    page.goto(page.base_url + "/pupils")
    page.get_by_label("Class code").fill(class_code)
    page.get_by_role("button", name="Go").click()
    page.get_by_role("link", name=first_name).click()
    for picture in pictures:
        page.get_by_role("button", name=picture.capitalize(), exact=True).click()
