""" "Needs you" on every adult's start page: the right counts for each role, nothing about a
concern to anyone who may not open it, and the same number of queries however much waits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from esafety.auth.roles import Role
from esafety.clock import today, utcnow
from esafety.extensions import db
from esafety.needs import needs_for
from esafety.safeguarding import services as safeguarding
from esafety.safeguarding.models import ConcernKind, Involved, Material
from esafety.sandbox import moderation
from esafety.sandbox import services as blog
from esafety.school.models import StaffProfile, YearGroup
from tests import factories
from tests.induction import helpers as induction


def _by_key(user) -> dict:
    return {need.key: need for need in needs_for(user)}


def _pending_posts(pupils, teacher, class_id, n):
    blog.open_window(teacher, class_id, None)
    for i in range(n):
        blog.save_post(pupils[i % len(pupils)].user, class_id, f"Post {i}", "Fun day", send=True)


@pytest.fixture
def classes(db):
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima", last_name="Rahman")
    ash = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    oak = factories.make_class(YearGroup.YEAR_3, name="Oak", teacher=teacher)
    elm = factories.make_class(YearGroup.YEAR_5, name="Elm")  # not hers
    pupils = {c.id: [factories.make_pupil(c) for _ in range(3)] for c in (ash, oak, elm)}
    elm_teacher = factories.make_user(Role.TEACHER, first_name="Eli")
    from esafety.school.models import ClassTeacher

    db.session.add(ClassTeacher(class_id=elm.id, user_id=elm_teacher.id))
    db.session.commit()
    return teacher, (ash, oak, elm), pupils, elm_teacher


def test_a_teacher_sees_writing_waiting_across_her_classes_only(classes):
    teacher, (ash, oak, elm), pupils, elm_teacher = classes
    _pending_posts(pupils[ash.id], teacher, ash.id, 2)
    _pending_posts(pupils[oak.id], teacher, oak.id, 1)
    _pending_posts(pupils[elm.id], elm_teacher, elm.id, 4)
    waiting = _by_key(teacher)["blog_waiting"]
    assert waiting.count == 3
    assert "Ash 2" in waiting.detail and "Oak 1" in waiting.detail and "Elm" not in waiting.detail
    assert "GMT" in waiting.detail or "BST" in waiting.detail
    assert _by_key(elm_teacher)["blog_waiting"].count == 4
    head = factories.make_user(Role.HEADTEACHER)
    assert _by_key(head)["blog_waiting"].count == 7


def test_once_approved_the_count_goes_down_and_reports_show_as_urgent(classes):
    teacher, (ash, _, _), pupils, _ = classes
    _pending_posts(pupils[ash.id], teacher, ash.id, 2)
    waiting = moderation.queue(blog.require_staff(teacher, ash.id))[0].item
    first = moderation.find_item(waiting.kind, waiting.id)
    moderation.approve(teacher, first)
    from esafety.sandbox import reports

    reports.report_item(pupils[ash.id][1].user, first, "unkind")
    needs = needs_for(teacher)
    assert needs[0].key == "blog_reports" and needs[0].urgent and needs[0].count == 1
    assert _by_key(teacher)["blog_waiting"].count == 1


def test_the_start_page_shows_the_counts_in_a_constant_number_of_queries(
    classes, client, login_as, count_queries
):
    teacher, (ash, oak, _), pupils, _ = classes
    _pending_posts(pupils[ash.id], teacher, ash.id, 1)
    db.session.commit()
    login_as(teacher)
    client.get("/")  # the first request loads the signed-in user's roles once
    with count_queries() as few:
        page = client.get("/")
    assert 'id="need-blog_waiting"' in page.get_data(as_text=True)
    _pending_posts(pupils[ash.id], teacher, ash.id, 5)
    _pending_posts(pupils[oak.id], teacher, oak.id, 6)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/")
    html = page.get_data(as_text=True)
    assert '<span class="need-count">12</span>' in html
    assert many.count == few.count


def test_a_parent_and_a_pupil_have_nothing_waiting_and_see_no_staff_counts(classes):
    teacher, (ash, _, _), pupils, _ = classes
    _pending_posts(pupils[ash.id], teacher, ash.id, 2)
    parent = factories.make_parent(pupils[ash.id][0])
    assert needs_for(parent) == []
    assert needs_for(pupils[ash.id][0].user) == []


# Safeguarding ------------------------------------------------------------------------------


def _concern(reporter, **extra):
    extra.setdefault("involved", Involved.PUPIL)
    details = safeguarding.ConcernDetails(
        kind=ConcernKind.CYBER_BULLYING,
        description="Messages on a game chat that upset a child.",
        **extra,
    )
    return safeguarding.raise_concern(reporter, details)


def test_new_concerns_are_counted_for_handlers_only_and_never_for_their_subject(db):
    officer = factories.make_user(Role.ESAFETY_OFFICER, first_name="Sarah")
    head = factories.make_user(Role.HEADTEACHER, first_name="Helen")
    slt = factories.make_user(Role.SLT, first_name="Dan")
    teacher = factories.make_user(Role.TEACHER)
    chair = factories.make_user(Role.GOVERNOR, first_name="Robert")
    db.session.get(StaffProfile, chair.id).is_chair_of_governors = True
    governor = factories.make_user(Role.GOVERNOR)
    db.session.flush()

    _concern(teacher, material=[Material.SEXUAL])
    _concern(teacher, staff_member_id=slt.id, involved=Involved.STAFF)
    _concern(teacher, staff_member_id=head.id, involved=Involved.STAFF)

    # With no DSL in this school the e-safety officer stands in for the child's concern;
    # allegations about staff go to the headteacher (and DSL), about the head to the chair.
    assert _by_key(officer)["concerns_new"].count == 1
    assert _by_key(officer)["concerns_new"].urgent
    assert _by_key(head)["concerns_new"].count == 2  # the head does not count the one about her
    assert _by_key(chair)["concerns_new"].count == 1  # only the one about the head
    for nobody in (teacher, governor, slt):  # the deputy never counts the one about himself
        assert "concerns_new" not in _by_key(nobody)


def test_a_concern_about_the_only_handler_leaves_their_page_as_if_there_were_none(
    client, login_as, db
):
    officer = factories.make_user(Role.ESAFETY_OFFICER)
    teacher = factories.make_user(Role.TEACHER)
    db.session.commit()
    login_as(officer)
    before = client.get("/").get_data(as_text=True)
    _concern(teacher, staff_member_id=officer.id, involved=Involved.STAFF)
    db.session.commit()
    after = client.get("/").get_data(as_text=True)
    assert "concerns_new" not in after
    assert (
        before.split('<section class="needs')[1].split("</section>")[0]
        == after.split('<section class="needs')[1].split("</section>")[0]
    )


# Induction ---------------------------------------------------------------------------------


def test_a_new_teacher_is_told_how_many_induction_steps_are_due_and_by_when(db):
    setup = induction.standard_setup()
    start = today() - timedelta(days=2)
    laura = induction.make_staff(start=start)
    db.session.commit()
    mine = _by_key(laura)["my_induction"]
    due = start + timedelta(days=10)
    assert mine.count >= 1 and f"due by {due.day} {due:%B %Y}" == mine.detail
    assert not mine.urgent
    # The headteacher is not told the new teacher is late.
    late = _by_key(setup.head).get("staff_overdue")
    assert late is None or "Laura" not in late.detail


def test_leaders_see_who_is_late_and_which_policies_are_past_review(db):
    setup = induction.standard_setup()
    late = induction.make_staff(start=today() - timedelta(days=40), first_name="Tom")
    db.session.commit()
    assert _by_key(late)["my_induction"].urgent
    assert "late" in _by_key(late)["my_induction"].detail
    overdue = _by_key(setup.head)["staff_overdue"]
    assert overdue.count >= 1 and "Tom" in overdue.detail
    induction.publish_policy(
        setup.head, title="Acceptable use", slug="acceptable-use", at=utcnow() - timedelta(days=400)
    )
    db.session.commit()
    assert _by_key(setup.head)["policies_past_review"].count == 1
    assert "policies_past_review" not in _by_key(late)


def test_the_headteachers_start_page_lists_what_needs_her(client, login_as, classes):
    teacher, (ash, _, _), pupils, _ = classes
    setup = induction.standard_setup()
    induction.make_staff(start=date.today() - timedelta(days=60), first_name="Tom")
    _pending_posts(pupils[ash.id], teacher, ash.id, 3)
    _concern(teacher)
    db.session.commit()
    login_as(setup.head)
    html = client.get("/").get_data(as_text=True)
    needs = html.split('<section class="needs')[1].split("</section>")[0]
    for key in ("concerns_new", "blog_waiting", "staff_overdue"):
        assert f'id="need-{key}"' in needs
    assert needs.index("concerns_new") < needs.index("blog_waiting")  # urgent first


def test_writing_left_waiting_too_long_is_marked_for_the_teacher(classes, app):
    teacher, (ash, _, _), pupils, _ = classes
    _pending_posts(pupils[ash.id], teacher, ash.id, 1)
    assert not _by_key(teacher)["blog_waiting"].urgent
    from esafety.sandbox.models import BlogPost

    post = db.session.scalars(db.select(BlogPost)).first()
    post.submitted_at = utcnow() - timedelta(hours=app.config["BLOG_WAIT_ALERT_HOURS"] + 1)
    waiting = _by_key(teacher)["blog_waiting"]
    assert waiting.urgent and "waiting more than" in waiting.detail
