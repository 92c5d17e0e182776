"""The sandbox feature's pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sandbox", __name__, template_folder="templates", url_prefix="/sandbox")
