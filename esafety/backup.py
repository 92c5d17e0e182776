"""Backups that restore: one dated archive with a consistent database snapshot and the uploads.

SQLite is copied with its online backup API (safe while the app runs); PostgreSQL with pg_dump,
which reads one consistent snapshot. A manifest of SHA-256 hashes proves the files came back whole.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore are the right tools for PostgreSQL
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

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
    return Path(make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database)


def upload_files(root: Path) -> dict[str, str]:
    """Every uploaded file under root, by relative path, with its SHA-256."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def create_backup(destination: Path) -> Path:
    """Write esafety-backup-<UTC time>.tar.gz into destination and return its path."""
    destination.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    archive = destination / f"esafety-backup-{utcnow():%Y%m%dT%H%M%SZ}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if dialect == "sqlite":
            database = work / SQLITE_NAME
            source = sqlite3.connect(_sqlite_path())
            target = sqlite3.connect(database)
            with target:
                source.backup(target)
            source.close()
            target.close()
        elif dialect == "postgresql":
            database = work / PG_NAME
            subprocess.run(  # noqa: S603 - fixed program, no shell
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={database}",
                    _libpq_url(),
                ],
                check=True,
            )
        else:
            raise DomainError(f"Backups are not supported for {dialect}.")
        manifest = {
            "created_at": utcnow().isoformat(timespec="seconds") + "Z",
            "dialect": dialect,
            "database": {"name": database.name, "sha256": _sha256(database)},
            "uploads": upload_files(uploads),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(database, arcname=database.name)
            if uploads.exists():
                tar.add(uploads, arcname="uploads")
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
