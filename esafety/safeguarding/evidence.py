"""Evidence files: checked by their content, kept exactly as uploaded, shown without metadata.

The policy asks for screen prints of messages or pages, with the time and date, to be saved.
Files live under UPLOAD_FOLDER/safeguarding/ (never under static/) and are served only through
views that check who may open the concern.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app

from .. import uploads
from ..errors import DomainError
from ..images import PictureRefused, clean_picture, picture_format

#: Largest single file we keep (a phone screenshot is rarely more than 5 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Files one form may carry (the whole request is also limited by MAX_CONTENT_LENGTH).
MAX_FILES = 8

IMAGE_TYPES = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}
PDF_TYPE = ("application/pdf", "pdf")
FIELD = "evidence"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, held in memory until it is written."""

    original_name: str
    content: bytes
    media_type: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def tidy_name(filename: str | None) -> str:
    """A file name safe to show and to put in a zip: no folders, no odd characters."""
    name = unicodedata.normalize("NFKC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ()]+", "_", name).strip(" ._")
    return name[:120] or "evidence"


def check_upload(filename: str | None, stream: IO[bytes]) -> CheckedFile:
    """Accept a PNG or JPEG (decoded by Pillow) or a PDF (its header and end); refuse the rest."""
    name = tidy_name(filename)
    content = stream.read(MAX_FILE_BYTES + 1)
    if not content:
        raise DomainError(f"“{name}” is empty. Please choose the file again.", FIELD)
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            f"“{name}” is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
            "Please send a smaller screenshot or save the page as a PDF.",
            FIELD,
        )
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-2048:]:
            raise DomainError(
                f"“{name}” looks like an unfinished PDF. Please save it again.", FIELD
            )
        return CheckedFile(name, content, *PDF_TYPE)
    image_format = _check_image(name, content)
    media_type, extension = IMAGE_TYPES[image_format]
    return CheckedFile(name, content, media_type, extension)


def _check_image(name: str, content: bytes) -> str:
    """The picture's format, once Pillow has opened it safely; the original is kept as sent."""
    if picture_format(content[:8]) is None:
        raise DomainError(
            f"“{name}” is not a picture or PDF we can open. "
            "Please send a screenshot (PNG or JPEG) or a PDF.",
            FIELD,
        )
    try:
        return clean_picture(content, field=FIELD).format
    except PictureRefused as refused:
        raise DomainError(f"“{name}”: {refused.message}", FIELD) from refused


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "safeguarding"


def write_file(concern_id: int, checked: CheckedFile) -> tuple[str, Path]:
    """Write the file under a random name in the concern's folder; only the app can read it."""
    uploads.folder(f"safeguarding/{concern_id}", private=True)
    relative = f"safeguarding/{concern_id}/{uploads.new_name(checked.extension)}"
    path = uploads.write(uploads.root() / relative, checked.content, field=FIELD, private=True)
    return relative, path


def stored_file(stored_path: str) -> Path:
    """The file on disk for a stored path, refusing anything that escapes the upload folder."""
    root = upload_root().resolve()
    path = (Path(current_app.config["UPLOAD_FOLDER"]) / stored_path).resolve()
    if not path.is_relative_to(root):
        raise DomainError("That file is not kept here.")
    return path


def read_stored(stored_path: str) -> bytes:
    return stored_file(stored_path).read_bytes()


def stripped_copy(content: bytes, media_type: str) -> bytes:
    """Re-encode a picture from its pixels alone: no EXIF, GPS, camera or text chunks survive."""
    return clean_picture(content, field=FIELD).data
