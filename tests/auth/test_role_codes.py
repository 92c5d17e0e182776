"""Roles are kept on the account's own row, so reading them never costs a statement, and the
copy follows every grant and removal."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError

from esafety.auth.models import User, UserRole
from esafety.auth.roles import Role
from esafety.extensions import db
from tests import factories
from tests.raiseload import lazy_loads_raise


def _reloaded(user_id: int) -> User:
    db.session.expunge_all()
    return db.session.scalars(select(User).where(User.id == user_id)).one()


def test_the_row_keeps_every_role_granted_and_drops_one_taken_away(db):
    user = factories.make_user([Role.TEACHER, Role.DSL])
    db.session.commit()
    assert _reloaded(user.id).role_set == {Role.TEACHER, Role.DSL}
    user = _reloaded(user.id)
    user.roles.append(UserRole(role=Role.HEADTEACHER))
    db.session.commit()
    assert _reloaded(user.id).role_codes == "dsl,headteacher,teacher"
    user = _reloaded(user.id)
    user.roles = [r for r in user.roles if r.role is not Role.DSL]
    assert user.role_set == {Role.TEACHER, Role.HEADTEACHER}  # before the flush, too
    db.session.commit()
    assert _reloaded(user.id).role_set == {Role.TEACHER, Role.HEADTEACHER}


def test_reading_roles_sends_no_statement_and_an_unloaded_collection_fails_loudly(
    db, count_queries
):
    user = factories.make_user(Role.PARENT)
    db.session.commit()
    with lazy_loads_raise(User.roles):
        loaded = _reloaded(user.id)
        with count_queries() as counter:
            assert loaded.has_role(Role.PARENT) and not loaded.is_staff
        assert counter.count == 0
        with pytest.raises(InvalidRequestError, match="raise_on_sql"):
            _ = loaded.roles
    assert [r.role for r in _reloaded(user.id).roles] == [Role.PARENT]
