"""Get the benchmark ready against a running server, and check what it did afterwards.

sessions   sign in real sessions through the real forms (pupils: class code, name tile, three
           pictures; staff and parents: email and password) and write one request file per
           page to bench/results/requests/ (METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY lines)
queries    count the SQL statements one request of each page sends, in-process with the
           app's test client on the same database (the run's sessions' cookies)
approvals  write the approve requests for the posts now waiting in the run's classes
tidy       the teachers approve whatever the run left waiting (the next run starts alike)
surge-check  count the surge evening's bookings: exactly its 60 places confirmed
memory     peak and current memory (VmHWM, VmRSS) of each worker of a gunicorn master
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from client import Refused, Session, csrf_token, request_line
from pages import PAGES, request_file

OUT = Path(__file__).resolve().parent / "results"
REQUESTS = OUT / "requests"

POST_BODIES = [
    (
        "Our lesson today",
        "Today we learnt how to keep our passwords secret. We made a poster with tips.",
    ),
    ("Being kind online", "We talked about being kind online. Think before you post anything."),
    ("Our science", "We grew beans in pots and measured them every day with a ruler."),
    ("Reading corner", "My favourite book this week is about a brave mouse who sails away."),
]


def _accounts() -> dict:
    return json.loads((OUT / "accounts.json").read_text())


def _app():
    """The app on the bench database, with the run's secret key (the sessions' cookies need it)."""
    os.environ.setdefault(
        "ESAFETY_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/esafety_bench"
    )
    os.environ.setdefault("ESAFETY_INSTANCE_DIR", str(OUT / "instance"))
    os.environ.setdefault("ESAFETY_ENV", "production")
    # The in-process runs use Flask's test client, whose requests name the host "localhost".
    os.environ.setdefault("ESAFETY_TRUSTED_HOSTS", "localhost")
    key_file = OUT / "secret_key"
    if "ESAFETY_SECRET_KEY" not in os.environ and key_file.is_file():
        os.environ["ESAFETY_SECRET_KEY"] = key_file.read_text().strip()
    from esafety import create_app

    app = create_app()
    app.logger.setLevel(logging.WARNING)
    return app


# --- Signing in ---------------------------------------------------------------------------------


def sign_in_adult(host: str, port: int, email: str, password: str) -> dict:
    session = Session(host, port)
    token = csrf_token(session.get("/login").body)
    response = session.post("/login", {"email": email, "password": password, "csrf_token": token})
    if response.location.endswith("/login/enrol"):
        # Leaders must set up a second sign-in step: do it as they would, with the typed key.
        import re

        import pyotp

        page = session.get("/login/enrol").body
        secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
        session.post(
            "/login/enrol",
            {"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(page)},
            expect=200,
        )
    return {"email": email, "cookie": session.cookie_header, "csrf": token}


def sign_in_pupil(host: str, port: int, school_class: dict, pupil: dict) -> dict:
    """The whole picture login, as a child does it; keeps the cookie from before the last tap."""
    session = Session(host, port)
    token = csrf_token(session.get("/pupils").body)
    code = school_class["code"]
    session.post("/pupils", {"code": code.lower(), "csrf_token": token})
    session.get(f"/pupils/{code}")
    path = f"/pupils/{code}/{pupil['id']}"
    token = csrf_token(session.get(path).body)
    first, second, third = pupil["pictures"]
    session.post(path, {"picture": first, "csrf_token": token}, expect=200)
    session.post(path, {"picture": second, "csrf_token": token}, expect=200)
    before_last = session.cookie_header
    response = session.post(path, {"picture": third, "csrf_token": token})
    if f"/school/classes/{school_class['id']}" not in response.location:
        raise Refused(f"pupil {pupil['id']} was not taken to their class page")
    return {
        "pupil_id": pupil["id"],
        "class_id": school_class["id"],
        "cookie": session.cookie_header,
        "csrf": token,
        "login_path": path,
        "login_cookie": before_last,
        "last_picture": third,
    }


def sessions(host: str, port: int) -> dict:
    accounts = _accounts()
    password = accounts["password"]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=6) as pool:
        pupils = list(
            pool.map(
                lambda item: sign_in_pupil(host, port, *item),
                [(c, p) for c in accounts["lesson_classes"] for p in c["pupils"]],
            )
        )
        teacher_emails = sorted({t["email"] for t in accounts["teachers"]})
        adults = list(
            pool.map(
                lambda email: sign_in_adult(host, port, email, password),
                teacher_emails + accounts["leaders"] + accounts["governors"] + accounts["parents"],
            )
        )
    by_email = {a["email"]: a for a in adults}
    result = {
        "pupils": pupils,
        "teachers": [
            {**by_email[t["email"]], "class_id": t["class_id"]} for t in accounts["teachers"]
        ],
        "leaders": [by_email[e] for e in accounts["leaders"] + accounts["governors"]],
        "parents": [by_email[e] for e in accounts["parents"]],
    }
    (OUT / "sessions.json").write_text(json.dumps(result, indent=1))
    print(
        f"signed in {len(pupils)} pupils and {len(adults)} adults "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return result


# --- Request files ------------------------------------------------------------------------------


def _write(name: str, lines: list[str]) -> None:
    REQUESTS.mkdir(parents=True, exist_ok=True)
    if not lines:
        raise SystemExit(f"no requests for {name}")
    (REQUESTS / name).write_text("\n".join(lines) + "\n")


def write_requests(state: dict) -> None:
    """One file per page; the pupils' lessons and answers are chosen from the database."""
    from sqlalchemy import select

    from esafety.extensions import db
    from esafety.lessons.catalogue import get_catalogue
    from esafety.lessons.models import QuizAnswer
    from esafety.school.models import Pupil, SchoolClass

    accounts = _accounts()
    evenings = accounts["evenings"]
    lesson_class_ids = {c["id"] for c in accounts["lesson_classes"]}
    app = _app()
    with app.app_context():
        year_of = dict(
            db.session.execute(
                select(Pupil.id, SchoolClass.year_group).join(
                    SchoolClass, SchoolClass.id == Pupil.class_id
                )
            ).all()
        )
        answered_right = {
            tuple(row)
            for row in db.session.execute(
                select(QuizAnswer.pupil_id, QuizAnswer.lesson_id).where(
                    QuizAnswer.question == 0, QuizAnswer.correct
                )
            )
        }
    catalogue = get_catalogue()
    pupils = state["pupils"]

    login, blog, lesson, quiz, post = [], [], [], [], []
    for n, pupil in enumerate(pupils):
        login.append(
            request_line(
                "POST",
                pupil["login_path"],
                pupil["login_cookie"],
                {"picture": pupil["last_picture"], "csrf_token": pupil["csrf"]},
            )
        )
        cookie, token = pupil["cookie"], pupil["csrf"]
        blog.append(request_line("GET", f"/sandbox/classes/{pupil['class_id']}", cookie))
        title, body = POST_BODIES[n % len(POST_BODIES)]
        post.append(
            request_line(
                "POST",
                f"/sandbox/classes/{pupil['class_id']}/write",
                cookie,
                {"title": title, "body": body, "send": "Send to my teacher", "csrf_token": token},
            )
        )
    # Round by round, so consecutive requests come from different pupils.
    own_lessons = {p["pupil_id"]: catalogue.for_year(year_of[p["pupil_id"]]) for p in pupils}
    for k in range(max(map(len, own_lessons.values()))):
        for pupil in pupils:
            lessons = own_lessons[pupil["pupil_id"]]
            if k >= len(lessons):
                continue
            item = lessons[k]
            lesson.append(request_line("GET", f"/lessons/{item.id}/read/learn", pupil["cookie"]))
            if (pupil["pupil_id"], item.id) not in answered_right:
                question = item.quiz[0]
                wrong = next(i for i, a in enumerate(question.answers) if not a.correct)
                quiz.append(
                    request_line(
                        "POST",
                        f"/lessons/{item.id}/quiz/1",
                        pupil["cookie"],
                        {"answer": wrong, "csrf_token": pupil["csrf"]},
                    )
                )
    _write("login.tsv", login)
    _write("blog.tsv", blog)
    _write("lesson.tsv", lesson)
    _write("quiz.tsv", quiz)
    _write("post.tsv", post)

    teachers = state["teachers"]
    _write(
        "moderation.tsv",
        [
            request_line("GET", f"/sandbox/classes/{t['class_id']}/moderation", t["cookie"])
            for t in teachers
            if t["class_id"] not in lesson_class_ids
        ],
    )
    _write(
        "progress.tsv",
        [
            request_line("GET", f"/lessons/classes/{t['class_id']}/progress", t["cookie"])
            for t in teachers
        ],
    )
    leaders = state["leaders"]
    for name, path in (
        ("coverage", "/lessons/coverage"),
        ("induction", "/induction/dashboard"),
        ("summary", "/meetings/summary"),
    ):
        _write(f"{name}.tsv", [request_line("GET", path, a["cookie"]) for a in leaders])

    parents = state["parents"]
    _write(
        "booking_page.tsv",
        [request_line("GET", f"/meetings/{evenings['browse']}/book", p["cookie"]) for p in parents],
    )

    def bookings(evening_ids: list[int]) -> list[str]:
        return [
            request_line(
                "POST",
                f"/meetings/{evening}/book",
                p["cookie"],
                {"places": 1, "notes": "", "csrf_token": p["csrf"]},
            )
            for evening in evening_ids
            for p in parents
        ]

    for config in ("sync", "gthread"):
        _write(request_file("booking", config), bookings(evenings[config]["saturation"]))
        _write(request_file("booking", config, paced=True), bookings([evenings[config]["paced"]]))
        _write(
            request_file("booking", config, paced=True, scale=4),
            bookings([evenings[config]["paced4"]]),
        )
        _write(f"booking-{config}-warmup.tsv", bookings([evenings[config]["warmup"]]))
    _write("surge.tsv", bookings([evenings["surge"]]))
    _write("floor.tsv", [request_line("GET", "/")])
    print(f"request files in {REQUESTS}", flush=True)


# --- Approvals and tidying ----------------------------------------------------------------------


def _waiting_posts(class_ids: set[int]) -> list[tuple[int, int, int]]:
    """The run's classes' waiting posts, oldest first: id, class and the revision a page shows."""
    from sqlalchemy import select

    from esafety.extensions import db
    from esafety.sandbox.models import BlogPost, ItemState

    return list(
        db.session.execute(
            select(BlogPost.id, BlogPost.class_id, BlogPost.revision)
            .where(BlogPost.class_id.in_(class_ids), BlogPost.state == ItemState.PENDING)
            .order_by(BlogPost.submitted_at, BlogPost.id)
        ).all()
    )


def approvals(target: str, keep: int = 0) -> int:
    """Approve requests for the posts waiting in the run's classes, by that class's teacher;
    `keep` leaves the newest few waiting (for the paced run after the saturation one)."""
    state = json.loads((OUT / "sessions.json").read_text())
    teachers = {t["class_id"]: t for t in state["teachers"]}
    class_ids = {p["class_id"] for p in state["pupils"]}
    with _app().app_context():
        waiting = _waiting_posts(class_ids)
    if keep:
        waiting = waiting[:-keep]
    lines = [
        request_line(
            "POST",
            f"/sandbox/posts/{post_id}/decision",
            teachers[class_id]["cookie"],
            {
                "approve": "Approve",
                "revision": str(revision),
                "csrf_token": teachers[class_id]["csrf"],
            },
        )
        for post_id, class_id, revision in waiting
    ]
    REQUESTS.mkdir(parents=True, exist_ok=True)
    (REQUESTS / target).write_text("\n".join(lines) + ("\n" if lines else ""))
    print(f"{len(lines)} posts waiting: {target}", flush=True)
    return len(lines)


def tidy() -> None:
    """The teachers clear the run's classes' queues, so the next configuration starts alike."""
    from esafety.auth.models import User
    from esafety.extensions import db
    from esafety.sandbox import moderation
    from esafety.sandbox.models import BlogPost

    state = json.loads((OUT / "sessions.json").read_text())
    class_ids = {p["class_id"] for p in state["pupils"]}
    teacher_ids = {}
    with _app().app_context():
        from sqlalchemy import select

        for t in state["teachers"]:
            teacher_ids[t["class_id"]] = db.session.scalar(
                select(User.id).where(User.email == t["email"])
            )
        waiting = _waiting_posts(class_ids)
        for post_id, class_id, _revision in waiting:
            teacher = db.session.get(User, teacher_ids[class_id])
            moderation.approve(teacher, db.session.get(BlogPost, post_id))
        db.session.commit()
    print(f"approved the {len(waiting)} posts the run left waiting", flush=True)


# --- SQL statements per request -----------------------------------------------------------------


def queries(output: Path) -> dict[str, int]:
    """Send each page's request in-process twice and count the second one's SQL statements."""
    from flask import g
    from sqlalchemy import event, func, select

    from esafety.extensions import db
    from esafety.meetings.models import Booking

    state = json.loads((OUT / "sessions.json").read_text())
    accounts = _accounts()
    app = _app()
    client = app.test_client(use_cookies=False)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def run(line: str) -> tuple[int, int]:
        method, path, cookie, body = (line.split("\t") + ["", "", "", ""])[:4]
        headers = {"User-Agent": "esafety-bench/1"}
        if cookie:
            headers["Cookie"] = cookie
        g.pop("_login_user", None)  # a real server starts every request without a user
        statements.clear()
        response = client.open(
            path,
            method=method,
            data=body or None,
            headers=headers,
            content_type="application/x-www-form-urlencoded" if method == "POST" else None,
        )
        status = response.status_code
        response.close()
        return status, len(statements)

    counts: dict[str, int] = {}
    problems = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        evening = accounts["evenings"]["count"]
        for page in PAGES:
            if page.name == "booking":
                lines = [
                    request_line(
                        "POST",
                        f"/meetings/{evening}/book",
                        p["cookie"],
                        {"places": 1, "notes": "", "csrf_token": p["csrf"]},
                    )
                    for p in state["parents"][:2]
                ]
            elif page.name == "approve":
                approvals("approve-count.tsv")
                lines = (REQUESTS / "approve-count.tsv").read_text().splitlines()[-2:]
            else:
                lines = (REQUESTS / request_file(page.name, "sync")).read_text().splitlines()
                lines = lines[:2] if len(lines) > 1 else lines * 2
            results = [run(line) for line in lines[:2]]
            for status, _ in results:
                if status >= 400:
                    problems.append(f"{page.name}: {status}")
            counts[page.name] = results[-1][1]
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
        confirmed = db.session.scalar(
            select(func.count(Booking.id)).where(Booking.meeting_id == evening)
        )
    output.write_text(json.dumps(counts, indent=1))
    print("SQL statements per request: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if problems or confirmed != 2:
        raise SystemExit(f"in-process requests failed: {problems} (bookings {confirmed})")
    return counts


# --- Profiles -----------------------------------------------------------------------------------


def profile(page_name: str, count: int, state_file: Path | None = None) -> None:
    """Run a page's requests in-process under pyinstrument: where its time goes, and its SQL."""
    from flask import g
    from pyinstrument import Profiler
    from sqlalchemy import event

    from esafety.extensions import db

    lines = (REQUESTS / request_file(page_name, "sync")).read_text().splitlines()
    app = _app()
    client = app.test_client(use_cookies=False)
    statements: list[str] = []

    def run(line: str) -> None:
        method, path, cookie, body = (line.split("\t") + ["", "", "", ""])[:4]
        with app.app_context():
            g.pop("_login_user", None)
            response = client.open(
                path,
                method=method,
                data=body or None,
                headers={"Cookie": cookie, "User-Agent": "esafety-bench/1"},
                content_type="application/x-www-form-urlencoded" if method == "POST" else None,
            )
            response.close()

    for line in lines[:3]:
        run(line)  # warm: the catalogue, compiled templates, the connection pool
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for k in range(count):
        run(lines[k % len(lines)])
    profiler.stop()
    elapsed = (time.perf_counter() - started) / count * 1000
    print(profiler.output_text(unicode=False, color=False))
    print(
        f"{page_name}: {elapsed:.1f} ms a request in-process (profiler on), "
        f"{len(statements) / count:.1f} SQL statements a request"
    )


# --- After the run ------------------------------------------------------------------------------


def surge_check(output: Path, latency: Path) -> dict:
    """Exactly the evening's places are confirmed; everyone else is on the waiting list."""
    from sqlalchemy import func, select

    from esafety.extensions import db
    from esafety.meetings.models import Booking, BookingStatus, Meeting

    evening = _accounts()["evenings"]["surge"]
    with _app().app_context():
        meeting = db.session.get(Meeting, evening)
        rows = dict(
            db.session.execute(
                select(Booking.status, func.count(Booking.id))
                .where(Booking.meeting_id == evening)
                .group_by(Booking.status)
            ).all()
        )
        places = db.session.scalar(
            select(func.coalesce(func.sum(Booking.places), 0)).where(
                Booking.meeting_id == evening, Booking.status == BookingStatus.CONFIRMED
            )
        )
        parents = db.session.scalar(
            select(func.count(func.distinct(Booking.parent_id))).where(
                Booking.meeting_id == evening
            )
        )
        result = {
            "capacity": meeting.capacity,
            "places_taken": meeting.places_taken,
            "confirmed_places": int(places),
            "confirmed": rows.get(BookingStatus.CONFIRMED, 0),
            "waitlisted": rows.get(BookingStatus.WAITLISTED, 0),
            "cancelled": rows.get(BookingStatus.CANCELLED, 0),
            "distinct_parents": parents,
        }
    timing = json.loads(latency.read_text())
    result.update({k: timing[k] for k in ("requests", "seconds", "p50_ms", "p95_ms", "p99_ms")})
    result["errors"] = timing["errors"]
    result["exact"] = (
        result["confirmed_places"] == result["capacity"] == result["places_taken"] == 60
        and result["confirmed"] + result["waitlisted"] == timing["requests"] == 300
        and result["distinct_parents"] == 300
        and result["cancelled"] == 0
        and result["errors"] == 0
    )
    output.write_text(json.dumps(result, indent=1))
    print(
        f"surge: {result['confirmed_places']} of {result['capacity']} places confirmed, "
        f"{result['waitlisted']} waitlisted, p95 {result['p95_ms']:.0f} ms: "
        f"{'exact' if result['exact'] else 'NOT EXACT'}",
        flush=True,
    )
    return result


def memory(master: int, output: Path) -> dict:
    """VmHWM (the peak resident set) and VmRSS of each worker, read from /proc."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    workers = []
    for pid in children:
        fields = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0]) / 1024
        workers.append(
            {
                "pid": int(pid),
                "hwm_mb": round(fields["VmHWM"], 1),
                "rss_mb": round(fields["VmRSS"], 1),
            }
        )
    result = {
        "workers": workers,
        "max_hwm_mb": max(w["hwm_mb"] for w in workers),
        "max_rss_mb": max(w["rss_mb"] for w in workers),
    }
    output.write_text(json.dumps(result, indent=1))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--latency", type=Path)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--page", help="profile: which page (a name from bench/pages.py)")
    parser.add_argument("--count", type=int, default=50, help="profile: requests to run")
    parser.add_argument("--keep", type=int, default=0, help="approvals: leave the newest waiting")
    args = parser.parse_args()
    if args.command == "sessions":
        write_requests(sessions(args.host, args.port))
    elif args.command == "queries":
        queries(args.out)
    elif args.command == "approvals":
        approvals(args.out.name, args.keep)
    elif args.command == "tidy":
        tidy()
    elif args.command == "surge-check":
        result = surge_check(args.out, args.latency)
        return 0 if result["exact"] else 1
    elif args.command == "profile":
        profile(args.page, args.count)
    elif args.command == "memory":
        memory(args.pid, args.out)
    else:
        parser.error(f"unknown command {args.command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
