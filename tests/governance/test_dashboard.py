"""The governors' dashboard: one page for governors and leaders, the same figures in the
annual report, and the same number of SQL statements whatever the school's size."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from esafety.auth.roles import Role
from esafety.clock import today, utcnow
from esafety.extensions import db
from esafety.governance import filtering
from esafety.governance.models import CheckResult
from esafety.safeguarding import services as safeguarding
from esafety.safeguarding.models import ConcernKind, Involved
from esafety.safeguarding.prejudice import PrejudiceKind, record_prejudice
from esafety.school.models import ConsentKind, YearGroup
from esafety.school.services import give_photo_consent
from tests import factories
from tests.induction.helpers import make_head, publish_policy, teacher_pathway

_unit = itertools.count(1)


def grow(head, esafety, units: int) -> None:
    """Add `units` classes' worth of everything the dashboard counts."""
    for _ in range(units):
        n = next(_unit)
        teacher = factories.make_user(Role.TEACHER, last_name=f"Teach{n}")
        school_class = factories.make_class(
            list(YearGroup)[n % 7], name=f"Class {n}", teacher=teacher
        )
        for i in range(3):
            pupil = factories.make_pupil(school_class, last_name=f"Family{n}{i}")
            parent = factories.make_parent(pupil, last_name=f"Family{n}{i}")
            if i:
                give_photo_consent(parent, pupil.id, {ConsentKind.CLASS_BLOG: True})
        concern = safeguarding.raise_concern(
            teacher,
            safeguarding.ConcernDetails(
                kind=ConcernKind.CYBER_BULLYING,
                involved=Involved.PUPIL,
                description="Name-calling in a group chat.",
            ),
        )
        record_prejudice(esafety, concern, [PrejudiceKind.RACIST])
        filtering.add_alert(esafety, occurred_at=utcnow(), category="Bullying")
        filtering.record_check(
            esafety,
            checked_on=today(),
            where=f"Laptops {n}",
            what="Test pages",
            result=CheckResult.BLOCKED_AS_EXPECTED,
        )
        filtering.record_circumvention(
            esafety,
            user_id=school_class.pupils[0].user_id,
            occurred_on=today(),
            what="A proxy site",
            ends_on=today() + timedelta(days=14),
        )
    db.session.commit()


@pytest.fixture
def setting(school):
    head = make_head()
    version = publish_policy(head)
    teacher_pathway(head, version.policy_id)
    esafety = factories.make_user(Role.ESAFETY_OFFICER)
    governor = factories.make_user(Role.GOVERNOR, first_name="Grace", last_name="Okoye")
    db.session.commit()
    return head, esafety, governor


def test_the_dashboard_sends_the_same_statements_for_a_school_five_times_larger(
    client, login_as, count_queries, setting
):
    head, esafety, governor = setting
    grow(head, esafety, 2)
    login_as(governor)

    def measure() -> dict[str, int]:
        counts = {}
        for path in ("/governance/", "/governance/report"):
            client.get(path)  # the first request after a change warms the session's caches
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            counts[path] = counter.count
        return counts

    small = measure()
    grow(head, esafety, 8)
    assert measure() == small


def test_governors_see_figures_and_no_names(client, login_as, setting):
    head, esafety, governor = setting
    grow(head, esafety, 3)
    login_as(governor)
    page = client.get("/governance/").get_data(as_text=True)
    assert "Social Media Policy" in page and "Ratified" in page
    # Three racist-bullying concerns are shown as 3; the one term's other kinds as counts.
    assert "Racist (ethnicity, national origin or culture) 3" in page
    assert "Family" not in page  # no pupil or parent names
    assert "6 of 30 pupils have an answer" in page
    report = client.get("/governance/report").get_data(as_text=True)
    assert "annual report to the governing body" in report
    filtering_page = client.get("/governance/filtering").get_data(as_text=True)
    assert "Name-calling" not in filtering_page and "Bullying" not in filtering_page
    assert client.get("/governance/filtering/circumvention").status_code == 404


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PARENT, Role.PUPIL, Role.OFFICE_ADMIN])
def test_the_dashboard_is_not_for_everyone(client, login_as, role):
    login_as(role)
    assert client.get("/governance/").status_code == 403


def test_the_handler_records_prejudice_from_the_concern(client, login_as, school):
    teacher = school.teachers[YearGroup.YEAR_3]
    # A child's concern goes to the safeguarding team: the DSL handles it.
    officer = factories.make_user(Role.DSL)
    concern = safeguarding.raise_concern(
        teacher,
        safeguarding.ConcernDetails(
            kind=ConcernKind.CYBER_BULLYING, involved=Involved.PUPIL, description="Mocking."
        ),
    )
    db.session.commit()
    login_as(officer)
    case = client.get(f"/safeguarding/concerns/{concern.id}").get_data(as_text=True)
    assert f"/governance/concerns/{concern.id}/prejudice" in case
    response = client.post(
        f"/governance/concerns/{concern.id}/prejudice", data={"kinds": ["disability", "sexist"]}
    )
    assert response.status_code == 302
    from esafety.safeguarding.prejudice import prejudice_of

    assert prejudice_of(concern) == {PrejudiceKind.DISABILITY, PrejudiceKind.SEXIST}
    login_as(teacher)
    assert client.get(f"/governance/concerns/{concern.id}/prejudice").status_code == 404


def test_the_dashboard_works_before_the_school_year_is_set_up(client, login_as):
    head = make_head()
    publish_policy(head)
    login_as(head)
    page = client.get("/governance/").get_data(as_text=True)
    assert "Social Media Policy" in page and "0 of 0 pupils have an answer" in page
