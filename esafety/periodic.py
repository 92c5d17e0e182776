"""Quick jobs the mail worker also runs between its rounds, so they happen without cron.

A feature offers one in the manifest (`Feature.periodic`); each is also a command cron can
run, and takes the same lock (esafety.jobs), so a cron run and the worker never overlap. Each
must be safe to run often: it does only what is due and not done before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from . import features
from .clock import utcnow
from .extensions import db
from .jobs import AlreadyRunning, exclusive

log = logging.getLogger("esafety.periodic")

#: How often the worker runs them.
EVERY = timedelta(minutes=5)


class Periodic:
    """Called after every round of the worker; runs the jobs when EVERY has passed."""

    def __init__(
        self, jobs: list[tuple[str, Callable[[], Any]]] | None = None, every: timedelta = EVERY
    ) -> None:
        self.jobs = features.periodic_jobs() if jobs is None else jobs
        self.every = every
        self.next_at: datetime | None = None

    def __call__(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        if self.next_at is not None and now < self.next_at:
            return
        self.next_at = now + self.every
        for name, job in self.jobs:
            try:
                with exclusive(name):
                    job()
                    db.session.commit()
            except AlreadyRunning:
                db.session.rollback()
            except Exception:  # noqa: BLE001 - one failing job must not stop mail or the others
                db.session.rollback()
                log.exception("periodic: %s failed; it runs again next time", name)
            finally:
                db.session.remove()
