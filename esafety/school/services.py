"""Who belongs where, and who may see which class: the rules every feature asks."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import CompoundSelect, Integer, Select, bindparam, case, func, select
from sqlalchemy.orm import joinedload, lazyload

from .. import audit
from ..auth.models import User, UserRole
from ..auth.roles import STAFF_ROLES, Role
from ..auth.services import throttle
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..memo import per_request
from . import avatars
from .models import (
    AcademicYear,
    ClassTeacher,
    ConsentKind,
    ConsentSource,
    ParentLink,
    PhotoConsent,
    PhotoConsentChange,
    Pupil,
    SchoolClass,
    StaffProfile,
)

#: Roles that see every class (leaders, the office, the e-safety officer, the computing lead).
WHOLE_SCHOOL_ROLES = (
    Role.HEADTEACHER,
    Role.SLT,
    Role.OFFICE_ADMIN,
    Role.ESAFETY_OFFICER,
    Role.COMPUTING_LEAD,
)
#: Characters a young child cannot mistake for one another on a printed card: no O, Q or 0,
#: no 1, I or L, no U or V, no 4 beside A. Codes made before this rule keep working.
CODE_ALPHABET = "ABCDEFGHJKMNPRSTWXYZ2356789"


def new_login_code(length: int = 6, choice=secrets.choice) -> str:
    """A fresh class code; `choice` lets the demo school make the same codes every time."""
    return "".join(choice(CODE_ALPHABET) for _ in range(length))


def current_academic_year() -> AcademicYear:
    year = db.session.scalar(select(AcademicYear).where(AcademicYear.is_current))
    if year is None:
        raise NotFoundError("No academic year has been set up yet.")
    return year


def academic_year_for(day: date) -> tuple[str, date, date]:
    """The English school year containing a day: 1 September to 31 August."""
    start_year = day.year if day.month >= 9 else day.year - 1
    return (
        f"{start_year}/{str(start_year + 1)[-2:]}",
        date(start_year, 9, 1),
        date(start_year + 1, 8, 31),
    )


@per_request
def pupil_of(user: User) -> Pupil | None:
    """The pupil record of a signed-in child, with their class in the same statement (every
    pupil page asks for it); their account is the one already loaded."""
    return db.session.scalar(
        select(Pupil)
        .where(Pupil.user_id == user.id)
        .options(lazyload(Pupil.user), joinedload(Pupil.school_class))
    )


def children_of(parent: User) -> list[Pupil]:
    return list(
        db.session.scalars(
            select(Pupil)
            .join(ParentLink, ParentLink.pupil_id == Pupil.id)
            .where(ParentLink.parent_id == parent.id, Pupil.left_on.is_(None))
            .order_by(Pupil.first_name)
        )
    )


def parents_of(pupil_ids: Iterable[int]) -> list[ParentLink]:
    ids = list(pupil_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(ParentLink).where(ParentLink.pupil_id.in_(ids))))


@per_request
def taught_class_ids(user: User) -> set[int]:
    """The classes this person is one of the teachers of (one statement, ids only)."""
    return set(
        db.session.scalars(select(ClassTeacher.class_id).where(ClassTeacher.user_id == user.id))
    )


@per_request
def visible_class_ids(user: User) -> set[int]:
    """The classes a person may see: pupils their own, parents their children's, staff theirs."""
    if user.has_role(*WHOLE_SCHOOL_ROLES):
        return set(db.session.scalars(select(SchoolClass.id)))
    ids: set[int] = set()
    if user.has_role(Role.TEACHER, Role.SUPPORT_STAFF):
        ids |= taught_class_ids(user)
    if user.has_role(Role.PARENT):
        ids |= {p.class_id for p in children_of(user) if p.class_id}
    if user.has_role(Role.PUPIL):
        pupil = pupil_of(user)
        if pupil and pupil.class_id:
            ids.add(pupil.class_id)
    return ids


def classes_for(user: User) -> list[SchoolClass]:
    ids = visible_class_ids(user)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(SchoolClass)
            .where(SchoolClass.id.in_(ids), SchoolClass.archived.is_(False))
            .order_by(SchoolClass.year_group, SchoolClass.name)
        )
    )


def class_visible_to(user: User, class_id: int) -> SchoolClass:
    """The class, if this person may see it; otherwise 'not found', so no class is revealed.

    Which classes first: a pupil's own class comes with their pupil record, already loaded."""
    if class_id not in visible_class_ids(user):
        raise NotFoundError("That class is not one of yours.")
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFoundError("That class is not one of yours.")
    return school_class


def teaches(user: User, class_id: int) -> bool:
    """Staff who may run this class: its own teachers, and leaders of the whole school."""
    if user.has_role(Role.HEADTEACHER, Role.SLT, Role.COMPUTING_LEAD, Role.ESAFETY_OFFICER):
        return True
    return user.has_role(Role.TEACHER, Role.SUPPORT_STAFF) and class_id in taught_class_ids(user)


def all_classes(include_archived: bool = False) -> list[SchoolClass]:
    query = select(SchoolClass).order_by(SchoolClass.year_group, SchoolClass.name)
    if not include_archived:
        query = query.where(SchoolClass.archived.is_(False))
    return list(db.session.scalars(query))


def normalise_code(code: str) -> str:
    """What a child types, as stored: capitals, without the spaces or dashes they add."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def class_by_code(code: str) -> SchoolClass:
    school_class = db.session.scalar(
        select(SchoolClass).where(
            SchoolClass.login_code == normalise_code(code), SchoolClass.archived.is_(False)
        )
    )
    if school_class is None:
        raise NotFoundError(
            "We could not find a class with that code. Check the card and try again.", "code"
        )
    return school_class


def pupils_in_class(class_id: int) -> list[Pupil]:
    """The class list; the pupils' accounts come with it, their roles (all "pupil") do not."""
    return list(
        db.session.scalars(
            select(Pupil)
            .where(Pupil.class_id == class_id, Pupil.left_on.is_(None))
            .order_by(Pupil.first_name, Pupil.last_name)
            .options(joinedload(Pupil.user).lazyload(User.roles))
        )
    )


def give_avatar(pupil: Pupil) -> str:
    """Give a pupil a name-tile picture no one else in their class has."""
    taken: list[str] = []
    if pupil.class_id is not None:
        query = select(Pupil.avatar).where(
            Pupil.class_id == pupil.class_id, Pupil.left_on.is_(None)
        )
        if pupil.id is not None:
            query = query.where(Pupil.id != pupil.id)
        taken = list(db.session.scalars(query))
    pupil.avatar = avatars.pick_free(taken)
    return pupil.avatar


def known_names(class_id: int | None = None) -> list[tuple[str, str]]:
    """First and last names of pupils (of one class, or all) and of staff: for the blog's checks."""
    statement = _known_names_statement(class_id is not None)
    params = {"class_id": class_id} if class_id is not None else {}
    return [(first, last) for first, last in db.session.execute(statement, params)]


@functools.cache
def _known_names_statement(one_class: bool) -> CompoundSelect:
    """Built once per process (a union costs a millisecond to build at every check)."""
    pupils, staff = names_selects(one_class)
    return pupils.union_all(staff)


def names_selects(one_class: bool) -> tuple[Select, Select]:
    """known_names' two selects (pupils, staff), the class as the bound parameter `class_id`
    when `one_class`: for a caller that reads more in the same statement."""
    pupils = select(Pupil.first_name, Pupil.last_name).where(Pupil.left_on.is_(None))
    if one_class:
        pupils = pupils.where(Pupil.class_id == bindparam("class_id", type_=Integer))
    staff = select(User.first_name, User.last_name).join(
        StaffProfile, StaffProfile.user_id == User.id
    )
    return pupils, staff


def chair_of_governors() -> User | None:
    return db.session.scalar(
        select(User).join(StaffProfile).where(StaffProfile.is_chair_of_governors)
    )


def staff_with_role(*roles: Role) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role.in_(roles), User.active)
            .distinct()
            .order_by(User.last_name)
        )
    )


def teachers_of(class_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ClassTeacher, ClassTeacher.user_id == User.id)
            .where(ClassTeacher.class_id == class_id, User.active)
        )
    )


# --- Photo consent -------------------------------------------------------------------------


def consent_register(class_id: int, year: AcademicYear) -> list[tuple[Pupil, PhotoConsent | None]]:
    """Every pupil in the class with this year's answer, or None where nobody has asked yet."""
    rows = db.session.execute(
        select(Pupil, PhotoConsent)
        .outerjoin(
            PhotoConsent,
            (PhotoConsent.pupil_id == Pupil.id) & (PhotoConsent.academic_year_id == year.id),
        )
        .where(Pupil.class_id == class_id, Pupil.left_on.is_(None))
        .order_by(Pupil.last_name, Pupil.first_name)
    )
    return [(pupil, consent) for pupil, consent in rows]


def record_photo_consent(
    actor: User,
    pupil: Pupil,
    year: AcademicYear,
    *,
    source: ConsentSource,
    class_blog: bool | None = None,
    website: bool | None = None,
    social_media: bool | None = None,
    video: bool | None = None,
    press: bool | None = None,
) -> PhotoConsent:
    """Record (or change) this year's answer and keep it in the history; None keeps a use as
    it was (no for a first answer). Approval checks read the new answer at once."""
    given = {
        ConsentKind.CLASS_BLOG: class_blog,
        ConsentKind.WEBSITE: website,
        ConsentKind.SOCIAL_MEDIA: social_media,
        ConsentKind.VIDEO: video,
        ConsentKind.PRESS: press,
    }
    consent = db.session.scalar(
        select(PhotoConsent).where(
            PhotoConsent.pupil_id == pupil.id, PhotoConsent.academic_year_id == year.id
        )
    )
    if consent is None:
        consent = PhotoConsent(pupil_id=pupil.id, academic_year_id=year.id)
        db.session.add(consent)
    for kind, answer in given.items():
        if answer is not None:
            setattr(consent, kind.value, bool(answer))
        elif getattr(consent, kind.value) is None:
            setattr(consent, kind.value, False)
    now = utcnow()
    consent.source = source
    consent.recorded_by_id = actor.id
    consent.recorded_at = now
    answers = consent.answers()
    db.session.add(
        PhotoConsentChange(
            pupil_id=pupil.id,
            academic_year_id=year.id,
            source=source,
            recorded_by_id=actor.id,
            recorded_at=now,
            **{kind.value: value for kind, value in answers.items()},
        )
    )
    db.session.flush()
    answers_detail: dict[str, Any] = {kind.value: value for kind, value in answers.items()}
    audit.record(
        "school.photo_consent_recorded",
        actor=actor,
        target=pupil,
        year=year.name,
        source=source.value,
        **answers_detail,
    )
    return consent


def consent_history(pupil_ids: Iterable[int], year: AcademicYear) -> dict[int, list]:
    """Every answer given this year for each pupil, newest first (one query for the register)."""
    ids = list(pupil_ids)
    history: dict[int, list[PhotoConsentChange]] = {pid: [] for pid in ids}
    if not ids:
        return history
    for change in db.session.scalars(
        select(PhotoConsentChange)
        .where(
            PhotoConsentChange.pupil_id.in_(ids),
            PhotoConsentChange.academic_year_id == year.id,
        )
        .order_by(PhotoConsentChange.id.desc())
    ):
        history[change.pupil_id].append(change)
    return history


def child_of_parent(parent: User, pupil_id: int) -> Pupil:
    """One of this parent's own children still at the school; anyone else's is 'not found'."""
    pupil = db.session.scalar(
        select(Pupil)
        .join(ParentLink, ParentLink.pupil_id == Pupil.id)
        .where(ParentLink.parent_id == parent.id, Pupil.id == pupil_id, Pupil.left_on.is_(None))
    )
    if pupil is None:
        raise NotFoundError("We could not find that child.")
    return pupil


def consent_for_parent(parent: User) -> list[tuple[Pupil, PhotoConsent | None]]:
    """Each of the parent's children with this year's answer (None until someone answers)."""
    year = current_academic_year()
    children = children_of(parent)
    answers = {
        c.pupil_id: c
        for c in db.session.scalars(
            select(PhotoConsent).where(
                PhotoConsent.pupil_id.in_([p.id for p in children]),
                PhotoConsent.academic_year_id == year.id,
            )
        )
    }
    return [(child, answers.get(child.id)) for child in children]


def give_photo_consent(
    parent: User, pupil_id: int, answers: dict[ConsentKind, bool]
) -> PhotoConsent:
    """A parent answers (or changes their answer) for their own child, from their own account."""
    if not parent.has_role(Role.PARENT):
        raise NotFoundError("We could not find that child.")
    pupil = child_of_parent(parent, pupil_id)
    return record_photo_consent(
        parent,
        pupil,
        current_academic_year(),
        source=ConsentSource.PARENT_PORTAL,
        **{kind.value: bool(answers.get(kind, False)) for kind in ConsentKind},
    )


#: A family is reminded about an unanswered consent form at most once in this many days.
CONSENT_REMINDER_GAP_DAYS = 7


def families_without_answer(year: AcademicYear) -> dict[User, list[Pupil]]:
    """Parents with an email address and at least one child at school with no answer this year."""
    answered = select(PhotoConsent.pupil_id).where(PhotoConsent.academic_year_id == year.id)
    rows = db.session.execute(
        select(User, Pupil)
        .join(ParentLink, ParentLink.parent_id == User.id)
        .join(Pupil, Pupil.id == ParentLink.pupil_id)
        .where(
            Pupil.left_on.is_(None),
            Pupil.class_id.is_not(None),
            Pupil.id.not_in(answered),
            User.active,
            User.email.is_not(None),
        )
        .order_by(User.last_name, User.id, Pupil.first_name)
    )
    families: dict[User, list[Pupil]] = {}
    for parent, pupil in rows:
        families.setdefault(parent, []).append(pupil)
    return families


def remind_families_about_consent(actor: User | None) -> int:
    """Email each family with an unanswered consent form (not again within a week)."""
    from flask import current_app

    from .. import mail

    year = current_academic_year()
    since = utcnow() - timedelta(days=CONSENT_REMINDER_GAP_DAYS)
    recently = set(
        db.session.scalars(
            select(audit.AuditEntry.target_id).where(
                audit.AuditEntry.action == "school.consent_reminder_sent",
                audit.AuditEntry.at >= since,
            )
        )
    )
    base = current_app.config["BASE_URL"].rstrip("/")
    sent = 0
    for parent, pupils in families_without_answer(year).items():
        if parent.id in recently:
            continue
        names = ", ".join(p.first_name for p in pupils)
        mail.queue(
            parent.email,
            f"Photo consent for {year.name}: please tell us your choices",
            f"Hello {parent.first_name},\n\n"
            f"We have not yet had your photo choices for {names} this school year. "
            "Until we do, we will not use their photos anywhere.\n\n"
            f"You can answer on your phone here: {base}/school/my-children/photo-consent\n\n"
            "You can change your answers at any time. Thank you.",
        )
        audit.record(
            "school.consent_reminder_sent",
            actor=actor,
            target=parent,
            year=year.name,
            pupil_ids=[p.id for p in pupils],
        )
        sent += 1
    db.session.flush()
    return sent


@dataclass
class ConsentReturns:
    school_class: SchoolClass
    pupils: int
    answered: int
    online: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.pupils) if self.pupils else 100


def consent_returns(year: AcademicYear) -> list[ConsentReturns]:
    """How many families of each class have answered this year's consent form (two queries)."""
    online = PhotoConsent.source == ConsentSource.PARENT_PORTAL
    counts = {
        class_id: (pupils, answered, int(on or 0))
        for class_id, pupils, answered, on in db.session.execute(
            select(
                Pupil.class_id,
                func.count(Pupil.id),
                func.count(PhotoConsent.id),
                func.sum(case((online, 1), else_=0)),
            )
            .outerjoin(
                PhotoConsent,
                (PhotoConsent.pupil_id == Pupil.id) & (PhotoConsent.academic_year_id == year.id),
            )
            .where(Pupil.left_on.is_(None), Pupil.class_id.is_not(None))
            .group_by(Pupil.class_id)
        )
    }
    return [
        ConsentReturns(c, *counts.get(c.id, (0, 0, 0)))
        for c in all_classes()
        if c.academic_year_id == year.id
    ]


def photo_consent_for(pupil_ids: Iterable[int], kind: str | ConsentKind) -> dict[int, bool]:
    """Whether each pupil has consent of this kind this year: the one check every use asks."""
    ids = list(pupil_ids)
    kind = ConsentKind(kind)
    if not ids:
        return {}
    year = current_academic_year()
    column = getattr(PhotoConsent, kind.value)
    granted = set(
        db.session.scalars(
            select(PhotoConsent.pupil_id).where(
                PhotoConsent.pupil_id.in_(ids),
                PhotoConsent.academic_year_id == year.id,
                column.is_(True),
            )
        )
    )
    return {pid: pid in granted for pid in ids}


def assign_teacher(school_class: SchoolClass, user: User) -> None:
    if not user.has_role(Role.TEACHER, Role.SUPPORT_STAFF):
        raise DomainError("Only teachers and support staff can be given a class.")
    if db.session.get(ClassTeacher, (school_class.id, user.id)) is None:
        db.session.add(ClassTeacher(class_id=school_class.id, user_id=user.id))
        db.session.flush()


def add_staff_member(
    actor: User,
    *,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str,
    start_date: date,
    roles: list[Role],
    chair_of_governors: bool = False,
) -> User:
    """Add a member of staff or a governor; their induction clock starts on the start date.
    Only roles the grant table lets the actor give (nobody gives what they may not)."""
    from ..auth.accounts import check_may_grant
    from ..auth.services import create_user, find_by_email

    check_may_grant(actor, roles)
    if find_by_email(email) is not None:
        raise DomainError("Someone already has an account with this email address.", "email")
    check_school_address(email, roles)
    if chair_of_governors and Role.GOVERNOR not in roles:
        raise DomainError("Only a governor can be chair of governors.", "chair_of_governors")
    if chair_of_governors and chair_of_governors_profile() is not None:
        raise DomainError(
            "The school already has a chair of governors. Change theirs first.",
            "chair_of_governors",
        )
    user = create_user(first_name, last_name, roles, email=email)
    db.session.add(
        StaffProfile(
            user_id=user.id,
            job_title=job_title.strip(),
            start_date=start_date,
            is_chair_of_governors=chair_of_governors,
        )
    )
    db.session.flush()
    audit.record("school.staff_added", actor=actor, target=user, roles=[r.value for r in roles])
    return user


def school_email_domains() -> list[str]:
    from flask import current_app

    setting = current_app.config.get("STAFF_EMAIL_DOMAINS") or ""
    return [d.strip().lower().lstrip("@") for d in setting.split(",") if d.strip()]


def check_school_address(email: str, roles: Iterable[Role]) -> None:
    """Staff use their school address for school business (and safeguarding notices go to
    it), never a personal one: refuse any other domain when the school has set its own."""
    domains = school_email_domains()
    if not domains or not set(roles) & STAFF_ROLES:
        return
    domain = email.strip().lower().rpartition("@")[2]
    if domain not in domains:
        listed = " or ".join(f"@{d}" for d in domains)
        raise DomainError(
            f"Staff use their school email address ({listed}), not a personal one: safeguarding "
            "notices and school business go to it.",
            "email",
        )


def staff_outside_school_domains() -> list[User]:
    """Active staff whose address is not the school's (accounts made before the setting)."""
    domains = school_email_domains()
    if not domains:
        return []
    return [
        user
        for user in staff_with_role(*STAFF_ROLES)
        if user.email and user.email.rpartition("@")[2].lower() not in domains
    ]


def chair_of_governors_profile() -> StaffProfile | None:
    return db.session.scalar(select(StaffProfile).where(StaffProfile.is_chair_of_governors))


def parents_without_password() -> list[User]:
    """Parents added by a roster import who have not yet been invited to choose a password."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.PARENT, User.password_hash.is_(None), User.active)
            .order_by(User.last_name)
        )
    )


class TooManyClassCodes(DomainError):
    status = 429


def class_for_login(code: str, address: str):
    """The class a pupil's code names. Wrong codes are counted per address and audited, and
    after too many the address is refused for a while, so codes cannot be guessed."""
    gate = throttle()
    if gate.class_code_blocked(address):
        audit.record("auth.class_code_refused")
        raise TooManyClassCodes(
            "There have been a lot of wrong class codes from this device. "
            "Please wait a few minutes, or ask your teacher for help.",
            "code",
        )
    try:
        return class_by_code(code)
    except NotFoundError:
        limited = gate.record_wrong_class_code(address)
        audit.record("auth.class_code_wrong", limited=limited)
        if limited:
            current_app.logger.warning("auth: too many wrong class codes from one address")
        raise
