"""Files that follow the transaction: a file written is removed if the work is undone, a file to
delete goes only once the deletion is committed, and a failed write is a message, never a 500.

Every feature that keeps files (blog and news pictures, drawings, evening resources, training
certificates, safeguarding evidence) writes and deletes them through here.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from .errors import DomainError
from .extensions import db

log = logging.getLogger(__name__)

_WRITTEN = "esafety.uploads.written"
_TO_DELETE = "esafety.uploads.to_delete"


class StorageFailed(DomainError):
    """The upload folder refused the file (full disk, read-only folder, missing permission)."""

    status = 400


def root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def folder(name: str, *, private: bool = False) -> Path:
    """A feature's folder under the upload root (made if missing; never under static/)."""
    path = root() / name
    try:
        path.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
    except OSError as error:
        raise _refused(error, None) from error
    return path


def new_name(extension: str) -> str:
    """A random file name: the name a person uploaded is never used on disk."""
    return f"{secrets.token_hex(16)}.{extension.lstrip('.')}"


def write(path: Path, content: bytes, *, field: str | None = None, private: bool = False) -> Path:
    """Write a new file whole, or not at all, and remove it again if the transaction rolls back.

    A partial file (disk filled mid-write) is removed at once; the error names the form field so
    the page can show it beside the file input with everything else typed kept.
    """
    mode = 0o600 if private else 0o644
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as error:
        raise _refused(error, field) from error
    _remember(_WRITTEN, path)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        path.unlink(missing_ok=True)
        raise _refused(error, field) from error
    return path


def discard_written() -> None:
    """Remove at once every file this transaction wrote (a multi-file upload that failed)."""
    for path in db.session().info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


#: Taken shared by anyone deleting a committed file, exclusively by a backup from its database
#: snapshot until it has linked every file: no row in the snapshot loses its file meanwhile.
_DELETION_LOCK = ".deletions.lock"


def _lock_file(mode: int):
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / _DELETION_LOCK, "a+")  # noqa: SIM115 - held beyond this function
    try:
        fcntl.flock(handle, mode)
    except BaseException:
        handle.close()
        raise
    return handle


@contextmanager
def deletions_paused() -> Iterator[None]:
    """Hold back every deletion of a stored file while the block runs (backups)."""
    handle = _lock_file(fcntl.LOCK_EX)
    try:
        yield
    finally:
        handle.close()


@contextmanager
def deleting() -> Iterator[None]:
    """Delete stored files inside this block: it waits while a backup is taking its snapshot."""
    handle = _lock_file(fcntl.LOCK_SH)
    try:
        yield
    finally:
        handle.close()


def remove(path: Path) -> None:
    """Delete a stored file whose row is already gone (committed)."""
    with deleting():
        path.unlink(missing_ok=True)


def delete_after_commit(path: Path) -> None:
    """Delete a file once the change that stops using it is committed (a rollback keeps it)."""
    _remember(_TO_DELETE, path)


def _remember(key: str, path: Path) -> None:
    db.session().info.setdefault(key, []).append(path)


def _refused(error: OSError, field: str | None) -> StorageFailed:
    log.error("upload folder refused a file: errno=%s", error.errno)
    return StorageFailed(
        "We could not save that file just now: the school's storage is full or not available. "
        "Nothing else you typed has been lost. Please try again later, or ask the school office.",
        field,
    )


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    paths = session.info.pop(_TO_DELETE, [])
    if not paths:
        return
    try:
        with deleting():
            for path in paths:
                path.unlink(missing_ok=True)
    except OSError:
        log.exception("a file that is no longer used could not be deleted")


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """The work was rolled back or abandoned (a commit has already emptied the lists)."""
    if transaction.parent is not None:
        return
    session.info.pop(_TO_DELETE, None)
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
