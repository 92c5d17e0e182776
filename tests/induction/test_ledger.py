"""The sign-off ledger: what a sign-off needs, what it records, and that it cannot be changed."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import exc, select, text

from esafety.auth.roles import Role
from esafety.errors import DomainError, NotAllowed, NotFoundError
from esafety.extensions import db
from esafety.induction import courses, ledger, policies
from esafety.induction.models import (
    ChangeSize,
    EvidenceIsWrittenOnce,
    InductionCertificate,
    SignOff,
)
from tests import factories
from tests.induction.helpers import (
    answers,
    make_staff,
    new_version,
    read_all,
    read_pass_sign,
    standard_setup,
)


def _sign(user, version, **kwargs):
    options = {"agreed": True, "typed_name": user.full_name, "ip": "203.0.113.7"}
    options.update(kwargs)
    return ledger.sign_policy(user, user, version, **options)


def test_the_statement_names_the_version_and_the_policy():
    setup = standard_setup()
    third = new_version(
        setup.head, new_version(setup.head, setup.version, ChangeSize.MINOR), ChangeSize.MAJOR
    )
    assert ledger.statement_for(third) == (
        "I have read and understood version 3 of the Social Media Policy and will follow it"
    )


def test_every_section_must_be_opened_before_signing():
    setup = standard_setup()
    teacher = make_staff()
    policies.open_section(teacher, setup.version.sections[0])
    with pytest.raises(DomainError, match="3 sections are still to read"):
        _sign(teacher, setup.version)


def test_the_quiz_must_be_passed_before_signing():
    setup = standard_setup()
    teacher = make_staff()
    read_all(teacher, setup.version)
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 3))
    with pytest.raises(DomainError, match="pass the course's quiz"):
        _sign(teacher, setup.version)


def test_the_box_must_be_ticked():
    setup = standard_setup()
    teacher = make_staff()
    read_all(teacher, setup.version)
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    with pytest.raises(DomainError) as error:
        _sign(teacher, setup.version, agreed=False)
    assert error.value.field == "agree"


@pytest.mark.parametrize("typed", ["Laura", "Laura Bennet", "L Bennett", ""])
def test_the_typed_name_must_match_the_account(typed):
    setup = standard_setup()
    teacher = make_staff()
    read_all(teacher, setup.version)
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    with pytest.raises(DomainError) as error:
        _sign(teacher, setup.version, typed_name=typed)
    assert error.value.field == "full_name"
    assert "Laura Bennett" in error.value.message


@pytest.mark.parametrize("typed", ["laura bennett", "  LAURA   Bennett ", "Laura\tBennett"])
def test_case_and_spacing_of_the_name_do_not_matter(typed):
    setup = standard_setup()
    teacher = make_staff()
    read_all(teacher, setup.version)
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    assert _sign(teacher, setup.version, typed_name=typed).id


def test_a_sign_off_records_everything_the_evidence_needs():
    setup = standard_setup()
    teacher = make_staff()
    read_all(teacher, setup.version)
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 4))
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    record = _sign(teacher, setup.version, user_agent="Firefox on a school laptop")
    db.session.commit()

    assert record.user_id == teacher.id and record.recorded_by_id == teacher.id
    assert record.on_behalf_reason is None
    assert record.policy_version_id == setup.version.id
    assert record.policy_sha256 == hashlib.sha256(setup.version.body_markdown.encode()).hexdigest()
    assert record.statement == (
        "I have read and understood version 1 of the Social Media Policy and will follow it"
    )
    assert record.quiz_score == 100
    assert record.ip == "203.0.113.7" and record.user_agent == "Firefox on a school laptop"
    assert record.signed_at.microsecond == 0
    assert record.previous_hash == ledger.GENESIS
    assert (
        record.record_hash
        == hashlib.sha256(
            json.dumps(record.hashed_fields(), sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
    )


def test_each_record_carries_the_hash_of_the_one_before():
    setup = standard_setup()
    first = read_pass_sign(make_staff(first_name="Ann"), setup.version, setup.course)
    second = read_pass_sign(make_staff(first_name="Bob"), setup.version, setup.course)
    assert second.previous_hash == first.record_hash
    assert first.record_hash != second.record_hash


def test_the_same_version_cannot_be_signed_twice():
    setup = standard_setup()
    teacher = make_staff()
    read_pass_sign(teacher, setup.version, setup.course)
    with pytest.raises(DomainError, match="already been signed"):
        _sign(teacher, setup.version)


def test_a_superseded_version_cannot_be_signed():
    setup = standard_setup()
    teacher = make_staff()
    read_all(teacher, setup.version)
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    new_version(setup.head, setup.version, ChangeSize.MAJOR)
    with pytest.raises(DomainError, match="not the one in force"):
        _sign(teacher, setup.version)


def test_an_admin_recording_for_someone_else_must_give_a_reason():
    setup = standard_setup()
    teacher = make_staff()
    office = factories.make_user(Role.OFFICE_ADMIN)
    with pytest.raises(DomainError) as error:
        ledger.sign_policy(
            office, teacher, setup.version, agreed=True, typed_name="Laura Bennett", reason="  "
        )
    assert error.value.field == "reason"
    record = ledger.sign_policy(
        office,
        teacher,
        setup.version,
        agreed=True,
        typed_name="laura bennett",
        reason="Signed a paper copy on 3 October; it is in her staff file.",
    )
    assert record.recorded_by_id == office.id and record.user_id == teacher.id
    assert record.on_behalf_reason.startswith("Signed a paper copy")


def test_only_leaders_and_the_office_may_record_for_someone_else():
    setup = standard_setup()
    teacher = make_staff()
    colleague = make_staff(first_name="Marcus", last_name="Hill")
    with pytest.raises(NotAllowed):
        ledger.sign_policy(
            colleague,
            teacher,
            setup.version,
            agreed=True,
            typed_name="Laura Bennett",
            reason="I saw her sign",
        )


def test_sign_offs_cannot_be_changed_or_deleted_through_the_application():
    setup = standard_setup()
    record = read_pass_sign(make_staff(), setup.version, setup.course)
    db.session.commit()
    record.typed_name = "Somebody Else"
    with pytest.raises(EvidenceIsWrittenOnce):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(SignOff, record.id))
    with pytest.raises(EvidenceIsWrittenOnce):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_to_change_a_sign_off_on_postgresql():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    setup = standard_setup()
    record = read_pass_sign(make_staff(), setup.version, setup.course)
    db.session.commit()
    for statement in (
        "UPDATE sign_off SET typed_name = 'Somebody Else' WHERE id = :id",
        "DELETE FROM sign_off WHERE id = :id",
    ):
        with pytest.raises(exc.DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": record.id})
        db.session.rollback()
    assert db.session.get(SignOff, record.id).typed_name == "Laura Bennett"


def _three_sign_offs():
    setup = standard_setup()
    records = [
        read_pass_sign(make_staff(first_name=name), setup.version, setup.course)
        for name in ("Ann", "Bob", "Cat")
    ]
    db.session.commit()
    return records


def _tamper(sql: str, **params) -> None:
    """Change the ledger behind the application's back, as someone with database access might."""
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("ALTER TABLE sign_off DISABLE TRIGGER sign_off_guard"))
    db.session.execute(text(sql), params)
    if postgres:
        db.session.execute(text("ALTER TABLE sign_off ENABLE TRIGGER sign_off_guard"))
    db.session.commit()
    db.session.expire_all()


def test_verify_ledger_passes_an_untouched_ledger(app):
    _three_sign_offs()
    result = app.test_cli_runner().invoke(args=["induction", "verify-ledger"])
    assert result.exit_code == 0, result.output
    assert "intact: 3 records checked" in result.output


def test_verify_ledger_names_the_row_that_was_tampered_with(app):
    records = _three_sign_offs()
    _tamper(
        "UPDATE sign_off SET quiz_score = 100, typed_name = 'Bob Tester' WHERE id = :id",
        id=records[1].id,
    )
    result = app.test_cli_runner().invoke(args=["induction", "verify-ledger"])
    assert result.exit_code == 1
    assert f"Sign-off {records[1].id} is not as it was recorded" in result.output
    assert "no longer match its hash" in result.output


def test_verify_ledger_notices_a_removed_record(app):
    records = _three_sign_offs()
    _tamper("DELETE FROM sign_off WHERE id = :id", id=records[1].id)
    report = ledger.verify_ledger()
    assert report.bad_id == records[2].id
    assert "does not follow on" in report.problem


def test_verify_ledger_notices_the_last_record_removed(app):
    last = _three_sign_offs()[-1].id
    _tamper("DELETE FROM sign_off WHERE id = :id", id=last)
    result = app.test_cli_runner().invoke(args=["induction", "verify-ledger"])
    assert result.exit_code == 1
    assert f"Sign-off {last} is not as it was recorded" in result.output
    assert "no longer in the ledger" in result.output


def test_verify_ledger_notices_a_rewritten_tail(app):
    """Change a record, then recompute its hash and every later one: the chain adds up, but
    not to the hashes the audit log kept."""
    records = _three_sign_offs()
    ids = [r.id for r in records]
    previous = records[0].record_hash
    for record in records[1:]:
        fields = record.hashed_fields()
        if record is records[1]:
            fields["typed_name"] = "Someone Else"
        fields["previous_hash"] = previous
        new_hash = ledger.record_hash(fields)
        _tamper(
            "UPDATE sign_off SET typed_name = :name, previous_hash = :previous, "
            "record_hash = :hash WHERE id = :id",
            name=fields["typed_name"],
            previous=previous,
            hash=new_hash,
            id=record.id,
        )
        previous = new_hash
    report = ledger.verify_ledger()
    assert not report.ok and report.bad_id == ids[1]
    assert "rewritten" in report.problem


def test_verify_ledger_notices_a_changed_policy_text():
    records = _three_sign_offs()
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:  # published text is frozen there: someone with the owner's rights did this
        db.session.execute(text("ALTER TABLE policy_version DISABLE TRIGGER policy_version_guard"))
    db.session.execute(
        text("UPDATE policy_version SET body_markdown = body_markdown || ' edited' WHERE id = :id"),
        {"id": records[0].policy_version_id},
    )
    if postgres:
        db.session.execute(text("ALTER TABLE policy_version ENABLE TRIGGER policy_version_guard"))
    db.session.commit()
    report = ledger.verify_ledger()
    assert not report.ok and report.bad_id == records[0].id
    assert "text of the policy version" in report.problem


def test_two_records_cannot_claim_the_same_place_in_the_chain():
    setup = standard_setup()
    record = read_pass_sign(make_staff(), setup.version, setup.course)
    db.session.commit()
    fields = record.hashed_fields()
    fields.pop("signed_at")
    clash = SignOff(**fields, signed_at=record.signed_at, record_hash="f" * 64)
    db.session.add(clash)
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_completing_the_pathway_issues_a_certificate_and_a_re_sign_issues_another():
    setup = standard_setup()
    teacher = make_staff()
    read_pass_sign(teacher, setup.version, setup.course)
    first = db.session.scalars(select(InductionCertificate)).all()
    assert len(first) == 1 and first[0].user_id == teacher.id
    assert json.loads(first[0].evidence)["sign_offs"] == [
        s.id for s in ledger.sign_offs_of(teacher)
    ]
    third = new_version(setup.head, setup.version, ChangeSize.MAJOR)
    assert ledger.issue_certificate_if_complete(teacher) is None  # needs re-sign: not complete
    read_pass_sign(teacher, third, setup.course)
    assert len(ledger.certificates_of(teacher)) == 2


def test_a_certificate_is_shown_only_to_its_holder_and_leaders():
    setup = standard_setup()
    teacher = make_staff()
    read_pass_sign(teacher, setup.version, setup.course)
    certificate = ledger.certificates_of(teacher)[0]
    assert ledger.certificate_for(teacher, certificate.id).sign_offs[0].user_id == teacher.id
    assert ledger.certificate_for(factories.make_user(Role.GOVERNOR), certificate.id)
    with pytest.raises(NotFoundError):
        ledger.certificate_for(make_staff(first_name="Other"), certificate.id)


@pytest.mark.commits
def test_three_managers_recording_sign_offs_at_once_lose_none(app):
    """On SQLite, 3 managers recording 6 sign-offs at once lost 3 of them (two read the
    same chain head); each sign-off now takes the write lock before reading it."""
    from esafety.auth.models import User
    from esafety.induction.models import PolicyVersion
    from tests.races import at_once

    setup = standard_setup()
    managers = [factories.make_user(Role.HEADTEACHER) for _ in range(3)]
    staff = [make_staff(first_name=f"Late{n}", email=f"late{n}@school.example") for n in range(6)]
    manager_ids, staff_ids = [m.id for m in managers], [s.id for s in staff]
    version_id = setup.version.id
    db.session.commit()
    before = ledger.verify_ledger().checked

    def record_two(manager_id: int, people: list[int]):
        def act(barrier):
            manager = db.session.get(User, manager_id)
            version = db.session.get(PolicyVersion, version_id)
            barrier.wait()
            for person_id in people:
                person = db.session.get(User, person_id)
                ledger.sign_policy(
                    manager,
                    person,
                    version,
                    agreed=True,
                    typed_name=person.full_name,
                    reason="Signed on paper at the staff meeting.",
                )
                db.session.commit()
            return "done"

        return act

    outcomes = at_once(
        app, *(record_two(m, staff_ids[2 * i : 2 * i + 2]) for i, m in enumerate(manager_ids))
    )
    assert outcomes == ["done"] * 3
    report = ledger.verify_ledger()
    assert report.ok and report.checked == before + 6, report


@pytest.mark.commits
def test_concurrent_sign_offs_join_the_chain_one_at_a_time(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL's row of concurrent writers")
    import threading

    from esafety.auth.models import User
    from esafety.induction.models import PolicyVersion

    setup = standard_setup()
    people = []
    for n in range(8):
        person = make_staff(first_name=f"Racer{n}", email=f"racer{n}@school.example")
        read_all(person, setup.version)
        courses.submit_quiz(person, setup.course, answers(setup.course, 5))
        people.append(person.id)
    version_id = setup.version.id
    db.session.commit()
    barrier = threading.Barrier(len(people))
    errors: list[Exception] = []

    def sign(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                version = db.session.get(PolicyVersion, version_id)
                barrier.wait()
                ledger.sign_policy(user, user, version, agreed=True, typed_name=user.full_name)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign, args=(uid,)) for uid in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    report = ledger.verify_ledger()
    assert report.ok and report.checked == len(people)
