"""Routing, one test per rule of the policy: who handles a concern and who is told."""

from __future__ import annotations

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import (
    BlockedSite,
    BlockStatus,
    ConcernKind,
    Involved,
    Material,
    Procedure,
)
from esafety.school.models import StaffProfile
from tests import factories

from .conftest import details, outbox_to


def _sent(concern) -> None:
    db.session.commit()


def test_about_a_pupil_goes_to_the_anti_bullying_procedure_with_the_class_teacher(people):
    concern = services.raise_concern(
        people.parent, details(involved=Involved.PUPIL, pupil_id=people.child.id)
    )
    db.session.commit()
    assert concern.procedure is Procedure.ANTI_BULLYING
    assert concern.handler_id == people.officer.id
    readers = services.who_will_read(concern)
    assert people.officer in readers and people.y5_teacher not in readers
    # Without a DSL on record, the e-safety officer gets a link; the class teacher is told,
    # without a link or details.
    (to_officer,) = outbox_to(people.officer.email)
    assert f"/safeguarding/concerns/{concern.id}" in to_officer.get_content()
    (to_teacher,) = outbox_to(people.y5_teacher.email)
    assert "/safeguarding/concerns/" not in to_teacher.get_content()
    assert concern.reference in to_teacher.get_content()


def test_about_a_member_of_staff_goes_to_the_headteacher_under_the_allegations_policy(people):
    teacher = people.school.teachers[next(iter(people.school.teachers))]
    concern = services.raise_concern(
        people.parent, details(involved=Involved.STAFF, staff_member_id=teacher.id)
    )
    db.session.commit()
    assert concern.procedure is Procedure.ALLEGATIONS
    assert concern.handler_id == people.head.id
    assert not concern.about_headteacher
    assert outbox_to(people.head.email)
    assert not outbox_to(people.officer.email)


def test_about_the_headteacher_goes_to_the_chair_of_governors_only(people):
    concern = services.raise_concern(
        people.y5_teacher, details(involved=Involved.STAFF, staff_member_id=people.head.id)
    )
    db.session.commit()
    assert concern.about_headteacher
    assert concern.procedure is Procedure.ALLEGATIONS
    assert concern.handler_id == people.chair.id
    assert outbox_to(people.chair.email)
    assert not outbox_to(people.head.email)
    assert services.can_open(people.chair, concern)
    assert not services.can_open(people.head, concern)
    assert not services.can_open(people.officer, concern)
    assert not services.can_open(people.slt, concern)
    assert not services.can_open(people.governor, concern)


def test_choosing_a_staff_member_makes_it_about_staff_whatever_was_ticked(people):
    concern = services.raise_concern(
        people.parent, details(involved=Involved.UNKNOWN, staff_member_id=people.head.id)
    )
    assert concern.involved is Involved.STAFF and concern.about_headteacher


def test_an_adult_outside_school_goes_to_a_member_of_the_slt_with_the_steps(people):
    concern = services.raise_concern(people.y5_teacher, details(involved=Involved.ADULT_OUTSIDE))
    db.session.commit()
    assert concern.procedure is Procedure.ADULT_OUTSIDE
    assert concern.handler_id == people.slt.id
    assert outbox_to(people.slt.email)


def test_an_slt_member_reporting_an_adult_is_not_their_own_handler(people):
    other = factories.make_user(Role.SLT, first_name="Zed", last_name="Zulu")
    concern = services.raise_concern(people.slt, details(involved=Involved.ADULT_OUTSIDE))
    assert concern.handler_id == other.id


def test_material_marked_by_the_reporter_raises_consider_police(people):
    concern = services.raise_concern(
        people.y5_teacher,
        details(involved=Involved.ADULT_OUTSIDE, material=[Material.SEXIST]),
    )
    assert concern.consider_police


def test_material_marked_by_the_handler_raises_consider_police(people):
    concern = services.raise_concern(people.y5_teacher, details(involved=Involved.ADULT_OUTSIDE))
    assert not concern.consider_police
    services.mark_material(people.slt, concern, [Material.ABUSIVE])
    assert concern.consider_police and concern.material == [Material.ABUSIVE]


def test_a_friend_request_from_staff_to_a_pupil_goes_to_the_headteacher(people):
    concern = services.raise_concern(
        people.parent,
        details(
            kind=ConcernKind.UNWANTED_CONTACT,
            involved=Involved.STAFF,
            staff_member_id=people.y5_teacher.id,
        ),
    )
    assert concern.procedure is Procedure.STAFF_CONTACT
    assert concern.handler_id == people.head.id


def test_a_friend_request_from_a_parent_to_staff_goes_to_the_headteacher(people):
    concern = services.raise_concern(
        people.y5_teacher,
        details(
            kind=ConcernKind.UNWANTED_CONTACT, involved=Involved.ADULT_OUTSIDE, staff_contact=True
        ),
    )
    assert concern.procedure is Procedure.STAFF_CONTACT
    assert concern.handler_id == people.head.id


def test_contact_from_a_pupil_reported_by_staff_goes_to_the_headteacher(people):
    concern = services.raise_concern(
        people.y5_teacher, details(kind=ConcernKind.UNWANTED_CONTACT, involved=Involved.PUPIL)
    )
    assert concern.procedure is Procedure.STAFF_CONTACT


def test_inappropriate_content_in_school_goes_to_the_esafety_officer_and_the_register(people):
    concern = services.raise_concern(
        people.y5_teacher,
        details(
            kind=ConcernKind.INAPPROPRIATE_CONTENT,
            in_school=True,
            link="https://www.Bad-Site.example/page?x=1",
        ),
    )
    db.session.commit()
    assert concern.procedure is Procedure.BLOCK_SITE
    assert concern.handler_id == people.officer.id
    entry = db.session.scalar(db.select(BlockedSite))
    assert entry.domain == "bad-site.example"
    assert entry.status is BlockStatus.PENDING and entry.concern_id == concern.id


def test_inappropriate_content_in_school_without_a_link_asks_for_the_site(people):
    concern = services.raise_concern(
        people.y5_teacher, details(kind=ConcernKind.INAPPROPRIATE_CONTENT, in_school=True)
    )
    assert concern.procedure is Procedure.BLOCK_SITE
    assert db.session.scalar(db.select(BlockedSite)) is None
    assert any("No link was given" in a.note for a in concern.actions)


def test_a_pupils_worry_goes_to_their_class_teacher_and_the_esafety_officer(people):
    concern = services.tell_a_teacher(people.child.user, services.TellChoice.UNKIND)
    db.session.commit()
    assert concern.procedure is Procedure.ANTI_BULLYING
    assert concern.handler_id == people.officer.id
    assert outbox_to(people.officer.email) and outbox_to(people.y5_teacher.email)


def test_without_an_esafety_officer_the_headteacher_handles(people):
    people.officer.active = False
    db.session.flush()
    concern = services.raise_concern(people.parent, details())
    assert concern.handler_id == people.head.id


def test_without_a_chair_the_designated_lead_holds_a_concern_about_the_head(people):
    db.session.get(StaffProfile, people.chair.id).is_chair_of_governors = False
    db.session.flush()
    concern = services.raise_concern(
        people.y5_teacher, details(involved=Involved.STAFF, staff_member_id=people.head.id)
    )
    assert concern.handler_id == people.officer.id
    assert services.can_open(people.officer, concern)
    assert not services.can_open(people.head, concern)


def test_the_person_a_concern_is_about_never_opens_it(people):
    concern = services.raise_concern(
        people.parent, details(involved=Involved.STAFF, staff_member_id=people.slt.id)
    )
    assert not services.can_open(people.slt, concern)
    assert services.can_open(people.head, concern)


def test_handlers_get_a_link_only_never_the_details(people):
    services.raise_concern(
        people.parent,
        details(
            description="Very private words about a child",
            names="Somebody Private",
            platform="Snapchat",
        ),
    )
    db.session.commit()
    messages = outbox_to(people.officer.email)
    assert len(messages) == 1
    body = messages[0].get_content() + messages[0]["Subject"]
    for secret in ("Very private", "Somebody Private", "Snapchat", people.parent.last_name):
        assert secret not in body


def test_no_mail_goes_out_for_a_concern_that_was_not_saved(people):
    services.raise_concern(people.parent, details())
    db.session.rollback()
    db.session.commit()
    assert outbox_to(people.officer.email) == []
