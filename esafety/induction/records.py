"""Induction and training in subject-access exports and retention (six years after leaving).

The sign-off ledger is append-only: each record carries the hash of the one before it, and on
PostgreSQL a trigger refuses deletes. Pruning it needs a re-anchored chain, which is not built,
so retention never lists sign-offs; it removes a leaver's training records (with their
certificate files), quiz attempts, sections read and induction certificates.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, FromClause, func, select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..extensions import db
from ..personal_data import DataSubject, DueRecord, Rule, SubjectRecords, plain, row
from ..school.models import StaffProfile
from .models import (
    ClassAgreement,
    FamilyAgreement,
    InductionCertificate,
    Policy,
    PolicyApproval,
    PolicySection,
    PolicyVersion,
    QuizAttempt,
    SectionRead,
    SignOff,
    TrainingRecord,
)


def certificate_path(file_name: str) -> Path:
    """Where a training certificate is stored (see training.store_certificate)."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / "induction" / Path(file_name).name


def _answers(attempt: QuizAttempt) -> list[dict]:
    try:
        marked = json.loads(attempt.answers)
    except ValueError:
        return []
    return [
        {key: answer.get(key) for key in ("prompt", "chosen", "is_correct")} for answer in marked
    ]


def subject_records(subject: DataSubject) -> SubjectRecords:
    """Sign-offs, quiz attempts, sections read, certificates and training of one person."""
    records = SubjectRecords()
    user_id = subject.user.id
    recorder = aliased(User)
    sign_offs = db.session.execute(
        select(SignOff, recorder.first_name, recorder.last_name)
        .join(recorder, recorder.id == SignOff.recorded_by_id)
        .where(SignOff.user_id == user_id)
        .order_by(SignOff.id)
    ).all()
    if sign_offs:
        records.sections["Policy sign-offs"] = [
            {
                "policy": sign_off.version.policy.title,
                "version": sign_off.version.number,
                **row(
                    sign_off,
                    "statement",
                    "typed_name",
                    "policy_sha256",
                    "quiz_score",
                    "signed_at",
                    "on_behalf_reason",
                    "ip",
                    "user_agent",
                    "record_hash",
                ),
                "recorded_by": f"{first} {last}",
            }
            for sign_off, first, last in sign_offs
        ]
    attempts = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.id)
    ).all()
    if attempts:
        records.sections["Induction quiz attempts"] = [
            {
                "course": attempt.course.title,
                **row(attempt, "score", "passed", "submitted_at"),
                "answers": _answers(attempt),
            }
            for attempt in attempts
        ]
    reads = db.session.execute(
        select(
            Policy.title,
            PolicyVersion.number,
            func.count(SectionRead.section_id),
            func.max(SectionRead.opened_at),
        )
        .join(PolicySection, PolicySection.id == SectionRead.section_id)
        .join(PolicyVersion, PolicyVersion.id == PolicySection.version_id)
        .join(Policy, Policy.id == PolicyVersion.policy_id)
        .where(SectionRead.user_id == user_id)
        .group_by(Policy.title, PolicyVersion.number)
        .order_by(Policy.title, PolicyVersion.number)
    ).all()
    if reads:
        records.sections["Policy sections read"] = [
            {
                "policy": title,
                "version": number,
                "sections_read": count,
                "last_opened_at": plain(at),
            }
            for title, number, count, at in reads
        ]
    certificates = db.session.scalars(
        select(InductionCertificate)
        .where(InductionCertificate.user_id == user_id)
        .order_by(InductionCertificate.id)
    ).all()
    if certificates:
        records.sections["Induction certificates"] = [
            {**row(c, "id", "issued_at"), "evidence": json.loads(c.evidence or "{}")}
            for c in certificates
        ]
    training = db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.user_id == user_id).order_by(TrainingRecord.id)
    ).all()
    if training:
        records.sections["Training records"] = [
            {
                **row(
                    t,
                    "id",
                    "kind",
                    "course",
                    "provider",
                    "completed_on",
                    "expires_on",
                    "recorded_at",
                ),
                "certificate": (
                    f"files/induction/{Path(t.certificate_file).name}"
                    if t.certificate_file
                    else None
                ),
            }
            for t in training
        ]
        records.files.extend(
            (f"induction/{Path(t.certificate_file).name}", certificate_path(t.certificate_file))
            for t in training
            if t.certificate_file
        )
    _agreements_and_approvals(subject, records)
    return records


def _agreements_and_approvals(subject: DataSubject, records: SubjectRecords) -> None:
    """Acceptable-use agreements a family signed or a pupil agreed in class; approvals given."""
    user_id = subject.user.id
    signed = db.session.scalars(
        select(FamilyAgreement).where(FamilyAgreement.parent_id == user_id)
    ).all()
    if signed:
        records.sections["Family acceptable-use agreements"] = [
            row(a, "typed_name", "signed_at", "text_sha256") for a in signed
        ]
    if subject.pupil is not None:
        agreed = [
            c
            for c in db.session.scalars(select(ClassAgreement).order_by(ClassAgreement.agreed_on))
            if subject.pupil.id in json.loads(c.pupil_ids)
        ]
        if agreed:
            records.sections["Acceptable-use agreement (agreed in class)"] = [
                row(c, "kind", "agreed_on") for c in agreed
            ]
    approvals = db.session.scalars(
        select(PolicyApproval).where(PolicyApproval.user_id == user_id)
    ).all()
    if approvals:
        records.sections["Policy approvals"] = [
            row(a, "version_id", "capacity", "sha256", "equality_note", "approved_at")
            for a in approvals
        ]


def retention_due(schedule: dict[str, Rule], on: date) -> list[DueRecord]:
    """Training and induction records of staff who left more than the rule's years ago.

    Sign-off rows are left out on purpose: the ledger is append-only; pruning it needs a
    re-anchored chain, not built.
    """
    rule = schedule["sign_offs"]
    leavers = db.session.execute(
        select(StaffProfile.user_id, StaffProfile.left_on)
        .where(StaffProfile.left_on.is_not(None), StaffProfile.left_on < rule.cutoff(on))
        .order_by(StaffProfile.user_id)
    ).all()
    if not leavers:
        return []
    left = select(StaffProfile.user_id).where(
        StaffProfile.left_on.is_not(None), StaffProfile.left_on < rule.cutoff(on)
    )
    training: dict[int, list[tuple[int, str | None]]] = {}
    for record_id, user_id, file_name in db.session.execute(
        select(TrainingRecord.id, TrainingRecord.user_id, TrainingRecord.certificate_file)
        .where(TrainingRecord.user_id.in_(left))
        .order_by(TrainingRecord.id)
    ):
        training.setdefault(user_id, []).append((record_id, file_name))
    attempts = _ids_by_user(QuizAttempt, left)
    certificates = _ids_by_user(InductionCertificate, left)
    readers = set(
        db.session.scalars(select(SectionRead.user_id).where(SectionRead.user_id.in_(left)))
    )
    due = []
    for user_id, left_on in leavers:
        records = training.get(user_id, [])
        rows: list[tuple[FromClause | ColumnElement[Any], list[int]]] = [
            (TrainingRecord.__table__, [record_id for record_id, _ in records]),
            (QuizAttempt.__table__, attempts.get(user_id, [])),
            (InductionCertificate.__table__, certificates.get(user_id, [])),
            (SectionRead.__table__.c.user_id, [user_id] if user_id in readers else []),
        ]
        if not any(ids for _, ids in rows):
            continue
        due.append(
            DueRecord(
                rule="sign_offs",
                description=f"Training and induction records of staff member {user_id}",
                rows=rows,
                files=[certificate_path(name) for _, name in records if name],
                user_ids=frozenset({user_id}),
                expired_on=rule.expires(left_on),
            )
        )
    return due


def _ids_by_user(model, users) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for row_id, user_id in db.session.execute(
        select(model.id, model.user_id).where(model.user_id.in_(users)).order_by(model.id)
    ):
        found.setdefault(user_id, []).append(row_id)
    return found
