"""Settings, read from environment variables so one build runs anywhere."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production
#: A session-signing key shorter than this can be guessed offline from one cookie.
MIN_SECRET_KEY_BYTES = 32


class UnsafeSettings(SystemExit):
    """Production was asked to start with a setting that would put children's data at risk.

    A SystemExit, so the server stops with the one-line reason rather than a traceback."""


def refuse_unsafe_production(config: dict) -> None:
    """Stop a production server before it serves anything with a guessable session key."""
    if config.get("ESAFETY_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET_KEY:
        raise UnsafeSettings(
            "ESAFETY_SECRET_KEY is the built-in development key: set a random one of at "
            f"least {MIN_SECRET_KEY_BYTES} bytes (python3 -c 'import secrets; "
            "print(secrets.token_hex(32))')."
        )
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        raise UnsafeSettings(
            f"ESAFETY_SECRET_KEY is {len(key.encode())} bytes: production needs at least "
            f"{MIN_SECRET_KEY_BYTES} random bytes."
        )


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """Build the settings dict; anything not set falls back to a safe development default."""
    instance = Path(os.environ.get("ESAFETY_INSTANCE_DIR", INSTANCE_DIR))
    development = os.environ.get("ESAFETY_ENV", "development") == "development"
    base_url = os.environ.get("ESAFETY_BASE_URL", "http://127.0.0.1:5000")
    return {
        "ESAFETY_ENV": "development" if development else "production",
        "SECRET_KEY": os.environ.get("ESAFETY_SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "ESAFETY_DATABASE_URL", f"sqlite:///{instance / 'esafety.sqlite3'}"
        ),
        #: The tables' owner, for migrations and retention; the app itself connects as a role
        #: that owns nothing (docs/deploy.md). Empty: the same as ESAFETY_DATABASE_URL.
        "MIGRATION_DATABASE_URI": os.environ.get("ESAFETY_MIGRATION_DATABASE_URL", ""),
        "INSTANCE_DIR": str(instance),
        #: Uploaded files (evidence, blog images, certificates). Never under static/.
        "UPLOAD_FOLDER": os.environ.get("ESAFETY_UPLOAD_FOLDER", str(instance / "uploads")),
        #: Where mail goes when no SMTP host is configured.
        "MAIL_OUTBOX": os.environ.get("ESAFETY_MAIL_OUTBOX", str(instance / "outbox")),
        "MAIL_SERVER": os.environ.get("ESAFETY_MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("ESAFETY_MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("ESAFETY_MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("ESAFETY_MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("ESAFETY_MAIL_USE_TLS", True),
        "MAIL_FROM": os.environ.get("ESAFETY_MAIL_FROM", "esafety@school.example"),
        #: Seconds the mail worker waits on each step of an SMTP conversation.
        "MAIL_TIMEOUT": float(os.environ.get("ESAFETY_MAIL_TIMEOUT", "10")),
        #: The first pause before trying a message again; it doubles after each failure...
        "MAIL_RETRY_SECONDS": int(os.environ.get("ESAFETY_MAIL_RETRY_SECONDS", "60")),
        #: ...up to this ceiling.
        "MAIL_RETRY_MAX_SECONDS": int(os.environ.get("ESAFETY_MAIL_RETRY_MAX_SECONDS", "3600")),
        #: Tries before a message is set aside for the office (12 spans about six hours).
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("ESAFETY_MAIL_MAX_ATTEMPTS", "12")),
        #: Seconds between the worker's looks at the outbox.
        "MAIL_POLL_SECONDS": float(os.environ.get("ESAFETY_MAIL_POLL_SECONDS", "1")),
        #: Shared store for lockouts and rate limits when several servers run.
        "REDIS_URL": os.environ.get("ESAFETY_REDIS_URL", ""),
        #: How long a leader's dashboard may be kept (a write that changes it ends it sooner).
        "PAGE_CACHE_SECONDS": int(os.environ.get("ESAFETY_PAGE_CACHE_SECONDS", "60")),
        #: How many proxies in front of the app set X-Forwarded-For/-Proto/-Host (nginx: 1).
        #: 0 trusts none: the client's address is the connection's.
        "PROXY_HOPS": int(os.environ.get("ESAFETY_PROXY_HOPS", "0")),
        "SCHOOL_NAME": os.environ.get("ESAFETY_SCHOOL_NAME", "Meadowbank Primary School"),
        #: Times are stored in UTC and shown to people in the school's own time zone.
        "SCHOOL_TIMEZONE": os.environ.get("ESAFETY_SCHOOL_TIMEZONE", "Europe/London"),
        #: Where the school is, for "Can I sign up?" (some countries set ages in law): ISO code.
        "SCHOOL_COUNTRY": os.environ.get("ESAFETY_SCHOOL_COUNTRY", "GB").upper(),
        #: Hours a concern about a child may wait unopened before the deputy DSLs are alerted.
        "SAFEGUARDING_UNREAD_HOURS": float(
            os.environ.get("ESAFETY_SAFEGUARDING_UNREAD_HOURS", "4")
        ),
        #: A pupil's post waiting longer than this is marked on the teacher's start page.
        "BLOG_WAIT_ALERT_HOURS": int(os.environ.get("ESAFETY_BLOG_WAIT_ALERT_HOURS", "24")),
        #: Reception to Year 2 draw their pictures on the page; "0" offers them no file upload.
        "BLOG_YOUNG_PUPILS_UPLOAD": os.environ.get("ESAFETY_BLOG_YOUNG_PUPILS_UPLOAD", "1")
        not in ("0", "false", "no"),
        #: Every link in mail, feeds and exports starts with this, never with the request's Host.
        "BASE_URL": base_url,
        #: In production only the school's own host name is answered (a forged Host gets 400).
        "TRUSTED_HOSTS": None if development else trusted_hosts(base_url),
        #: Minutes without a request before a session ends: shorter for pupils (shared
        #: classroom computers) and for those who read safeguarding records.
        "SESSION_IDLE_MINUTES": int(os.environ.get("ESAFETY_SESSION_IDLE_MINUTES", "60")),
        "SESSION_IDLE_MINUTES_PUPIL": int(
            os.environ.get("ESAFETY_SESSION_IDLE_MINUTES_PUPIL", "20")
        ),
        "SESSION_IDLE_MINUTES_SAFEGUARDING": int(
            os.environ.get("ESAFETY_SESSION_IDLE_MINUTES_SAFEGUARDING", "15")
        ),
        #: The forgot-password page answers no sooner than this, whether or not the address
        #: has an account, so its timing does not reveal which do.
        "PASSWORD_RESET_SECONDS": float(os.environ.get("ESAFETY_PASSWORD_RESET_SECONDS", "0.4")),
        #: However active, a session ends this many hours after signing in.
        "SESSION_LIFETIME_HOURS": int(os.environ.get("ESAFETY_SESSION_LIFETIME_HOURS", "12")),
        #: Staff accounts use a school address (comma-separated domains; empty: any address).
        "STAFF_EMAIL_DOMAINS": os.environ.get("ESAFETY_STAFF_EMAIL_DOMAINS", ""),
        "SESSION_COOKIE_SECURE": not development,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    }


def trusted_hosts(base_url: str) -> list[str]:
    """BASE_URL's host, plus any others named in ESAFETY_TRUSTED_HOSTS (comma-separated)."""
    hosts = [urlsplit(base_url).hostname or ""]
    extra = os.environ.get("ESAFETY_TRUSTED_HOSTS", "")
    hosts += [h.strip() for h in extra.split(",") if h.strip()]
    return [h for h in hosts if h]
