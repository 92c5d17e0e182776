"""Who may open safeguarding pages: every URL x every role; the rest get 'not found'.

Every opening is in the access log, and no safeguarding page may be cached.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.safeguarding import register, services
from esafety.safeguarding.models import ConcernAccess, Involved
from tests import factories

from .conftest import details, png_bytes, upload

LEADERS = {Role.ESAFETY_OFFICER, Role.HEADTEACHER, Role.SLT, Role.DSL, Role.DEPUTY_DSL}

#: (name, URL template, roles that get 200)
PAGES = [
    ("list", "/safeguarding/concerns", LEADERS),
    ("closed list", "/safeguarding/concerns?show=closed", LEADERS),
    ("case", "/safeguarding/concerns/{concern}", LEADERS),
    ("evidence", "/safeguarding/concerns/{concern}/evidence/{evidence}", LEADERS),
    ("export", "/safeguarding/concerns/{concern}/export.zip", LEADERS),
    ("register", "/safeguarding/register", LEADERS),
    ("domain list", "/safeguarding/register/domains.txt", LEADERS),
    ("hosts file", "/safeguarding/register/hosts", LEADERS),
    ("review", "/safeguarding/review", LEADERS | {Role.GOVERNOR}),
    ("access log", "/safeguarding/access-log", {Role.HEADTEACHER, Role.DSL}),
]

#: Forms on the case page and the register (POST), with the roles that may send them.
POSTS = [
    ("/safeguarding/concerns/{concern}/actions", {"kind": "note", "action_note": "x"}, LEADERS),
    ("/safeguarding/concerns/{concern}/assign", {"handler_id": "1"}, LEADERS),
    ("/safeguarding/concerns/{concern}/material", {"material": "abusive"}, LEADERS),
    ("/safeguarding/concerns/{concern}/resolve", {"outcome": "Sorted"}, LEADERS),
    (
        "/safeguarding/concerns/{concern}/refer",
        {"agency": "police", "reference": "PC 1", "referred_on": "2026-01-05"},
        LEADERS,
    ),
    ("/safeguarding/concerns/{concern}/evidence", {}, LEADERS),
    ("/safeguarding/concerns/{concern}/block", {"site": "bad.example"}, LEADERS),
    ("/safeguarding/register", {"domain": "bad.example", "reason": "x"}, {Role.ESAFETY_OFFICER}),
    ("/safeguarding/register/{entry}/decide", {"decision": "approve"}, {Role.ESAFETY_OFFICER}),
]


@pytest.fixture
def case(db):
    """A concern with evidence and a waiting block request, in a school of just its handlers
    (kept small: this fixture runs for every URL x role)."""
    officer = factories.make_user(Role.ESAFETY_OFFICER)
    factories.make_user(Role.HEADTEACHER)
    factories.make_user(Role.SLT)
    parent = factories.make_user(Role.PARENT)
    concern = services.raise_concern(
        parent, details(involved=Involved.ADULT_OUTSIDE), [upload("shot.png", png_bytes())]
    )
    entry, _ = register.request_block(officer, "pending.example", "From a concern", concern)
    db.session.commit()
    return {"concern": concern.id, "evidence": concern.evidence[0].id, "entry": entry.id}


def _accesses(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(ConcernAccess.id)).where(ConcernAccess.user_id == user_id)
    )


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_only_allowed_roles_open_safeguarding_pages(
    client, login_as, case, role, name, url, allowed
):
    user = login_as(role)
    before = _accesses(user.id)
    with client.get(url.format(**case)) as response:
        status = response.status_code
        cache = response.headers.get("Cache-Control")
        body = response.data
    expected = 200 if role in allowed else 404
    assert status == expected, f"{role.value} on {name}: {status}"
    assert cache == "no-store"
    if expected == 200:
        assert _accesses(user.id) == before + 1, f"{name} was not written to the access log"
    else:
        assert _accesses(user.id) == before
        assert b"Page not found" in body


REFUSED_POSTS = [
    pytest.param(url, data, role, id=f"{url.split('/')[-1]}-{role.value}")
    for url, data, allowed in POSTS
    for role in Role
    if role not in allowed
]


@pytest.mark.parametrize(("url", "data", "role"), REFUSED_POSTS)
def test_forms_do_not_exist_for_other_roles(client, login_as, case, url, data, role):
    """Allowed roles are tested with the forms themselves (test_case_pages.py)."""
    login_as(role)
    response = client.post(url.format(**case), data=data)
    assert response.status_code == 404


def test_a_concern_about_the_headteacher_is_for_the_chair_only(client, login_as, people):
    concern = services.raise_concern(
        people.y5_teacher, details(involved=Involved.STAFF, staff_member_id=people.head.id)
    )
    other = services.raise_concern(people.parent, details())
    db.session.commit()
    url = f"/safeguarding/concerns/{concern.id}"
    for person in (people.head, people.officer, people.slt, people.governor):
        login_as(person)
        assert client.get(url).status_code == 404, person.full_name
        assert client.get(f"/safeguarding/concerns/{other.id}").status_code == (
            404 if person is people.governor else 200
        )
    login_as(people.chair)
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
    page = client.get("/safeguarding/concerns").data.decode()
    assert concern.reference in page and other.reference not in page
    assert client.get(f"/safeguarding/concerns/{other.id}").status_code == 404
    assert client.get("/safeguarding/register").status_code == 404
    # The headteacher's access log does not reveal it.
    login_as(people.head)
    log = client.get("/safeguarding/access-log").data.decode()
    assert concern.reference not in log and f'concerns/{concern.id}"' not in log
    assert people.chair.full_name not in log


def test_every_page_for_reporters_exists_for_every_signed_in_role(client, login_as, people):
    for role in Role:
        login_as(role)
        for url in ("/safeguarding/report", "/safeguarding/tell", "/safeguarding/mine"):
            with client.get(url) as response:
                assert response.status_code in (200, 302), (role, url)
                assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_visitors_are_sent_to_sign_in(client, case):
    for _, url, _ in PAGES:
        response = client.get(url.format(**case))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
