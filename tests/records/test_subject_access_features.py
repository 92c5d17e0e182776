"""Subject-access exports hold every feature's records about a person, and their files."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from sqlalchemy import select

from esafety import mail
from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.induction.records import certificate_path
from esafety.photos import storage as images
from esafety.photos.models import BlogImage, ImageKind
from esafety.records.subject_access import build_export
from esafety.safeguarding import services as safeguarding
from esafety.sandbox import reports
from esafety.sandbox import services as blog
from esafety.sandbox.models import BlogPost, BlogPostPupil
from esafety.school.models import ConsentSource, Pupil, YearGroup
from esafety.school.services import record_photo_consent, teachers_of
from tests import factories
from tests.induction import helpers as induction
from tests.records import builders


def _open(content: bytes) -> tuple[zipfile.ZipFile, dict]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, json.loads(archive.read("records.json"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_demo_pupils_export_holds_each_of_their_records_and_their_drawing(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    drawing = db.session.scalar(select(BlogImage).where(BlogImage.kind == ImageKind.DRAWING))
    assert drawing is not None, "the demo has a pupil's drawing"
    pupil = db.session.scalar(select(Pupil).where(Pupil.user_id == drawing.uploaded_by_id))
    post = db.session.get(BlogPost, drawing.post_id)
    teacher = teachers_of(pupil.class_id)[0]
    # Give them a comment, this year's photo consent and a tag, where the demo has none.
    blog.open_window(teacher, pupil.class_id, None)
    classmates_post = db.session.scalars(
        select(BlogPost).where(
            BlogPost.class_id == pupil.class_id,
            BlogPost.author_id != pupil.user_id,
            BlogPost.state == "approved",
        )
    ).first()
    comment = builders.comment_on(teacher, pupil, classmates_post, "I love the moat!")
    office = db.session.scalar(select(User).where(User.email == "office@meadowbank.example"))
    year = factories.current_year()
    record_photo_consent(
        office, pupil, year, class_blog=True, website=False, source=ConsentSource.PAPER_FORM
    )
    db.session.add(
        BlogPostPupil(post_id=classmates_post.id, pupil_id=pupil.id, tagged_by_id=teacher.id)
    )
    reports.report_item(pupil.user, classmates_post, "worries_me", "It made me sad.")
    worry = safeguarding.tell_a_teacher(pupil.user, safeguarding.TellChoice.UPSET, "A scary video")
    db.session.commit()

    filename, content = build_export(office, pupil.user)
    archive, document = _open(content)
    records = document["records"]

    assert filename.endswith(".zip")
    assert records["Pupil record"][0]["reference"] == pupil.reference
    assert records["Photo consent"][0]["class_blog"] is True
    assert [p["title"] for p in records["Blog posts"]] == [post.title]
    assert records["Blog posts"][0]["source"] == post.source
    assert records["Blog comments"][0]["source"] == "I love the moat!"
    assert records["Blog comments"][0]["id"] == comment.id
    assert records["Blog reports made"][0]["details"] == "It made me sad."
    assert records["Blog posts they are tagged in"] == [
        {"post_id": classmates_post.id, "title": classmates_post.title}
    ]
    assert records["Lesson progress"], "the demo pupil has lesson progress"
    assert records["Quiz answers"]
    actions = {entry["action"] for entry in records["Audit log entries"]}
    assert {"sandbox.post.submitted", "sandbox.comment.submitted"} <= actions
    assert f"user {pupil.user_id}" in {entry["record"] for entry in records["Audit log entries"]}
    assert records["Pictures uploaded"][0]["description"] == drawing.description

    zip_name = f"files/sandbox/{drawing.stored_name}"
    assert zip_name in archive.namelist()
    assert _sha(archive.read(zip_name)) == _sha(images.path_of(drawing.stored_name).read_bytes())
    # The worry they told a teacher is neither exported nor listed to the office: the DSL is
    # emailed to review it, and only the DSL's own export lists it.
    assert document["withheld_for_review"] == []
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert worry.reference.encode() not in everything and b"scary video" not in everything
    dsl = db.session.scalar(select(User).where(User.email == "dsl@meadowbank.example"))
    db.session.commit()
    (to_dsl,) = [
        m
        for m in mail.outbox_messages()
        if dsl.email in m["To"] and "subject-access" in m["Subject"]
    ]
    assert worry.reference in to_dsl.get_content()
    assert not [
        m
        for m in mail.outbox_messages()
        if "subject-access" in m["Subject"].lower() and dsl.email not in m["To"]
    ]
    _, content = build_export(dsl, pupil.user)
    assert _open(content)[1]["withheld_for_review"] == [
        {
            "kind": "safeguarding concern",
            "id": worry.id,
            "reference": worry.reference,
            "date": worry.created_at.date().isoformat(),
        }
    ]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"scary video" not in everything
    assert pupil.first_name.encode() in archive.read("summary.html")


def test_a_staff_export_holds_sign_offs_training_and_the_certificate_file(school):
    setup = induction.standard_setup()
    office = factories.make_user(Role.OFFICE_ADMIN)
    teacher = induction.make_staff(first_name="Laura", last_name="Bennett")
    sign_off = induction.read_pass_sign(teacher, setup.version, setup.course)
    record = builders.training_with_certificate(office, teacher)
    db.session.commit()

    _, content = build_export(office, teacher)
    archive, document = _open(content)
    records = document["records"]

    signed = records["Policy sign-offs"][0]
    assert signed["policy"] == "Social Media Policy"
    assert signed["version"] == setup.version.number
    assert signed["policy_sha256"] == setup.version.sha256
    assert signed["statement"] == sign_off.statement
    assert signed["quiz_score"] == 100
    assert records["Induction quiz attempts"][0]["score"] == 100
    assert records["Induction quiz attempts"][0]["answers"][0]["is_correct"] is True
    assert records["Policy sections read"][0]["sections_read"] == len(setup.version.sections)
    assert records["Induction certificates"], "a complete induction earns a certificate"
    assert records["Training records"][0]["course"] == "Safeguarding refresher"
    name = f"induction/{record.certificate_file}"
    assert records["Training records"][0]["certificate"] == f"files/{name}"
    assert archive.read(f"files/{name}") == certificate_path(record.certificate_file).read_bytes()


def test_concerns_about_a_member_of_staff_are_listed_never_exported(school):
    head = factories.make_user(Role.HEADTEACHER)
    factories.make_user(Role.ESAFETY_OFFICER)
    teacher = school.teachers[YearGroup.YEAR_5]
    parent = factories.make_parent(school.pupils[YearGroup.YEAR_5][0])
    concern = builders.concern_about(
        parent,
        None,
        involved=safeguarding.Involved.STAFF,
        staff_member_id=teacher.id,
        description="A teacher added my child on a game.",
    )
    db.session.commit()

    dsl = factories.make_user(Role.DSL)
    db.session.commit()
    _, content = build_export(head, teacher)
    archive, document = _open(content)
    # Only the DSL's export lists it: the headteacher's shows no trace.
    assert document["withheld_for_review"] == []
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"added my child" not in everything and concern.reference.encode() not in everything
    assert not any(name.startswith("files/safeguarding") for name in archive.namelist())
    _, content = build_export(dsl, teacher)
    assert [item["id"] for item in _open(content)[1]["withheld_for_review"]] == [concern.id]
    # The reporter's own export lists it too, for the DSL's review.
    _, content = build_export(dsl, parent)
    assert [item["id"] for item in _open(content)[1]["withheld_for_review"]] == [concern.id]
    # A DSL never sees the list for a concern about themselves.
    about_dsl = builders.concern_about(
        parent, None, involved=safeguarding.Involved.STAFF, staff_member_id=dsl.id
    )
    db.session.commit()
    _, content = build_export(dsl, parent)
    assert about_dsl.id not in [i["id"] for i in _open(content)[1]["withheld_for_review"]]


def test_an_export_makes_a_fixed_number_of_queries_however_much_a_pupil_wrote(
    school, count_queries
):
    teacher = school.teachers[YearGroup.YEAR_4]
    writer, other = school.pupils[YearGroup.YEAR_4][:2]
    blog.open_window(teacher, writer.class_id, None)

    def measure() -> int:
        db.session.commit()
        db.session.expire_all()
        with count_queries() as counter:
            build_export(None, writer.user)
        return counter.count

    first = builders.post_with_drawing(teacher, writer, "First")
    builders.comment_on(teacher, writer, first)
    small = measure()
    for n in range(4):
        post = builders.post_with_drawing(teacher, writer, f"More {n}")
        builders.comment_on(teacher, writer, post)
        builders.comment_on(teacher, other, post)
    assert measure() == small
