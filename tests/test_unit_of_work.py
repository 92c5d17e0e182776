"""One unit of work per request: commit when the view returned, roll back when it raised; files
that follow the transaction; production refuses a guessable session key."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Blueprint
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from esafety import create_app, uploads
from esafety.audit import AuditEntry
from esafety.auth.access import public
from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.config import UnsafeSettings
from esafety.errors import DomainError, NotAllowed, rule_errors
from esafety.extensions import db as _db
from tests import factories


def _audited(action: str) -> int:
    return _db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


@pytest.fixture
def lifecycle_app(app):
    """The test app's settings, plus four routes that write an audit row and then end as told.

    A second app on the test database: its tests are marked `commits`."""
    from esafety import audit

    fresh = create_app({**app.config, "PROPAGATE_EXCEPTIONS": False})
    probe = Blueprint("probe", __name__)

    @probe.post("/probe/<outcome>")
    @public
    def probe_view(outcome: str):
        audit.record(f"probe.{outcome}")
        _db.session.flush()
        if outcome == "raise":
            raise RuntimeError("a bug after the write")
        if outcome == "refused":
            with rule_errors() as result:
                raise DomainError("No.")
            audit.record("probe.kept_after_refusal")
            return "refused", result.status
        if outcome == "forbidden":
            with rule_errors():
                raise NotAllowed("Not yours.")
        return "ok"

    @probe.get("/probe/read")
    @public
    def probe_read():
        return str(_db.session.scalar(select(func.count(AuditEntry.id))))

    @probe.post("/probe/rename/<int:user_id>")
    @public
    def probe_rename(user_id: int):
        _db.session.execute(update(User).where(User.id == user_id).values(first_name="Renamed"))
        return "ok"

    fresh.register_blueprint(probe)
    yield fresh
    with fresh.app_context():
        _db.engine.dispose()


@pytest.mark.commits
def test_a_request_that_returns_commits_its_work(lifecycle_app):
    with lifecycle_app.test_client() as client:
        assert client.post("/probe/ok").status_code == 200
    assert _audited("probe.ok") == 1


@pytest.mark.commits
def test_a_page_that_only_read_commits_nothing_and_a_bulk_write_is_committed(lifecycle_app):
    """A read ends with the pool's rollback (no COMMIT, nothing expired); a statement that
    writes without the ORM's flush still makes the request commit."""
    person = factories.make_user(Role.TEACHER, first_name="Before")
    _db.session.commit()
    commits: list[Session] = []

    def counted(session: Session) -> None:
        commits.append(session)

    event.listen(Session, "after_commit", counted)
    try:
        client = lifecycle_app.test_client()
        assert client.get("/probe/read").status_code == 200
        assert commits == []
        assert client.post(f"/probe/rename/{person.id}").status_code == 200
        assert len(commits) == 1
    finally:
        event.remove(Session, "after_commit", counted)
    _db.session.expire_all()
    assert _db.session.get(User, person.id).first_name == "Renamed"


@pytest.mark.commits
def test_a_request_that_raises_keeps_nothing(lifecycle_app):
    with lifecycle_app.test_client() as client:
        assert client.post("/probe/raise").status_code == 500
    assert _audited("probe.raise") == 0


@pytest.mark.commits
def test_a_refused_rule_undoes_its_work_but_keeps_what_came_after(lifecycle_app):
    with lifecycle_app.test_client() as client:
        response = client.post("/probe/refused")
    assert response.status_code == 400
    assert _audited("probe.refused") == 0
    assert _audited("probe.kept_after_refusal") == 1


@pytest.mark.commits
def test_not_allowed_passes_through_rule_errors_as_a_403(lifecycle_app):
    with lifecycle_app.test_client() as client:
        response = client.post("/probe/forbidden")
    assert response.status_code == 403
    assert b"This page is not for you" in response.data
    assert _audited("probe.forbidden") == 0


def test_a_failed_commit_removes_the_file_written_for_it(app):
    factories.make_user(Role.TEACHER, email="same@school.example")
    _db.session.commit()
    path = uploads.write(uploads.folder("probe") / uploads.new_name("txt"), b"a picture")
    assert path.read_bytes() == b"a picture"
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        factories.make_user(Role.TEACHER, email="same@school.example")
        _db.session.commit()
    _db.session.rollback()
    assert not path.exists()


def test_a_committed_file_stays(app):
    path = uploads.write(uploads.folder("probe") / uploads.new_name("txt"), b"kept")
    _db.session.commit()
    _db.session.rollback()
    assert path.read_bytes() == b"kept"


def test_a_file_to_delete_stays_when_the_commit_fails(app):
    path = uploads.folder("probe") / "kept.txt"
    path.write_bytes(b"still used")
    factories.make_user(Role.TEACHER, email="twice@school.example")
    _db.session.commit()
    uploads.delete_after_commit(path)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        factories.make_user(Role.TEACHER, email="twice@school.example")
        _db.session.commit()
    _db.session.rollback()
    assert path.read_bytes() == b"still used"
    _db.session.commit()
    assert path.exists(), "a later, unrelated commit must not delete it either"


def test_a_file_to_delete_goes_once_the_change_is_committed(app):
    path = uploads.folder("probe") / "old.txt"
    path.write_bytes(b"no longer used")
    uploads.delete_after_commit(path)
    assert path.exists()
    _db.session.commit()
    assert not path.exists()


def test_an_unwritable_folder_is_a_message_beside_the_field(app, broken_upload_folder):
    with pytest.raises(uploads.StorageFailed) as refused:
        uploads.write(uploads.root() / "probe" / "x.txt", b"data", field="image")
    assert refused.value.field == "image" and refused.value.status == 400
    assert "Nothing else you typed has been lost" in refused.value.message
    assert list(Path(broken_upload_folder.parent).rglob("x.txt")) == []


@pytest.mark.parametrize("key", ["dev-only-not-secret", "short-but-not-default"])
def test_production_refuses_a_guessable_secret_key(monkeypatch, key):
    monkeypatch.setenv("ESAFETY_ENV", "production")
    monkeypatch.setenv("ESAFETY_SECRET_KEY", key)
    with pytest.raises(UnsafeSettings) as refused:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    reason = str(refused.value)
    assert "ESAFETY_SECRET_KEY" in reason and "\n" not in reason


def test_production_starts_with_a_long_random_key(monkeypatch):
    monkeypatch.setenv("ESAFETY_ENV", "production")
    monkeypatch.setenv("ESAFETY_SECRET_KEY", "k" * 32)
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["ESAFETY_ENV"] == (
        "production"
    )
