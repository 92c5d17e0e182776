"""A backup, a wipe and a restore give back the same rows and the same files."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from esafety import create_app
from esafety.backup import RestoreRefused, create_backup, restore_backup, upload_files
from esafety.errors import DomainError
from esafety.extensions import db
from esafety.school import demo

#: An owner's engine on the test database makes and drops each restore's own database.
pytestmark = pytest.mark.commits


@contextmanager
def _instance(folder: Path, name: str) -> Iterator:
    """A separate app on its own, empty database: SQLite, or a fresh PostgreSQL database."""
    folder.mkdir(parents=True, exist_ok=True)
    base = os.environ.get("ESAFETY_TEST_DATABASE_URL")
    admin = None
    if base:
        database = f"esafety_{name}_{os.getpid()}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = make_url(base).set(database=database).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'school.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "INSTANCE_DIR": str(folder),
        }
    )
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def instance(tmp_path):
    with _instance(tmp_path, "backup") as app:
        yield app


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_a_database_held_in_memory_is_refused_not_backed_up_empty(tmp_path, url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "INSTANCE_DIR": str(tmp_path),
        }
    )
    with app.app_context(), pytest.raises(DomainError, match="held in memory"):
        create_backup(tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


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


def _png(n: int) -> bytes:
    from PIL import Image

    picture = Image.new("RGB", (24, 24), ((n * 37) % 256, (n * 91) % 256, (n * 13) % 256))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def test_backups_taken_during_uploads_restore_with_every_file(instance, tmp_path):
    """Teachers add and take off pictures without pause while backups run; every backup then
    restores, each file checked against its hash, and every picture row finds its file."""
    from esafety.auth.roles import Role
    from esafety.photos import storage as images
    from esafety.photos.models import BlogImage
    from esafety.sandbox import services
    from esafety.sandbox.models import BlogPost
    from esafety.school.models import YearGroup
    from tests import factories

    db.create_all()
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima")
    school_class = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    pupil = factories.make_pupil(school_class, first_name="Ava")
    db.session.commit()
    services.open_window(teacher, school_class.id, None)
    post = services.save_post(pupil.user, school_class.id, "Trip", "We saw a kite.", send=False)
    db.session.commit()
    teacher_id, post_id = teacher.id, post.id

    stop = threading.Event()
    done: list[int] = []
    failures: list[BaseException] = []

    def teacher_at_work(offset: int) -> None:
        from esafety.auth.models import User

        n = offset
        try:
            while not stop.is_set():
                with instance.app_context():
                    actor = db.session.get(User, teacher_id)
                    on_post = db.session.get(BlogPost, post_id)
                    image = services.attach_picture(
                        actor, on_post, io.BytesIO(_png(n)), f"Picture {n}"
                    )
                    db.session.commit()
                    if n % 3 == 0:  # some come off again: their files go after the commit
                        services.remove_picture(actor, db.session.get(BlogImage, image.id))
                        db.session.commit()
                    done.append(n)
                    db.session.remove()
                n += 2
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    workers = [threading.Thread(target=teacher_at_work, args=(k,)) for k in range(2)]
    for worker in workers:
        worker.start()
    archives = []
    try:
        while len(done) < 6:
            time.sleep(0.05)
        for _ in range(3):
            archives.append(create_backup(tmp_path / "backups"))
            time.sleep(1.05)  # archives are named by the second
    finally:
        stop.set()
        for worker in workers:
            worker.join(60)
    assert not failures, failures
    assert len(done) > 6

    for number, archive in enumerate(archives):
        with _instance(tmp_path / f"restored-{number}", f"restore{number}") as restored:
            manifest = restore_backup(archive)  # refuses if any file is damaged or missing
            uploads = Path(restored.config["UPLOAD_FOLDER"])
            assert upload_files(uploads) == manifest["uploads"]
            rows = db.session.scalars(select(BlogImage)).all()
            assert rows, "the backup holds pictures"
            for row in rows:
                path = images.path_of(row.stored_name)
                assert path.is_file(), f"picture row {row.id} has no file"
                assert (
                    hashlib.sha256(path.read_bytes()).hexdigest()
                    == manifest["uploads"][f"sandbox/{row.stored_name}"]
                )
