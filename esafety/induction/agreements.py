"""Acceptable-use agreements: pupils agree theirs in class (read aloud, in simple words, the
teacher recording it); families sign theirs online once a year; parents read the policies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..auth.roles import Role
from ..clock import today
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..school import services as school
from ..school.models import Pupil, SchoolClass, YearGroup
from ..text import render_markdown
from .models import AgreementKind, ClassAgreement, FamilyAgreement, PolicyVersion, VersionState
from .policies import text_sha256
from .rules import normalise_name

TEXT_DIR = Path(__file__).resolve().parent / "agreements"


@cache
def text_of(kind: AgreementKind) -> tuple[str, str]:
    """The agreement's Markdown and its cleaned HTML (files kept with the code)."""
    markdown = (TEXT_DIR / f"{kind.value}.md").read_text(encoding="utf-8")
    return markdown, render_markdown(markdown)


def kind_for(year_group: YearGroup) -> AgreementKind:
    """Reception to Year 2 have the shorter promise; Years 3 to 6 the fuller one."""
    return AgreementKind.KS1 if year_group <= YearGroup.YEAR_2 else AgreementKind.KS2


def class_agreement(class_id: int) -> ClassAgreement | None:
    year = school.current_academic_year()
    return db.session.scalar(
        select(ClassAgreement).where(
            ClassAgreement.class_id == class_id, ClassAgreement.academic_year_id == year.id
        )
    )


def record_class_agreement(
    actor: User, class_id: int, pupil_ids: list[int], agreed_on: date | None = None
) -> ClassAgreement:
    """The teacher records that the class read its agreement aloud and who agreed to it."""
    if not school.teaches(actor, class_id):
        raise NotFoundError("That class is not one of yours.")
    school_class = db.session.get_one(SchoolClass, class_id)
    day = agreed_on or today()
    if day > today():
        raise DomainError("That date is in the future.", "agreed_on")
    members = {p.id for p in school.pupils_in_class(class_id)}
    chosen = sorted(set(pupil_ids))
    if not chosen:
        raise DomainError("Please tick the pupils who agreed.", "pupil_ids")
    if not set(chosen) <= members:
        raise DomainError("Please choose pupils from this class.", "pupil_ids")
    kind = kind_for(school_class.year_group)
    markdown, _ = text_of(kind)
    entry = class_agreement(class_id)
    if entry is None:
        entry = ClassAgreement(
            class_id=class_id,
            academic_year_id=school.current_academic_year().id,
            kind=kind,
            recorded_by_id=actor.id,
            agreed_on=day,
            text_sha256=text_sha256(markdown),
        )
        db.session.add(entry)
    else:
        chosen = sorted(set(chosen) | set(json.loads(entry.pupil_ids)))
    entry.pupil_ids = json.dumps(chosen)
    entry.recorded_by_id = actor.id
    db.session.flush()
    audit.record(
        "induction.class_agreement", actor=actor, target=entry, class_id=class_id, pupils=chosen
    )
    return entry


@dataclass
class PupilAgreement:
    kind: AgreementKind
    html: str
    agreed_on: date | None


def agreement_for_pupil(pupil_user: User) -> PupilAgreement:
    """A pupil's own agreement, and whether they agreed to it with their class this year."""
    pupil = school.pupil_of(pupil_user)
    if pupil is None or pupil.school_class is None:
        raise NotFoundError("We could not find your class.")
    kind = kind_for(pupil.school_class.year_group)
    entry = class_agreement(pupil.school_class.id)
    agreed = entry is not None and pupil.id in json.loads(entry.pupil_ids)
    return PupilAgreement(kind, text_of(kind)[1], entry.agreed_on if entry and agreed else None)


def family_agreement_of(parent: User) -> FamilyAgreement | None:
    year = school.current_academic_year()
    return db.session.scalar(
        select(FamilyAgreement).where(
            FamilyAgreement.parent_id == parent.id, FamilyAgreement.academic_year_id == year.id
        )
    )


def signed_for_family(parent: User) -> FamilyAgreement | None:
    """This year's agreement signed by this parent or another parent of the same children."""
    children = [p.id for p in school.children_of(parent)]
    parent_ids = {link.parent_id for link in school.parents_of(children)} | {parent.id}
    year = school.current_academic_year()
    return db.session.scalar(
        select(FamilyAgreement)
        .where(
            FamilyAgreement.parent_id.in_(parent_ids),
            FamilyAgreement.academic_year_id == year.id,
        )
        .order_by(FamilyAgreement.id)
        .limit(1)
    )


def sign_family_agreement(parent: User, *, agreed: bool, typed_name: str) -> FamilyAgreement:
    """A parent signs the families' agreement for this school year (once for the family)."""
    if not parent.has_role(Role.PARENT):
        raise NotFoundError("This agreement is for parents and carers.")
    if signed_for_family(parent) is not None:
        raise DomainError("Your family has already signed this year's agreement. Thank you.")
    if not agreed:
        raise DomainError("Please tick the box to agree.", "agree")
    if normalise_name(typed_name) != normalise_name(parent.full_name):
        raise DomainError(
            f"Please type your full name as it is on your account: {parent.full_name}.",
            "full_name",
        )
    markdown, _ = text_of(AgreementKind.FAMILY)
    entry = FamilyAgreement(
        parent_id=parent.id,
        academic_year_id=school.current_academic_year().id,
        typed_name=" ".join(typed_name.split()),
        text_sha256=text_sha256(markdown),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("induction.family_agreement", actor=parent, target=entry)
    return entry


def family_policy(version_id: int) -> PolicyVersion:
    """A published policy that families may read; anything else is 'not found'."""
    version = db.session.get(PolicyVersion, version_id)
    if (
        version is None
        or version.state != VersionState.PUBLISHED
        or not version.policy.open_to_families
    ):
        raise NotFoundError("We could not find that policy.")
    return version


def class_pupils(actor: User, class_id: int) -> tuple[SchoolClass, list[Pupil]]:
    if not school.teaches(actor, class_id):
        raise NotFoundError("That class is not one of yours.")
    return db.session.get_one(SchoolClass, class_id), school.pupils_in_class(class_id)
