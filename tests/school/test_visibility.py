"""Pupils see only their class; parents only their own children; staff their classes."""

from __future__ import annotations

import pytest

from esafety.auth.roles import Role
from esafety.errors import NotFoundError
from esafety.school import services
from esafety.school.models import YearGroup
from tests import factories


def test_a_pupil_of_one_class_gets_404_for_another_class(client, school, login_as):
    me = school.pupils[YearGroup.YEAR_3][0]
    login_as(me.user)
    assert client.get(f"/school/classes/{me.class_id}").status_code == 200
    other = school.classes[YearGroup.YEAR_4]
    assert client.get(f"/school/classes/{other.id}").status_code == 404


def test_a_pupil_does_not_see_classmates_surnames_on_the_class_page(client, school, login_as):
    me = school.pupils[YearGroup.YEAR_3][0]
    login_as(me.user)
    page = client.get(f"/school/classes/{me.class_id}").data.decode()
    for classmate in school.pupils[YearGroup.YEAR_3][1:]:
        assert classmate.last_name not in page


def test_a_parent_sees_only_their_own_childrens_classes(school):
    child = school.pupils[YearGroup.YEAR_1][0]
    parent = factories.make_parent(child)
    assert services.visible_class_ids(parent) == {child.class_id}
    with pytest.raises(NotFoundError):
        services.class_visible_to(parent, school.classes[YearGroup.YEAR_2].id)


def test_a_teacher_sees_their_classes_and_leaders_see_all(school):
    teacher = school.teachers[YearGroup.YEAR_5]
    assert services.visible_class_ids(teacher) == {school.classes[YearGroup.YEAR_5].id}
    head = factories.make_user(Role.HEADTEACHER)
    assert services.visible_class_ids(head) == {c.id for c in school.classes.values()}


def test_someone_with_no_class_role_sees_no_class(school):
    governor = factories.make_user(Role.GOVERNOR)
    assert services.visible_class_ids(governor) == set()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PUPIL, 403),
        (Role.PARENT, 403),
        (Role.TEACHER, 403),
        (Role.GOVERNOR, 403),
        (Role.OFFICE_ADMIN, 200),
        (Role.HEADTEACHER, 200),
    ],
)
def test_only_the_office_and_leaders_reach_the_consent_register(
    client, school, login_as, role, status
):
    login_as(role)
    assert client.get("/school/consent").status_code == status


def test_refused_access_is_audited(client, school, login_as):
    from esafety import audit

    login_as(Role.PARENT)
    client.get("/school/roster")
    assert any(e.action == "access.refused" for e in audit.recent())
