"""Jobs that cannot run twice at once: a second run stops, says so, and does nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from esafety import jobs
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.mail.models import OutgoingMail
from tests import factories

PROJECT = Path(__file__).resolve().parents[2]

COMMANDS = [
    ("induction-reminders", ["induction", "send-reminders"]),
    ("meetings-reminders", ["meetings", "send-reminders"]),
    ("retention", ["retention", "run"]),
    ("rollover", ["school", "rollover"]),
    ("mail", ["mail", "deliver"]),
]


def _mail_count() -> int:
    return db.session.scalar(select(func.count(OutgoingMail.id)))


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_second_run_stops_and_says_so(app, name, command):
    runner = app.test_cli_runner()
    with jobs.exclusive(name):
        result = runner.invoke(args=command)
    assert result.exit_code == 3, result.output
    assert f"Another run of '{name}' is still going" in result.output
    # The lock is let go when the first run ends: the next run goes ahead.
    again = runner.invoke(args=command)
    assert again.exit_code != 3, again.output


def test_a_backup_running_stops_a_second_backup(app, tmp_path):
    runner = app.test_cli_runner()
    with jobs.exclusive("backup"):
        result = runner.invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 3
    assert "Another run of 'backup' is still going" in result.output
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


def test_reminders_held_by_another_process_send_nothing_twice(app, db):
    """Another process (as cron's second copy would be) holds the lock: this run sends nothing."""
    from datetime import timedelta

    from esafety.clock import today

    factories.make_user(Role.HEADTEACHER, email="head@school.example")
    db.session.commit()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from esafety import create_app\n"
            "from esafety.jobs import exclusive\n"
            "url, folder = sys.argv[1:3]\n"
            "app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'INSTANCE_DIR': folder})\n"
            "with app.app_context(), exclusive('induction-reminders'):\n"
            "    print('holding', flush=True)\n"
            "    time.sleep(30)\n",
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["INSTANCE_DIR"],
        ],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        before = _mail_count()
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(
            args=["induction", "send-reminders", "--date", str(today() + timedelta(days=400))]
        )
        assert time.perf_counter() - started < 5  # it does not wait for the other run
        assert result.exit_code == 3
        assert _mail_count() == before
    finally:
        holder.terminate()
        holder.wait(10)
        holder.stdout.close()
