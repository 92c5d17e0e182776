"""Pictures on the blog and the news feed: checked by content, re-encoded, stored out of sight.

Every upload is opened by Pillow only if its first bytes say JPEG or PNG, refused if it is too big
in bytes or pixels (a decompression bomb), and saved again from its pixels alone, so EXIF and
GPS data (where a photo was taken) never reach the disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import Response, send_file

from .. import images, uploads
from ..errors import NotFoundError
from ..images import CleanPicture, PictureRefused
from .models import BlogImage, ImageKind

__all__ = [
    "CleanPicture",
    "PictureRefused",
    "clean_picture",
    "store",
    "path_of",
    "discard",
    "send_picture",
    "new_picture",
]

#: Largest file accepted, in bytes.
MAX_BYTES = 8 * 1024 * 1024
#: Pictures are shrunk to fit this many pixels on their longest side before they are kept.
MAX_SIDE = 2000


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
    return images.clean_picture(data, max_side=MAX_SIDE)


def upload_dir() -> Path:
    """Pictures live under the upload folder (never static/), served only through a check."""
    return uploads.root() / "sandbox"


def store(picture: CleanPicture, field: str = "image") -> str:
    """Write a clean picture under a new random name (gone again if the work is undone)."""
    name = uploads.new_name(picture.extension)
    uploads.write(upload_dir() / name, picture.data, field=field)
    return name


def path_of(stored_name: str) -> Path:
    return upload_dir() / Path(stored_name).name


def discard(stored_name: str) -> None:
    """Delete a picture once the change that stops showing it is committed."""
    uploads.delete_after_commit(path_of(stored_name))


def send_picture(image: BlogImage, public_cache: bool) -> Response:
    """Send a stored picture; only a published news photo may be kept by shared caches."""
    path = path_of(image.stored_name)
    if not path.is_file():
        raise NotFoundError("That picture is missing.")
    response = send_file(path, mimetype=image.content_type, max_age=3600 if public_cache else 0)
    if not public_cache:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def new_picture(
    upload: BinaryIO,
    *,
    uploaded_by_id: int,
    kind: ImageKind,
    description: str,
    post_id: int | None = None,
    news_item_id: int | None = None,
) -> BlogImage:
    """Clean and store an upload, and the row that says whose it is (a post's or a news item's)."""
    picture = clean_picture(upload)
    return BlogImage(
        post_id=post_id,
        news_item_id=news_item_id,
        uploaded_by_id=uploaded_by_id,
        kind=kind,
        stored_name=store(picture),
        content_type=picture.content_type,
        width=picture.width,
        height=picture.height,
        byte_size=len(picture.data),
        description=description,
    )
