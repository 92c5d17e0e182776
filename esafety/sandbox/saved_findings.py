"""The checks' findings stored with a post or comment when it is saved, so the teacher's queue
reads them instead of running every check on every waiting item at every view.

Stored findings are used only while they were made with the same rules (checks.RULES_VERSION),
the same class lists (pupils' and staff names, the words the teacher allowed), the same school
name, and the same words; otherwise the queue works them out again, as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from flask import current_app, has_app_context

from ..writing.checks import RULES_VERSION, Finding


def checks_key(names: Iterable[tuple[str, str]], allowed: Iterable[str]) -> str:
    """Which rules and class lists a set of findings was made with."""
    school_name = current_app.config.get("SCHOOL_NAME") if has_app_context() else None
    data = [RULES_VERSION, school_name or "", sorted(map(list, names)), sorted(allowed)]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]


def _digest(texts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:16]


def texts_of(item) -> dict[str, str]:
    """The fields the checks read: a post's title and body, a comment's body."""
    if item.kind == "post":
        return {"title": item.title, "body": item.source}
    return {"body": item.source}


def store(item, found: dict[str, list[Finding]], key: str) -> None:
    """Keep what the checks found in the item's fields as they are now."""
    item.findings = json.dumps(
        {
            "text": _digest(texts_of(item)),
            "found": {
                field: [[f.kind, f.start, f.end, f.message, f.blocking, f.suggestion] for f in fs]
                for field, fs in found.items()
            },
        },
        ensure_ascii=False,
    )
    item.findings_key = key


def stored(item, key: str) -> dict[str, list[Finding]] | None:
    """The findings saved with the item, or None when they are missing or out of date."""
    if item.findings_key != key or not item.findings:
        return None
    try:
        data = json.loads(item.findings)
        if data["text"] != _digest(texts_of(item)):
            return None
        return {field: [Finding(*row) for row in rows] for field, rows in data["found"].items()}
    except (ValueError, KeyError, TypeError):
        return None
