"""CSV downloads that are safe to open in a spreadsheet (no CSV formula injection)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable

#: A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, with a leading quote where a spreadsheet would run it as a formula.
    The first character is compared in its compatibility form, so the full-width ＝ ＋ － ＠
    that some spreadsheets also accept are caught too."""
    text = "" if value is None else str(value)
    first = unicodedata.normalize("NFKC", text[:1])
    return "'" + text if first.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV file, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
