"""Look-ups remembered for one request (esafety/memo.py) never outlive it, and the signed-in
floor and navigation stay right when a person's roles change."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from esafety.auth import services as auth
from esafety.auth.models import UserRole
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import services as sandbox
from esafety.sandbox.models import BlogPost
from esafety.school import services as school
from esafety.school.models import YearGroup
from tests import factories


def test_a_pupil_moved_between_requests_sees_only_their_new_class(client, login_as):
    first = factories.make_class(YearGroup.YEAR_3, name="Robins")
    second = factories.make_class(YearGroup.YEAR_3, name="Wrens")
    pupil = factories.make_pupil(first)
    login_as(pupil.user)
    assert client.get(f"/sandbox/classes/{first.id}").status_code == 200
    assert client.get(f"/sandbox/classes/{second.id}").status_code == 404

    pupil.class_id = second.id
    db.session.commit()
    assert client.get(f"/sandbox/classes/{first.id}").status_code == 404
    assert client.get(f"/sandbox/classes/{second.id}").status_code == 200


def test_outside_a_served_request_every_look_up_asks_the_database(count_queries):
    """Services called directly (the CLI, tests) run in a request context the app never
    served: nothing is remembered there, so a change is seen at once."""
    first = factories.make_class(YearGroup.YEAR_2, name="Owls")
    second = factories.make_class(YearGroup.YEAR_2, name="Larks")
    pupil = factories.make_pupil(first)
    db.session.commit()
    assert school.visible_class_ids(pupil.user) == {first.id}
    pupil.class_id = second.id
    db.session.flush()
    assert school.visible_class_ids(pupil.user) == {second.id}
    with count_queries() as counter:
        school.pupil_of(pupil.user)
        school.pupil_of(pupil.user)
    assert counter.count == 2


@contextmanager
def count_queries_of(client) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_a_pupil_page_looks_their_record_up_once(client, login_as, count_queries):
    school_class = factories.make_class(YearGroup.YEAR_4, name="Kestrels")
    pupil = factories.make_pupil(school_class)
    login_as(pupil.user)
    client.get(f"/sandbox/classes/{school_class.id}")
    with count_queries() as counter:
        assert client.get(f"/sandbox/classes/{school_class.id}").status_code == 200
    pupil_queries = [s for s in counter.statements if "FROM pupil" in s and "pupil.user_id" in s]
    assert len(pupil_queries) == 1, pupil_queries


def test_the_navigation_follows_a_change_of_roles(client, login_as):
    user = login_as(Role.TEACHER)
    assert b"Audit log" not in client.get("/").data
    user.roles.append(UserRole(role=Role.HEADTEACHER))
    db.session.commit()
    # A change of roles ends the account's sessions; signed in again, the new menu shows.
    assert client.get("/").status_code == 302
    login_as(user)
    assert b"Audit log" in client.get("/").data
    other = login_as(Role.TEACHER)
    assert other.id != user.id
    assert b"Audit log" not in client.get("/").data


def test_the_signed_in_account_its_roles_and_its_device_come_in_one_statement(client, login_as):
    user = login_as(Role.TEACHER)
    db.session.expunge_all()  # as a real server starts: nothing in the session yet
    with count_queries_of(client) as statements:
        assert client.get("/").status_code == 200
    first = statements[0]
    assert re.search(r"role_codes,.*FROM \"?user\"?\s+JOIN user_session", first, re.S), first
    assert not [s for s in statements[1:] if "FROM user_session" in s], statements
    # Roles are read from the account's own row: the page never asks user_role for anyone.
    assert not [s for s in statements if "FROM user_role" in s], statements
    assert user.role_set == {Role.TEACHER}


def test_a_rotated_session_token_still_ends_the_session(client, login_as):
    user = login_as(Role.TEACHER)
    assert client.get("/").status_code == 200
    auth.end_session(user)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_a_pupil_sending_a_post_looks_the_open_window_up_once_and_a_closed_blog_is_seen(
    client, login_as
):
    teacher = factories.make_user(Role.TEACHER)
    school_class = factories.make_class(YearGroup.YEAR_5, name="Swifts", teacher=teacher)
    pupil = factories.make_pupil(school_class)
    sandbox.open_window(teacher, school_class.id, None)
    login_as(pupil.user)
    write = f"/sandbox/classes/{school_class.id}/write"
    post = {"title": "Our trip", "body": "We went to the park.", "send": "Send to my teacher"}
    with count_queries_of(client) as statements:
        assert client.post(write, data=post).status_code == 302
    assert len([s for s in statements if "FROM posting_window" in s]) == 1
    sandbox.close_window(teacher, school_class.id)
    db.session.commit()
    client.post(write, data=post)
    sent = db.session.scalar(
        select(func.count(BlogPost.id)).where(BlogPost.author_id == pupil.user_id)
    )
    assert sent == 1


def test_the_layout_parts_kept_per_process_follow_the_roles_and_the_mount_point(client, login_as):
    """The navigation, the footer's link and the layout's own links are made once per set of
    roles and mount point: each person and each mount point still gets their own."""
    pupil = factories.make_pupil(factories.make_class(YearGroup.YEAR_2, name="Puffins"))
    login_as(pupil.user)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert ">Tell a teacher</a>" in page
    assert "Report a concern" not in page
    assert "Your devices" not in page

    login_as(Role.DSL)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/safeguarding/report">Report a concern' in page
    assert "Tell a teacher" not in page
    assert ">Audit log</a>" in page

    mounted = client.get("/", base_url="https://esafety.test/school").get_data(as_text=True)
    assert 'href="/school/safeguarding/report">Report a concern' in mounted
    assert 'href="/school/static/css/app.css"' in mounted
    assert 'href="/school/account/devices"' in mounted
    assert 'href="/static/' not in mounted
