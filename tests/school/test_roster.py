"""Roster import: all valid or nothing imported; errors by row and column; re-import updates."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.school import roster
from esafety.school.models import ParentLink, Pupil, SchoolClass
from tests import factories

HEADER = ",".join(roster.COLUMNS)
GOOD = [
    "Oak,Year 3,P1,Amelia,Stone,2018-05-14,jo.stone@example.com,Jo,Stone,Mother",
    "Oak,Year 3,P1,Amelia,Stone,2018-05-14,sam.stone@example.com,Sam,Stone,Father",
    "Oak,Year 3,P2,Kit,Moss,2018-02-01,,,,",
    "Robins,Reception,P3,Zed,Ray,2021-10-10,kay.ray@example.com,Kay,Ray,Grandparent",
]


def _csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (SchoolClass, Pupil, User, ParentLink)
    )


@pytest.fixture
def office(db):
    factories.current_year()
    return factories.make_user(Role.OFFICE_ADMIN)


def test_a_valid_file_imports_classes_pupils_and_parents(office):
    result = roster.import_roster(office, _csv(*GOOD))
    assert result.ok, result.errors
    assert (result.classes_created, result.pupils_created, result.parents_created) == (2, 3, 3)
    amelia = db.session.scalar(select(Pupil).where(Pupil.reference == "P1"))
    assert {
        link.parent.first_name
        for link in db.session.scalars(select(ParentLink).where(ParentLink.pupil_id == amelia.id))
    } == {"Jo", "Sam"}
    assert set(result.new_pictures) == {"Amelia Stone", "Kit Moss", "Zed Ray"}


def test_importing_again_updates_instead_of_duplicating(office):
    roster.import_roster(office, _csv(*GOOD))
    db.session.commit()
    before = _counts()
    moved = GOOD[2].replace("Kit,Moss", "Kit,Moss-Hill")
    result = roster.import_roster(office, _csv(GOOD[0], GOOD[1], moved, GOOD[3]))
    assert result.ok
    assert (result.pupils_created, result.pupils_updated, result.parents_created) == (0, 1, 0)
    assert _counts() == before
    assert db.session.scalar(select(Pupil.last_name).where(Pupil.reference == "P2")) == "Moss-Hill"


@pytest.mark.parametrize(
    ("bad_line", "column", "words"),
    [
        ("Oak,Year 9,P9,A,B,2018-01-01,,,,", "year_group", "not a year group"),
        ("Oak,Year 3,P9,A,B,14/05/2018,,,,", "pupil_date_of_birth", "not a date"),
        ("Oak,Year 3,P9,,B,2018-01-01,,,,", "pupil_first_name", "is empty"),
        ("Oak,Year 3,P9,A,B,2018-01-01,not-an-email,X,Y,Mum", "parent_email", "not an email"),
        ("Oak,Year 3,P1,Other,Child,2018-01-01,,,,", "pupil_reference", "also used on row 2"),
        ("Oak,Year 3,P9,A,B,1990-01-01,,,,", "pupil_date_of_birth", "primary-school age"),
    ],
)
def test_one_bad_row_imports_nothing_and_names_the_row_and_column(office, bad_line, column, words):
    before = _counts()
    result = roster.import_roster(office, _csv(GOOD[0], GOOD[2], bad_line))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(4, column)]
    assert words in result.errors[0].message
    db.session.flush()
    assert _counts() == before


def test_a_missing_column_is_reported(office):
    result = roster.import_roster(office, b"class_name,year_group\nOak,Year 3\n")
    assert {e.column for e in result.errors} >= {"pupil_reference", "pupil_date_of_birth"}


def test_a_class_cannot_change_year_group_by_import(office):
    roster.import_roster(office, _csv(GOOD[2]))
    result = roster.import_roster(office, _csv("Oak,Year 4,P8,New,Kid,2017-03-03,,,,"))
    assert [(e.row, e.column) for e in result.errors] == [(2, "year_group")]


def test_the_office_page_lists_errors_and_keeps_the_database_untouched(client, login_as, office):
    login_as(office)
    before = _counts()
    response = client.post(
        "/school/roster",
        data={"file": (io.BytesIO(_csv(GOOD[0], "Oak,Year 3,P9,A,B,not-a-date,,,,")), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.data.decode()
    assert "Nothing was imported" in page
    assert "<td>3</td>" in page and "pupil_date_of_birth" in page
    assert _counts() == before


def test_the_template_downloads_with_every_column(client, login_as, office):
    login_as(office)
    response = client.get("/school/roster/template.csv")
    assert response.mimetype == "text/csv"
    assert response.data.decode().splitlines()[0] == HEADER


def test_the_roster_cannot_make_the_dsl_a_parent_of_any_child(office):
    """Linking an existing staff account as a parent changes that account: the office may not
    do it to an account the grant table keeps from them (it would open that child's records)."""
    dsl = factories.make_user(Role.DSL, email="dsl@example.com")
    before = _counts()
    result = roster.import_roster(
        office, _csv("Oak,Year 3,P9,Amy,Lee,2018-05-14,dsl@example.com,Dee,Sel,Mother")
    )
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "parent_email")]
    assert _counts() == before and not dsl.has_role(Role.PARENT)
