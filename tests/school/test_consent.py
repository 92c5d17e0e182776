"""Photo consent: recorded per pupil and academic year, asked afresh every year."""

from __future__ import annotations

from datetime import date

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.school import services
from esafety.school.models import AcademicYear, ConsentSource, YearGroup
from tests import factories


def test_consent_is_recorded_with_who_when_and_from_what(school):
    office = factories.make_user(Role.OFFICE_ADMIN)
    pupil = school.pupils[YearGroup.YEAR_2][0]
    consent = services.record_photo_consent(
        office, pupil, school.year, class_blog=True, website=False, source=ConsentSource.EMAIL
    )
    assert (consent.recorded_by_id, consent.source) == (office.id, ConsentSource.EMAIL)
    assert services.photo_consent_for([pupil.id], "class_blog") == {pupil.id: True}
    assert services.photo_consent_for([pupil.id], "website") == {pupil.id: False}


def test_a_new_academic_year_starts_with_no_consent(school):
    office = factories.make_user(Role.OFFICE_ADMIN)
    pupil = school.pupils[YearGroup.YEAR_2][0]
    services.record_photo_consent(
        office, pupil, school.year, class_blog=True, website=True, source=ConsentSource.PAPER_FORM
    )
    school.year.is_current = False
    db.session.flush()
    next_year = AcademicYear(
        name="2099/00", starts_on=date(2099, 9, 1), ends_on=date(2100, 8, 31), is_current=True
    )
    db.session.add(next_year)
    db.session.flush()
    assert services.photo_consent_for([pupil.id], "class_blog") == {pupil.id: False}
    register = services.consent_register(pupil.class_id, next_year)
    assert all(consent is None for _, consent in register)


def test_the_office_records_consent_from_the_register_page(client, school, login_as):
    login_as(Role.OFFICE_ADMIN)
    pupil = school.pupils[YearGroup.YEAR_4][0]
    page = client.get(f"/school/consent/{pupil.class_id}")
    assert b"still need asking" in page.data
    response = client.post(
        f"/school/consent/{pupil.class_id}/{pupil.id}",
        data={f"p{pupil.id}-class_blog": "y", f"p{pupil.id}-source": "paper_form"},
        follow_redirects=True,
    )
    assert b"Photo consent saved" in response.data
    assert services.photo_consent_for([pupil.id], "class_blog") == {pupil.id: True}
    assert services.photo_consent_for([pupil.id], "website") == {pupil.id: False}
    printable = client.get(f"/school/consent/{pupil.class_id}?print=1")
    assert b"Paper form" in printable.data
