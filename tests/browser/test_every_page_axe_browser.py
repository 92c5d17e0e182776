"""axe over every page each demo person reaches: for each role the demo school seeds, sign in,
follow the same-origin links from the start page (GET only, no sign-out, downloads or files;
URLs that differ only by a number count once), run axe on each page and expect no critical or
serious finding. The pages checked are listed in the test's output."""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import Error as PlaywrightError

from esafety.cli import demo_command
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in, sign_in_pupil

#: Demo people, one per role: (label, who). Pupils are found by their class's year group.
PEOPLE = [
    ("pupil, Reception", {"year_group": "Reception"}),
    ("pupil, Year 5", {"year_group": "Year 5"}),
    ("parent", {"role": "parent"}),
    ("teacher", {"email": "year4@meadowbank.example"}),
    ("teaching assistant", {"email": "ta@meadowbank.example"}),
    ("office", {"email": "office@meadowbank.example"}),
    ("DSL", {"email": "dsl@meadowbank.example"}),
    ("e-safety officer", {"email": "esafety@meadowbank.example"}),
    ("headteacher", {"email": "head@meadowbank.example"}),
    ("governor", {"email": "chair@meadowbank.example"}),
    ("volunteer", {"email": "volunteer@meadowbank.example"}),
]
#: A bound on new pages (by URL pattern) per person, far above what any reaches (the headteacher
#: reaches the most): a crawl that found links without end would stop here.
PER_PERSON = 200
#: Links never followed: signing out, files and downloads, sign-in steps, machine feeds.
SKIP = re.compile(
    r"(/logout|/login|/pupils(/|$)|/static/|download|\.[a-z]{2,4}$|/feed|/files?/|"
    r"/certificate$|/images?/|/pictures?/|/evidence/\d+$|/export)"
)


def _pattern(url: str) -> str:
    """One pattern for pages that differ only by an id or a query."""
    path = urlsplit(url).path
    return re.sub(r"/\d+(?=/|$)", "/{id}", path)


def _login_for(logins: list[dict], who: dict) -> dict:
    return next(
        login for login in logins if all(login.get(key) == value for key, value in who.items())
    )


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        href = urldefrag(href)[0]
        if href.startswith(origin) and not SKIP.search(urlsplit(href).path):
            found.append(href)
    return found


def _check(page, label: str, url: str, checked: list[str], problems: list[str]) -> None:
    findings = serious_violations(page)
    path = url.removeprefix(page.base_url)
    took = time.monotonic() - _check.started
    checked.append(f"{label:<20} {path}  {'ok' if not findings else 'FINDINGS'} {took:.1f}s")
    _check.started = time.monotonic()
    for finding in findings:
        problems.append(f"{label} {path}: {json.dumps(finding)}")


def test_axe_finds_nothing_serious_on_any_page_a_demo_person_reaches(
    app, _playwright_browser, server_url, capsys
):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    result = app.test_cli_runner().invoke(demo_command, ["--json"])
    assert result.exit_code == 0, result.output
    logins = json.loads(result.output)
    started = _check.started = time.monotonic()
    seen: set[str] = set()
    checked: list[str] = []
    problems: list[str] = []
    for label, who in PEOPLE:
        login = _login_for(logins, who)
        context = _playwright_browser.new_context(
            viewport={"width": 360, "height": 740}, bypass_csp=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = server_url
        if login["role"] == "pupil":
            sign_in_pupil(page, login["class_code"], login["name"], login["pictures"])
        else:
            sign_in(page, login["email"], login["password"])
        page.wait_for_load_state()
        start = page.url
        assert "/login" not in start, f"{label} could not sign in"
        _check(page, label, start, checked, problems)
        queue = _links(page, server_url)
        new = 0
        while queue and new < PER_PERSON:
            url = queue.pop(0)
            pattern = _pattern(url)
            if pattern in seen or url == start:
                continue
            seen.add(pattern)
            try:
                response = page.goto(url)
            except PlaywrightError as error:  # a file after all: not a page to check
                assert "Download is starting" in str(error), error
                continue
            assert response is not None and response.status < 500, f"{label}: {url} failed"
            if response.status >= 400 or SKIP.search(urlsplit(page.url).path):
                continue
            new += 1
            _check(page, label, url, checked, problems)
            queue.extend(_links(page, server_url))
        context.close()
    with capsys.disabled():
        print(f"\naxe checked {len(checked)} pages in {time.monotonic() - started:.0f}s:")
        print("\n".join(checked))
    assert problems == [], "\n".join(problems)
