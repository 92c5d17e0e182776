"""Retention across the features: aged records go with their files, held ones stay."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.induction.models import (
    InductionCertificate,
    QuizAttempt,
    SectionRead,
    SignOff,
    TrainingRecord,
)
from esafety.photos.models import BlogImage
from esafety.records import retention, services
from esafety.safeguarding import services as safeguarding
from esafety.safeguarding.models import (
    BlockedSite,
    Concern,
    ConcernAccess,
    ConcernAction,
    ConcernKind,
    Evidence,
    Involved,
)
from esafety.sandbox import reports
from esafety.sandbox import services as blog
from esafety.sandbox.models import BlogComment, BlogPost, BlogPostPupil, BlogReport
from esafety.school.models import AcademicYear, SchoolClass, StaffProfile, YearGroup
from tests import factories
from tests.induction import helpers as induction
from tests.records import builders


def _years_ago(years: int, day: date | None = None) -> date:
    day = day or today()
    return day.replace(year=day.year - years, day=min(day.day, 28))


def _ids(model) -> set[int]:
    return set(db.session.scalars(select(model.id)))


def _files() -> set[Path]:
    root = Path(current_app.config["UPLOAD_FOLDER"])
    return {p for p in root.rglob("*") if p.is_file() and ".retention-trash" not in p.parts}


def _age_class(school_class: SchoolClass, years: int) -> None:
    """Move a class into an academic year that ended `years` ago."""
    ended = _years_ago(years, date(today().year, 7, 20))
    old = AcademicYear(
        name=f"{ended.year - 1}/{str(ended.year)[2:]}",
        starts_on=date(ended.year - 1, 9, 1),
        ends_on=ended,
        is_current=False,
    )
    db.session.add(old)
    db.session.flush()
    school_class.academic_year_id = old.id


def _evidence_path(concern: Concern) -> Path:
    stored = db.session.scalar(
        select(Evidence.stored_path).where(Evidence.concern_id == concern.id)
    )
    return Path(current_app.config["UPLOAD_FOLDER"]) / stored


def test_retention_run_apply_deletes_exactly_the_aged_rows_and_files_and_keeps_held_ones(
    app, school
):
    office = factories.make_user(Role.OFFICE_ADMIN)
    officer = factories.make_user(Role.ESAFETY_OFFICER)
    # --- The class blog: a Year 3 class whose year ended three years ago, and Year 4 now.
    y3_teacher = school.teachers[YearGroup.YEAR_3]
    held_pupil, writer, classmate = school.pupils[YearGroup.YEAR_3]
    blog.open_window(y3_teacher, writer.class_id, None)
    old_post = builders.post_with_drawing(y3_teacher, writer, "Our castle")
    old_comment = builders.comment_on(y3_teacher, classmate, old_post)
    old_report = reports.report_item(classmate.user, old_comment, "unkind", "")
    db.session.add(
        BlogPostPupil(post_id=old_post.id, pupil_id=classmate.id, tagged_by_id=y3_teacher.id)
    )
    held_post = builders.post_with_drawing(y3_teacher, held_pupil, "My dragon")
    held_comment = builders.comment_on(y3_teacher, classmate, held_post)
    y4_teacher = school.teachers[YearGroup.YEAR_4]
    y4_pupil = school.pupils[YearGroup.YEAR_4][0]
    blog.open_window(y4_teacher, y4_pupil.class_id, None)
    current_post = builders.post_with_drawing(y4_teacher, y4_pupil, "This year")
    old_drawing = builders.stored_pictures(old_post)[0]

    # --- Induction: one member of staff left seven years ago, one two years ago.
    setup = induction.standard_setup()
    long_gone = induction.make_staff(first_name="Lena", last_name="Gone")
    induction.read_pass_sign(long_gone, setup.version, setup.course)
    old_training = builders.training_with_certificate(office, long_gone)
    recently_left = induction.make_staff(first_name="Rhys", last_name="Recent")
    recent_training = builders.training_with_certificate(office, recently_left)
    db.session.get(StaffProfile, long_gone.id).left_on = _years_ago(7)
    db.session.get(StaffProfile, recently_left.id).left_on = _years_ago(2)

    # --- Safeguarding: children born 26 years ago and one born recently.
    y5_teacher = school.teachers[YearGroup.YEAR_5]
    grown_up, young, grown_up_held = school.pupils[YearGroup.YEAR_5]
    aged = builders.concern_about(y5_teacher, grown_up)
    safeguarding.log_access(officer, aged, "case")
    held_concern = builders.concern_about(y5_teacher, grown_up_held)
    young_concern = builders.concern_about(y5_teacher, young, with_evidence=False)
    about_held_pupil = builders.concern_about(y3_teacher, held_pupil, with_evidence=False)
    no_child = builders.concern_about(
        y5_teacher,
        None,
        with_evidence=False,
        kind=ConcernKind.INAPPROPRIATE_CONTENT,
        involved=Involved.UNKNOWN,
        in_school=True,
        link="https://unsuitable.example/page",
    )
    recent_no_child = builders.concern_about(y5_teacher, None, with_evidence=False)
    y6_pupil = school.pupils[YearGroup.YEAR_6][0]
    from_a_pupil = safeguarding.receive_blog_report(
        reporter=y6_pupil.user,
        class_id=y6_pupil.class_id,
        item_kind="post",
        item_id=999,
        reported_text="Some words",
        reason="It worries me",
        note="",
        passed_on_by=school.teachers[YearGroup.YEAR_6],
    )
    born_long_ago = _years_ago(26)
    for pupil in (grown_up, grown_up_held, held_pupil, y6_pupil):
        pupil.date_of_birth = born_long_ago
    no_child.created_at = datetime.combine(_years_ago(26), time(10))
    db.session.flush()
    block = db.session.scalar(select(BlockedSite).where(BlockedSite.concern_id == no_child.id))
    assert block is not None

    _age_class(db.session.get(SchoolClass, writer.class_id), years=3)
    services.place_hold(office, reason="A claim is expected", user_id=held_pupil.user_id)
    services.place_hold(office, reason="Police enquiry", concern_id=held_concern.id)
    db.session.commit()

    due = {(r.rule, r.description): r for r in retention.find_due()}
    by_concern = {r.concern_id: r for r in due.values() if r.rule == "safeguarding_concerns"}
    assert by_concern[aged.id].expired_on == _years_ago(-25, born_long_ago)
    assert by_concern[from_a_pupil.id].expired_on == _years_ago(-25, born_long_ago)
    assert by_concern[no_child.id].expired_on == _years_ago(-25, no_child.created_at.date())
    assert by_concern[held_concern.id].held and by_concern[about_held_pupil.id].held
    assert young_concern.id not in by_concern and recent_no_child.id not in by_concern

    tables = [
        BlogPost,
        BlogComment,
        BlogReport,
        BlogImage,
        TrainingRecord,
        QuizAttempt,
        InductionCertificate,
        SignOff,
        Concern,
        Evidence,
        ConcernAction,
        ConcernAccess,
        BlockedSite,
    ]
    before = {model: _ids(model) for model in tables}
    files_before = _files()
    tags_before = db.session.execute(select(BlogPostPupil.post_id, BlogPostPupil.pupil_id)).all()
    actions_of = set(
        db.session.scalars(
            select(ConcernAction.id).where(
                ConcernAction.concern_id.in_([aged.id, no_child.id, from_a_pupil.id])
            )
        )
    )
    evidence_gone = db.session.scalar(select(Evidence.id).where(Evidence.concern_id == aged.id))
    access_gone = set(
        db.session.scalars(select(ConcernAccess.id).where(ConcernAccess.concern_id == aged.id))
    )
    long_gone_attempts = set(
        db.session.scalars(select(QuizAttempt.id).where(QuizAttempt.user_id == long_gone.id))
    )
    long_gone_certificates = set(
        db.session.scalars(
            select(InductionCertificate.id).where(InductionCertificate.user_id == long_gone.id)
        )
    )
    gone_files = {
        *(p for p in files_before if p.name == old_drawing.stored_name),
        *(p for p in files_before if p.name == old_training.certificate_file),
        _evidence_path(aged),
    }
    assert gone_files <= files_before and len(gone_files) == 3

    # Ids now: the run's commit expires every loaded object, and deleted ones cannot reload.
    ids = {
        "old_post": old_post.id,
        "old_comment": old_comment.id,
        "old_report": old_report.id,
        "old_drawing": old_drawing.id,
        "old_training": old_training.id,
        "held_post": held_post.id,
        "held_comment": held_comment.id,
        "current_post": current_post.id,
        "recent_training": recent_training.id,
        "aged": aged.id,
        "no_child": no_child.id,
        "from_a_pupil": from_a_pupil.id,
        "classmate": classmate.id,
        "long_gone": long_gone.id,
        "block": block.id,
    }
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run"])
    assert "sandbox_posts" in dry.output and "safeguarding_concerns" in dry.output
    assert "sign_offs" in dry.output and "Dry run" in dry.output
    assert _ids(BlogPost) == before[BlogPost] and _files() == files_before

    result = runner.invoke(args=["retention", "run", "--apply"])
    assert result.exit_code == 0, result.output
    assert "and 3 files" in result.output

    deleted = {model: before[model] - _ids(model) for model in tables}
    assert deleted[BlogPost] == {ids["old_post"]}
    assert deleted[BlogComment] == {ids["old_comment"]}
    assert deleted[BlogReport] == {ids["old_report"]}
    assert deleted[BlogImage] == {ids["old_drawing"]}
    assert deleted[TrainingRecord] == {ids["old_training"]}
    assert deleted[QuizAttempt] == long_gone_attempts and long_gone_attempts
    assert deleted[InductionCertificate] == long_gone_certificates and long_gone_certificates
    assert deleted[SignOff] == set(), "the sign-off ledger is append-only"
    assert deleted[Concern] == {ids["aged"], ids["no_child"], ids["from_a_pupil"]}
    assert deleted[Evidence] == {evidence_gone}
    assert deleted[ConcernAction] == actions_of
    assert deleted[ConcernAccess] == access_gone and access_gone
    assert deleted[BlockedSite] == set()
    db.session.expire_all()
    assert db.session.get(BlockedSite, ids["block"]).concern_id is None
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SectionRead)
            .where(SectionRead.user_id == ids["long_gone"])
        )
        == 0
    )
    tags_after = db.session.execute(select(BlogPostPupil.post_id, BlogPostPupil.pupil_id)).all()
    assert set(tags_before) - set(tags_after) == {(ids["old_post"], ids["classmate"])}
    assert {ids["held_post"], ids["current_post"]} <= _ids(BlogPost)
    assert ids["held_comment"] in _ids(BlogComment)
    assert ids["recent_training"] in _ids(TrainingRecord)

    assert files_before - _files() == gone_files
    assert not any(p.exists() for p in gone_files)
    trash = Path(current_app.config["UPLOAD_FOLDER"]) / ".retention-trash"
    assert not trash.exists() or not any(trash.rglob("*.*"))

    again = runner.invoke(args=["retention", "run", "--apply"])
    assert "Deleted 0 rows and 0 files" in again.output, again.output


def test_a_held_concerns_blocked_site_keeps_its_link_and_the_others_lets_go(school):
    office = factories.make_user(Role.OFFICE_ADMIN)
    factories.make_user(Role.ESAFETY_OFFICER)
    teacher = school.teachers[YearGroup.YEAR_2]
    concerns = [
        builders.concern_about(
            teacher,
            None,
            with_evidence=False,
            kind=ConcernKind.INAPPROPRIATE_CONTENT,
            involved=Involved.UNKNOWN,
            in_school=True,
            link=f"https://site{n}.example/",
        )
        for n in range(2)
    ]
    db.session.execute(update(Concern).values(created_at=datetime.combine(_years_ago(30), time(9))))
    kept, released = (concern.id for concern in concerns)
    services.place_hold(office, reason="Court case", concern_id=kept)
    db.session.commit()

    deletion = retention.apply(retention.find_due())
    db.session.commit()

    assert _ids(Concern) == {kept}
    links = dict(db.session.execute(select(BlockedSite.domain, BlockedSite.concern_id)).all())
    assert links == {"site0.example": kept, "site1.example": None}
    assert deletion.rows["concern"] == 1 and deletion.rows.get("blocked_site") is None
    assert released not in _ids(Concern)


def test_staff_still_working_or_recently_left_keep_their_training(school):
    office = factories.make_user(Role.OFFICE_ADMIN)
    working = induction.make_staff(first_name="Amy", last_name="Here")
    record = builders.training_with_certificate(office, working)
    leaver = induction.make_staff(first_name="Ben", last_name="Gone")
    builders.training_with_certificate(office, leaver)
    db.session.get(StaffProfile, leaver.id).left_on = _years_ago(6) - timedelta(days=1)
    db.session.commit()

    due = [r for r in retention.find_due() if r.rule == "sign_offs"]
    assert [r.user_ids for r in due] == [frozenset({leaver.id})]
    on_the_day = retention.find_due(_years_ago(-6, _years_ago(6) - timedelta(days=1)))
    assert not [r for r in on_the_day if r.rule == "sign_offs"], "not due until the day after"
    retention.apply(due)
    db.session.commit()
    assert _ids(TrainingRecord) == {record.id}


def test_blog_posts_stay_until_the_end_of_the_following_academic_year(school):
    teacher = school.teachers[YearGroup.YEAR_1]
    pupil = school.pupils[YearGroup.YEAR_1][0]
    blog.open_window(teacher, pupil.class_id, None)
    post = builders.post_with_drawing(teacher, pupil)
    school_class = db.session.get(SchoolClass, pupil.class_id)
    _age_class(school_class, years=1)
    db.session.commit()
    ended = db.session.get(AcademicYear, school_class.academic_year_id).ends_on

    assert not [r for r in retention.find_due(_years_ago(-1, ended)) if r.rule == "sandbox_posts"]
    later = retention.find_due(_years_ago(-1, ended) + timedelta(days=1))
    records = [r for r in later if r.rule == "sandbox_posts"]
    assert [r.rows[-1][1] for r in records] == [[post.id]]
    assert records[0].user_ids == frozenset({pupil.user_id})
    assert records[0].files[0].name == builders.stored_pictures(post)[0].stored_name


def test_leaders_see_what_is_due_and_held_for_each_feature(client, login_as, school):
    office = factories.make_user(Role.OFFICE_ADMIN)
    factories.make_user(Role.ESAFETY_OFFICER)
    teacher = school.teachers[YearGroup.YEAR_5]
    _, held = (
        builders.concern_about(teacher, pupil) for pupil in school.pupils[YearGroup.YEAR_5][:2]
    )
    for pupil in school.pupils[YearGroup.YEAR_5][:2]:
        pupil.date_of_birth = _years_ago(30)
    services.place_hold(office, reason="Police enquiry", concern_id=held.id)
    db.session.commit()

    login_as(Role.GOVERNOR)
    page = client.get("/records/retention").get_data(as_text=True)
    row = page[page.index("Safeguarding concerns and their evidence") :].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split("<td>")[2:]] == ["1", "1"]
