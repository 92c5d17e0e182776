"""A concern is closed once, by someone who saw where it stood.

Reproduces what a tester found: resolving and referring the same concern at the same moment
recorded both, on 6 of 6 concerns. The race runs on real connections (tests/races.py), on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from esafety.auth.models import User
from esafety.concurrency import StaleDecision
from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import (
    ActionKind,
    Concern,
    ConcernAction,
    ConcernStatus,
    Involved,
)
from tests.races import at_once

from .conftest import details


def _new_concern(people) -> Concern:
    made = services.raise_concern(people.y5_teacher, details(involved=Involved.ADULT_OUTSIDE))
    db.session.commit()
    return made


def _closing_steps(concern_id: int) -> int:
    return db.session.scalar(
        select(func.count(ConcernAction.id)).where(
            ConcernAction.concern_id == concern_id,
            ConcernAction.kind.in_([ActionKind.RESOLVED, ActionKind.REFERRED]),
        )
    )


@pytest.mark.commits
def test_two_handlers_resolving_at_once_close_the_concern_once(app, people):
    """A referral keeps the case open now, so the race that matters is two closings."""
    officer_id, head_id = people.officer.id, people.head.id
    for started in (False, True):
        concern = _new_concern(people)
        if started:
            services.record_action(people.officer, concern, ActionKind.NOTE, "Spoke to the family.")
            db.session.commit()
        concern_id = concern.id

        def resolve(barrier, concern_id=concern_id):
            mine = db.session.get(Concern, concern_id)
            seen = mine.revision
            barrier.wait()
            services.resolve(db.session.get(User, officer_id), mine, "Sorted.", seen=seen)
            return "resolved"

        def resolve_too(barrier, concern_id=concern_id):
            mine = db.session.get(Concern, concern_id)
            seen = mine.revision
            barrier.wait()
            services.resolve(db.session.get(User, head_id), mine, "Dealt with.", seen=seen)
            return "resolved"

        outcomes = at_once(app, resolve, resolve_too)
        done = [o for o in outcomes if isinstance(o, str)]
        assert len(done) == 1, outcomes
        assert any(isinstance(o, StaleDecision) for o in outcomes), outcomes
        db.session.expire_all()
        closed = db.session.get(Concern, concern_id)
        assert closed.status is ConcernStatus(done[0])
        assert _closing_steps(concern_id) == 1


def test_resolving_on_a_page_older_than_the_concern_is_refused(client, login_as, people):
    concern = _new_concern(people)
    login_as(people.officer)
    url = f"/safeguarding/concerns/{concern.id}"
    page = client.get(url).get_data(as_text=True)
    seen = re.search(
        r'action="[^"]*/resolve"[^>]*>\s*<input[^>]*csrf_token[^>]*>'
        r'<input[^>]*name="revision"[^>]*value="(\d+)"',
        page,
    ).group(1)

    # Meanwhile the headteacher resolves it.
    services.resolve(people.head, concern, "LADO advice taken; no further action.")
    db.session.commit()

    response = client.post(url + "/resolve", data={"outcome": "All fine.", "revision": seen})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already closed" in page or "Someone changed this" in page
    assert "LADO advice" in page  # the concern as it stands now
    db.session.refresh(concern)
    assert concern.status is ConcernStatus.RESOLVED
    assert _closing_steps(concern.id) == 1


def test_assigning_on_an_out_of_date_page_is_refused(client, login_as, people):
    concern = _new_concern(people)
    login_as(people.head)
    url = f"/safeguarding/concerns/{concern.id}"
    seen = concern.revision
    services.assign_handler(people.slt, concern, people.officer.id)
    db.session.commit()
    response = client.post(
        url + "/assign", data={"handler_id": str(people.head.id), "revision": seen}
    )
    assert response.status_code == 400
    assert "Someone changed this while you had the page open" in response.get_data(as_text=True)
    db.session.refresh(concern)
    assert concern.handler_id == people.officer.id
