"""A backup, a wipe and a restore give back the same rows and the same files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from esafety import create_app
from esafety.backup import RestoreRefused, create_backup, restore_backup, upload_files
from esafety.extensions import db
from esafety.school import demo


@pytest.fixture
def instance(tmp_path):
    """A separate app on its own, empty database: SQLite, or a fresh PostgreSQL database."""
    base = os.environ.get("ESAFETY_TEST_DATABASE_URL")
    admin = None
    if base:
        name = f"esafety_backup_{os.getpid()}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'school.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "INSTANCE_DIR": str(tmp_path),
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _snapshot() -> dict[str, list[tuple]]:
    rows = {}
    for table in db.metadata.sorted_tables:
        order = [c for c in table.primary_key.columns] or list(table.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*order))]
    return rows


def test_backup_wipe_restore_gives_the_same_rows_and_files(instance, tmp_path):
    db.create_all()
    demo.build()
    db.session.commit()
    uploads = Path(instance.config["UPLOAD_FOLDER"])
    (uploads / "sandbox").mkdir(parents=True)
    (uploads / "sandbox" / "drawing.png").write_bytes(b"\x89PNG fake but bytes are bytes" * 100)
    (uploads / "evidence.pdf").write_bytes(b"%PDF-1.4 evidence")
    before_rows = _snapshot()
    before_files = upload_files(uploads)
    assert sum(len(v) for v in before_rows.values()) > 100

    archive = create_backup(tmp_path / "backups")
    assert archive.name.startswith("esafety-backup-") and archive.suffixes[-2:] == [".tar", ".gz"]

    db.session.remove()
    db.drop_all()
    for path in sorted(uploads.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()

    restore_backup(archive)
    assert _snapshot() == before_rows
    assert upload_files(uploads) == before_files
    assert (
        hashlib.sha256((uploads / "evidence.pdf").read_bytes()).hexdigest()
        == (before_files["evidence.pdf"])
    )


def test_restore_refuses_a_database_that_is_not_empty(instance, tmp_path):
    db.create_all()
    archive = create_backup(tmp_path / "backups")
    with pytest.raises(RestoreRefused):
        restore_backup(archive)
