"""The DSL team: who handles which concern, urgency and escalation to the deputies, the LADO
step for allegations about staff, referrals, actions and a child's chronology."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from esafety import audit
from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.clock import today, utcnow
from esafety.errors import DomainError, NotFoundError
from esafety.extensions import db
from esafety.safeguarding import alerts, casefile, export, lowlevel, services
from esafety.safeguarding import evidence as evidence_files
from esafety.safeguarding.models import (
    ActionKind,
    Agency,
    ConcernKind,
    ConcernSource,
    Involved,
    Material,
    Procedure,
    PupilPart,
    Urgency,
)
from esafety.school.models import YearGroup
from tests import factories

from .conftest import People, details, outbox_to, png_bytes, upload


@dataclass
class Team:
    people: People
    dsl: User
    deputy: User


@pytest.fixture
def team(people) -> Team:
    found = Team(
        people=people,
        dsl=factories.make_user([Role.DSL, Role.SLT], first_name="Grace", last_name="Lead"),
        deputy=factories.make_user(
            [Role.DEPUTY_DSL, Role.TEACHER], first_name="Dan", last_name="Deputy"
        ),
    )
    db.session.commit()
    return found


def _messages(user: User, containing: str = "") -> list:
    db.session.commit()
    return [m for m in outbox_to(user.email) if containing in m["Subject"]]


# --- Routing: every rule about a child goes to the DSL team -------------------------------


def _tell(team: Team):
    return services.tell_a_teacher(team.people.child.user, services.TellChoice.UNKIND, "names")


def _about_pupil(team: Team):
    p = team.people
    return services.raise_concern(p.parent, details(involved=Involved.PUPIL, pupil_id=p.child.id))


def _pupil_named(team: Team):
    p = team.people
    return services.raise_concern(
        p.y5_teacher,
        details(kind=ConcernKind.OTHER, involved=Involved.UNKNOWN, pupil_id=p.child.id),
    )


def _adult_outside_with_child(team: Team):
    p = team.people
    return services.raise_concern(
        p.parent,
        details(
            kind=ConcernKind.UNWANTED_CONTACT,
            involved=Involved.ADULT_OUTSIDE,
            pupil_id=p.child.id,
        ),
    )


def _blog(team: Team):
    p = team.people
    return services.receive_blog_report(
        reporter=p.child.user,
        class_id=p.child.class_id,
        item_kind="post",
        item_id=3,
        reported_text="words",
        reason="It worries me",
        note="",
        passed_on_by=p.y5_teacher,
    )


def _worry(team: Team):
    p = team.people
    return services.raise_urgent_pupil_worry(
        p.y5_teacher, p.child.id, "nobody would miss me", context="a draft blog post"
    )


PUPIL_RULES = [_tell, _about_pupil, _pupil_named, _adult_outside_with_child, _blog, _worry]


@pytest.mark.parametrize("raise_it", PUPIL_RULES, ids=lambda f: f.__name__.strip("_"))
def test_every_concern_about_a_child_goes_to_the_dsl_team(team, raise_it):
    concern = raise_it(team)
    db.session.commit()
    assert concern.handler_id == team.dsl.id
    (to_dsl,) = _messages(team.dsl, concern.reference)
    assert f"/safeguarding/concerns/{concern.id}" in to_dsl.get_content()
    for person in (team.dsl, team.deputy, team.people.head):
        assert services.can_open(person, concern)
    # The e-safety officer and the senior team do not open a child's concern they do not lead.
    for person in (team.people.officer, team.people.slt, team.people.y5_teacher):
        assert not services.can_open(person, concern)
    assert team.dsl in services.who_will_read(concern)


def test_online_content_stays_with_the_e_safety_officer(team):
    p = team.people
    concern = services.raise_concern(
        p.y5_teacher,
        details(
            kind=ConcernKind.INAPPROPRIATE_CONTENT,
            in_school=True,
            link="https://bad-site.example/x",
        ),
    )
    assert concern.procedure is Procedure.BLOCK_SITE
    assert concern.handler_id == p.officer.id
    assert services.can_open(p.officer, concern)


def test_an_allegation_about_staff_goes_to_the_head_with_the_dsl_and_a_lado_deadline(team):
    p = team.people
    concern = services.raise_concern(
        p.parent, details(involved=Involved.STAFF, staff_member_id=p.y5_teacher.id)
    )
    db.session.commit()
    assert concern.procedure is Procedure.ALLEGATIONS
    assert concern.handler_id == p.head.id
    assert _messages(team.dsl, concern.reference)
    assert concern.lado_due_at is not None and concern.lado_due_at > concern.created_at
    # The class teacher it is about is told nothing at all.
    assert not outbox_to(p.y5_teacher.email)
    assert not services.can_open(p.y5_teacher, concern)


def test_an_allegation_about_the_headteacher_goes_to_the_chair_only(team):
    p = team.people
    concern = services.raise_concern(
        p.y5_teacher, details(involved=Involved.STAFF, staff_member_id=p.head.id)
    )
    db.session.commit()
    assert concern.handler_id == p.chair.id
    assert not services.can_open(p.head, concern)
    assert not _messages(team.dsl, concern.reference)


def test_the_class_teacher_is_not_told_when_the_child_says_it_is_about_someone_at_school(team):
    p = team.people
    told = services.tell_a_teacher(p.child.user, services.TellChoice.UPSET, "")
    db.session.commit()
    assert [m for m in outbox_to(p.y5_teacher.email) if told.reference in m["Subject"]]
    kept = services.tell_a_teacher(
        p.child.user, services.TellChoice.UPSET, "a grown up", about_school=True
    )
    db.session.commit()
    assert kept.keep_from_class
    assert not [m for m in outbox_to(p.y5_teacher.email) if kept.reference in m["Subject"]]
    assert "about someone at school" in kept.description


def test_tell_a_teacher_names_the_safeguarding_team_and_offers_someone_at_school(
    client, login_as, team
):
    login_as(team.people.child.user)
    page = client.get("/safeguarding/tell").data.decode()
    assert team.dsl.full_name in page and team.deputy.full_name in page
    assert team.people.y5_teacher.full_name not in page
    assert "It is about someone at school" in page
    response = client.post("/safeguarding/tell", data={"choice": "unkind", "about_school": "y"})
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).data.decode()
    assert team.dsl.full_name in thanks and team.people.y5_teacher.full_name not in thanks


# --- Urgency and escalation ----------------------------------------------------------------


def test_an_urgent_concern_alerts_the_deputy_at_once(team):
    p = team.people
    concern = services.raise_concern(
        p.parent,
        details(involved=Involved.PUPIL, pupil_id=p.child.id, urgency=Urgency.URGENT),
    )
    db.session.commit()
    (alert,) = _messages(team.deputy, "needs someone now")
    assert concern.reference in alert["Subject"] and "urgent" in alert.get_content()
    assert concern.actions[-1].kind is not None
    assert ActionKind.ESCALATED in {a.kind for a in concern.actions}
    # Told once: the job does not tell them again.
    alerts.send_all(utcnow() + timedelta(hours=10))
    assert len(_messages(team.deputy, "needs someone now")) == 1


def test_a_concern_unread_for_the_configured_hours_alerts_the_deputy(app, team):
    app.config["SAFEGUARDING_UNREAD_HOURS"] = 2
    concern = _about_pupil(team)
    db.session.commit()
    assert not _messages(team.deputy, "needs someone now")
    assert alerts.escalate_unread(utcnow() + timedelta(hours=1)) == []
    assert not _messages(team.deputy, "needs someone now")
    # The command the school runs every few minutes.
    concern.created_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["safeguarding", "alerts"])
    assert result.exit_code == 0 and concern.reference in result.output
    (alert,) = _messages(team.deputy, "needs someone now")
    assert "2 hours" in alert.get_content()


def test_a_concern_read_by_the_team_does_not_escalate(app, team):
    concern = _about_pupil(team)
    db.session.commit()
    services.open_concern(team.dsl, concern.id)
    db.session.commit()
    assert concern.first_read_at is not None
    assert alerts.escalate_unread(utcnow() + timedelta(days=1)) == []


def test_the_worry_detector_raises_an_urgent_concern_with_the_childs_words(team):
    p = team.people
    concern = services.raise_urgent_pupil_worry(
        p.y5_teacher,
        p.child.id,
        "I want to run away",
        context="a draft blog post",
        source_ref="post:44",
    )
    again = services.raise_urgent_pupil_worry(
        p.y5_teacher, p.child.id, "nobody cares", context="a comment", source_ref="post:44"
    )
    db.session.commit()
    assert again.id == concern.id
    assert concern.urgency is Urgency.URGENT and concern.source is ConcernSource.CLASS_BLOG
    assert "I want to run away" in concern.quoted_text and "nobody cares" in concern.quoted_text
    assert concern.keep_from_class
    assert _messages(team.deputy, "needs someone now")
    assert not outbox_to(p.y5_teacher.email)
    with pytest.raises(DomainError):
        services.raise_urgent_pupil_worry(p.y5_teacher, p.child.id, " ", context="x")


# --- LADO ----------------------------------------------------------------------------------


def test_a_lado_reminder_fires_after_one_working_day_without_contact(team):
    p = team.people
    concern = services.raise_concern(
        p.parent, details(involved=Involved.STAFF, staff_member_id=p.y5_teacher.id)
    )
    db.session.commit()
    # Raised on a Friday afternoon: due the next Monday, not on Saturday.
    friday = datetime(2026, 11, 27, 15, 0)
    assert services.working_days_after(friday, 1) == datetime(2026, 11, 30, 15, 0)
    assert alerts.remind_lado(concern.lado_due_at - timedelta(minutes=1)) == []
    assert alerts.remind_lado(concern.lado_due_at + timedelta(minutes=1)) == [concern]
    (to_head,) = _messages(p.head, "LADO")
    assert concern.reference in to_head["Subject"]
    assert not [m for m in outbox_to(p.y5_teacher.email) if "LADO" in m["Subject"]]
    assert concern.actions[-1].kind is ActionKind.REMINDER
    assert alerts.remind_lado(concern.lado_due_at + timedelta(days=2)) == []


def test_no_lado_reminder_once_the_lado_contact_is_recorded(team):
    p = team.people
    concern = services.raise_concern(
        p.parent, details(involved=Involved.STAFF, staff_member_id=p.y5_teacher.id)
    )
    casefile.refer(p.head, concern, Agency.LADO, referred_on=today(), reference="LADO-77")
    db.session.commit()
    assert alerts.remind_lado(concern.lado_due_at + timedelta(hours=1)) == []
    assert not concern.status.is_closed


# --- A child's file ------------------------------------------------------------------------


def test_several_pupils_on_one_concern_appear_on_each_childs_chronology(team):
    p = team.people
    other = p.school.pupils[YearGroup.YEAR_5][1]
    witness = p.school.pupils[YearGroup.YEAR_5][2]
    first = services.raise_concern(
        p.y5_teacher,
        details(
            involved=Involved.PUPIL,
            pupil_id=p.child.id,
            other_pupils=[(other.id, PupilPart.HARMED_OTHERS)],
        ),
    )
    casefile.add_pupil(team.dsl, first, witness.id, PupilPart.WITNESS)
    with pytest.raises(DomainError):
        casefile.add_pupil(team.dsl, first, witness.id, PupilPart.WITNESS)
    second = _tell(team)
    db.session.commit()
    pupil, concerns, entries = casefile.chronology_for_pupil(team.dsl, p.child.id)
    assert [c.id for c in concerns] == [first.id, second.id]
    assert {e.concern.id for e in entries} == {first.id, second.id}
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    for pupil_id, part in ((other.id, PupilPart.HARMED_OTHERS), (witness.id, PupilPart.WITNESS)):
        _, theirs, their_entries = casefile.chronology_for_pupil(team.dsl, pupil_id)
        assert [c.id for c in theirs] == [first.id]
        assert {e.part for e in their_entries} == {part}
    # Filtered to one kind of step.
    _, _, raised = casefile.chronology_for_pupil(team.dsl, p.child.id, {ActionKind.RAISED})
    assert [e.concern.id for e in raised] == [first.id, second.id]
    # Nobody outside the team reads a child's file.
    with pytest.raises(NotFoundError):
        casefile.chronology_for_pupil(p.y5_teacher, p.child.id)


def test_the_chronology_page_is_printable_and_filterable(client, login_as, team):
    p = team.people
    concern = _about_pupil(team)
    casefile.set_task(team.dsl, concern, "Call the parent", team.dsl.id, today())
    db.session.commit()
    login_as(team.dsl)
    page = client.get(f"/safeguarding/pupils/{p.child.id}").data.decode()
    assert concern.reference in page and "Action set" in page and "data-print" in page
    page = client.get(f"/safeguarding/pupils/{p.child.id}?kind=task_set").data.decode()
    assert "Call the parent" in page and "Concern raised" not in page.split("<h2>Chronology")[1]
    files = client.get("/safeguarding/pupils").data.decode()
    assert p.child.last_name in files
    login_as(p.y5_teacher)
    assert client.get(f"/safeguarding/pupils/{p.child.id}").status_code == 404


def test_actions_have_an_owner_and_a_due_date_and_overdue_ones_are_reminded(team):
    p = team.people
    concern = _about_pupil(team)
    with pytest.raises(DomainError) as refused:
        casefile.set_task(team.dsl, concern, "Call", p.y5_teacher.id, today())
    assert refused.value.field == "owner_id"
    with pytest.raises(DomainError):
        casefile.set_task(team.dsl, concern, "Call", team.deputy.id, today() - timedelta(days=1))
    task = casefile.set_task(team.dsl, concern, "Meet the family", team.deputy.id, today())
    db.session.commit()
    assert _messages(team.deputy, "action for you")
    assert alerts.remind_overdue_tasks(today()) == []
    assert alerts.remind_overdue_tasks(today() + timedelta(days=1)) == [task]
    assert alerts.remind_overdue_tasks(today() + timedelta(days=1)) == []
    db.session.commit()
    assert _messages(team.deputy, "overdue")
    casefile.complete_task(team.deputy, concern, task.id, "Met them")
    assert alerts.remind_overdue_tasks(today() + timedelta(days=3)) == []
    casefile.set_review(team.dsl, concern, today() + timedelta(days=14))
    assert concern.review_on == today() + timedelta(days=14)
    assert concern.actions[-1].kind is ActionKind.REVIEW_SET


def test_the_case_page_sets_actions_and_shows_form_errors_beside_them(client, login_as, team):
    concern = _about_pupil(team)
    db.session.commit()
    login_as(team.dsl)
    url = f"/safeguarding/concerns/{concern.id}"
    response = client.post(
        url + "/tasks", data={"title": "Ring school nurse", "owner_id": str(team.deputy.id)}
    )
    assert response.status_code == 400
    page = response.data.decode()
    assert "Ring school nurse" in page and "Give the date it is due" in page
    response = client.post(
        url + "/tasks",
        data={
            "title": "Ring school nurse",
            "owner_id": str(team.deputy.id),
            "due_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(url).data.decode()
    assert "Ring school nurse" in page and team.deputy.full_name in page


# --- Referrals -----------------------------------------------------------------------------


def test_a_referral_to_another_agency_needs_a_name_and_a_past_date(team):
    concern = _about_pupil(team)
    with pytest.raises(DomainError) as refused:
        casefile.refer(team.dsl, concern, Agency.OTHER, referred_on=today())
    assert refused.value.field == "agency_name"
    with pytest.raises(DomainError):
        casefile.refer(
            team.dsl, concern, Agency.EARLY_HELP, referred_on=today() + timedelta(days=1)
        )
    referral = casefile.refer(
        team.dsl,
        concern,
        Agency.OTHER,
        agency_name="School nursing",
        referred_on=today(),
        reference="SN-1",
    )
    assert referral.agency_label == "School nursing" and not concern.status.is_closed


# --- Images -------------------------------------------------------------------------------


def test_an_image_is_refused_on_a_concern_marked_sexual(team):
    p = team.people
    with pytest.raises(DomainError) as refused:
        services.raise_concern(
            p.parent,
            details(material=[Material.SEXUAL]),
            [upload("shot.png", png_bytes())],
        )
    assert "describe in words" in refused.value.message
    concern = services.raise_concern(p.parent, details(material=[Material.SEXUAL]))
    with pytest.raises(DomainError):
        services.add_evidence(team.dsl, concern, [upload("shot.png", png_bytes())])
    # Other material may still have its screenshots.
    abusive = services.raise_concern(
        p.parent, details(material=[Material.ABUSIVE]), [upload("shot.png", png_bytes())]
    )
    assert len(abusive.evidence) == 1


# --- The low-level concerns log ------------------------------------------------------------


def test_low_level_concerns_are_for_the_head_and_dsl_and_the_chair_when_about_the_head(team):
    p = team.people
    entry = lowlevel.record(team.dsl, p.y5_teacher.id, "Shouted at a class.", None, "A TA")
    with pytest.raises(DomainError):
        lowlevel.record(team.dsl, p.head.id, "Late again.", None)
    about_head = lowlevel.record(p.chair, p.head.id, "Swore in assembly.", None)
    db.session.commit()
    assert lowlevel.entries_for(team.dsl) == [entry]
    assert lowlevel.entries_for(p.head) == [entry]
    assert lowlevel.entries_for(p.chair) == [about_head]
    for person in (p.y5_teacher, p.slt, p.officer, p.governor, team.deputy):
        with pytest.raises(NotFoundError):
            lowlevel.entries_for(person)
    # Neither shows in the general audit log for someone who may not read it.
    shown = services.visible_audit_entries(p.head, audit.recent(50))
    assert about_head.id not in {e.target_id for e in shown if e.target_type == "low_level_concern"}


# --- Local time ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (datetime(2026, 7, 14, 13, 5), "14 Jul 2026, 14:05 BST"),
        (datetime(2026, 1, 14, 13, 5), "14 Jan 2026, 13:05 GMT"),
    ],
    ids=["summer", "winter"],
)
def test_safeguarding_pages_and_exports_show_the_schools_local_time(
    client, login_as, team, stored, shown
):
    concern = _about_pupil(team)
    concern.created_at = stored
    db.session.commit()
    login_as(team.dsl)
    case = client.get(f"/safeguarding/concerns/{concern.id}").data.decode()
    assert shown in case and "UTC" not in case
    listed = client.get("/safeguarding/concerns?show=all").data.decode()
    assert shown in listed
    assert shown in export.case_summary(concern)


def test_the_working_day_rule_skips_the_weekend():
    monday = datetime(2026, 11, 30, 9, 0)
    assert services.working_days_after(monday, 1) == datetime(2026, 12, 1, 9, 0)
    assert date(2026, 11, 28).weekday() == 5


def test_pictures_already_in_a_concern_marked_sexual_are_shown_as_hashes_and_destroyed(
    client, login_as, team
):
    p = team.people
    concern = services.raise_concern(p.parent, details(), [upload("shot.png", png_bytes())])
    services.mark_material(team.dsl, concern, [Material.SEXUAL])
    db.session.commit()
    item = concern.evidence[0]
    login_as(team.dsl)
    url = f"/safeguarding/concerns/{concern.id}"
    page = client.get(url).data.decode()
    assert "Picture not shown" in page and item.sha256 in page
    assert f'/evidence/{item.id}"' not in page
    assert client.get(f"{url}/evidence/{item.id}").status_code == 403
    # Only the DSL destroys it, with a reason; the record and hash stay.
    login_as(p.head)
    assert client.post(f"{url}/evidence/{item.id}/destroy", data={}).status_code == 404
    login_as(team.dsl)
    field = f"e{item.id}-destroy_reason"
    refused = client.post(f"{url}/evidence/{item.id}/destroy", data={field: ""})
    assert refused.status_code == 400
    done = client.post(
        f"{url}/evidence/{item.id}/destroy",
        data={field: "Described in the chronology; police advised."},
    )
    assert done.status_code == 302
    db.session.refresh(item)
    assert item.destroyed_at is not None and item.destroyed_by_id == team.dsl.id
    assert not evidence_files.stored_file(item.stored_path).exists()
    page = client.get(url).data.decode()
    assert "Destroyed" in page and item.sha256 in page and "police advised" in page
    # The referral zip carries the hash, never the picture.
    name, content = export.export_case(team.dsl, concern.id)

    archive = zipfile.ZipFile(io.BytesIO(content))
    assert not [n for n in archive.namelist() if n.startswith("evidence/")]
    assert item.sha256 in archive.read("manifest.json").decode()
