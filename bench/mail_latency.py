"""Mail delivery latency with the worker: from a message's commit to its arrival at an SMTP
server on loopback, with `flask --app esafety mail work` running as its own process.

    PYTHONPATH=$PWD python bench/mail_latency.py [--messages 40] [--database URL]

Without --database a fresh SQLite file is used; a PostgreSQL URL must name an empty database.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

PROJECT = Path(__file__).resolve().parent.parent


class Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.startswith("Subject: bench "):
                self.at[line.split()[-1]] = time.perf_counter()
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between messages")
    parser.add_argument("--database", default="")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="esafety-mail-bench-"))
    url = args.database or f"sqlite:///{scratch / 'bench.sqlite3'}"
    arrivals = Arrivals()
    port = _free_port()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {
        **os.environ,
        "ESAFETY_DATABASE_URL": url,
        "ESAFETY_INSTANCE_DIR": str(scratch),
        "ESAFETY_MAIL_SERVER": "127.0.0.1",
        "ESAFETY_MAIL_PORT": str(port),
        "ESAFETY_MAIL_USE_TLS": "0",
        "PYTHONPATH": str(PROJECT),
    }
    os.environ.update(env)
    from esafety import create_app, mail
    from esafety.extensions import db

    app = create_app()
    with app.app_context():
        db.create_all()
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "flask", "--app", "esafety", "mail", "work"],
        env=env,
        cwd=PROJECT,
        stderr=(scratch / "worker.log").open("w"),
    )
    committed: dict[str, float] = {}
    try:
        log = scratch / "worker.log"
        while "worker started" not in log.read_text():  # measure delivery, not start-up
            time.sleep(0.1)
        with app.app_context():
            for n in range(args.messages):
                mail.queue("parent@school.example", f"bench {n}", "Hello")
                db.session.commit()
                committed[str(n)] = time.perf_counter()
                time.sleep(args.gap)
        deadline = time.perf_counter() + 30
        while len(arrivals.at) < args.messages and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(10)
        smtp.stop()
    latencies = sorted(
        (arrivals.at[k] - committed[k]) * 1000 for k in committed if k in arrivals.at
    )
    poll = app.config["MAIL_POLL_SECONDS"]
    print(f"database: {url.split(':')[0]}; worker poll: {poll}s; messages: {args.messages}")
    print(f"arrived: {len(latencies)} of {args.messages}; worker log: {scratch / 'worker.log'}")
    if latencies:
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        print(
            f"latency ms: min {latencies[0]:.0f}, median {statistics.median(latencies):.0f}, "
            f"p95 {p95:.0f}, max {latencies[-1]:.0f}"
        )


if __name__ == "__main__":
    main()
