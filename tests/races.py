"""Run a few actions at the same moment, each on its own database connection.

As tests/meetings/test_concurrency.py does for bookings: a second app on the same database
with a connection for every thread, and a barrier each action waits at once it has read what
its page would have shown, so every action reads before any of them writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text

from esafety import create_app
from esafety.extensions import db

#: An action takes the barrier and waits at it after reading, before deciding.
Action = Callable[[threading.Barrier], object]


def at_once(app, *actions: Action) -> list[object]:
    """Run the actions together; each commits on its own. Returns each one's result or error."""
    config = app.config.copy()
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": len(actions) + 1,
        "max_overflow": 0,
        "pool_timeout": 30,
    }
    other = create_app(config)
    barrier = threading.Barrier(len(actions), timeout=30)
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Action) -> None:
        with other.app_context():
            try:
                db.session.execute(text("SELECT 1"))  # this thread's own connection, opened now
                outcomes[index] = action(barrier)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - returned to the test to assert on
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with other.app_context():
        db.engine.dispose()
    return outcomes
