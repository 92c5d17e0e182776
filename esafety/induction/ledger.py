"""The sign-off ledger: evidence that someone read and agreed to an exact version of a policy.

Each record is written once, holds the SHA-256 of the text signed, and the hash of the record
before it, so `verify_ledger` can show that nothing was changed or removed afterwards.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import false, func, select, text, update

from .. import audit
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from . import compliance
from .courses import best_passing_score, courses_for_policy
from .models import (
    InductionCertificate,
    PolicyVersion,
    QuizAttempt,
    SignOff,
    VersionState,
)
from .pathways import needs_course
from .policies import read_section_ids, text_sha256
from .rules import DASHBOARD_VIEWERS, is_inductee, is_manager, normalise_name, resign_cutoff

#: The "previous hash" of the very first record.
GENESIS = "0" * 64
#: Any fixed number: sign-offs take this PostgreSQL lock so they join the chain one at a time.
_LEDGER_LOCK = 7_460_001


def canonical_json(fields: dict[str, Any]) -> str:
    """One spelling for the same data, so the same record always hashes the same."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def statement_for(version: PolicyVersion) -> str:
    """The exact sentence a person agrees to when signing."""
    return f"I have read and understood {version.label} and will follow it"


def _last_hash() -> str:
    """The chain's head, read once this transaction alone may add to the chain.

    PostgreSQL: an advisory lock until commit. SQLite: a no-op UPDATE first takes the
    database's write lock before the head is read (as bookings do), so writers queue
    (busy_timeout) instead of two of them reading the same head."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LEDGER_LOCK})
    else:
        db.session.execute(
            update(SignOff)
            .where(false())
            .values(id=SignOff.id)
            .execution_options(synchronize_session=False)
        )
    last = db.session.scalar(select(SignOff.record_hash).order_by(SignOff.id.desc()).limit(1))
    return last or GENESIS


def sign_offs_of(user: User) -> list[SignOff]:
    return list(
        db.session.scalars(
            select(SignOff).where(SignOff.user_id == user.id).order_by(SignOff.id.desc())
        )
    )


def sign_policy(
    actor: User,
    user: User,
    version: PolicyVersion,
    *,
    agreed: bool,
    typed_name: str,
    reason: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    at: datetime | None = None,
) -> SignOff:
    """Record that `user` read and agreed to this version, as clicked by `actor`.

    Staff sign for themselves after opening every section and passing the policy's course. An
    admin may record a sign-off made on paper for someone else, and must say why.
    """
    if not is_inductee(user):
        raise NotFoundError("That person has no induction.")
    on_behalf = actor.id != user.id
    if on_behalf and not is_manager(actor):
        raise NotAllowed("Only the headteacher, senior leaders or the office can do that.")
    check_reason_given(on_behalf, reason)
    check_in_force(version)
    now = (at or utcnow()).replace(microsecond=0)
    last_signed = db.session.scalar(
        select(func.max(SignOff.signed_at)).where(
            SignOff.user_id == user.id, SignOff.policy_version_id == version.id
        )
    )
    check_not_signed_already(
        version.label, last_signed, resign_cutoff(now.date(), version.policy.annual_resign_month)
    )
    course_ids = (
        [c.id for c in courses_for_policy(version.policy_id)]
        if needs_course(user, version.policy_id)
        else []
    )
    quiz_score = best_passing_score(user.id, course_ids)
    if not on_behalf:
        unread = len(version.sections) - len(read_section_ids(user, version))
        check_ready_to_sign(unread, needs_quiz=bool(course_ids), quiz_score=quiz_score)
    check_agreement(agreed, typed_name, user.full_name, on_behalf=on_behalf)
    sign_off = SignOff(
        user_id=user.id,
        recorded_by_id=actor.id,
        on_behalf_reason=reason.strip() if on_behalf and reason else None,
        policy_version_id=version.id,
        policy_sha256=version.sha256,
        statement=statement_for(version),
        typed_name=" ".join(typed_name.split()),
        quiz_score=quiz_score,
        signed_at=now,
        ip=(ip or "")[:45] or None,
        user_agent=(user_agent or "")[:400] or None,
        previous_hash=_last_hash(),
    )
    sign_off.record_hash = record_hash(sign_off.hashed_fields())
    db.session.add(sign_off)
    db.session.flush()
    audit.record(
        "induction.policy_signed",
        actor=actor,
        target=sign_off,
        user_id=user.id,
        version_id=version.id,
        on_behalf=on_behalf,
        # The chain's head, kept outside the ledger: see verify_ledger.
        record_hash=sign_off.record_hash,
    )
    issue_certificate_if_complete(user, at=at)
    return sign_off


# --- The rules a signature must meet (plain values in, a refusal out) -------------------------


def check_reason_given(on_behalf: bool, reason: str | None) -> None:
    """A sign-off recorded for someone else says why (a paper copy, and where it is filed)."""
    if on_behalf and not (reason or "").strip():
        raise DomainError(
            "Please say why you are recording this for someone else (for example, "
            '"signed a paper copy on 3 October, filed in their staff record").',
            "reason",
        )


def check_in_force(version: PolicyVersion) -> None:
    """Only the published version, the one in force, can be signed."""
    if version.state != VersionState.PUBLISHED:
        raise DomainError(
            f"Version {version.number} of the {version.policy.title} is not the one in force, "
            "so it cannot be signed."
        )


def check_not_signed_already(
    label: str, last_signed: datetime | None, yearly_from: date | None
) -> None:
    """A version is signed once, or once a year for a policy signed again every year."""
    if last_signed is not None and (yearly_from is None or last_signed.date() >= yearly_from):
        raise DomainError(f"{label.capitalize()} has already been signed.")


def check_ready_to_sign(unread: int, *, needs_quiz: bool, quiz_score: int | None) -> None:
    """Staff signing for themselves open every section, and pass the course's quiz if set."""
    if unread:
        raise DomainError(
            f"Please open every section before signing: {unread} "
            f"section{'s are' if unread != 1 else ' is'} still to read."
        )
    if needs_quiz and quiz_score is None:
        raise DomainError("Please pass the course's quiz before signing.")


def check_agreement(agreed: bool, typed_name: str, full_name: str, *, on_behalf: bool) -> None:
    """The box is ticked and the name typed is the account's (spacing and case aside)."""
    if not agreed:
        raise DomainError("Please tick the box to agree with the statement.", "agree")
    if normalise_name(typed_name) != normalise_name(full_name):
        whose = "their" if on_behalf else "your"
        raise DomainError(
            f"Please type {whose} full name exactly as it is on the account: {full_name}.",
            "full_name",
        )


# --- Verifying the chain -----------------------------------------------------------------------


@dataclass
class LedgerReport:
    checked: int
    bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_id is None


def verify_ledger() -> LedgerReport:
    """Recompute every hash in order and name the first record that does not match.

    A chain checks itself except at its end: removing the last records, or rewriting the
    tail and recomputing every later hash, leaves a chain that still adds up. So each
    sign-off's hash is also written, as it is made, into the audit log (another append-only
    table): every hash found there must still be in the ledger, unchanged."""
    version_hashes = {
        version_id: text_sha256(body)
        for version_id, body in db.session.execute(
            select(PolicyVersion.id, PolicyVersion.body_markdown).where(
                PolicyVersion.sha256.is_not(None)
            )
        )
    }
    query = select(SignOff).order_by(SignOff.id).execution_options(yield_per=500)
    rows = db.session.scalars(query)
    try:
        report = _walk_chain(rows, version_hashes)
    finally:
        rows.close()
    return report if not report.ok else _check_anchors(report)


def _check_anchors(report: LedgerReport) -> LedgerReport:
    """Compare the ledger with the hashes the audit log recorded when each sign-off was made."""
    anchored: dict[int, str] = {}
    for target_id, detail in db.session.execute(
        select(audit.AuditEntry.target_id, audit.AuditEntry.detail).where(
            audit.AuditEntry.action == "induction.policy_signed",
            audit.AuditEntry.target_type == SignOff.__tablename__,
        )
    ):
        recorded = json.loads(detail or "{}").get("record_hash")
        if recorded and target_id is not None:
            anchored[target_id] = recorded
    if not anchored:
        return report
    held = dict(
        db.session.execute(
            select(SignOff.id, SignOff.record_hash).where(SignOff.id.in_(list(anchored)))
        ).all()
    )
    for sign_off_id in sorted(anchored):
        if sign_off_id not in held:
            return LedgerReport(
                report.checked,
                sign_off_id,
                "the audit log recorded it when it was signed, but it is no longer in the "
                "ledger (it was removed)",
            )
        if held[sign_off_id] != anchored[sign_off_id]:
            return LedgerReport(
                report.checked,
                sign_off_id,
                "its hash is not the one the audit log recorded when it was signed "
                "(the ledger was rewritten from here)",
            )
    return report


def _walk_chain(rows: Any, version_hashes: dict[int, str]) -> LedgerReport:
    expected_previous = GENESIS
    checked = 0
    for sign_off in rows:
        checked += 1
        if sign_off.previous_hash != expected_previous:
            return LedgerReport(
                checked,
                sign_off.id,
                "it does not follow on from the record before it "
                "(a record before it was removed or changed)",
            )
        if record_hash(sign_off.hashed_fields()) != sign_off.record_hash:
            return LedgerReport(checked, sign_off.id, "its contents no longer match its hash")
        if version_hashes.get(sign_off.policy_version_id) != sign_off.policy_sha256:
            return LedgerReport(
                checked, sign_off.id, "the text of the policy version it signed has been changed"
            )
        expected_previous = sign_off.record_hash
    return LedgerReport(checked)


# --- Certificates ------------------------------------------------------------------------------


def _evidence_of(induction: compliance.Induction) -> dict[str, list[int]]:
    return {
        "sign_offs": sorted(p.sign_off_id for p in induction.policies if p.sign_off_id),
        "attempts": sorted(c.attempt_id for c in induction.courses if c.attempt_id),
    }


def issue_certificate_if_complete(
    user: User, *, at: datetime | None = None
) -> InductionCertificate | None:
    """Once everything the pathways ask is done, issue a certificate (a new one after a re-sign)."""
    now = at or utcnow()
    induction = compliance.induction_of(user, now.date())
    if induction is None or not induction.complete:
        return None
    evidence = canonical_json(_evidence_of(induction))
    latest = db.session.scalar(
        select(InductionCertificate)
        .where(InductionCertificate.user_id == user.id)
        .order_by(InductionCertificate.id.desc())
        .limit(1)
    )
    if latest is not None and latest.evidence == evidence:
        return None
    certificate = InductionCertificate(user_id=user.id, issued_at=now, evidence=evidence)
    db.session.add(certificate)
    db.session.flush()
    audit.record("induction.certificate_issued", actor=user, target=certificate)
    return certificate


def certificates_of(user: User) -> list[InductionCertificate]:
    return list(
        db.session.scalars(
            select(InductionCertificate)
            .where(InductionCertificate.user_id == user.id)
            .order_by(InductionCertificate.id.desc())
        )
    )


@dataclass
class CertificateView:
    certificate: InductionCertificate
    sign_offs: list[SignOff]
    attempts: list[QuizAttempt]


def certificate_for(viewer: User, certificate_id: int) -> CertificateView:
    """A certificate, for its holder and for leaders and governors."""
    certificate = db.session.get(InductionCertificate, certificate_id)
    if certificate is None or (
        certificate.user_id != viewer.id and not viewer.has_role(*DASHBOARD_VIEWERS)
    ):
        raise NotFoundError("We could not find that certificate.")
    evidence = json.loads(certificate.evidence)
    sign_offs = list(
        db.session.scalars(
            select(SignOff).where(SignOff.id.in_(evidence["sign_offs"])).order_by(SignOff.id)
        )
    )
    attempts = list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.id.in_(evidence["attempts"]))
            .order_by(QuizAttempt.id)
        )
    )
    return CertificateView(certificate, sign_offs, attempts)


@dataclass
class SigningSteps:
    """What is left before a person can sign a version: sections to open, a quiz to pass."""

    version: PolicyVersion
    sections_total: int
    sections_read: set[int]
    courses: list[Any]
    course_passed: bool
    already_signed: SignOff | None

    @property
    def unread(self) -> int:
        return self.sections_total - len(self.sections_read)

    @property
    def ready(self) -> bool:
        return not self.unread and self.course_passed and self.already_signed is None


def signing_steps(user: User, version: PolicyVersion) -> SigningSteps:
    courses = courses_for_policy(version.policy_id) if needs_course(user, version.policy_id) else []
    yearly_from = resign_cutoff(utcnow().date(), version.policy.annual_resign_month)
    return SigningSteps(
        version=version,
        sections_total=len(version.sections),
        sections_read=read_section_ids(user, version),
        courses=courses,
        course_passed=not courses
        or best_passing_score(user.id, [c.id for c in courses]) is not None,
        already_signed=db.session.scalar(
            select(SignOff)
            .where(
                SignOff.user_id == user.id,
                SignOff.policy_version_id == version.id,
                SignOff.signed_at >= datetime.combine(yearly_from or date.min, time.min),
            )
            .order_by(SignOff.id.desc())
            .limit(1)
        ),
    )
