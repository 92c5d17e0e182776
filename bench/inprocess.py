"""CPU per request, in-process: every page of the mix beside the floors, in one run.

For each page the run's own requests (bench/results/requests/) are replayed through the app's
test client on the bench database, one at a time, and for each request it records:
  - the Python process's CPU (time.process_time: the app, SQLAlchemy, psycopg and Jinja);
  - the SQL statements sent and the time spent in them (cursor execute, wall clock);
  - PostgreSQL's own CPU: the backend process serving the one pooled connection, read from
    /proc/<pid>/stat (clock ticks, so summed over the page's requests and divided).
Beside them, in the same run: the bare-Flask floor (floor.py's app, in-process), the signed-in
floor (a route that loads the signed-in user and returns "ok") and the layout floor (the same
user, with the base layout rendered around an empty page).

The machine's speed swings by about 1.6x from moment to moment on a shared 2-core box, so a
fixed CPU loop is timed before each page, and every figure is also given in "loop units"
(page CPU / loop CPU) that stay comparable across runs.

    python bench/inprocess.py --count 200 --out bench/results/inprocess.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from client import request_line
from pages import PAGES, request_file
from prepare import OUT, REQUESTS, _accounts, _app, approvals

#: Iterations of the reference loop: about 5 ms of CPU on this machine.
LOOP = 60_000


def reference_loop_ms() -> float:
    """CPU ms of a fixed, allocation-light loop: the yardstick for this moment's machine speed."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        total = 0
        for n in range(LOOP):
            total += n * n % 7
        best = min(best, (time.process_time() - started) * 1000)
    return best


def _backend_ticks(pid: int) -> int:
    """utime + stime of a PostgreSQL backend, in clock ticks (needs the server on this host)."""
    if not pid:  # SQLite: the database works inside this process, in its CPU already
        return 0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _floor_apps(app):
    """The bare-Flask floor, and two signed-in floors added to the app under test."""
    from flask import Blueprint, render_template

    from esafety.auth.access import signed_in

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from floor import app as bare

    floors = Blueprint("bench_floors", __name__)

    @floors.get("/bench/signed-in")
    @signed_in
    def signed_in_floor() -> str:
        return "ok"

    #: Compiled once, as the app's own templates are: the floor is the layout, not Jinja's compiler.
    page = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'
    )

    @floors.get("/bench/layout")
    @signed_in
    def layout_floor() -> str:
        return render_template(page)

    app.register_blueprint(floors)
    return bare


def measure(count: int) -> dict:
    from flask import g
    from sqlalchemy import event, text

    from esafety.extensions import db

    state = json.loads((OUT / "sessions.json").read_text())
    accounts = _accounts()
    app = _app()
    bare = _floor_apps(app)
    client = app.test_client(use_cookies=False)
    bare_client = bare.test_client()
    sql = {"count": 0, "seconds": 0.0}
    started_at: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        started_at.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        sql["count"] += 1
        sql["seconds"] += time.perf_counter() - started_at.pop()

    def run(line: str) -> tuple[int, float]:
        method, path, cookie, body = (line.split("\t") + ["", "", "", ""])[:4]
        headers = {"User-Agent": "esafety-bench/1"}
        if cookie:
            headers["Cookie"] = cookie
        g.pop("_login_user", None)  # a real server starts every request without a user
        started = time.process_time()
        response = client.open(
            path,
            method=method,
            data=body or None,
            headers=headers,
            content_type="application/x-www-form-urlencoded" if method == "POST" else None,
        )
        response.get_data()
        cpu = time.process_time() - started
        response.close()
        if response.status_code in (302, 303) and "/login" in (response.location or ""):
            # A session that ended (idle too long since `prepare.py sessions`) measures the
            # sign-in redirect, not the page: counted as an error, not as a fast page.
            return 401, cpu * 1000
        return response.status_code, cpu * 1000

    def lines_for(name: str) -> list[str]:
        if name == "booking":
            evening = accounts["evenings"]["count"]
            return [
                request_line(
                    "POST",
                    f"/meetings/{evening}/book",
                    p["cookie"],
                    {"places": 1, "notes": "", "csrf_token": p["csrf"]},
                )
                for p in state["parents"][2:]
            ]
        if name == "approve":
            approvals("approve-inprocess.tsv")
            return (REQUESTS / "approve-inprocess.tsv").read_text().splitlines()
        return (REQUESTS / request_file(name, "sync")).read_text().splitlines()

    leader_cookie = state["leaders"][0]["cookie"]
    floors = {
        "signed_in": [request_line("GET", "/bench/signed-in", leader_cookie)],
        "layout": [request_line("GET", "/bench/layout", leader_cookie)],
    }
    results: dict[str, dict] = {}
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        backend = db.session.scalar(text("SELECT pg_backend_pid()")) if postgres else 0
        db.session.commit()
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)

        def page(name: str, lines: list[str]) -> None:
            lines = [line for line in lines if line]
            for line in lines[:3]:
                run(line)  # warm: the catalogue, compiled templates
            loop_ms = reference_loop_ms()
            cpu, statuses = [], []
            sql["count"], sql["seconds"] = 0, 0.0
            ticks = _backend_ticks(backend)
            done = 0
            for k in range(count):
                if name in ("booking", "approve") and k >= len(lines):
                    break
                status, ms = run(lines[k % len(lines)])
                statuses.append(status)
                cpu.append(ms)
                done += 1
            pg_ms = (_backend_ticks(backend) - ticks) * 1000 / os.sysconf("SC_CLK_TCK")
            median = statistics.median(cpu)
            results[name] = {
                "requests": done,
                "cpu_ms_median": round(median, 2),
                "cpu_ms_p90": round(statistics.quantiles(cpu, n=10)[-1], 2) if done > 9 else None,
                "loop_ms": round(loop_ms, 2),
                "loop_units": round(median / loop_ms, 3),
                "sql_per_request": round(sql["count"] / done, 1),
                "sql_ms_per_request": round(sql["seconds"] * 1000 / done, 2),
                "pg_cpu_ms_per_request": round(pg_ms / done, 2),
                "errors": sum(1 for s in statuses if s >= 400),
            }
            print(f"{name:<14} {results[name]}", flush=True)

        # The bare floor has no database and no session: measured with its own client.
        loop_ms = reference_loop_ms()
        cpu = []
        for _ in range(count):
            started = time.process_time()
            bare_client.get("/").close()
            cpu.append((time.process_time() - started) * 1000)
        results["bare_flask"] = {
            "requests": count,
            "cpu_ms_median": round(statistics.median(cpu), 3),
            "loop_ms": round(loop_ms, 2),
            "loop_units": round(statistics.median(cpu) / loop_ms, 3),
            "sql_per_request": 0,
        }
        print(f"{'bare_flask':<14} {results['bare_flask']}", flush=True)
        for name, lines in floors.items():
            page(name, lines)
        for item in PAGES:
            page(item.name, lines_for(item.name))
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="requests per page")
    parser.add_argument("--out", type=Path, default=OUT / "inprocess.json")
    args = parser.parse_args()
    results = measure(args.count)
    args.out.write_text(json.dumps(results, indent=1))
    failed = [name for name, r in results.items() if r.get("errors")]
    if failed:
        print(f"requests failed on: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
