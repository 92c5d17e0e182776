"""Bad input is never a server error: every page and every form, driven with bad values.

Reproduces what a tester found (NUL bytes, ids beyond the database's range, superscript
digits, a very long word in the blog's checks): each gave a 500. Here every GET route in
`app.url_map` gets bad path values and bad query values as several roles, and every POST
route gets every form field filled from a sample of the Big List of Naughty Strings
(../shared/corpora/blns.json), with a NUL byte and a 64,000-letter word among them. Any 5xx,
or any exception escaping a view, is a failure. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from wtforms.fields.core import UnboundField

from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.inputs import SchoolForm
from tests import factories

#: Values for ids and names in a path: beyond INTEGER, beyond BIGINT, digit-like characters,
#: NUL, a long word, an emoji, a path trick.
PATH_VALUES = [
    "2147483648",
    "9" * 25,
    "0",
    "²",
    "٣",
    "%00",
    "a%00b",
    "x" * 300,
    "%F0%9F%98%80",
    "..%2F..%2Fetc%2Fpasswd",
]

#: Values for every query parameter the app reads, all at once.
QUERY_VALUES = ["2147483648", "-1", "²", "%00", "9" * 40]
QUERY_NAMES = ["page", "class_id", "q", "show", "year", "as_of", "next", "lesson", "strand"]
QUERY_NAMES += ["print", "kind", "search", "user_id", "pupil_id", "status", "tab", "sort"]

#: One long word among the naughty strings (tests/test_bad_input.py times the checks on a
#: 64,000-letter one; here it goes into every field of a form).
LONG_WORD = "a" * 6_000
NAUGHTY_PER_ROUTE = 3


@dataclass
class World:
    """Real records for every kind of id in a path, and people in several roles."""

    ids: dict[str, int] = field(default_factory=dict)
    people: dict[str, User | None] = field(default_factory=dict)


def _max_id(model) -> int | None:
    return db.session.scalar(select(func.max(model.id)))


@pytest.fixture
def world(school) -> World:
    from esafety.induction.models import Policy, PolicyVersion
    from esafety.meetings import bookings, planning
    from esafety.meetings.models import Booking, Meeting
    from esafety.safeguarding import services as safeguarding
    from esafety.sandbox import moderation, reports
    from esafety.sandbox import services as sandbox
    from esafety.school.models import YearGroup
    from tests.induction.helpers import publish_policy
    from tests.meetings.conftest import details as meeting_details
    from tests.safeguarding.conftest import details as concern_details

    year = YearGroup.YEAR_5
    teacher = school.teachers[year]
    pupil = school.pupils[year][0]
    parent = factories.make_parent(pupil)
    leader = factories.make_user(
        [
            Role.HEADTEACHER,
            Role.ESAFETY_OFFICER,
            Role.COMPUTING_LEAD,
            Role.SLT,
            Role.OFFICE_ADMIN,
            Role.DSL,
        ]
    )
    class_id = school.classes[year].id
    sandbox.open_window(teacher, class_id, None)
    post = sandbox.save_post(pupil.user, class_id, "Our trip", "We saw a kite.", send=True)
    moderation.approve(teacher, post)
    comment = sandbox.add_comment(school.pupils[year][1].user, post, "Lovely!")
    moderation.approve(teacher, comment)
    report = reports.report_item(parent, post, "unkind", "")
    concern = safeguarding.raise_concern(teacher, concern_details())
    meeting = planning.create_meeting(leader, meeting_details())
    booking = bookings.book_places(meeting.id, parent.id, 1)
    version = publish_policy(leader)
    db.session.commit()

    from esafety.induction.models import Course, Pathway
    from esafety.safeguarding.models import BlockedSite, Evidence

    found = World()
    found.ids = {
        "class_id": class_id,
        "post_id": post.id,
        "comment_id": comment.id,
        "item_id": post.id,
        "report_id": report.id,
        "concern_id": concern.id,
        "meeting_id": meeting.id,
        "booking_id": booking.id,
        "version_id": version.id,
        "policy_id": version.policy_id,
        "user_id": pupil.user_id,
        "pupil_id": pupil.id,
        "position": 1,
        "number": 1,
        "evidence_id": _max_id(Evidence) or 1,
        "entry_id": _max_id(BlockedSite) or 1,
        "course_id": _max_id(Course) or 1,
        "pathway_id": _max_id(Pathway) or 1,
    }
    assert _max_id(Booking) and _max_id(Meeting) and _max_id(Policy) and _max_id(PolicyVersion)
    found.people = {
        "anonymous": None,
        "pupil": pupil.user,
        "parent": parent,
        "teacher": teacher,
        "leader": leader,
    }
    return found


def _blns(shared_dir: Path) -> list[str]:
    path = shared_dir / "corpora" / "blns.json"
    if not path.is_file():
        pytest.skip(f"the naughty strings are not at {path}")
    strings = [s for s in json.loads(path.read_text(encoding="utf-8")) if isinstance(s, str)]
    return [*strings, "a\x00b", LONG_WORD, "a@" * 3_000]


def _form_field_names() -> list[str]:
    """Every field name of every form in the app (the submit buttons too)."""
    names: set[str] = set()
    pending = list(SchoolForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        names.update(
            name
            for name in dir(form_class)
            if isinstance(getattr(form_class, name, None), UnboundField)
        )
    return sorted(names | {"revision"})


def _path(rule, values: dict[str, str]) -> str:
    """The rule's path with each <converter:name> replaced by values[name] (else "1")."""
    path, start = rule.rule, rule.rule.find("<")
    while start != -1:
        end = path.index(">", start)
        name = path[start + 1 : end].split(":")[-1]
        value = values.get(name, "1")
        path = path[:start] + value + path[end + 1 :]
        start = path.find("<", start + len(value))
    return path


@dataclass
class Tally:
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    def send(self, client, method: str, url: str, who: str, **kwargs) -> None:
        self.requests += 1
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - an escaped exception is a 500 in production
            db.session.rollback()
            self.failures.append(
                f"{who} {method} {url[:120]}: {type(error).__name__}: {error}"[:300]
            )
            return
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.failures.append(f"{who} {method} {url[:120]}: {response.status_code}")


def _sign_in(client, user: User | None) -> None:
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


def test_no_bad_input_gives_a_server_error(app, client, world, shared_dir):
    started = time.perf_counter()
    naughty = _blns(shared_dir)
    names = _form_field_names()
    ids = {name: str(value) for name, value in world.ids.items()}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    gets = [r for r in rules if "GET" in r.methods]
    posts = [r for r in rules if "POST" in r.methods]
    tally = Tally()

    for turn, (who, user) in enumerate(world.people.items()):
        _sign_in(client, user)
        for index, rule in enumerate(gets):
            # Bad values in the path: the converters' business, and the views' for names.
            if who in ("anonymous", "leader"):
                for name in rule.arguments:
                    for value in PATH_VALUES:
                        tally.send(client, "GET", _path(rule, {**ids, name: value}), who)
            # Real records in the path, bad values in the query: every value for the leader
            # (who may open the most), one in turn for everyone else, to keep the run short.
            values = QUERY_VALUES if who == "leader" else [QUERY_VALUES[(index + turn) % 5]]
            for value in values:
                query = "&".join(f"{n}={value}" for n in QUERY_NAMES)
                tally.send(client, "GET", f"{_path(rule, ids)}?{query}", who)
        if who not in ("pupil", "leader", "parent"):
            continue
        # Every form field filled with naughty strings, a different sample for each route.
        for index, rule in enumerate(posts):
            for n in range(NAUGHTY_PER_ROUTE):
                start = (index * NAUGHTY_PER_ROUTE + n) * 7
                data = {name: naughty[(start + k) % len(naughty)] for k, name in enumerate(names)}
                if n == 0:
                    data = {name: "a\x00b" for name in names}
                tally.send(client, "POST", _path(rule, ids), who, data=data)

    elapsed = time.perf_counter() - started
    print(  # noqa: T201 - the summary the issue asks for
        f"\nfuzz: {tally.requests} requests, {len(tally.failures)} 5xx, {elapsed:.1f} s "
        f"({len(gets)} GET routes, {len(posts)} POST routes, {len(world.people)} roles); "
        f"statuses {dict(sorted(tally.statuses.items()))}"
    )
    assert tally.failures == [], "\n".join(tally.failures[:40])
