"""A class device: a shared tablet that remembers its class, so each sign-out shows the
class's name tiles and the next child does not retype the code or meet the adult form.

Only the class code is kept, in a cookie on that device: the code is printed on the class's
cards and opens nothing but the name tiles, so it is no secret.
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

COOKIE = "esafety_class_device"
#: A year: the tablet stays with its class until a teacher turns the mode off (or the year ends,
#: when the class gets a new code and the old one stops opening anything).
MAX_AGE = 365 * 24 * 3600


def remembered_code() -> str | None:
    code = request.cookies.get(COOKIE, "")
    return code if code.isalnum() and len(code) <= 12 else None


def remember(response: Response, code: str) -> None:
    response.set_cookie(
        COOKIE,
        code,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
