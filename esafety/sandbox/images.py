"""Pictures on the blog and the news feed: checked by content, re-encoded, stored out of sight.

Every upload is opened by Pillow only if its first bytes say JPEG or PNG, refused if it is too big
in bytes or pixels (a decompression bomb), and saved again from its pixels alone, so EXIF and
GPS data (where a photo was taken) never reach the disk.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import DomainError

#: Largest file accepted, in bytes.
MAX_BYTES = 8 * 1024 * 1024
#: Largest picture accepted, in pixels (a 40-megapixel camera photo is fine; a bomb is not).
MAX_PIXELS = 40_000_000
#: Pictures are shrunk to fit this many pixels on their longest side before they are kept.
MAX_SIDE = 2000
#: The formats the browser shows and we accept, by their first bytes (never by file name).
SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}


class PictureRefused(DomainError):
    """The upload is not a picture we can keep safely; the message says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="image")


@dataclass(frozen=True)
class CleanPicture:
    data: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def _format_by_content(head: bytes) -> str | None:
    for signature, name in SIGNATURES.items():
        if head.startswith(signature):
            return name
    return None


def clean_picture(stream: BinaryIO) -> CleanPicture:
    """Check an upload and return it re-encoded from its pixels only, or refuse it kindly."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PictureRefused(
            f"That picture is too big (more than {MAX_BYTES // (1024 * 1024)} MB). "
            "Please choose a smaller one."
        )
    if not data:
        raise PictureRefused("That file is empty. Please choose a picture.")
    expected = _format_by_content(data[:8])
    if expected is None:
        raise PictureRefused("Please choose a photo or drawing saved as a JPEG or PNG picture.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                opened.load()
                picture = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PictureRefused(
            "That picture is far too large to open safely. Please choose a smaller picture."
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PictureRefused(
            "We could not open that picture: it may be damaged. Please try another one."
        ) from error
    return _reencode(picture, expected)


def _too_many_pixels(width: int, height: int) -> PictureRefused:
    return PictureRefused(
        f"That picture is far too large to open safely ({width} × {height} pixels). "
        "Please choose a smaller picture."
    )


def _reencode(picture: Image.Image, fmt: str) -> CleanPicture:
    """Save the pixels again, with no metadata: EXIF, GPS, comments and profiles are dropped."""
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    if fmt == "JPEG":
        pixels = picture.convert("RGB")
    else:
        see_through = "A" in picture.getbands() or "transparency" in picture.info
        pixels = picture.convert("RGBA" if see_through else "RGB")
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=85, optimize=True)
    else:
        clean.save(out, format="PNG", optimize=True)
    return CleanPicture(out.getvalue(), fmt, clean.width, clean.height)


def upload_dir() -> Path:
    """Pictures live under the upload folder (never static/), served only through a check."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "sandbox"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(picture: CleanPicture) -> str:
    """Write a clean picture under a new random name and return the name."""
    name = secrets.token_hex(16) + picture.extension
    (upload_dir() / name).write_bytes(picture.data)
    return name


def path_of(stored_name: str) -> Path:
    return upload_dir() / Path(stored_name).name


def discard(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
