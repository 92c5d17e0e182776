"""Downloads named after people and classes: a Content-Disposition any name survives."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def attachment(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the real name in UTF-8 (RFC 6266), so a
    name outside Latin-1 (Łucja, Nguyễn, 王) downloads instead of failing."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-.") or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
