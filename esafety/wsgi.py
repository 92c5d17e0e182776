"""The app as a production server loads it (gunicorn `esafety.wsgi:app`).

Each worker builds the app and then freezes everything made so far (routes, templates'
environment, SQLAlchemy's mappings, the lesson catalogue): the collector no longer walks those
~190,000 objects in its full collections, which otherwise cost over 100 ms of CPU every few
dozen requests. Tests build their app with `create_app` and never come here.
"""

from __future__ import annotations

import gc

from . import create_app

app = create_app()
gc.freeze()
