"""Who belongs where, and who may see which class: the rules every feature asks."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import audit
from ..auth.models import User, UserRole
from ..auth.roles import Role
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..memo import per_request
from . import avatars
from .models import (
    AcademicYear,
    ClassTeacher,
    ConsentSource,
    ParentLink,
    PhotoConsent,
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
    """The pupil record of a signed-in child; their roles are loaded only if asked for."""
    return db.session.scalar(
        select(Pupil)
        .where(Pupil.user_id == user.id)
        .options(joinedload(Pupil.user).lazyload(User.roles))
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
    """The class, if this person may see it; otherwise 'not found', so no class is revealed."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or class_id not in visible_class_ids(user):
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
    pupils = select(Pupil.first_name, Pupil.last_name).where(Pupil.left_on.is_(None))
    if class_id is not None:
        pupils = pupils.where(Pupil.class_id == class_id)
    staff = select(User.first_name, User.last_name).join(
        StaffProfile, StaffProfile.user_id == User.id
    )
    return [tuple(row) for row in db.session.execute(pupils.union_all(staff))]


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
    class_blog: bool,
    website: bool,
    source: ConsentSource,
) -> PhotoConsent:
    """Record (or correct) this year's answer; the audit log keeps every earlier answer."""
    consent = db.session.scalar(
        select(PhotoConsent).where(
            PhotoConsent.pupil_id == pupil.id, PhotoConsent.academic_year_id == year.id
        )
    )
    if consent is None:
        consent = PhotoConsent(pupil_id=pupil.id, academic_year_id=year.id)
        db.session.add(consent)
    consent.class_blog = class_blog
    consent.website = website
    consent.source = source
    consent.recorded_by_id = actor.id
    consent.recorded_at = utcnow()
    db.session.flush()
    audit.record(
        "school.photo_consent_recorded",
        actor=actor,
        target=pupil,
        year=year.name,
        class_blog=class_blog,
        website=website,
        source=source.value,
    )
    return consent


def photo_consent_for(pupil_ids: Iterable[int], kind: str) -> dict[int, bool]:
    """Whether each pupil has consent of this kind ("class_blog" or "website") this year."""
    ids = list(pupil_ids)
    if kind not in {"class_blog", "website"}:
        raise ValueError(kind)
    if not ids:
        return {}
    year = current_academic_year()
    column = getattr(PhotoConsent, kind)
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
    """Add a member of staff or a governor; their induction clock starts on the start date."""
    from ..auth.services import create_user, find_by_email

    if find_by_email(email) is not None:
        raise DomainError("Someone already has an account with this email address.", "email")
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
