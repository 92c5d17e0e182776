"""Leaders' dashboards are kept for a short while (esafety/caching.py): a repeat view asks the
database for nothing but the signed-in account, and each page changes on the write that should
change it, in the same worker, at once."""

from __future__ import annotations

import re

from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.lessons.catalogue import get_catalogue
from esafety.lessons.models import LessonProgress, SelfAssessment
from esafety.meetings import bookings, planning
from esafety.sandbox import blog_articles, moderation
from esafety.sandbox import services as sandbox
from esafety.school.models import YearGroup
from tests import factories
from tests.induction.helpers import make_staff, read_pass_sign, standard_setup
from tests.meetings.conftest import details


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _repeat_sends_only_the_sign_in(client, path, count_queries) -> None:
    with count_queries() as counter:
        _page(client, path)
    assert counter.count <= 3, counter.statements  # account, device session (and its touch)


def test_coverage_changes_when_a_pupil_finishes_a_lesson(client, login_as, count_queries):
    school_class = factories.make_class(YearGroup.YEAR_4, name="Kites")
    pupil = factories.make_pupil(school_class)
    login_as(Role.HEADTEACHER)
    before = _page(client, "/lessons/coverage")
    _repeat_sends_only_the_sign_in(client, "/lessons/coverage", count_queries)
    assert "1 of 1" not in before
    for lesson in get_catalogue().for_year(YearGroup.YEAR_4):
        db.session.add(
            LessonProgress(
                pupil_id=pupil.id,
                lesson_id=lesson.id,
                sections_read=0b111,
                questions_right=len(lesson.quiz),
                right_first_time=len(lesson.quiz),
                needed_another_go=0,
                self_assessment=SelfAssessment.I_CAN,
                completed_at=utcnow(),
            )
        )
    db.session.commit()
    assert "1 of 1" in _page(client, "/lessons/coverage")


def test_the_evenings_summary_changes_when_a_parent_books(client, login_as, count_queries):
    head = login_as(Role.HEADTEACHER)
    pupil = factories.make_pupil(factories.make_class(YearGroup.YEAR_2, name="Owls"))
    parent = factories.make_parent(pupil)
    evening = planning.create_meeting(head, details(capacity=40, max_places_per_booking=2))
    db.session.commit()
    assert "0 of 40" in _page(client, "/meetings/summary")
    _repeat_sends_only_the_sign_in(client, "/meetings/summary", count_queries)
    bookings.book_places(evening.id, parent.id, 2)
    db.session.commit()
    assert "2 of 40" in _page(client, "/meetings/summary")


def test_the_induction_dashboard_changes_when_someone_signs(client, login_as, count_queries):
    setup = standard_setup()
    teacher = make_staff(Role.TEACHER, first_name="Amir", last_name="Shah")
    db.session.commit()
    login_as(Role.GOVERNOR)
    before = _page(client, "/induction/dashboard")
    assert "Social Media Policy" in before
    _repeat_sends_only_the_sign_in(client, "/induction/dashboard", count_queries)
    read_pass_sign(teacher, setup.version, setup.course)
    db.session.commit()
    after = _page(client, "/induction/dashboard")
    assert after != before
    db.session.expire_all()
    assert after == _page(client, "/induction/dashboard")


def test_a_write_that_is_rolled_back_changes_nothing_cached(client, login_as):
    login_as(Role.HEADTEACHER)
    school_class = factories.make_class(YearGroup.YEAR_5, name="Wrens")
    db.session.commit()
    before = _page(client, "/lessons/coverage")
    factories.make_pupil(school_class)
    db.session.rollback()
    assert _page(client, "/lessons/coverage") == before


def _posts_read(statements: list[str]) -> int:
    return len([s for s in statements if "FROM blog_post JOIN" in s])


def test_a_class_blog_changes_on_each_write_to_that_class_and_only_that_class(
    client, login_as, count_queries
):
    teacher = factories.make_user(Role.TEACHER)
    kites = factories.make_class(YearGroup.YEAR_3, name="Kites", teacher=teacher)
    owls = factories.make_class(YearGroup.YEAR_3, name="Owls", teacher=teacher)
    writer = factories.make_pupil(kites, first_name="Zara")
    reader = factories.make_pupil(kites, first_name="Yusuf")
    owl = factories.make_pupil(owls, first_name="Omar")
    sandbox.open_window(teacher, kites.id, None)
    sandbox.open_window(teacher, owls.id, None)
    db.session.commit()
    kites_blog, owls_blog = f"/sandbox/classes/{kites.id}", f"/sandbox/classes/{owls.id}"

    login_as(reader.user)
    assert "Our pond" not in _page(client, kites_blog)
    post = sandbox.save_post(writer.user, kites.id, "Our pond", "We saw frogs.", send=True)
    db.session.commit()
    assert "Our pond" not in _page(client, kites_blog)  # waiting for the teacher
    moderation.approve(teacher, post)
    db.session.commit()
    assert "Our pond" in _page(client, kites_blog)
    with count_queries() as counter:
        _page(client, kites_blog)
    assert _posts_read(counter.statements) == 0  # kept

    comment = sandbox.add_comment(reader.user, post, "I like frogs too.")
    db.session.commit()
    page = _page(client, kites_blog)
    assert "I like frogs too." in page and "Waiting for your teacher" in page  # their own
    login_as(owl.user)
    _page(client, owls_blog)
    moderation.approve(teacher, comment)
    db.session.commit()
    with count_queries() as counter:
        _page(client, owls_blog)
    assert _posts_read(counter.statements) == 0  # another class's write keeps this one
    login_as(writer.user)
    assert "I like frogs too." in _page(client, kites_blog)
    moderation.remove(teacher, post, "Taken off")
    db.session.commit()
    posts_section = _page(client, kites_blog).split('id="posts-h"')[-1]
    assert "Our pond" not in posts_section


def test_a_cache_that_does_not_answer_never_fails_a_page(client, login_as, monkeypatch):
    from esafety.extensions import cache

    def refuse(*args, **kwargs):
        raise ConnectionError("the cache server is down")

    login_as(Role.HEADTEACHER)
    monkeypatch.setattr(cache, "get", refuse)
    monkeypatch.setattr(cache, "set", refuse)
    assert "Whole-school e-safety coverage" in _page(client, "/lessons/coverage")
    factories.make_class(YearGroup.YEAR_1, name="Larks")
    db.session.commit()  # the version cannot move on: logged, not raised


def test_a_kept_blog_post_stays_each_readers_own(client, login_as):
    """A post's HTML is kept per process (sandbox/blog_articles.py), but the links to change
    writing stay the writer's and every form carries the reader's own token."""
    teacher = factories.make_user(Role.TEACHER)
    kites = factories.make_class(YearGroup.YEAR_3, name="Kites", teacher=teacher)
    writer = factories.make_pupil(kites, first_name="Zara")
    reader = factories.make_pupil(kites, first_name="Yusuf")
    sandbox.open_window(teacher, kites.id, None)
    post = sandbox.save_post(writer.user, kites.id, "Our pond", "We saw frogs.", send=True)
    moderation.approve(teacher, post)
    comment = sandbox.add_comment(writer.user, post, "Big ones.")
    moderation.approve(teacher, comment)
    db.session.commit()
    blog = f"/sandbox/classes/{kites.id}"

    def tokens(page: str) -> set[str]:
        return set(re.findall(r'name="csrf_token" value="([^"]*)"', page)) | set(
            re.findall(r'data-csrf="([^"]*)"', page)
        )

    login_as(writer.user)
    mine = _page(client, blog)
    assert "Change my post" in mine and "Change my comment" in mine
    login_as(reader.user)
    _page(client, blog)
    kept_before = blog_articles._kept.cache_info().hits
    theirs = _page(client, blog)
    assert blog_articles._kept.cache_info().hits > kept_before
    assert "We saw frogs." in theirs and "Big ones." in theirs
    assert "Change my post" not in theirs and "Change my comment" not in theirs
    assert "\x00" not in theirs
    assert len(tokens(theirs)) == 1  # the comment forms' token is the page's own
