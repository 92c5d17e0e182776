"""A Reception child on a 360 px phone and on a class tablet: the pupil entry above the fold,
taps and key presses counted, every pupil page read aloud, and no serious axe findings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.lessons.catalogue import get_catalogue
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.accessibility import SPEECH_STUB, serious_violations

PICTURES = ["cat", "sun", "boat"]


@pytest.fixture
def phone(_playwright_browser, server_url):
    """A 360 x 740 touch phone; the page's CSP is bypassed only so axe can be injected."""
    context = _playwright_browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = server_url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"script errors on the page: {errors}"


def _robins():
    teacher = factories.make_user(Role.TEACHER, first_name="Tess", email="tess@school.example")
    robins = factories.make_class(YearGroup.RECEPTION, name="Robins", teacher=teacher)
    ava = factories.make_pupil(robins, first_name="Ava", last_name="Jones", pictures=PICTURES)
    for name in ("Noah", "Mia", "Leo", "Zara"):
        factories.make_pupil(robins, first_name=name, pictures=["dog", "dog", "dog"])
    db.session.commit()
    return robins, ava


def _choose_pictures(page, tap: bool = True) -> None:
    """Choose Ava's three pictures, waiting for each answer, and arrive on the class page."""
    for n, picture in enumerate(PICTURES, start=1):
        button = page.get_by_role("button", name=picture.capitalize(), exact=True)
        button.tap() if tap else button.click()
        if n < len(PICTURES):
            expect(page.get_by_role("status")).to_contain_text(f"{n} of 3")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robins")


def _no_serious_findings(page, checked: list[str]) -> None:
    page.wait_for_load_state("load")
    found = serious_violations(page)
    checked.append(page.url)
    assert found == [], f"{page.url}: {found}"


def _above_the_fold(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], box


def test_a_reception_child_signs_in_on_a_phone_then_on_the_class_tablet_in_four_taps(phone):
    page = phone
    robins, _ = _robins()
    checked: list[str] = []
    taps = 0

    page.goto(page.base_url + "/")
    pupil_button = page.get_by_role("link", name="I'm a pupil")
    expect(pupil_button).to_be_visible()
    _above_the_fold(page, pupil_button)
    _no_serious_findings(page, checked)
    pupil_button.tap()
    taps += 1
    expect(page.get_by_label("Class code")).to_be_visible()
    _no_serious_findings(page, checked)
    page.get_by_label("Class code").fill(robins.login_code)
    page.get_by_role("button", name="Go").tap()
    taps += 2  # the code box, then Go (typing the code is counted apart)
    expect(page.get_by_role("heading", level=1)).to_contain_text("tap your name")
    _no_serious_findings(page, checked)
    page.get_by_role("link", name="Ava").tap()
    taps += 1
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello Ava")
    _no_serious_findings(page, checked)
    for chosen in range(1, 4):
        page.get_by_role("button", name="Dog", exact=True).tap()
        if chosen < 3:
            expect(page.get_by_role("status")).to_contain_text(f"{chosen} of 3")
    expect(page.get_by_role("alert")).to_contain_text("not quite right")
    _no_serious_findings(page, checked)
    _choose_pictures(page)
    taps += 3
    _no_serious_findings(page, checked)
    assert taps == 7  # first time: pupil entry, code box, Go, name, three pictures

    # The teacher turns the tablet into the class device; the next child taps 4 times.
    page.get_by_role("button", name="Sign out").tap()
    expect(page).to_have_url(re.compile(rf"/pupils/{robins.login_code}$"))
    page.goto(page.base_url + "/login")
    page.get_by_label("Email address").fill("tess@school.example")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tess")
    page.goto(page.base_url + f"/school/classes/{robins.id}")
    page.get_by_role("button", name="Make this device Robins's class tablet").tap()
    expect(
        page.get_by_role("button", name="Stop using this device as the class tablet")
    ).to_be_visible()
    page.get_by_role("button", name="Sign out").tap()
    expect(page).to_have_url(re.compile(rf"/pupils/{robins.login_code}$"))
    _no_serious_findings(page, checked)

    taps = 0
    page.get_by_role("link", name="Ava").tap()
    taps += 1
    _choose_pictures(page)
    taps += 3
    assert taps == 4
    page.get_by_role("button", name="Sign out").tap()
    expect(page).to_have_url(re.compile(rf"/pupils/{robins.login_code}$"))
    print("\naxe checked:", *checked, sep="\n  ")  # noqa: T201 - the pages the test lists


def _tab_to(page, selector: str) -> int:
    """Press Tab until the focus is on `selector`; return how many presses it took."""
    if page.evaluate("s => document.activeElement.matches(s)", selector):
        return 0
    for presses in range(1, 80):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"Tab never reached {selector}")


def _arrow_to(page, selector: str) -> int | None:
    """Move within the picture grid with arrow keys; None when focus is not in the grid."""
    where = page.evaluate(
        """s => {
          const buttons = [...document.querySelectorAll('[data-arrow-grid] button')];
          const here = buttons.indexOf(document.activeElement);
          const there = buttons.indexOf(document.querySelector(s));
          const columns = buttons.filter(b => b.offsetTop === buttons[0].offsetTop).length;
          return here < 0 ? null : [here, there, columns];
        }""",
        selector,
    )
    if where is None:
        return None
    here, there, columns = where
    rows, cols = there // columns - here // columns, there % columns - here % columns
    keys = ["ArrowDown" if rows > 0 else "ArrowUp"] * abs(rows)
    keys += ["ArrowRight" if cols > 0 else "ArrowLeft"] * abs(cols)
    for key in keys:
        page.keyboard.press(key)
    assert page.evaluate("s => document.activeElement.matches(s)", selector)
    return len(keys)


def keyboard_presses_to_class_page(page, code: str, name: str, arrows: bool = True) -> int:
    """Key presses for a keyboard user from the sign-in page to their class page."""
    page.goto(page.base_url + "/")
    presses = _tab_to(page, 'a[href="/pupils"]') + 1
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/pupils$"))
    presses += _tab_to(page, "input#code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    presses += len(code) + 1
    page.wait_for_url(re.compile(rf"/pupils/{code}$"))
    presses += _tab_to(page, f"a.name-tile[href$='/{name}']") + 1
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/pupils/{code}/{name}$"))
    for n, picture in enumerate(PICTURES, start=1):
        selector = f'button[name=picture][value="{picture}"]'
        if not page.evaluate("s => document.activeElement.matches(s)", selector):
            moved = _arrow_to(page, selector) if arrows else None
            presses += _tab_to(page, selector) if moved is None else moved
        presses += 1
        page.keyboard.press("Enter")
        if n < len(PICTURES):
            expect(page.get_by_role("status")).to_contain_text(f"{n} of 3")
            page.wait_for_load_state("load")
    page.wait_for_url(re.compile(r"/school/classes/"))
    return presses


def test_keyboard_focus_stays_in_the_picture_grid(page):
    robins, ava = _robins()
    presses = keyboard_presses_to_class_page(page, robins.login_code, str(ava.id))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robins")
    print(f"\nkey presses from the sign-in page to the class page: {presses}")  # noqa: T201
    # Before: 38 presses (focus went back to the top after every picture, the code box had to
    # be found). Now the cursor waits in the code box and focus stays in the grid.
    assert presses <= 28, presses


def _read_every_button(page, where: str) -> list[str]:
    page.wait_for_load_state("load")
    buttons = page.locator("button.read-aloud:visible")
    assert buttons.count() >= 1, f"no read-aloud control on {where}"
    said = []
    for n in range(buttons.count()):
        page.evaluate("window.__spoken = []")
        buttons.nth(n).click()
        spoken = page.evaluate("window.__spoken")
        assert spoken and spoken[-1].strip(), f"{where}: button {n} said nothing"
        said.append(spoken[-1])
    return said


def test_every_pupil_page_has_a_voice(browser_context, server_url):
    robins, ava = _robins()
    lesson = get_catalogue().for_year(YearGroup.RECEPTION)[0]
    browser_context.add_init_script(SPEECH_STUB)
    page = browser_context.new_page()
    page.set_default_timeout(10_000)
    base = server_url

    page.goto(base + "/login")
    assert "pupil" in " ".join(_read_every_button(page, "sign-in")).lower()
    page.get_by_role("link", name="I'm a pupil").click()
    expect(page.get_by_label("Class code")).to_be_visible()
    assert "class code" in _read_every_button(page, "class code")[0].lower()
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "Class code" in " ".join(_read_every_button(page, "class code error"))
    page.get_by_label("Class code").fill(robins.login_code)
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("tap your name")
    assert "tap your name" in _read_every_button(page, "name tiles")[0]
    page.get_by_role("link", name="Ava").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello Ava")
    assert "secret pictures" in _read_every_button(page, "pictures")[0]
    for chosen in range(1, 4):
        page.get_by_role("button", name="Dog", exact=True).click()
        if chosen < 3:
            expect(page.get_by_role("status")).to_contain_text(f"{chosen} of 3")
    expect(page.get_by_role("alert")).to_be_visible()
    said = _read_every_button(page, "wrong pictures")
    assert any("not quite right" in s for s in said)
    _choose_pictures(page, tap=False)
    said = _read_every_button(page, "class page")
    assert "My lessons" in said[0] and "Tell a teacher" in said[0]

    page.goto(base + "/lessons/mine")
    _read_every_button(page, "My lessons")
    page.goto(base + f"/lessons/{lesson.id}/quiz/1")
    said = _read_every_button(page, "quiz question")
    assert said[0].strip()
    page.locator("label.answer-choice").first.click()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator("#feedback p")).to_be_visible()
    # The child asked for reading, so the feedback is read to them without asking again.
    spoken = page.evaluate("window.__spoken")
    feedback = page.locator("#feedback").inner_text()
    assert spoken and spoken[-1][:12] in feedback.replace("\n", " ")
    _read_every_button(page, "quiz feedback")

    page.goto(base + "/safeguarding/tell")
    said = _read_every_button(page, "Tell a teacher")
    choices = page.locator("label.tell-choice")
    assert choices.count() >= 4
    assert all(choices.nth(n).inner_text().strip() in " ".join(said) for n in range(4))
