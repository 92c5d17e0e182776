"""Handling a concern: new -> in_progress -> resolved | referred, each step with who and when."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from esafety import audit
from esafety.clock import today
from esafety.errors import DomainError, NotFoundError
from esafety.extensions import db
from esafety.safeguarding import casefile, services
from esafety.safeguarding.models import (
    ActionKind,
    Agency,
    BlockedSite,
    BlockStatus,
    ConcernAccess,
    ConcernStatus,
    Involved,
    Material,
)

from .conftest import details, outbox_to, png_bytes, upload


@pytest.fixture
def concern(people):
    made = services.raise_concern(people.y5_teacher, details(involved=Involved.ADULT_OUTSIDE))
    db.session.commit()
    return made


def test_recording_a_step_starts_the_case_and_keeps_who_and_when(people, concern):
    assert concern.status is ConcernStatus.NEW
    action = services.record_action(
        people.slt, concern, ActionKind.MEETING_HELD, "Met Ms Hill after school."
    )
    db.session.commit()
    assert concern.status is ConcernStatus.IN_PROGRESS
    assert action.by_id == people.slt.id and action.at is not None
    kinds = [a.kind for a in concern.actions]
    assert kinds[-2:] == [ActionKind.STARTED, ActionKind.MEETING_HELD]
    assert audit.recent(action_prefix="safeguarding.action_recorded")


def test_a_note_needs_words(people, concern):
    with pytest.raises(DomainError) as refused:
        services.record_action(people.slt, concern, ActionKind.NOTE, "  ")
    assert refused.value.field == "action_note"


def test_only_handler_steps_can_be_recorded_by_hand(people, concern):
    with pytest.raises(DomainError):
        services.record_action(people.slt, concern, ActionKind.RESOLVED, "x")


def test_resolving_needs_an_outcome_and_closes_the_concern(people, concern):
    with pytest.raises(DomainError):
        services.resolve(people.slt, concern, "")
    services.resolve(people.slt, concern, "The post was taken down.")
    assert concern.status is ConcernStatus.RESOLVED and concern.closed_at is not None
    kinds = [a.kind for a in concern.actions]
    assert kinds[-3:] == [ActionKind.STARTED, ActionKind.OUTCOME, ActionKind.RESOLVED]
    with pytest.raises(DomainError, match="already closed"):
        services.resolve(people.slt, concern, "again")
    with pytest.raises(DomainError, match="closed"):
        casefile.refer(people.slt, concern, Agency.POLICE, referred_on=today())


def test_a_referral_to_the_police_keeps_the_case_open_with_its_reference(people, concern):
    services.record_action(people.slt, concern, ActionKind.POLICE_CONTACTED, "Called 101, ref 55")
    referral = casefile.refer(
        people.slt, concern, Agency.POLICE, referred_on=today(), reference="55/26"
    )
    db.session.commit()
    assert concern.status is ConcernStatus.IN_PROGRESS and concern.closed_at is None
    assert referral.reference == "55/26" and referral.referred_by_id == people.slt.id
    assert concern.actions[-1].kind is ActionKind.REFERRAL_MADE
    assert "55/26" in concern.actions[-1].note


def test_a_referral_outcome_and_follow_up_are_recorded(people, concern):
    referral = casefile.refer(people.head, concern, Agency.SOCIAL_CARE, referred_on=today())
    casefile.update_referral(
        people.head, concern, referral.id, outcome="Strategy meeting booked", follow_up_on=today()
    )
    assert referral.outcome == "Strategy meeting booked" and referral.follow_up_on == today()
    assert concern.actions[-1].kind is ActionKind.REFERRAL_UPDATED
    assert not concern.status.is_closed


def test_nobody_outside_the_allowed_roles_can_handle_a_concern(people, concern):
    for person in (people.y5_teacher, people.parent, people.governor, people.computing):
        with pytest.raises(NotFoundError):
            services.record_action(person, concern, ActionKind.NOTE, "x")
        with pytest.raises(NotFoundError):
            services.open_concern(person, concern.id)


def test_assigning_a_handler_emails_them_a_link(people, concern):
    services.assign_handler(people.slt, concern, people.officer.id)
    db.session.commit()
    assert concern.handler_id == people.officer.id
    (message,) = outbox_to(people.officer.email)
    assert f"/safeguarding/concerns/{concern.id}" in message.get_content()
    with pytest.raises(DomainError):
        services.assign_handler(people.slt, concern, people.parent.id)


def test_a_handler_can_only_add_material_marks_the_reporter_made(people):
    concern = services.raise_concern(people.y5_teacher, details(material=[Material.THREATENING]))
    services.mark_material(people.officer, concern, [])
    assert concern.consider_police and concern.material == [Material.THREATENING]


def test_handlers_add_evidence_later(people, concern):
    services.add_evidence(people.slt, concern, [upload("later.png", png_bytes())])
    assert [e.original_name for e in concern.evidence] == ["later.png"]
    assert concern.actions[-1].kind is ActionKind.EVIDENCE_ADDED


def test_a_block_request_from_a_case_waits_on_the_register(people, concern):
    services.request_block(people.slt, concern, "https://nasty.example/x", "Seen on a laptop")
    entry = db.session.scalar(select(BlockedSite))
    assert entry.status is BlockStatus.PENDING and entry.concern_id == concern.id


def test_opening_a_concern_is_logged(people, concern):
    services.open_concern(people.head, concern.id)
    entry = db.session.scalars(select(ConcernAccess)).all()[-1]
    assert (entry.user_id, entry.concern_id, entry.what) == (people.head.id, concern.id, "case")


# --- Through the pages ----------------------------------------------------------------------


def test_the_case_page_shows_the_adult_outside_steps(client, login_as, people, concern):
    login_as(people.slt)
    page = client.get(f"/safeguarding/concerns/{concern.id}").data.decode()
    for step in ("Meeting held", "Removal requested", "Provider contacted", "Police contacted"):
        assert step in page
    assert concern.description in page


def test_recording_a_meeting_and_resolving_through_the_page(client, login_as, people, concern):
    login_as(people.officer)
    url = f"/safeguarding/concerns/{concern.id}"
    response = client.post(
        url + "/actions", data={"kind": "meeting_held", "action_note": "Met with the family."}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.refresh(concern)
    response = client.post(url + "/resolve", data={"outcome": "", "revision": concern.revision})
    assert response.status_code == 400
    assert "Write the outcome" in response.data.decode()
    response = client.post(
        url + "/resolve",
        data={"outcome": "Content removed by the poster.", "revision": concern.revision},
    )
    assert response.status_code == 302
    db.session.refresh(concern)
    assert concern.status is ConcernStatus.RESOLVED
    page = client.get(url).data.decode()
    assert "Met with the family." in page and "Content removed by the poster." in page
    assert "Resolve the concern" not in page


def test_a_refused_step_keeps_the_words(client, login_as, people, concern):
    login_as(people.officer)
    url = f"/safeguarding/concerns/{concern.id}/actions"
    response = client.post(url, data={"kind": "not-a-step", "action_note": "Kept words"})
    assert response.status_code == 400
    page = response.data.decode()
    assert "Kept words" in page


def test_marking_material_through_the_page_raises_consider_police(
    client, login_as, people, concern
):
    login_as(people.officer)
    url = f"/safeguarding/concerns/{concern.id}"
    client.post(url + "/material", data={"material": ["sexual", "hate"]})
    page = client.get(url).data.decode()
    assert "Consider the police" in page
    db.session.refresh(concern)
    assert concern.material == [Material.SEXUAL, Material.HATE]


def test_referring_through_the_page(client, login_as, people, concern):
    login_as(people.head)
    url = f"/safeguarding/concerns/{concern.id}"
    refused = client.post(url + "/refer", data={"agency": "other", "reference": "12"})
    assert refused.status_code == 400
    page = refused.data.decode()
    assert 'value="12"' in page and "Give the date of the referral" in page
    response = client.post(
        url + "/refer",
        data={"agency": "police", "reference": "PC Smith 12", "referred_on": today().isoformat()},
    )
    assert response.status_code == 302
    db.session.refresh(concern)
    assert concern.status is ConcernStatus.IN_PROGRESS
    assert [r.reference for r in concern.referrals] == ["PC Smith 12"]


def test_assigning_through_the_page(client, login_as, people, concern):
    login_as(people.head)
    url = f"/safeguarding/concerns/{concern.id}"
    assert (
        client.post(
            url + "/assign",
            data={"handler_id": str(people.officer.id), "revision": concern.revision},
        ).status_code
        == 302
    )
    db.session.refresh(concern)
    assert concern.handler_id == people.officer.id
    response = client.post(
        url + "/assign", data={"handler_id": str(people.parent.id), "revision": concern.revision}
    )
    assert response.status_code == 400 and "Choose someone from the list" in response.data.decode()


def test_adding_evidence_through_the_page(client, login_as, people, concern):
    login_as(people.slt)
    url = f"/safeguarding/concerns/{concern.id}/evidence"
    response = client.post(
        url,
        data={"evidence": [(io.BytesIO(png_bytes()), "more.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response = client.post(
        url, data={"evidence": [(io.BytesIO(b"nope"), "x.png")]}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and "x.png" in response.data.decode()


def test_evidence_pictures_show_inline_and_pdfs_download(client, login_as, people):
    from .conftest import jpeg_with_exif, pdf_bytes

    concern = services.raise_concern(
        people.parent,
        details(),
        [upload("p.jpg", jpeg_with_exif()), upload("d.pdf", pdf_bytes())],
    )
    db.session.commit()
    login_as(people.officer)
    picture, document = concern.evidence
    with client.get(f"/safeguarding/concerns/{concern.id}/evidence/{picture.id}") as response:
        assert response.mimetype == "image/jpeg"
        assert "attachment" not in response.headers.get("Content-Disposition", "")
        assert b"PhoneMaker" not in response.data
        assert response.headers["Cache-Control"] == "no-store"
    with client.get(f"/safeguarding/concerns/{concern.id}/evidence/{document.id}") as response:
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
    page = client.get(f"/safeguarding/concerns/{concern.id}").data.decode()
    assert "details (author, dates) are not removed" in page
    whats = [a.what for a in db.session.scalars(select(ConcernAccess))]
    assert f"evidence {picture.id}" in whats and f"evidence {document.id}" in whats
    other = services.raise_concern(people.parent, details())
    db.session.commit()
    # Evidence is reached only through its own concern.
    assert client.get(f"/safeguarding/concerns/{other.id}/evidence/{picture.id}").status_code == 404


def test_the_headteacher_reads_the_access_log(client, login_as, people, concern):
    login_as(people.slt)
    client.get(f"/safeguarding/concerns/{concern.id}")
    login_as(people.head)
    page = client.get("/safeguarding/access-log").data.decode()
    assert people.slt.full_name in page and concern.reference in page
    page = client.get(f"/safeguarding/concerns/{concern.id}").data.decode()
    assert "Who has opened this record" in page
    login_as(people.officer)
    page = client.get(f"/safeguarding/concerns/{concern.id}").data.decode()
    assert "Who has opened this record" not in page


def test_the_chronology_and_access_log_cannot_be_changed(people, concern):
    from esafety.extensions import RecordIsAppendOnly

    services.open_concern(people.head, concern.id)
    db.session.commit()
    concern.actions[0].note = "rewritten"
    with pytest.raises(RecordIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    access = db.session.scalar(select(ConcernAccess))
    db.session.delete(access)
    with pytest.raises(RecordIsAppendOnly):
        db.session.flush()
    db.session.rollback()
