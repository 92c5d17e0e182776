"""Pictures people upload: recognised by their bytes, refused when too big, saved from pixels alone.

Used by the class blog, safeguarding evidence and training certificates, so every picture the
school keeps or shows has lost its EXIF and GPS data (where a photo was taken) the same way.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError

#: Largest picture accepted, in pixels (a 40-megapixel camera photo is fine; a bomb is not).
MAX_PIXELS = 40_000_000
#: The formats we accept, by their first bytes (never by file name).
SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}


class PictureRefused(DomainError):
    """The upload is not a picture we can keep safely; the message says what to do."""

    def __init__(self, message: str, field: str = "image") -> None:
        super().__init__(message, field=field)


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


def picture_format(data: bytes) -> str | None:
    """JPEG or PNG by the file's first bytes, or None."""
    for signature, name in SIGNATURES.items():
        if data.startswith(signature):
            return name
    return None


def clean_picture(
    data: bytes, *, max_side: int | None = None, field: str = "image"
) -> CleanPicture:
    """Open a JPEG or PNG safely and return it re-encoded from its pixels, or refuse it kindly."""
    expected = picture_format(data[:8])
    if expected is None:
        raise PictureRefused(
            "Please choose a photo or drawing saved as a JPEG or PNG picture.", field
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise PictureRefused(
                        f"That picture is far too large to open safely ({width} × {height} "
                        "pixels). Please choose a smaller picture.",
                        field,
                    )
                opened.load()
                picture = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PictureRefused(
            "That picture is far too large to open safely. Please choose a smaller picture.", field
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PictureRefused(
            "We could not open that picture: it may be damaged. Please try another one.", field
        ) from error
    return _reencode(picture, expected, max_side)


def _reencode(picture: Image.Image, fmt: str, max_side: int | None) -> CleanPicture:
    """Save the pixels again, with no metadata: EXIF, GPS, comments and profiles are dropped."""
    if max_side:
        picture.thumbnail((max_side, max_side))
    if fmt == "JPEG":
        pixels = picture.convert("RGB")
    else:
        see_through = "A" in picture.getbands() or "transparency" in picture.info
        pixels = picture.convert("RGBA" if see_through else "RGB")
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=88, optimize=True)
    else:
        clean.save(out, format="PNG", optimize=True)
    return CleanPicture(out.getvalue(), fmt, clean.width, clean.height)
