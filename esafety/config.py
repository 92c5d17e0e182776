"""Settings, read from environment variables so one build runs anywhere."""

from __future__ import annotations

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """Build the settings dict; anything not set falls back to a safe development default."""
    instance = Path(os.environ.get("ESAFETY_INSTANCE_DIR", INSTANCE_DIR))
    development = os.environ.get("ESAFETY_ENV", "development") == "development"
    return {
        "ESAFETY_ENV": "development" if development else "production",
        "SECRET_KEY": os.environ.get("ESAFETY_SECRET_KEY", "dev-only-not-secret"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "ESAFETY_DATABASE_URL", f"sqlite:///{instance / 'esafety.sqlite3'}"
        ),
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
        #: Shared store for lockouts and rate limits when several servers run.
        "REDIS_URL": os.environ.get("ESAFETY_REDIS_URL", ""),
        "SCHOOL_NAME": os.environ.get("ESAFETY_SCHOOL_NAME", "Meadowbank Primary School"),
        #: Times are stored in UTC and shown to people in the school's own time zone.
        "SCHOOL_TIMEZONE": os.environ.get("ESAFETY_SCHOOL_TIMEZONE", "Europe/London"),
        "BASE_URL": os.environ.get("ESAFETY_BASE_URL", "http://127.0.0.1:5000"),
        #: Staff accounts use a school address (comma-separated domains; empty: any address).
        "STAFF_EMAIL_DOMAINS": os.environ.get("ESAFETY_STAFF_EMAIL_DOMAINS", ""),
        "SESSION_COOKIE_SECURE": not development,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
