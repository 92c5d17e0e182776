"""The app as a production server loads it (gunicorn `esafety.wsgi:app`).

Each worker builds the app, reads what the first requests would otherwise read (the English
word list of the writing checks), collects what building left behind and hands the freed
memory back to the system, then freezes everything made so far (routes, templates'
environment, SQLAlchemy's mappings, the lesson catalogue): the collector no longer walks those
~190,000 objects in its full collections, which otherwise cost over 100 ms of CPU every few
dozen requests. Tests build their app with `create_app` and never come here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

from . import create_app
from .writing.checks import english_words


def _return_free_memory() -> None:
    """glibc keeps memory freed during start-up for reuse; give it back (Linux only)."""
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to give back this way
        pass


app = create_app()
english_words()
gc.collect()
_return_free_memory()
gc.freeze()
