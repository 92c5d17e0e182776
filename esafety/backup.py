"""Backups that restore: one dated archive with a consistent database snapshot and the uploads.

SQLite is copied with its online backup API (safe while the app runs); PostgreSQL with pg_dump,
reading a snapshot exported at a known moment. The files are taken at that same moment:
while the snapshot is fixed and every stored file is hard-linked aside, deletions of stored
files wait (uploads.deletions_paused), so every row in the snapshot finds its file. Files are
written before their row commits, so none can be missing the other way. Each file is hashed
from the very bytes put into the archive, and a manifest of the hashes proves a restore whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore are the right tools for PostgreSQL
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from . import uploads as stored_files
from .clock import utcnow
from .errors import DomainError
from .extensions import db

SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"


class RestoreRefused(DomainError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url() -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DomainError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _sqlite_path() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise DomainError("The database is held in memory: there is no file to back up.")
    return Path(database)


def _stored(root: Path) -> Iterator[Path]:
    """Every stored file under root; names starting with a dot (locks, trash, staging) are the
    app's own workings, not uploads."""
    if not root.exists():
        return
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(directory) / name


def upload_files(root: Path) -> dict[str, str]:
    """Every uploaded file under root, by relative path, with its SHA-256."""
    return {str(path.relative_to(root)): _sha256(path) for path in _stored(root)}


def _link_aside(root: Path, staging: Path) -> None:
    """Hard-link every stored file into staging (instant, no copying); copy if links fail."""
    for path in _stored(root):
        target = staging / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except FileNotFoundError:
            continue  # removed by a rolled-back request: its row was never committed
        except OSError:
            shutil.copy2(path, target)


@contextmanager
def _snapshot(work: Path, staging: Path, uploads: Path) -> Iterator[Path]:
    """Fix the database snapshot and the file set at one moment; yield the database copy."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        database = work / SQLITE_NAME
        with stored_files.deletions_paused():
            source = sqlite3.connect(_sqlite_path())
            target = sqlite3.connect(database)
            with target:
                source.backup(target)
            source.close()
            target.close()
            _link_aside(uploads, staging)
        yield database
    elif dialect == "postgresql":
        database = work / PG_NAME
        connection = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        try:
            with stored_files.deletions_paused():
                snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                _link_aside(uploads, staging)
            # pg_dump reads the exported snapshot while this transaction keeps it alive.
            subprocess.run(  # noqa: S603 - fixed program, no shell
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={database}",
                    _libpq_url(),
                ],
                check=True,
            )
        finally:
            connection.rollback()
            connection.close()
        yield database
    else:
        raise DomainError(f"Backups are not supported for {dialect}.")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def create_backup(destination: Path) -> Path:
    """Write esafety-backup-<UTC time>.tar.gz into destination and return its path."""
    destination.mkdir(parents=True, exist_ok=True)
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    uploads.mkdir(parents=True, exist_ok=True)
    archive = destination / f"esafety-backup-{utcnow():%Y%m%dT%H%M%SZ}.tar.gz"
    partial = archive.with_name(f".{archive.name}.partial")
    # Beside the uploads, so the hard links stay on one file system; a dot keeps it out of view.
    staging = uploads / f".backup-{uuid.uuid4().hex}"
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            _snapshot(Path(tmp), staging, uploads) as database,
        ):
            hashes = {}
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(database, arcname=database.name)
                for path in _stored(staging):
                    name = str(path.relative_to(staging))
                    data = path.read_bytes()
                    hashes[name] = hashlib.sha256(data).hexdigest()
                    _add_bytes(tar, f"uploads/{name}", data)
                manifest = {
                    "created_at": utcnow().isoformat(timespec="seconds") + "Z",
                    "dialect": db.engine.dialect.name,
                    "database": {"name": database.name, "sha256": _sha256(database)},
                    "uploads": hashes,
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
        os.replace(partial, archive)  # a backup that failed half-way never looks finished
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    return archive


def restore_backup(archive: Path) -> dict:
    """Restore an archive into an empty instance (no tables, no uploads); return its manifest."""
    if inspect(db.engine).get_table_names():
        raise RestoreRefused("The database is not empty. Restore only into a new, empty database.")
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    if uploads.exists() and any(uploads.iterdir()):
        raise RestoreRefused("The upload folder is not empty. Restore only into an empty one.")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        database = work / manifest["database"]["name"]
        if _sha256(database) != manifest["database"]["sha256"]:
            raise RestoreRefused("The database copy in the archive is damaged (hash mismatch).")
        restored_uploads = upload_files(work / "uploads")
        if restored_uploads != manifest["uploads"]:
            raise RestoreRefused("Uploaded files in the archive are damaged or missing.")
        dialect = db.engine.dialect.name
        if dialect != manifest["dialect"]:
            raise RestoreRefused(
                f"This archive is a {manifest['dialect']} backup; this instance uses {dialect}."
            )
        db.session.remove()
        db.engine.dispose()
        if dialect == "sqlite":
            source = sqlite3.connect(database)
            target = sqlite3.connect(_sqlite_path())
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            subprocess.run(  # noqa: S603 - fixed program, no shell
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    # An "empty" database may keep functions left by dropped tables' triggers.
                    "--clean",
                    "--if-exists",
                    f"--dbname={_libpq_url()}",
                    str(database),
                ],
                check=True,
            )
        if (work / "uploads").exists():
            shutil.copytree(work / "uploads", uploads, dirs_exist_ok=True)
    return manifest
