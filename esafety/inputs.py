"""What the app takes from outside, made safe in one place: numbers in URLs and queries, and
text in forms. Bad input is a 404 or a message beside the field, never a server error.

- Ids in paths: the app-wide `int` converter accepts ASCII digits only, up to the largest
  value an id column holds on PostgreSQL (a 32-bit integer), so `/pupils/99999999999` and
  `/pupils/²` are "not found" rather than a database error or a surprise. Names in paths
  (the default converter) are at most 200 characters and never hold a NUL byte.
- Numbers in queries (`?page=`, `?class_id=`) and in form values read by hand: `whole_number`;
  words in queries (`?q=`): `query_text`.
- Text in forms: every form is a `SchoolForm`, which takes out NUL bytes (PostgreSQL cannot
  store them) as each field is read, and says so beside the field when the form is checked.
"""

from __future__ import annotations

import re
from typing import Any, overload

from flask import request
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter, UnicodeConverter
from wtforms.meta import DefaultMeta

#: The largest value an INTEGER column holds on PostgreSQL (ids are INTEGER there).
MAX_ID = 2**31 - 1

_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")

NUL_MESSAGE = (
    "This had a hidden character in it that we cannot save, so we took it out. "
    "Please check it and send it again."
)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only (not ² or ٣), at most MAX_ID."""

    regex = r"[0-9]+"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class NameConverter(UnicodeConverter):
    """`<name>` in every route: one path segment of 1 to 200 characters, without NUL."""

    def __init__(self, map: Any, minlength: int = 1, maxlength: int = 200, **kwargs: Any) -> None:
        super().__init__(map, minlength, maxlength, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]", 1)


def register_converters(app) -> None:
    """Call before any route is added: rules bind their converters when they are made."""
    app.url_map.converters.update(int=IdConverter, default=NameConverter, string=NameConverter)


def whole_number(value: object, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The value as an int when it is plain ASCII digits within range; otherwise None.

    Unlike `str.isdigit()` then `int()`, superscripts and other digit-like characters are
    refused rather than crashing, and nothing too big for the database gets through."""
    text = str(value).strip() if value is not None else ""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


@overload
def query_number(name: str, default: int, minimum: int = 1) -> int: ...
@overload
def query_number(name: str, default: None = None, minimum: int = 1) -> int | None: ...
def query_number(name: str, default: int | None = None, minimum: int = 1) -> int | None:
    """A whole number from the query string (`?page=2`); anything else gives the default."""
    number = whole_number(request.args.get(name), minimum=minimum)
    return default if number is None else number


def query_text(name: str, default: str = "", limit: int = 200) -> str:
    """Words from the query string (`?q=...`), without NUL bytes and at most `limit` long."""
    return without_nul(request.args.get(name, default))[:limit]


def without_nul(value: Any) -> Any:
    """Take NUL bytes out of text (and lists of text); other values pass through."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def _had_nul(raw: list[Any] | None) -> bool:
    return any(isinstance(item, str) and "\x00" in item for item in raw or ())


class _SchoolMeta(DefaultMeta):
    def bind_field(self, form, unbound_field, options):
        """Every field of every form strips NUL bytes first, before its own filters."""
        filters = [without_nul, *unbound_field.kwargs.get("filters", ())]
        return unbound_field.bind(form=form, **{**options, "filters": filters})


class SchoolForm(FlaskForm):
    """The base of every form in the app (see the module's docstring)."""

    class Meta(FlaskForm.Meta, _SchoolMeta):
        pass

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if _had_nul(field.raw_data):
                field.errors = [*field.errors, NUL_MESSAGE]
                valid = False
        return valid
