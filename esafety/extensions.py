"""The shared, unbound extension instances; create_app binds them."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Enum, Integer, MetaData, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase, Session

from . import guards

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
#: Models subclass `Model`: at run time Flask-SQLAlchemy's `db.Model` (table names, the session),
#: for the type checker the typed `Base` it is built from, since `db.Model` is made at run time.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
guards.register(Base.metadata)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
#: Leaders' dashboards and summaries (esafety/caching.py): per process, or Redis when set.
cache = Cache()


def enum_type(enum_cls: type[enum.Enum]) -> Enum:
    """Store an enum by its value as plain text, the same way on SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda e: [m.value for m in e],
    )


class IntEnumType(TypeDecorator):
    """An IntEnum stored as its integer (year groups sort and compare as numbers)."""

    impl = Integer
    cache_ok = True

    def __init__(self, enum_cls: type[enum.IntEnum]) -> None:
        super().__init__()
        self.enum_cls = enum_cls
        #: A dict lookup is several times faster than calling the enum, on every row read.
        self._members = {int(member): member for member in enum_cls}

    def process_bind_param(self, value, dialect):
        return None if value is None else int(value)

    def process_result_value(self, value, dialect):
        return None if value is None else self._members[value]


class RecordIsAppendOnly(RuntimeError):
    """Code tried to change or delete a record that is only ever added to."""


class AppendOnly:
    """Mixin for records written once (the audit log, the sign-off ledger, a concern's history).

    The application adds rows and never changes or deletes them; retention removes old rows
    with plain SQL deletes, outside the ORM. `append_only_error` names the error to raise.
    """

    append_only_error: type[RecordIsAppendOnly] = RecordIsAppendOnly
    if TYPE_CHECKING:
        __tablename__: str


@event.listens_for(Session, "before_flush")
def _refuse_append_only_edits(session: Session, flush_context, instances) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, AppendOnly) and (obj in session.deleted or session.is_modified(obj)):
            raise obj.append_only_error(
                f"A {obj.__tablename__} record is only ever added to: it cannot be changed."
            )
