"""Every page in the load benchmark's mix sends as many SQL statements for a large school as
for a small one: no query per post, per comment, per pupil, per booking or per sign-off.

The school grows from two classes' worth of data to ten (pupils and parents, posts, comments
and the teacher's queue, lesson attempts, evenings and bookings, staff and sign-offs); the class
and people measured are the same, and their own share of the data grows too. bench/pages.py
names the same pages; bench/prepare.py counts them again on the benchmark's large school.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.induction import ledger, pathways, policies
from esafety.induction.models import PolicyVersion
from esafety.lessons.catalogue import Lesson, get_catalogue
from esafety.lessons.models import LessonAssignment, LessonProgress, QuizAnswer, SelfAssessment
from esafety.meetings import bookings, planning
from esafety.meetings.models import Audience, Booking, BookingStatus, Meeting
from esafety.sandbox import services as sandbox
from esafety.sandbox.models import (
    BlogComment,
    BlogPost,
    BlogReport,
    ItemState,
    ReportReason,
)
from esafety.school.models import Pupil, SchoolClass, YearGroup
from esafety.text import render_markdown
from tests import factories
from tests.induction.helpers import ratify
from tests.raiseload import lazy_loads_raise

POST_TEXT = "Today we learnt how to keep our passwords secret and made a poster."
COMMENT_TEXT = "Great work, I enjoyed reading this."
POLICY = "# Phones\n\n## Why\n\nSo everyone stays safe.\n\n## What staff do\n\nFollow the rules.\n"


@dataclass
class School:
    """The people and places each page is measured with, and what the school has grown to."""

    head: User
    teacher: User
    school_class: SchoolClass
    pupils: list[Pupil]
    lessons: list[Lesson]
    evening: Meeting
    version_id: int
    #: Parents who have not booked the open evening yet (each booking uses one up).
    free_parents: list[User] = field(default_factory=list)
    classes: int = 0


def _details(title: str, starts, opens, closes) -> planning.MeetingDetails:
    return planning.MeetingDetails(
        title=title,
        description="About keeping children safe online.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        location="School hall",
        online_url="",
        capacity=500,
        max_places_per_booking=2,
        booking_opens_at=opens,
        booking_closes_at=closes,
        cancellation_deadline=starts - timedelta(days=1),
        audience=Audience.ALL_PARENTS,
    )


def make_school() -> School:
    head = factories.make_user([Role.HEADTEACHER, Role.TEACHER], last_name="Head")
    teacher = factories.make_user(Role.TEACHER, last_name="Teacher")
    school_class = factories.make_class(YearGroup.YEAR_4, name="Measured", teacher=teacher)
    now = utcnow()
    evening = planning.create_meeting(
        head,
        _details(
            "Open evening",
            now + timedelta(days=20),
            now - timedelta(days=1),
            now + timedelta(days=19),
        ),
    )
    first = policies.create_policy(
        head, title="Phones policy", owner=head, review_interval_months=12, body_markdown=POLICY
    )
    ratify(head, first)
    pathways.save_pathway(
        head,
        None,
        name="Everyone",
        roles=[Role.TEACHER, Role.HEADTEACHER],
        policy_ids=[first.policy_id],
        course_ids=[],
    )
    sandbox.open_window(teacher, school_class.id, None)
    lessons = get_catalogue().for_year(YearGroup.YEAR_4)
    school = School(head, teacher, school_class, [], lessons, evening, first.id)
    db.session.commit()
    return school


def grow(school: School, classes: int) -> None:
    """Add this many classes' worth of everything; the measured class gets its share too."""
    now = utcnow()
    version = db.session.get(PolicyVersion, school.version_id)
    for n in range(classes):
        k = school.classes + n
        year = list(YearGroup)[k % len(YearGroup)]
        teacher = factories.make_user(Role.TEACHER, last_name=f"Staff{k}")
        other = factories.make_class(year, name=f"Class {k}", teacher=teacher)
        pupils = [factories.make_pupil(other, last_name=f"Other{k}{i}") for i in range(3)]
        pupils += [
            factories.make_pupil(school.school_class, last_name=f"Measured{k}{i}") for i in range(2)
        ]
        school.pupils += pupils[3:]
        for pupil in pupils:
            parent = factories.make_parent(pupil, last_name=f"Parent{k}")
            school.free_parents.append(parent)
        for school_class, members, teacher_of in (
            (other, pupils[:3], teacher),
            (school.school_class, pupils[3:], school.teacher),
        ):
            _blog(school_class.id, members, teacher_of, now)
            _lessons(school_class, members, now)
        _evening_with_bookings(school, k, now)
        ledger.sign_policy(
            school.head,
            teacher,
            version,
            agreed=True,
            typed_name=teacher.full_name,
            reason="Signed a paper copy",
        )
    first_lessons = school.lessons[: min(8, school.classes + classes)]
    have = set(
        db.session.scalars(
            db.select(LessonAssignment.lesson_id).where(
                LessonAssignment.class_id == school.school_class.id
            )
        )
    )
    for lesson in first_lessons:
        if lesson.id not in have:
            db.session.add(
                LessonAssignment(
                    class_id=school.school_class.id,
                    lesson_id=lesson.id,
                    opens_on=now.date(),
                    due_on=now.date() + timedelta(days=14),
                    assigned_by_id=school.teacher.id,
                )
            )
    school.classes += classes
    db.session.commit()


def _blog(class_id: int, pupils: list[Pupil], teacher: User, now) -> None:
    html = render_markdown(POST_TEXT)
    posts = []
    for pupil in pupils:
        for state in (ItemState.APPROVED, ItemState.APPROVED, ItemState.PENDING):
            decided = now - timedelta(hours=1) if state is ItemState.APPROVED else None
            posts.append(
                BlogPost(
                    class_id=class_id,
                    author_id=pupil.user_id,
                    title="Our lesson",
                    source=POST_TEXT,
                    html=html,
                    state=state,
                    created_at=now - timedelta(hours=3),
                    submitted_at=now - timedelta(hours=2),
                    decided_at=decided,
                    decided_by_id=teacher.id if decided else None,
                )
            )
    hidden = BlogPost(
        class_id=class_id,
        author_id=pupils[0].user_id,
        title="Our lesson",
        source=POST_TEXT,
        html=html,
        state=ItemState.HIDDEN,
        submitted_at=now - timedelta(hours=2),
        decided_at=now - timedelta(hours=1),
    )
    db.session.add_all([*posts, hidden])
    db.session.flush()
    db.session.add(
        BlogReport(
            class_id=class_id,
            post_id=hidden.id,
            reporter_id=pupils[-1].user_id,
            reason=ReportReason.UNKIND,
            reported_text=POST_TEXT,
        )
    )
    comment_html = render_markdown(COMMENT_TEXT)
    for post in posts:
        if post.state is ItemState.APPROVED:
            for state in (ItemState.APPROVED, ItemState.APPROVED, ItemState.PENDING):
                db.session.add(
                    BlogComment(
                        post_id=post.id,
                        author_id=pupils[-1].user_id,
                        source=COMMENT_TEXT,
                        html=comment_html,
                        state=state,
                        submitted_at=now - timedelta(minutes=30),
                        decided_at=now if state is ItemState.APPROVED else None,
                    )
                )
    db.session.flush()


def _lessons(school_class: SchoolClass, pupils: list[Pupil], now) -> None:
    """Each pupil finishes two of their year's lessons (one needing another go)."""
    for pupil in pupils:
        for lesson in get_catalogue().for_year(school_class.year_group)[:2]:
            for number, question in enumerate(lesson.quiz):
                if number == 0:
                    wrong = next(i for i, a in enumerate(question.answers) if not a.correct)
                    db.session.add(_answer(pupil, lesson, number, wrong, False, now))
                db.session.add(_answer(pupil, lesson, number, question.correct_index, True, now))
            db.session.add(
                LessonProgress(
                    pupil_id=pupil.id,
                    lesson_id=lesson.id,
                    sections_read=0b111,
                    questions_right=len(lesson.quiz),
                    right_first_time=len(lesson.quiz) - 1,
                    needed_another_go=1,
                    self_assessment=SelfAssessment.I_CAN,
                    completed_at=now,
                )
            )
    db.session.flush()


def _answer(pupil: Pupil, lesson: Lesson, number: int, answer: int, correct: bool, now):
    return QuizAnswer(
        pupil_id=pupil.id,
        lesson_id=lesson.id,
        question=number,
        answer=answer,
        correct=correct,
        answered_at=now,
    )


def _evening_with_bookings(school: School, k: int, now) -> None:
    """A past evening, booked and attended by some, and a few bookings on the open one."""
    starts = now - timedelta(days=30 + k)
    past = planning.create_meeting(
        school.head,
        _details(
            f"Past evening {k}", starts, starts - timedelta(days=20), starts - timedelta(hours=2)
        ),
    )
    parents = db.session.scalars(
        db.select(User).where(User.roles.any(role=Role.PARENT)).order_by(User.id.desc()).limit(4)
    ).all()
    for n, parent in enumerate(parents):
        db.session.add(
            Booking(
                meeting_id=past.id,
                parent_id=parent.id,
                places=1,
                status=BookingStatus.CONFIRMED,
                confirmed_at=starts - timedelta(days=5),
                checked_in_at=starts if n % 2 else None,
                children_year_groups=str(int(YearGroup.YEAR_4)),
            )
        )
    past.places_taken = len(parents)
    booker = school.free_parents.pop(0)
    bookings.book_places(school.evening.id, booker.id, 1)
    db.session.flush()


# --- Measuring ---------------------------------------------------------------------------------

#: The most statements each page may send (the signed-in account is already in the test's
#: session, so a real request sends one more). Lower a ceiling when a page gets leaner; a page
#: that needs more has to say why here. Every signed-in page reads its device session in the
#: account's own statement (and touches it at most once a minute); writes also put their mail
#: in the outbox and carry the record's revision. Roles are
#: on the account's own row: no page asks user_role for the people it lists. Leaders' dashboards
#: and a class blog's posts are kept between requests (esafety/caching.py): these are the
#: counts of a kept page; a page worked out afresh sends the statements its services send.
CEILINGS = {
    "login": 5,
    "blog": 6,
    "quiz": 6,
    "lesson": 3,
    "post": 6,
    "moderation": 10,
    "progress": 5,
    "approve": 6,
    "booking_page": 5,
    "booking": 14,
    "coverage": 1,
    "induction": 1,
    "summary": 1,
}


#: Relationships no page loads unless it shows them: reading one a query did not load fails.
LOADED_ONLY_WHERE_SHOWN = (User.roles,)


def _count(count_queries, send: Callable[[], object]) -> int:
    """The statements of the second of two requests (the first warms any per-process cache)."""
    response = send()
    assert response.status_code < 400, response.status_code
    with count_queries() as counter:
        response = send()
    assert response.status_code < 400, response.status_code
    return counter.count


def _pending(school: School) -> Iterator[int]:
    return iter(
        db.session.scalars(
            db.select(BlogPost.id)
            .where(BlogPost.class_id == school.school_class.id, BlogPost.state == ItemState.PENDING)
            .order_by(BlogPost.id.desc())
        ).all()
    )


def _approve(client, post_id: int):
    """Approve as the queue's button does, with the revision the page showed."""
    revision = db.session.get(BlogPost, post_id).revision
    return client.post(
        f"/sandbox/posts/{post_id}/decision", data={"approve": "1", "revision": revision}
    )


def measure(app, client, login_as, count_queries, school: School) -> dict[str, int]:
    pupil = school.pupils[0]
    lesson = school.lessons[5]
    class_id = school.school_class.id
    counts: dict[str, int] = {}

    code = school.school_class.login_code
    pictures_path = f"/pupils/{code}/{pupil.id}"

    def picture_login():
        fresh = app.test_client()
        fresh.get(pictures_path)
        for picture in factories.PICTURES[:2]:
            fresh.post(pictures_path, data={"picture": picture})
        with count_queries() as counter:
            response = fresh.post(pictures_path, data={"picture": factories.PICTURES[2]})
        assert response.status_code == 302, response.status_code
        return counter.count

    picture_login()
    counts["login"] = picture_login()

    login_as(pupil.user)
    counts["blog"] = _count(count_queries, lambda: client.get(f"/sandbox/classes/{class_id}"))
    wrong = next(i for i, a in enumerate(lesson.quiz[0].answers) if not a.correct)
    counts["quiz"] = _count(
        count_queries,
        lambda: client.post(f"/lessons/{lesson.id}/quiz/1", data={"answer": wrong}),
    )
    # After the answers, so the lesson is under way in both schools (its tries are read).
    counts["lesson"] = _count(count_queries, lambda: client.get(f"/lessons/{lesson.id}/read/learn"))
    counts["post"] = _count(
        count_queries,
        lambda: client.post(
            f"/sandbox/classes/{class_id}/write",
            data={"title": "Our lesson", "body": POST_TEXT, "send": "Send to my teacher"},
        ),
    )

    login_as(school.teacher)
    counts["moderation"] = _count(
        count_queries, lambda: client.get(f"/sandbox/classes/{class_id}/moderation")
    )
    counts["progress"] = _count(
        count_queries, lambda: client.get(f"/lessons/classes/{class_id}/progress")
    )
    waiting = _pending(school)
    counts["approve"] = _count(
        count_queries,
        lambda: _approve(client, next(waiting)),
    )

    parents = iter(school.free_parents[:2])
    login_as(school.free_parents[-1])
    counts["booking_page"] = _count(
        count_queries, lambda: client.get(f"/meetings/{school.evening.id}/book")
    )

    def book():
        login_as(next(parents))
        return client.post(f"/meetings/{school.evening.id}/book", data={"places": "1"})

    counts["booking"] = _count(count_queries, book)
    school.free_parents = school.free_parents[2:]

    login_as(school.head)
    for name, path in (
        ("coverage", "/lessons/coverage"),
        ("induction", "/induction/dashboard"),
        ("summary", "/meetings/summary"),
    ):
        counts[name] = _count(count_queries, lambda path=path: client.get(path))
    return counts


def test_no_page_in_the_mix_sends_more_statements_for_a_larger_school_nor_over_its_ceiling(
    app, client, login_as, count_queries
):
    school = make_school()
    grow(school, 2)
    with lazy_loads_raise(*LOADED_ONLY_WHERE_SHOWN):
        small = measure(app, client, login_as, count_queries, school)
    grow(school, 8)
    with lazy_loads_raise(*LOADED_ONLY_WHERE_SHOWN):
        large = measure(app, client, login_as, count_queries, school)
    assert len(school.pupils) == 20
    assert small == large
    over = {name: (n, CEILINGS[name]) for name, n in large.items() if n > CEILINGS[name]}
    assert not over, f"pages over their statement ceiling (sent, ceiling): {over}"
