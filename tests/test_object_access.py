"""Per-object checks on every POST route, derived rather than listed by hand.

For each POST route whose URL names an object, the test works out, from the demo school and
the school's rules (not from the code under test), the objects each person must not act on:
classes they neither teach nor lead (a parent who is also staff sees their child's class, but
does not run it), those classes' pupils, posts, comments, pictures, reports and lesson
assignments; other families' bookings; concerns they may not open; accounts the grant table
does not let them change. Then it posts to every such (route, person, object) and expects
403 or 404 with nothing changed. A route whose URL names an object of a kind the test does
not know fails the test, so a new route cannot slip past it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import func, select

from esafety.audit import AuditEntry
from esafety.auth import grants
from esafety.auth.access import access_of
from esafety.auth.models import User, UserRole
from esafety.auth.roles import Role
from esafety.cli import demo_command
from esafety.extensions import db
from esafety.lessons.models import LessonAssignment
from esafety.meetings.models import Booking
from esafety.photos.models import BlogImage
from esafety.safeguarding import routing
from esafety.safeguarding.models import CaseTask, Concern, Evidence, Referral
from esafety.sandbox.models import AllowedWords, BlogComment, BlogPost, BlogReport
from esafety.school.models import ClassTeacher, ParentLink, Pupil, SchoolClass, StaffProfile
from tests import factories
from tests.conftest import sign_in_session

#: Roles that run every class (services.WHOLE_SCHOOL_ROLES, as the school's policy sets out).
WHOLE_SCHOOL = {
    Role.HEADTEACHER,
    Role.SLT,
    Role.OFFICE_ADMIN,
    Role.ESAFETY_OFFICER,
    Role.COMPUTING_LEAD,
}

#: URL parameters naming things the whole school shares (policies, evenings, the newsroom, the
#: blocked-site register, legal holds): reaching them is decided by role alone, which
#: tests/test_access.py proves for every endpoint.
SHARED_OBJECTS = {
    "induction.course": "course_id",
    "induction.edit_pathway": "pathway_id",
    "induction.new_version": "policy_id",
    "induction.discard_version": "version_id",
    "induction.edit_version": "version_id",
    "induction.publish_version": "version_id",
    "induction.sign": "version_id",
    "induction.mark_read": "version_id",
    "induction.sign_for_someone": "version_id",
    "meetings.book": "meeting_id",
    "meetings.edit_evening": "meeting_id",
    "meetings.email_families": "meeting_id",
    "meetings.manage_resources": "meeting_id",
    "meetings.remove_resource": "resource_id",
    "meetings.staff_cancel_booking": "booking_id",
    "meetings.check_in": "booking_id",
    "meetings.undo_check_in": "booking_id",
    "records.lift_hold": "hold_id",
    "safeguarding.decide": "entry_id",
    "news.edit": "item_id",
    "news.add_picture": "item_id",
    "news.tag_pupils": "item_id",
    "news.withdraw": "item_id",
    "news.remove_picture": "image_id",
    "school.approve_account_change": "change_id",
    "school.decline_account_change": "change_id",
    "auth.end_device": "session_id",  # tests/auth/test_sessions.py: other people's devices
    # Only the DSL reaches a child-protection file and its hand-over, for any pupil
    # (tests/safeguarding/test_transfer.py).
    "safeguarding.transfer_page": "transfer_id",
    "safeguarding.send_cp_file": "pupil_id",
    # The school's policies, reviews and filtering records are shared by the whole school:
    # who may act is decided by role (tests/governance/).
    "governance.approve_version": "version_id",
    "governance.close_review": "review_id",
    "governance.open_review": "policy_id",
    "governance.start_yearly_review": "policy_id",
    "governance.alert_to_concern": "alert_id",
    "governance.dismiss_alert": "alert_id",
    "induction.policy_rules": "policy_id",
}
#: Records inside a concern: acting on one is acting on its concern.
CONCERN_PARTS = {"task_id": CaseTask, "evidence_id": Evidence, "referral_id": Referral}
#: Routes that name no object a signed-in person acts on (sign-in steps, lesson pages by slug).
NOT_OBJECT_ROUTES = {
    "auth.set_password",
    "lessons.year_check",  # "start" or "end": the pupil's own check
    "safeguarding.receipt",  # a one-time link for another school, tested in test_transfer.py
    "auth.pictures",
    "lessons.self_assess",
    "lessons.quiz_question",
    "lessons.read_section",
}


def _class_of_post(post_id: int) -> int | None:
    post = db.session.get(BlogPost, post_id)
    return post.class_id if post else None


def _class_of_comment(comment_id: int) -> int | None:
    comment = db.session.get(BlogComment, comment_id)
    return _class_of_post(comment.post_id) if comment else None


def _class_of_image(image_id: int) -> int | None:
    image = db.session.get(BlogImage, image_id)
    return _class_of_post(image.post_id) if image and image.post_id else None


#: For each class-scoped (endpoint, parameter): every id of that kind, and its class.
def _class_scoped_objects() -> dict[str, Callable[[], dict[int, int]]]:
    def rows(statement) -> dict[int, int]:
        return dict(db.session.execute(statement).all())

    return {
        "class_id": lambda: rows(select(SchoolClass.id, SchoolClass.id)),
        "pupil_id": lambda: rows(
            select(Pupil.id, Pupil.class_id).where(Pupil.class_id.is_not(None))
        ),
        "post": lambda: rows(select(BlogPost.id, BlogPost.class_id)),
        "comment": lambda: {
            c: _class_of_comment(c) for c in db.session.scalars(select(BlogComment.id))
        },
        "image": lambda: {
            i: _class_of_image(i)
            for i in db.session.scalars(select(BlogImage.id).where(BlogImage.post_id.is_not(None)))
        },
        "report_id": lambda: rows(select(BlogReport.id, BlogReport.class_id)),
        "assignment_id": lambda: rows(select(LessonAssignment.id, LessonAssignment.class_id)),
        "entry_id": lambda: rows(select(AllowedWords.id, AllowedWords.class_id)),
    }


def _one_per_class(objects: dict[int, int | None]) -> dict[int, int]:
    """The first object of a kind in each class: the rule is per class, and this keeps the
    test to a few thousand requests."""
    chosen: dict[int, int] = {}
    for obj_id, class_id in sorted(objects.items()):
        if class_id is not None and class_id not in chosen.values():
            chosen[obj_id] = class_id
    return chosen


def _kind_of(endpoint: str, rule: str, argument: str) -> str:
    if argument in ("post_id",) or (argument == "item_id" and "/sandbox/posts/" in rule):
        return "post"
    if argument == "comment_id" or (argument == "item_id" and "/sandbox/comments/" in rule):
        return "comment"
    if argument == "image_id" and rule.startswith("/sandbox/pictures/"):
        return "image"
    return argument


def _classes_for(user: User, route_roles: frozenset[Role]) -> set[int]:
    """The classes this person may act on through a route open to `route_roles`."""
    held = user.role_set if not route_roles else user.role_set & route_roles
    classes: set[int] = set()
    if user.role_set & WHOLE_SCHOOL and held & (WHOLE_SCHOOL | {Role.TEACHER, Role.SUPPORT_STAFF}):
        # Leaders of the whole school run every class, whichever of their roles let them in.
        return set(db.session.scalars(select(SchoolClass.id)))
    if held & {Role.TEACHER, Role.SUPPORT_STAFF}:
        classes |= set(
            db.session.scalars(select(ClassTeacher.class_id).where(ClassTeacher.user_id == user.id))
        )
    if Role.PARENT in held:
        classes |= set(
            db.session.scalars(
                select(Pupil.class_id)
                .join(ParentLink, ParentLink.pupil_id == Pupil.id)
                .where(ParentLink.parent_id == user.id)
            )
        )
    if Role.PUPIL in held:
        classes |= set(db.session.scalars(select(Pupil.class_id).where(Pupil.user_id == user.id)))
    return classes


def _concerns_closed_to(user: User, chair_id: int | None) -> list[int]:
    """The school's policy: leaders open concerns, never one about themselves; concerns about
    the headteacher only the chair of governors."""
    closed = []
    for concern in db.session.scalars(select(Concern)):
        if concern.staff_member_id == user.id:
            closed.append(concern.id)
        elif concern.about_headteacher:
            if user.id != chair_id:
                closed.append(concern.id)
        elif not user.has_role(*routing.CONCERN_ROLES):
            closed.append(concern.id)
    return closed


def _people(app) -> list[User]:
    """One demo person per role held (each distinct set of roles), plus a teacher who is also a
    parent of a child in another class, and people for the roles the demo does not yet hold."""
    runner = app.test_cli_runner()
    result = runner.invoke(demo_command, ["--json"])
    assert result.exit_code == 0, result.output
    chosen: dict[frozenset[Role], User] = {}
    for user in db.session.scalars(select(User).order_by(User.id)):
        chosen.setdefault(user.role_set, user)
    # A member of staff who is also a parent, with their child in a class they do not teach.
    teacher = next(u for r, u in chosen.items() if r == {Role.TEACHER})
    taught = set(
        db.session.scalars(select(ClassTeacher.class_id).where(ClassTeacher.user_id == teacher.id))
    )
    child = db.session.scalar(
        select(Pupil).where(Pupil.class_id.not_in(taught), Pupil.class_id.is_not(None)).limit(1)
    )
    staff_parent = factories.make_user(
        [Role.TEACHER, Role.PARENT], email="staffparent@school.example"
    )
    db.session.add(
        ParentLink(parent_id=staff_parent.id, pupil_id=child.id, relationship_to_pupil="Parent")
    )
    db.session.add(ClassTeacher(class_id=min(taught), user_id=staff_parent.id))
    chosen[frozenset({Role.TEACHER, Role.PARENT})] = staff_parent
    covered = {role for roles in chosen for role in roles}
    for role in set(Role) - covered:
        chosen[frozenset({role})] = factories.make_user(role)
    db.session.commit()
    return list(chosen.values())


#: What a person allowed to would send, so a refusal is the object check, not a missing field.
FORMS = {
    "sandbox.decide": {"approve": "y"},
    "sandbox.open_window": {"minutes": "30"},
    "sandbox.add_comment": {"body": "Well done, this is lovely."},
    "sandbox.write_post": {"title": "Our trip", "body": "We went to the park."},
    "sandbox.report": {"reason": "unkind", "details": "It is unkind."},
    "lessons.assign": {"lesson_id": "", "due_on": ""},
    "school.reset_pictures": {},
}


def _payload(endpoint: str, target: User | None) -> dict:
    if endpoint in FORMS:
        return FORMS[endpoint]
    if endpoint == "school.set_account_active":
        return {"active": "0"}
    if endpoint == "records.correct" and target is not None:
        return {
            "first_name": target.first_name,
            "last_name": target.last_name,
            "email": f"changed.{target.id}@elsewhere.example",
        }
    return {}


def _snapshot() -> tuple:
    """What a refused action must leave as it was."""
    return (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action != "access.refused")
        ),
        tuple(
            db.session.execute(
                select(
                    User.id, User.email, User.active, User.session_token, User.picture_hash
                ).order_by(User.id)
            )
        ),
        db.session.scalar(select(func.count(UserRole.user_id))),
    )


def test_nobody_acts_on_an_object_that_is_not_theirs(app, client):
    people = _people(app)
    chair = db.session.scalar(
        select(StaffProfile.user_id).where(StaffProfile.is_chair_of_governors)
    )
    objects = {kind: _one_per_class(load()) for kind, load in _class_scoped_objects().items()}
    cases: list[tuple[str, str, User, object, dict]] = []
    unknown = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.arguments:
            continue
        endpoint = rule.endpoint
        if endpoint in NOT_OBJECT_ROUTES:
            continue
        access = access_of(app.view_functions[endpoint])
        route_roles = access.roles or frozenset()
        for argument in sorted(rule.arguments - set(rule.defaults or {})):
            if SHARED_OBJECTS.get(endpoint) == argument:
                continue
            kind = _kind_of(endpoint, rule.rule, argument)
            for user in people:
                if kind in objects:
                    mine = _classes_for(user, route_roles)
                    for obj_id, class_id in objects[kind].items():
                        if class_id not in mine:
                            cases.append((rule, argument, user, obj_id, _payload(endpoint, None)))
                elif kind == "booking_id":
                    others = select(Booking).where(Booking.parent_id != user.id)
                    for booking in db.session.scalars(others.order_by(Booking.id).limit(8)):
                        cases.append((rule, argument, user, booking.id, {}))
                elif kind == "concern_id":
                    for concern_id in _concerns_closed_to(user, chair):
                        cases.append((rule, argument, user, concern_id, {}))
                elif kind in CONCERN_PARTS:
                    model = CONCERN_PARTS[kind]
                    closed = _concerns_closed_to(user, chair)
                    parts = select(model.id).where(model.concern_id.in_(closed)).order_by(model.id)
                    for part_id in db.session.scalars(parts.limit(8)):
                        cases.append((rule, argument, user, part_id, {}))
                elif kind == "user_id" and endpoint in (
                    "school.set_account_active",
                    "records.correct",
                ):
                    for target in people:
                        if (
                            target.id != user.id
                            and not target.is_pupil
                            and not grants.may_manage(user, target, chair)
                        ):
                            cases.append(
                                (rule, argument, user, target.id, _payload(endpoint, target))
                            )
                elif kind == "user_id":
                    continue  # role-level: data officers act on anyone's records
                else:
                    unknown.append((endpoint, argument))
    assert not unknown, (
        f"POST routes naming objects this test does not know: {sorted(set(unknown))}"
    )

    by_route: dict[str, int] = defaultdict(int)
    failures = []
    before = _snapshot()
    clients = {}
    for user in people:
        clients[user.id] = app.test_client()
        sign_in_session(clients[user.id], user)
    for rule, argument, user, obj_id, payload in cases:
        values = dict(rule.defaults or {})
        for name in rule.arguments - set(values):
            values[name] = obj_id if name == argument else _other_argument(rule, name, obj_id)
        url = rule.build(values, append_unknown=False)[1]
        response = clients[user.id].post(url, data=payload)
        by_route[rule.endpoint] += 1
        if response.status_code not in (403, 404):
            failures.append((rule.endpoint, sorted(user.role_set), obj_id, response.status_code))
    summary = defaultdict(int)
    for endpoint, roles, _, status in failures:
        summary[(endpoint, ",".join(r.value for r in roles), status)] += 1
    assert not failures, f"{len(failures)} refused actions went through: {dict(summary)}"
    assert _snapshot()[1:] == before[1:]
    print(f"\n(POST route, person, object) cases proved: {len(cases)} over {len(by_route)} routes")
    for endpoint, count in sorted(by_route.items()):
        print(f"  {endpoint}: {count}")
    assert len(by_route) >= 20 and len(cases) > 1000


def _other_argument(rule, argument: str, obj_id: int):
    """A second parameter in the URL (the consent route's pupil in its class, a task's concern)."""
    for part, model in CONCERN_PARTS.items():
        if part in rule.arguments and argument == "concern_id":
            found = db.session.get(model, obj_id)
            return found.concern_id if found else 0
        if part in rule.arguments and argument == part:
            first = select(model.id).where(model.concern_id == obj_id).limit(1)
            return db.session.scalar(first) or 0
    if rule.endpoint == "sandbox.remove_fine" and argument == "class_id":
        entry = db.session.get(AllowedWords, obj_id)
        return entry.class_id if entry else 0
    if rule.endpoint == "school.record_consent" and argument == "pupil_id":
        return db.session.scalar(select(Pupil.id).where(Pupil.class_id == obj_id).limit(1)) or 0
    if rule.endpoint == "school.record_consent" and argument == "class_id":
        pupil = db.session.get(Pupil, obj_id)
        return pupil.class_id if pupil else 0
    return obj_id
