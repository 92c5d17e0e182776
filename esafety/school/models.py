"""The school's people and structure: years, classes, pupils, parents, staff, photo consent."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import utcnow
from ..extensions import AppendOnly, IntEnumType, Model, enum_type


class YearGroup(enum.IntEnum):
    RECEPTION = 0
    YEAR_1 = 1
    YEAR_2 = 2
    YEAR_3 = 3
    YEAR_4 = 4
    YEAR_5 = 5
    YEAR_6 = 6

    @property
    def label(self) -> str:
        return "Reception" if self is YearGroup.RECEPTION else f"Year {self.value}"

    @property
    def key(self) -> str:
        """The name used in lesson files and URLs: reception, year_1 ... year_6."""
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> YearGroup:
        return cls[key.upper()]

    @property
    def typical_age(self) -> int:
        """Age reached during the school year (Reception children turn 5)."""
        return self.value + 5


class AcademicYear(Model):
    __tablename__ = "academic_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "2026/27"
    name: Mapped[str] = mapped_column(String(9), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    is_current: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index(
            "uq_academic_year_one_current",
            "is_current",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )


class SchoolClass(Model):
    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    year_group: Mapped[YearGroup] = mapped_column(IntEnumType(YearGroup), index=True)
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    #: Short code typed (or scanned from a QR code) to reach the class's picture login.
    login_code: Mapped[str] = mapped_column(String(12), unique=True)
    #: Classes of past years stay, read-only, for the record.
    archived: Mapped[bool] = mapped_column(default=False)

    academic_year: Mapped[AcademicYear] = relationship(lazy="joined")
    teachers: Mapped[list[ClassTeacher]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan"
    )
    pupils: Mapped[list[Pupil]] = relationship(
        back_populates="school_class", order_by="Pupil.first_name"
    )

    __table_args__ = (UniqueConstraint("academic_year_id", "name"),)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.year_group.label})"


class ClassTeacher(Model):
    """Staff who teach or support a class: they see its pupils, blog and progress."""

    __tablename__ = "class_teacher"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_class.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    school_class: Mapped[SchoolClass] = relationship(back_populates="teachers")
    user: Mapped[User] = relationship(lazy="joined")


class Pupil(Model):
    __tablename__ = "pupil"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    #: The school's own pupil reference (e.g. UPN or MIS id), used to match roster imports.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date]
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    #: Set when the pupil leaves the school; they keep no class.
    left_on: Mapped[date | None]
    #: The picture beside this pupil's name tile ("green-heart", see avatars.py): never one of
    #: the password pictures, and different from every classmate's (school.services.give_avatar).
    avatar: Mapped[str] = mapped_column(String(20), default="")

    user: Mapped[User] = relationship(lazy="joined")
    school_class: Mapped[SchoolClass | None] = relationship(back_populates="pupils")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ParentLink(Model):
    """A parent or carer of a pupil; a pupil may have several and a parent several children."""

    __tablename__ = "parent_link"

    parent_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    pupil_id: Mapped[int] = mapped_column(
        ForeignKey("pupil.id", ondelete="CASCADE"), primary_key=True
    )
    #: "Mother", "Grandparent", "Foster carer"...
    relationship_to_pupil: Mapped[str] = mapped_column(String(40), default="Parent")

    parent: Mapped[User] = relationship(lazy="joined")
    pupil: Mapped[Pupil] = relationship(lazy="joined")


class StaffProfile(Model):
    """Staff and governors: job title and start date (the induction clock starts here)."""

    __tablename__ = "staff_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    job_title: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[date]
    left_on: Mapped[date | None]
    #: Allegations about the headteacher go to the chair of governors; there is at most one.
    is_chair_of_governors: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        Index(
            "uq_staff_profile_one_chair",
            "is_chair_of_governors",
            unique=True,
            sqlite_where=text("is_chair_of_governors"),
            postgresql_where=text("is_chair_of_governors"),
        ),
    )


class ConsentSource(enum.StrEnum):
    PAPER_FORM = "paper_form"
    EMAIL = "email"
    #: The parent answered online, on the parent's own account.
    PARENT_PORTAL = "parent_portal"
    PHONE = "phone"

    @property
    def label(self) -> str:
        if self is ConsentSource.PARENT_PORTAL:
            return "Parent online"
        return self.value.replace("_", " ").capitalize()


class ConsentKind(enum.StrEnum):
    """The uses of a child's photo a parent says yes or no to; each is a column of PhotoConsent."""

    CLASS_BLOG = "class_blog"
    WEBSITE = "website"
    SOCIAL_MEDIA = "social_media"
    VIDEO = "video"
    PRESS = "press"

    @property
    def label(self) -> str:
        return {
            ConsentKind.CLASS_BLOG: "Class blog photos",
            ConsentKind.WEBSITE: "School website and news page",
            ConsentKind.SOCIAL_MEDIA: "The school's social media accounts",
            ConsentKind.VIDEO: "Video clips",
            ConsentKind.PRESS: "Local newspapers",
        }[self]

    @property
    def hint(self) -> str:
        """What saying yes means, in a sentence a parent reads on a phone."""
        return {
            ConsentKind.CLASS_BLOG: "Seen only by the class, its teachers and its families.",
            ConsentKind.WEBSITE: "Public: anyone can see the school's website and news page.",
            ConsentKind.SOCIAL_MEDIA: "Public posts; children are never named.",
            ConsentKind.VIDEO: "Short clips of lessons and events, shown like photos.",
            ConsentKind.PRESS: "Photos the school gives to a local paper about an event.",
        }[self]


class _ConsentAnswers:
    """The five yes/no answers, shared by the current answer and its history."""

    #: Photos on the class blog, seen by the class and its parents.
    class_blog: Mapped[bool] = mapped_column(default=False)
    #: Photos on the public news feed and the school website.
    website: Mapped[bool] = mapped_column(default=False)
    #: Photos on the school's public social media accounts.
    social_media: Mapped[bool] = mapped_column(default=False)
    #: Video clips of the child.
    video: Mapped[bool] = mapped_column(default=False)
    #: Photos given to the local press.
    press: Mapped[bool] = mapped_column(default=False)

    def answers(self) -> dict[ConsentKind, bool]:
        return {kind: bool(getattr(self, kind.value)) for kind in ConsentKind}

    @property
    def summary(self) -> str:
        """ "Yes to class blog photos, video clips", for the register's history."""
        yes = [kind.label.lower() for kind, given in self.answers().items() if given]
        return f"yes to {', '.join(yes)}" if yes else "no to everything"


class PhotoConsent(_ConsentAnswers, Model):
    """This year's answer for one pupil, the one approval checks read; asked afresh every year."""

    __tablename__ = "photo_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"))
    source: Mapped[ConsentSource] = mapped_column(enum_type(ConsentSource))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("pupil_id", "academic_year_id"),)


class PhotoConsentChange(_ConsentAnswers, AppendOnly, Model):
    """Every answer ever given, in order: who gave it, how, and when (the register's history)."""

    __tablename__ = "photo_consent_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"))
    source: Mapped[ConsentSource] = mapped_column(enum_type(ConsentSource))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")
