"""No escalation: roles are given only as the grant table says, accounts are changed only by
those who could grant every role they hold, and a leader's account needs a second person."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from esafety import mail
from esafety.audit import AuditEntry
from esafety.auth import accounts, grants
from esafety.auth.access import access_of
from esafety.auth.models import AccountChange, AccountChangeState, User
from esafety.auth.roles import Role
from esafety.auth.services import find_by_email
from esafety.extensions import db
from esafety.safeguarding import services as safeguarding
from esafety.safeguarding.models import ConcernKind, Involved
from esafety.school.models import StaffProfile
from tests import factories
from tests.conftest import sign_in_session


@pytest.fixture
def leaders(db):
    chair = factories.make_user(Role.GOVERNOR, email="chair@school.example")
    db.session.get(StaffProfile, chair.id).is_chair_of_governors = True
    people = {
        "chair": chair,
        "head": factories.make_user([Role.HEADTEACHER, Role.TEACHER], email="head@school.example"),
        "deputy": factories.make_user([Role.SLT, Role.TEACHER], email="deputy@school.example"),
        "office": factories.make_user(Role.OFFICE_ADMIN, email="office@school.example"),
        "dsl": factories.make_user(Role.DSL, email="dsl@school.example"),
        "teacher": factories.make_user(Role.TEACHER, email="teacher@school.example"),
        "parent": factories.make_user(Role.PARENT, email="parent@school.example"),
    }
    db.session.commit()
    return people


def _new_staff(client, roles: list[str], email: str = "new@school.example"):
    return client.post(
        "/school/people/new",
        data={
            "first_name": "New",
            "last_name": "Person",
            "email": email,
            "job_title": "Someone",
            "start_date": "2026-09-01",
            "roles": roles,
        },
    )


# --- The table itself ------------------------------------------------------------------------


def test_every_role_has_a_row_in_the_grant_table():
    assert set(grants.GRANTED_BY) == set(Role)


def test_only_the_headteacher_grants_the_safeguarding_team_and_only_the_chair_a_headteacher():
    for role in (Role.DSL, Role.DEPUTY_DSL, Role.SLT):
        assert grants.GRANTED_BY[role] == {Role.HEADTEACHER}
    assert grants.GRANTED_BY[Role.HEADTEACHER] == {grants.CHAIR}


def test_nobody_grants_a_role_that_reaches_a_page_their_own_role_does_not(app):
    """Derived from every view's access declaration: apart from the two who appoint (the
    headteacher, the chair) a granter reaches every page the granted role reaches."""
    reach: dict[Role, set[str]] = {role: set() for role in Role}
    for endpoint, view in app.view_functions.items():
        access = access_of(view)
        for role in access.roles or ():
            reach[role].add(endpoint)
    checked = 0
    for role, granters in grants.GRANTED_BY.items():
        if role in (Role.PUPIL, Role.PARENT):
            continue  # a family's pages show only that family's own records
        for granter in granters - grants.APPOINTERS:
            assert reach[role] <= reach[granter], (role, granter, reach[role] - reach[granter])
            checked += 1
    assert checked >= 10


# --- Roles given through "Add a member of staff" ---------------------------------------------


@pytest.mark.parametrize("who", ["deputy", "office"])
@pytest.mark.parametrize("roles", [["dsl"], ["headteacher"], ["dsl", "headteacher"], ["slt"]])
def test_slt_and_office_cannot_create_a_safeguarding_or_headteacher_account(
    client, leaders, who, roles
):
    sign_in_session(client, leaders[who])
    response = _new_staff(client, roles)
    assert response.status_code == 200
    assert find_by_email("new@school.example") is None
    assert mail.outbox_messages() == []


def test_the_form_offers_only_the_roles_one_may_give(client, leaders):
    sign_in_session(client, leaders["office"])
    page = client.get("/school/people/new").data.decode()
    assert 'value="volunteer"' in page
    assert 'value="dsl"' not in page and 'value="headteacher"' not in page
    assert 'value="teacher"' not in page


def test_the_service_refuses_an_ungrantable_role_beside_the_field(leaders):
    from esafety.errors import DomainError
    from esafety.school import services as school

    with pytest.raises(DomainError) as refused:
        school.add_staff_member(
            leaders["deputy"],
            first_name="A",
            last_name="B",
            email="ab@school.example",
            job_title="x",
            start_date=date(2026, 9, 1),
            roles=[Role.DSL],
        )
    assert refused.value.field == "roles"


def test_the_headteacher_gives_the_dsl_role_but_not_the_headteacher_role(client, leaders):
    sign_in_session(client, leaders["head"])
    assert _new_staff(client, ["headteacher"]).status_code == 200
    assert find_by_email("new@school.example") is None
    assert _new_staff(client, ["dsl"]).status_code == 302
    assert find_by_email("new@school.example").has_role(Role.DSL)


def test_the_chair_appoints_a_headteacher(client, leaders):
    sign_in_session(client, leaders["chair"])
    assert _new_staff(client, ["headteacher"]).status_code == 302
    assert find_by_email("new@school.example").has_role(Role.HEADTEACHER)


# --- Email changes and disabling --------------------------------------------------------------


def test_the_headteacher_cannot_take_over_the_chairs_account(client, leaders):
    """The chain: change the chair's email, ask for a reset, sign in as the chair."""
    chair = leaders["chair"]
    chair_device = factories_client(client)
    sign_in_session(chair_device, chair)
    sign_in_session(client, leaders["head"])
    response = client.post(
        f"/records/people/{chair.id}/edit",
        data={
            "first_name": chair.first_name,
            "last_name": chair.last_name,
            "email": "x@evil.example",
        },
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, chair.id).email == "chair@school.example"
    assert client.post(f"/school/people/{chair.id}/active", data={"active": "0"}).status_code == 403
    assert db.session.get(User, chair.id).active
    assert chair_device.get("/").status_code == 200  # the chair is still signed in


def factories_client(client):
    return client.application.test_client()


def test_the_office_cannot_change_the_dsls_email_or_disable_them(client, leaders):
    dsl = leaders["dsl"]
    sign_in_session(client, leaders["office"])
    response = client.post(
        f"/records/people/{dsl.id}/edit",
        data={"first_name": dsl.first_name, "last_name": dsl.last_name, "email": "o@evil.example"},
    )
    assert response.status_code == 403
    assert client.post(f"/school/people/{dsl.id}/active", data={"active": "0"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, dsl.id).email == "dsl@school.example"


def test_the_office_still_corrects_a_parents_email_and_the_old_address_is_told(client, leaders):
    parent = leaders["parent"]
    other_device = factories_client(client)
    sign_in_session(other_device, parent)
    sign_in_session(client, leaders["office"])
    response = client.post(
        f"/records/people/{parent.id}/edit",
        data={
            "first_name": parent.first_name,
            "last_name": parent.last_name,
            "email": "new@home.example",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, parent.id).email == "new@home.example"
    [told] = mail.outbox_messages()
    assert told["To"] == "parent@school.example" and "changed" in told["Subject"]
    assert other_device.get("/").status_code == 302  # every session ended


def test_a_leaders_email_change_waits_for_a_second_person(client, leaders):
    deputy = leaders["deputy"]
    deputy_device = factories_client(client)
    sign_in_session(deputy_device, deputy)
    sign_in_session(client, leaders["head"])
    response = client.post(
        f"/records/people/{deputy.id}/edit",
        data={
            "first_name": deputy.first_name,
            "last_name": deputy.last_name,
            "email": "d@new.example",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, deputy.id).email == "deputy@school.example"
    [asked] = mail.outbox_messages()
    assert asked["To"] == "deputy@school.example" and "asked for" in asked["Subject"]
    change = db.session.scalar(select(AccountChange))
    # The one who asked cannot agree to it themselves.
    assert client.post(f"/school/people/changes/{change.id}/approve").status_code == 404
    chair_client = factories_client(client)
    sign_in_session(chair_client, leaders["chair"])
    assert b"d@new.example" in chair_client.get("/school/people/changes").data
    assert chair_client.post(f"/school/people/changes/{change.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, deputy.id).email == "d@new.example"
    assert db.session.get(AccountChange, change.id).state is AccountChangeState.APPROVED
    assert mail.outbox_messages()[-1]["To"] == "deputy@school.example"
    assert deputy_device.get("/").status_code == 302
    actions = {
        e.action
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == deputy.id))
    }
    assert {
        "auth.account_change_requested",
        "auth.account_change_approved",
        "auth.email_changed",
    } <= actions


def test_a_declined_change_leaves_the_account_alone(client, leaders):
    dsl = leaders["dsl"]
    change = accounts.request_change(leaders["head"], dsl, accounts.AccountChangeKind.DISABLE)
    db.session.commit()
    accounts.decline_change(leaders["chair"], change.id)
    db.session.commit()
    assert db.session.get(User, dsl.id).active


def test_the_chair_acts_at_once_on_a_leaders_account(leaders):
    assert (
        accounts.request_change(
            leaders["chair"], leaders["head"], accounts.AccountChangeKind.DISABLE
        )
        is None
    )
    assert leaders["head"].active is False


def test_nobody_changes_an_account_named_in_a_concern_they_may_not_open(client, leaders):
    """A headteacher steps down while a concern about them is open: the deputy may now manage
    their (teacher's) account, but not while that concern, which only the chair opens, is live."""
    head = leaders["head"]
    reporter = leaders["teacher"]
    concern = safeguarding.raise_concern(
        reporter,
        safeguarding.ConcernDetails(
            kind=ConcernKind.INAPPROPRIATE_CONTENT,
            involved=Involved.STAFF,
            description="Something I saw the headteacher share.",
            staff_member_id=head.id,
        ),
    )
    assert concern.about_headteacher
    head.roles = [r for r in head.roles if r.role is not Role.HEADTEACHER]
    db.session.commit()
    assert grants.may_manage(leaders["deputy"], head, accounts.chair_id())  # the table says yes
    sign_in_session(client, leaders["deputy"])
    refused = client.post(f"/school/people/{head.id}/active", data={"active": "0"})
    assert refused.status_code == 403
    assert accounts.NOT_YOURS.split(".")[0].encode() in refused.data
    db.session.expire_all()
    assert db.session.get(User, head.id).active
    assert db.session.scalar(select(func.count(AccountChange.id))) == 0
