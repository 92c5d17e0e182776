"""The pages: who may open them, forms re-shown with their errors, and the happy paths."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from esafety import mail
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.induction import compliance, policies, ratification
from esafety.induction.models import (
    ChangeSize,
    Pathway,
    PolicyVersion,
    SectionRead,
    SignOff,
    TrainingRecord,
    VersionState,
)
from tests import factories
from tests.induction.helpers import (
    answers,
    chair,
    make_staff,
    policy_text,
    read_all,
    read_pass_sign,
    real_pdf,
    standard_setup,
)

EVERYONE = [r for r in Role]
INDUCTEES = {
    Role.TEACHER,
    Role.SUPPORT_STAFF,
    Role.COMPUTING_LEAD,
    Role.ESAFETY_OFFICER,
    Role.HEADTEACHER,
    Role.SLT,
    Role.OFFICE_ADMIN,
    Role.GOVERNOR,
    # The safeguarding team and the adults who work in school for a while sign the policies too.
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.VOLUNTEER,
    Role.SUPPLY_STAFF,
    Role.STUDENT,
    Role.CONTRACTOR,
}
VIEWERS = {Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN, Role.ESAFETY_OFFICER, Role.GOVERNOR}
MANAGERS = {Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}


def _login(login_as, role: Role):
    if role == Role.PUPIL:
        school_class = factories.make_class()
        return login_as(factories.make_pupil(school_class).user)
    return login_as(role)


PAGES = [
    ("/induction/", INDUCTEES),
    ("/induction/training", INDUCTEES),
    ("/induction/dashboard", VIEWERS),
    ("/induction/dashboard.csv", VIEWERS),
    ("/induction/manage", MANAGERS),
    ("/induction/manage/policies/new", MANAGERS),
    ("/induction/manage/pathways/new", MANAGERS),
]


@pytest.mark.parametrize("role", EVERYONE, ids=lambda r: r.value)
def test_who_may_open_each_page(client, login_as, role):
    standard_setup()
    _login(login_as, role)
    for path, allowed in PAGES:
        response = client.get(path)
        assert response.status_code == (200 if role in allowed else 403), (role, path)


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.TEACHER, Role.ESAFETY_OFFICER])
def test_governors_and_others_cannot_publish_or_record_for_someone(client, login_as, role):
    setup = standard_setup()
    draft = policies.start_new_version(
        setup.head,
        setup.version.policy,
        body_markdown=policy_text(" v2"),
        change="major",
        change_summary="x",
    )
    teacher = make_staff()
    db.session.commit()
    login_as(role)
    assert client.post(f"/induction/manage/versions/{draft.id}/publish").status_code == 403
    assert (
        client.post(
            f"/induction/staff/{teacher.id}/sign/{setup.version.id}",
            data={"agree": "y", "full_name": "Laura Bennett", "reason": "paper"},
        ).status_code
        == 403
    )
    assert db.session.get(PolicyVersion, draft.id).state == VersionState.DRAFT


def test_the_governors_dashboard_is_read_only(client, login_as):
    setup = standard_setup()
    read_pass_sign(make_staff(), setup.version, setup.course)
    db.session.commit()
    login_as(Role.GOVERNOR)
    page = client.get("/induction/dashboard").get_data(as_text=True)
    assert "Social Media Policy" in page and "Manage policies" not in page
    teacher_page = client.get(
        f"/induction/staff/{db.session.scalar(select(SignOff.user_id))}"
    ).get_data(as_text=True)
    assert "Record a paper sign-off" not in teacher_page


def test_a_teacher_cannot_see_a_draft(client, login_as):
    setup = standard_setup()
    draft = policies.start_new_version(
        setup.head,
        setup.version.policy,
        body_markdown=policy_text(),
        change="minor",
        change_summary="x",
    )
    db.session.commit()
    login_as(Role.TEACHER)
    assert client.get(f"/induction/policies/{draft.id}").status_code == 403
    assert client.get(f"/induction/policies/{setup.version.id}").status_code == 200


def test_opening_a_section_records_it_as_read(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    response = client.get(f"/induction/policies/{setup.version.id}/sections/2")
    assert response.status_code == 200
    assert "Who is responsible" in response.get_data(as_text=True)
    reads = db.session.scalars(select(SectionRead).where(SectionRead.user_id == teacher.id)).all()
    assert [r.section_id for r in reads] == [setup.version.sections[1].id]
    assert client.get(f"/induction/policies/{setup.version.id}/sections/9").status_code == 404


def test_my_induction_shows_a_progress_bar_and_the_checklist(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    read_all(teacher, setup.version)
    db.session.commit()
    page = client.get("/induction/").get_data(as_text=True)
    assert '<progress id="induction-progress-bar" value="1" max="3">' in page
    assert "1 of 3 steps done" in page
    assert "style=" not in page


def test_a_failed_quiz_explains_and_offers_a_retake_then_a_pass_leads_to_signing(client, login_as):
    setup = standard_setup()
    login_as(make_staff())
    wrong = {f"q{k}": str(v) for k, v in answers(setup.course, 2).items()}
    response = client.post(f"/induction/courses/{setup.course.id}", data=wrong)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You scored 40%" in page and "Try the quiz again" in page
    assert "Tell the headteacher." in page

    right = {f"q{k}": str(v) for k, v in answers(setup.course, 5).items()}
    page = client.post(
        f"/induction/courses/{setup.course.id}", data=right, follow_redirects=True
    ).get_data(as_text=True)
    assert "You scored 100% and passed" in page and "Sign the Social Media Policy" in page


def test_an_unfinished_quiz_is_shown_again_with_the_answers_kept(client, login_as):
    setup = standard_setup()
    login_as(make_staff())
    first = setup.course.questions[0]
    chosen = first.choices[1].id
    response = client.post(f"/induction/courses/{setup.course.id}", data={f"q{first.id}": chosen})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please choose an answer." in page
    assert f'<input checked id="q{first.id}-1" name="q{first.id}" required type="radio"' in page


def _ready_to_sign(setup, teacher):
    read_all(teacher, setup.version)
    from esafety.induction import courses

    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    db.session.commit()


def test_the_sign_form_starts_unticked_and_states_the_exact_sentence(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    _ready_to_sign(setup, teacher)
    page = client.get(f"/induction/policies/{setup.version.id}/sign").get_data(as_text=True)
    assert (
        "I have read and understood version 1 of the Social Media Policy and will follow it" in page
    )
    assert 'type="checkbox"' in page and "checked" not in page


def test_a_wrong_name_is_explained_beside_the_field_and_what_was_typed_is_kept(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    _ready_to_sign(setup, teacher)
    response = client.post(
        f"/induction/policies/{setup.version.id}/sign",
        data={"agree": "y", "full_name": "Laura Smith"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="full_name-error"' in page and "exactly as it is on the account" in page
    assert 'value="Laura Smith"' in page
    assert db.session.scalar(select(SignOff.id)) is None


def test_an_unticked_box_is_explained(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    _ready_to_sign(setup, teacher)
    page = client.post(
        f"/induction/policies/{setup.version.id}/sign", data={"full_name": "Laura Bennett"}
    ).get_data(as_text=True)
    assert 'id="agree-error"' in page and "tick the box" in page


def test_signing_records_the_address_and_browser(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    _ready_to_sign(setup, teacher)
    response = client.post(
        f"/induction/policies/{setup.version.id}/sign",
        data={"agree": "y", "full_name": " laura  bennett "},
        headers={"User-Agent": "Staffroom laptop"},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/induction/")
    record = db.session.scalar(select(SignOff))
    assert (record.ip, record.user_agent, record.typed_name) == (
        "198.51.100.4",
        "Staffroom laptop",
        "laura bennett",
    )


def test_the_certificate_prints_and_downloads(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    read_pass_sign(teacher, setup.version, setup.course)
    db.session.commit()
    page = client.get("/induction/").get_data(as_text=True)
    assert "Induction certificate, issued" in page
    from esafety.induction import ledger

    certificate = ledger.certificates_of(teacher)[0]
    shown = client.get(f"/induction/certificates/{certificate.id}").get_data(as_text=True)
    assert "Laura Bennett" in shown and setup.version.sha256 in shown and "data-print" in shown
    download = client.get(f"/induction/certificates/{certificate.id}/download")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "laura-bennett" in download.headers["Content-Disposition"]
    assert "Laura Bennett" in download.get_data(as_text=True)
    login_as(make_staff(first_name="Nosy"))
    assert client.get(f"/induction/certificates/{certificate.id}").status_code == 404


def test_an_admin_records_a_paper_sign_off_with_a_reason(client, login_as):
    setup = standard_setup()
    teacher = make_staff()
    office = login_as(Role.OFFICE_ADMIN)
    url = f"/induction/staff/{teacher.id}/sign/{setup.version.id}"
    page = client.post(url, data={"agree": "y", "full_name": "Laura Bennett"}).get_data(
        as_text=True
    )
    assert 'id="reason-error"' in page
    response = client.post(
        url,
        data={"agree": "y", "full_name": "Laura Bennett", "reason": "Signed on paper, 3 Oct."},
    )
    assert response.status_code == 302
    record = db.session.scalar(select(SignOff))
    assert record.recorded_by_id == office.id and record.user_id == teacher.id
    assert record.on_behalf_reason == "Signed on paper, 3 Oct."


def test_training_form_re_shows_a_bad_file_with_what_was_typed(client, login_as):
    standard_setup()
    login_as(make_staff())
    response = client.post(
        "/induction/training",
        data={
            "kind": "safeguarding",
            "course": "Level 1 refresher",
            "provider": "Local authority",
            "completed_on": "2026-01-10",
            "file": (io.BytesIO(b"MZ not a certificate"), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="file-error"' in page and "PDF, PNG or JPEG" in page
    assert 'value="Level 1 refresher"' in page
    assert db.session.scalar(select(TrainingRecord.id)) is None


def test_training_form_saves_a_record_with_its_certificate(client, login_as):
    standard_setup()
    teacher = login_as(make_staff())
    response = client.post(
        "/induction/training",
        data={
            "kind": "safeguarding",
            "course": "Level 1 refresher",
            "provider": "Local authority",
            "completed_on": "2026-01-10",
            "file": (io.BytesIO(real_pdf()), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    record = db.session.scalar(select(TrainingRecord))
    assert record.user_id == teacher.id and str(record.expires_on) == "2027-01-10"
    opened = client.get(f"/induction/training/{record.id}/certificate")
    assert opened.status_code == 200 and opened.mimetype == "application/pdf"
    assert opened.headers["Content-Disposition"].startswith("attachment")
    opened.close()


def test_the_dashboard_csv_and_a_past_date(client, login_as):
    setup = standard_setup()
    read_pass_sign(make_staff(), setup.version, setup.course)
    login_as(setup.head)
    csv_response = client.get("/induction/dashboard.csv?as_of=2026-01-01")
    assert csv_response.mimetype == "text/csv"
    assert "induction-2026-01-01.csv" in csv_response.headers["Content-Disposition"]
    page = client.get("/induction/dashboard?as_of=not-a-date").get_data(as_text=True)
    assert "YYYY-MM-DD" in page
    page = client.get("/induction/dashboard?as_of=2020-01-01").get_data(as_text=True)
    assert "No policy had been published by then" in page
    page = client.get("/induction/dashboard?as_of=2099-01-01").get_data(as_text=True)
    assert "not the future" in page and "Where everyone stands today" in page


def test_a_leader_writes_and_publishes_a_policy_and_a_major_version(client, login_as):
    setup = standard_setup()
    signer = make_staff(email="anna@school.example")
    read_pass_sign(signer, setup.version, setup.course)
    login_as(setup.head)
    page = client.post(
        "/induction/manage/policies/new",
        data={
            "title": "Mobile Phones Policy",
            "owner_id": setup.head.id,
            "review_interval_months": 12,
            "body_markdown": "No sections here.",
        },
    ).get_data(as_text=True)
    assert 'id="body_markdown-error"' in page and 'value="Mobile Phones Policy"' in page

    url = f"/induction/manage/policies/{setup.version.policy_id}/versions/new"
    assert policy_text() in client.get(url).get_data(as_text=True).replace("&#39;", "'")
    response = client.post(
        url,
        data={
            "change": "major",
            "change_summary": "New rules.",
            "body_markdown": policy_text("\n\nMore."),
        },
    )
    assert response.status_code == 302
    draft = policies.open_draft(setup.version.policy_id)
    stale = draft.revision - 1
    response = client.post(
        f"/induction/manage/versions/{draft.id}/publish", data={"revision": stale}
    )
    assert response.status_code == 302 and policies.open_draft(draft.policy_id) is not None
    refused = client.post(
        f"/induction/manage/versions/{draft.id}/publish",
        data={"revision": draft.revision},
        follow_redirects=True,
    )
    assert "needs the approval of the headteacher and the chair" in refused.get_data(as_text=True)
    assert draft.state == VersionState.DRAFT
    checks = {"checks": list(ratification.CHECK_KEYS)}
    response = client.post(f"/governance/versions/{draft.id}/approve", data=checks)
    assert response.status_code == 302 and draft.state == VersionState.DRAFT
    login_as(chair())
    response = client.post(f"/governance/versions/{draft.id}/approve", data=checks)
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.state == VersionState.PUBLISHED
    assert [m["To"] for m in mail.outbox_messages()] == ["anna@school.example"]
    item = compliance.induction_of(signer).policies[0]
    assert item.state == compliance.ItemState.NEEDS_RESIGN

    login_as(signer)
    page = client.get("/induction/").get_data(as_text=True)
    assert "Please sign again" in page and "Read version 2 and sign it" in page


def test_a_published_version_cannot_be_edited_from_the_page(client, login_as):
    setup = standard_setup()
    login_as(setup.head)
    response = client.post(
        f"/induction/manage/versions/{setup.version.id}/edit",
        data={"change": "minor", "change_summary": "x", "body_markdown": policy_text("!")},
    )
    assert response.status_code == 302
    assert db.session.get(PolicyVersion, setup.version.id).body_markdown == policy_text()


def test_two_leaders_editing_one_draft_do_not_write_over_each_other(client, login_as):
    setup = standard_setup()
    draft = policies.start_new_version(
        setup.head,
        setup.version.policy,
        body_markdown=policy_text("\n\nFirst try."),
        change=ChangeSize.MINOR,
        change_summary="Tidied.",
    )
    db.session.commit()
    login_as(setup.head)
    url = f"/induction/manage/versions/{draft.id}/edit"
    page = client.get(url).get_data(as_text=True)
    seen = re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)
    other = factories.make_user(Role.HEADTEACHER, email="deputy@school.example")
    policies.update_draft(
        other,
        draft,
        body_markdown=policy_text("\n\nThe deputy's words."),
        change=ChangeSize.MINOR,
        change_summary="Deputy's change.",
    )
    db.session.commit()
    response = client.post(
        url,
        data={
            "change": "minor",
            "change_summary": "Mine.",
            "body_markdown": policy_text("\n\nMy words."),
            "revision": seen,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Someone changed this" in page
    assert "My words." in page  # what they typed is still on the form
    db.session.refresh(draft)
    assert draft.body_markdown.endswith("The deputy's words.")


def test_a_leader_sets_up_a_pathway(client, login_as):
    setup = standard_setup()
    login_as(setup.head)
    page = client.post(
        "/induction/manage/pathways/new", data={"name": "Volunteers", "due_within_days": 10}
    ).get_data(as_text=True)
    assert "choose at least one role" in page
    response = client.post(
        "/induction/manage/pathways/new",
        data={
            "name": "Volunteers and governors",
            "roles": ["governor"],
            "policy_ids": [str(setup.version.policy_id)],
            "due_within_days": 20,
        },
    )
    assert response.status_code == 302
    pathway = db.session.scalar(select(Pathway).where(Pathway.name == "Volunteers and governors"))
    assert pathway.due_within_days == 20 and [p.id for p in pathway.policies] == [
        setup.version.policy_id
    ]
