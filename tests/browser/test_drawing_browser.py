"""A Year 1 pupil draws a picture with the pointer, posts it, and the teacher sees the drawing."""

from __future__ import annotations

from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import services
from esafety.school.models import YearGroup
from tests import factories
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in, sign_in_pupil

PICTURES = ["cat", "sun", "boat"]


def _draw(page, strokes) -> None:
    canvas = page.locator("canvas.drawing-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for stroke in strokes:
        (x, y), rest = stroke[0], stroke[1:]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=5)
        page.mouse.up()


def _ink(page) -> int:
    """How many sampled points of the canvas are not white."""
    return page.evaluate(
        """() => {
          const c = document.querySelector('canvas.drawing-canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4 * 97) { if (d[i] < 250 || d[i + 2] < 250) n++; }
          return n;
        }"""
    )


def test_a_pupil_draws_with_the_pointer_posts_and_the_teacher_sees_the_drawing(
    page, _playwright_browser, server_url
):
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima", email="fatima@school.example")
    acorn = factories.make_class(YearGroup.YEAR_1, name="Acorn", teacher=teacher)
    factories.make_pupil(acorn, first_name="Ava", pictures=PICTURES)
    services.open_window(teacher, acorn.id, None)
    db.session.commit()

    # The drawing page, under the app's own Content-Security-Policy (no inline script).
    sign_in_pupil(page, acorn.login_code, "Ava", PICTURES)
    page.goto(server_url + f"/sandbox/classes/{acorn.id}/write")
    canvas = page.locator("canvas.drawing-canvas")
    expect(canvas).to_be_visible()
    assert canvas.evaluate("c => getComputedStyle(c).touchAction") == "none"
    page.get_by_label("Title").fill("Our beans")
    page.get_by_label("Your writing").fill("Our beans grew very tall.")

    # Green, thick: a stem; then a line undone; then red leaves with the thin brush.
    page.get_by_role("button", name="Green").click()
    expect(page.get_by_role("button", name="Green")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Black")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Thick").click()
    _draw(page, [[(0.5, 0.9), (0.5, 0.2)]])
    stem = _ink(page)
    assert stem > 0
    _draw(page, [[(0.1, 0.1), (0.9, 0.9)]])
    assert _ink(page) > stem
    page.get_by_role("button", name="Undo").click()
    assert _ink(page) == stem
    page.get_by_role("button", name="Red").click()
    page.get_by_role("button", name="Thin").click()
    _draw(page, [[(0.5, 0.5), (0.35, 0.4)], [(0.5, 0.6), (0.65, 0.5)]])
    page.get_by_label("What does your picture show?").fill("A bean plant with red leaves")
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_text("Sent! Your post is waiting for your teacher.")).to_be_visible()

    # The teacher sees the drawing in the queue (an 800 by 500 PNG, loaded).
    teacher_page = _playwright_browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        other = teacher_page.new_page()
        other.base_url = server_url
        sign_in(other, "fatima@school.example", factories.PASSWORD)
        other.goto(server_url + f"/sandbox/classes/{acorn.id}/moderation")
        drawing = other.locator("article.queue-item", has_text="Our beans").get_by_role(
            "img", name="A bean plant with red leaves"
        )
        expect(drawing).to_be_visible()
        size = drawing.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
        assert size == [True, 800, 500]
    finally:
        teacher_page.close()


def test_the_drawing_page_passes_axe_and_reads_its_tools_aloud(_playwright_browser, server_url):
    teacher = factories.make_user(Role.TEACHER, email="fatima@school.example")
    acorn = factories.make_class(YearGroup.YEAR_1, name="Acorn", teacher=teacher)
    factories.make_pupil(acorn, first_name="Ava", pictures=PICTURES)
    services.open_window(teacher, acorn.id, None)
    db.session.commit()
    # axe is put into the page by the test, so this context lets that one script in.
    context = _playwright_browser.new_context(
        viewport={"width": 1024, "height": 800}, bypass_csp=True
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = server_url
        sign_in_pupil(page, acorn.login_code, "Ava", PICTURES)
        page.goto(server_url + f"/sandbox/classes/{acorn.id}/write")
        expect(page.locator("canvas.drawing-canvas")).to_be_visible()
        assert serious_violations(page) == []
        spoken = page.evaluate("() => window.esafetySpokenText('drawing-tools')")
        for tool in ("Colour", "Black", "Yellow", "Brush", "Thin", "Thick", "Undo", "Start again"):
            assert tool in spoken
    finally:
        context.close()
