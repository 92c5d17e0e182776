"""The safeguarding feature's pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("safeguarding", __name__, template_folder="templates", url_prefix="/safeguarding")
