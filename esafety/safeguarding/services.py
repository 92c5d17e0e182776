"""Raising, routing and handling safeguarding concerns: the rules, without HTTP.

Services flush and never commit: the view (or the calling feature) commits once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit, concurrency, mail, uploads
from ..auth.models import User
from ..auth.roles import STAFF_ROLES, Role
from ..clock import today, utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..inputs import whole_number
from ..school import services as school
from ..school.models import Pupil, SchoolClass, StaffProfile
from . import evidence, register, routing
from .models import (
    HANDLER_ACTIONS,
    ActionKind,
    Concern,
    ConcernAccess,
    ConcernAction,
    ConcernKind,
    ConcernPupil,
    ConcernSource,
    ConcernStatus,
    Evidence,
    Involved,
    Material,
    Procedure,
    PupilPart,
    Urgency,
    join_material,
    split_material,
)

DESCRIPTION_LIMIT = 5000
NAMES_LIMIT = 500


# --- What a reporter gives ------------------------------------------------------------------


@dataclass
class ConcernDetails:
    """The full form, as plain values."""

    kind: ConcernKind
    involved: Involved
    description: str
    occurred_on: date | None = None
    occurred_time: time | None = None
    names: str = ""
    pupil_id: int | None = None
    staff_member_id: int | None = None
    staff_contact: bool = False
    in_school: bool = False
    platform: str = ""
    link: str = ""
    material: list[Material] = field(default_factory=list)
    #: A copy of the words a concern is about (the class blog sends the child's own words).
    quoted_text: str = ""
    #: Where the words came from in another feature ("post:12"), for the handler.
    source_ref: str | None = None
    urgency: Urgency = Urgency.ROUTINE
    #: Other pupils involved, with their part: (pupil id, part).
    other_pupils: list[tuple[int, PupilPart]] = field(default_factory=list)
    #: The named pupil's part (the one chosen in "pupil_id").
    pupil_part: PupilPart = PupilPart.HARMED


@dataclass(frozen=True)
class Upload:
    filename: str | None
    stream: IO[bytes]


class TellChoice(enum.StrEnum):
    """The picture choices on a pupil's "Tell a teacher" page, in a child's words."""

    UNKIND = "unkind"
    STRANGER = "stranger"
    UPSET = "upset"
    SOMETHING_ELSE = "something_else"

    @property
    def label(self) -> str:
        return {
            TellChoice.UNKIND: "Someone was unkind to me online",
            TellChoice.STRANGER: "Someone I don't know contacted me",
            TellChoice.UPSET: "I saw something that upset me",
            TellChoice.SOMETHING_ELSE: "Something else",
        }[self]

    @property
    def kind(self) -> ConcernKind:
        return {
            TellChoice.UNKIND: ConcernKind.CYBER_BULLYING,
            TellChoice.STRANGER: ConcernKind.UNWANTED_CONTACT,
            TellChoice.UPSET: ConcernKind.INAPPROPRIATE_CONTENT,
            TellChoice.SOMETHING_ELSE: ConcernKind.OTHER,
        }[self]


# --- Raising a concern ---------------------------------------------------------------------


def pupils_reporter_may_name(reporter: User) -> list[Pupil]:
    """Staff may name pupils of the classes they see; parents only their own children; a pupil
    only themselves (when the class blog passes on a worry they wrote)."""
    if reporter.is_pupil:
        pupil = school.pupil_of(reporter)
        return [pupil] if pupil is not None else []
    if reporter.has_role(Role.PARENT) and not reporter.is_staff:
        return school.children_of(reporter)
    if not reporter.is_staff:
        return []
    class_ids = school.visible_class_ids(reporter)
    if not class_ids:
        return []
    return list(
        db.session.scalars(
            select(Pupil)
            .join(SchoolClass, SchoolClass.id == Pupil.class_id)
            .where(Pupil.class_id.in_(class_ids), Pupil.left_on.is_(None))
            .order_by(SchoolClass.year_group, Pupil.first_name, Pupil.last_name)
        )
    )


def staff_reporter_may_name() -> list[User]:
    """Current members of staff, for "which member of staff" (governors are not staff)."""
    users = db.session.scalars(
        select(User)
        .join(StaffProfile, StaffProfile.user_id == User.id)
        .where(User.active, StaffProfile.left_on.is_(None))
        .order_by(User.last_name, User.first_name)
    )
    return [u for u in users if u.role_set & STAFF_ROLES]


def _clean(text: str | None, limit: int, label: str, field_name: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise DomainError(
            f"{label} is too long: please keep it under {limit} characters.", field_name
        )
    return text


def _check_details(reporter: User, details: ConcernDetails) -> None:
    if not details.description.strip():
        raise DomainError("Say what happened, in your own words.", "description")
    _clean(details.description, DESCRIPTION_LIMIT, "What happened", "description")
    _clean(details.names, NAMES_LIMIT, "Names", "names")
    if details.occurred_on and details.occurred_on > today() + timedelta(days=1):
        raise DomainError("That date is in the future: when did it happen?", "occurred_on")
    if details.link and not details.link.lower().startswith(("http://", "https://")):
        raise DomainError("A link starts with http:// or https://.", "link")
    may_name = {p.id for p in pupils_reporter_may_name(reporter)}
    if details.pupil_id is not None and details.pupil_id not in may_name:
        raise DomainError("Choose a pupil from the list.", "pupil_id")
    for pupil_id, _part in details.other_pupils:
        if pupil_id not in may_name:
            raise DomainError("Choose the other pupils from the list.", "other_pupils")
    if details.staff_member_id is not None:
        if details.staff_member_id not in {u.id for u in staff_reporter_may_name()}:
            raise DomainError("Choose a member of staff from the list.", "staff_member_id")
        if details.staff_member_id == reporter.id:
            raise DomainError("Choose the member of staff the concern is about.", "staff_member_id")


#: Concerns one person may send in an hour: far more than anyone needs, few enough to stop a
#: flood that would bury real ones (or fill the evidence store).
CONCERNS_PER_HOUR = 10


def _check_rate(reporter: User) -> None:
    from ..auth.services import throttle

    if throttle().allow(f"concern:{reporter.id}", CONCERNS_PER_HOUR, 3600):
        return
    raise DomainError(
        "You have sent many concerns in the last hour, so this one was not sent. Please wait a "
        "little, or if it is urgent speak to the designated safeguarding lead in person.",
        "description",
    )


def raise_concern(
    reporter: User,
    details: ConcernDetails,
    uploads: Iterable[Upload] = (),
    *,
    source: ConcernSource = ConcernSource.FORM,
) -> Concern:
    """Record a concern with its evidence, route it and tell its handlers (a link only).

    All or nothing: if any file is refused or cannot be written, nothing is kept.
    """
    _check_details(reporter, details)
    _check_rate(reporter)
    checked = _check_uploads(uploads)
    _refuse_images_of_sexual_material(details.material, checked)

    pupil = db.session.get(Pupil, details.pupil_id) if details.pupil_id else None
    staff_member = (
        db.session.get(User, details.staff_member_id) if details.staff_member_id else None
    )
    concern = Concern(
        kind=details.kind,
        involved=Involved.STAFF if staff_member else details.involved,
        source=source,
        reporter_id=reporter.id,
        pupil_id=pupil.id if pupil else None,
        class_id=pupil.class_id if pupil else None,
        staff_member_id=staff_member.id if staff_member else None,
        about_headteacher=bool(staff_member and staff_member.has_role(Role.HEADTEACHER)),
        names=details.names.strip(),
        staff_contact=details.staff_contact,
        in_school=details.in_school,
        platform=details.platform.strip()[:80],
        link=details.link.strip()[:500],
        occurred_on=details.occurred_on,
        occurred_time=details.occurred_time,
        description=details.description.strip(),
        reported_material=join_material(details.material),
        consider_police=bool(details.material),
        quoted_text=details.quoted_text,
        source_ref=(details.source_ref or "")[:40] or None,
        urgency=details.urgency,
    )
    pupils = [(pupil.id, details.pupil_part)] if pupil else []
    pupils += [(p, part) for p, part in details.other_pupils if not pupil or p != pupil.id]
    return _file(reporter, concern, checked, pupils)


def tell_a_teacher(
    pupil_user: User, choice: TellChoice, words: str = "", *, about_school: bool = False
) -> Concern:
    """A pupil tells: the safeguarding team reads it. When the child says it is about someone
    at school, the class team is not even told that it exists."""
    pupil = school.pupil_of(pupil_user)
    if pupil is None:
        raise NotAllowed("This page is for pupils.")
    # No hourly limit here: a child who tells again and again is heard every time (that in
    # itself is something the safeguarding team should see), never turned away.
    words = _clean(words, 1000, "Your words", "words")
    description = f"{choice.label}."
    if about_school:
        description += " It is about someone at school."
    concern = Concern(
        kind=choice.kind,
        involved=Involved.UNKNOWN,
        source=ConcernSource.TELL_A_TEACHER,
        reporter_id=pupil_user.id,
        pupil_id=pupil.id,
        class_id=pupil.class_id,
        keep_from_class=about_school,
        description=description + (f"\n\nIn their words: {words}" if words else ""),
    )
    return _file(pupil_user, concern, [], [(pupil.id, PupilPart.HARMED)])


def raise_urgent_pupil_worry(
    reporter: User,
    pupil_id: int,
    childs_words: str,
    *,
    context: str,
    source_ref: str = "",
    source: ConcernSource = ConcernSource.CLASS_BLOG,
) -> Concern:
    """Public entry point for other features (the class blog's worry detector): raise an
    URGENT concern about one pupil, keeping the child's own words, for the safeguarding team.

    `reporter` is the person (or pupil) the feature acts for; `context` says where the words
    were found ("a draft blog post"); `source_ref` names the item ("post:12") so a second
    call for the same item adds to the open concern instead of raising another. The class
    team is not told (the words may be about someone at school). Flushes, never commits.
    """
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None:
        raise NotFoundError("That pupil does not exist.")
    childs_words = _clean(childs_words, DESCRIPTION_LIMIT, "The child's words", "words")
    if not childs_words:
        raise DomainError("Give the child's words.", "words")
    context = _clean(context, 200, "Where the words were found", "context") or "the app"
    source_ref = (source_ref or "").strip()[:40]
    if source_ref:
        existing = db.session.scalar(
            select(Concern).where(
                Concern.source == source,
                Concern.source_ref == source_ref,
                Concern.pupil_id == pupil.id,
                Concern.status.in_([ConcernStatus.NEW, ConcernStatus.IN_PROGRESS]),
            )
        )
        if existing is not None:
            _add_action(existing, ActionKind.NOTE, None, f"Found again in {context}.")
            existing.quoted_text = (existing.quoted_text + "\n\n" + childs_words).strip()
            return existing
    concern = Concern(
        kind=ConcernKind.OTHER,
        involved=Involved.UNKNOWN,
        source=source,
        source_ref=source_ref or None,
        reporter_id=reporter.id,
        pupil_id=pupil.id,
        class_id=pupil.class_id,
        keep_from_class=True,
        urgency=Urgency.URGENT,
        description=f"Words that may mean {pupil.first_name} is at risk were found in {context}.",
        quoted_text=childs_words,
    )
    return _file(reporter, concern, [], [(pupil.id, PupilPart.HARMED)])


def receive_blog_report(
    *,
    reporter: User,
    class_id: int,
    item_kind: str,
    item_id: int,
    reported_text: str,
    reason: str,
    note: str,
    passed_on_by: User,
) -> Concern:
    """A class blog report ("it worries me") passed on by a teacher becomes a concern, with a
    copy of the reported words, for the e-safety officer and the class's teachers."""
    if db.session.get(SchoolClass, class_id) is None:
        raise NotFoundError("That class does not exist.")
    if not school.teaches(passed_on_by, class_id):
        raise NotAllowed("Only the class's staff can pass a blog report on.")
    item_kind = (item_kind or "").strip().lower()[:16]
    if not item_kind:
        raise DomainError("Say what was reported (a post or a comment).")
    source_ref = f"{item_kind}:{item_id}"
    existing = db.session.scalar(
        select(Concern).where(
            Concern.source == ConcernSource.CLASS_BLOG,
            Concern.source_ref == source_ref,
            Concern.class_id == class_id,
            Concern.status.in_([ConcernStatus.NEW, ConcernStatus.IN_PROGRESS]),
        )
    )
    reason = (reason or "").strip()
    note = (note or "").strip()
    if existing is not None:
        _add_action(
            existing,
            ActionKind.NOTE,
            passed_on_by,
            f"Reported again on the class blog (reason: {reason or 'not given'}). {note}".strip(),
        )
        audit.record(
            "safeguarding.blog_report_added", actor=passed_on_by, target=existing, item=source_ref
        )
        return existing
    bullying = any(word in reason.lower() for word in ("unkind", "bully", "mean", "nasty"))
    description = f"Reported on the class blog ({item_kind} {item_id}). Reason given: {reason}."
    if note:
        description += f"\n\nNote from {passed_on_by.full_name}: {note}"
    concern = Concern(
        kind=ConcernKind.CYBER_BULLYING if bullying else ConcernKind.INAPPROPRIATE_CONTENT,
        involved=Involved.PUPIL if bullying else Involved.UNKNOWN,
        source=ConcernSource.CLASS_BLOG,
        source_ref=source_ref,
        reporter_id=reporter.id,
        passed_on_by_id=passed_on_by.id,
        class_id=class_id,
        in_school=True,
        platform="Class blog",
        description=description,
        quoted_text=reported_text or "",
    )
    return _file(reporter, concern, [], [])


IMAGE_REFUSED = (
    "Please do not send pictures when the material may be sexual or may show a child's body. "
    "Nobody at school may look at, copy, save or pass on images like this, even to report "
    "them: keeping one is itself harmful to the child. Instead, describe in words what the "
    "picture shows, where it was seen and who has it. The safeguarding lead will decide "
    "what happens next, with the police if needed."
)


def _refuse_images_of_sexual_material(
    material: Iterable[Material], checked: list[evidence.CheckedFile]
) -> None:
    """Nudes and semi-nudes of children are never viewed, copied or stored by staff (UKCIS):
    where the material is marked sexual, only a description is kept."""
    if Material.SEXUAL in set(material) and any(
        item.media_type.startswith("image/") for item in checked
    ):
        raise DomainError(IMAGE_REFUSED, evidence.FIELD)


def _check_uploads(uploads: Iterable[Upload]) -> list[evidence.CheckedFile]:
    files = [u for u in uploads if u.filename]
    if len(files) > evidence.MAX_FILES:
        raise DomainError(
            f"Please send at most {evidence.MAX_FILES} files at a time.", evidence.FIELD
        )
    return [evidence.check_upload(u.filename, u.stream) for u in files]


def _store_evidence(
    actor: User, concern: Concern, checked: list[evidence.CheckedFile]
) -> list[Evidence]:
    """Write each file and its record; a failure removes the files already written."""
    stored = []
    try:
        for item in checked:
            relative, _path = evidence.write_file(concern.id, item)
            row = Evidence(
                concern_id=concern.id,
                original_name=item.original_name,
                stored_path=relative,
                media_type=item.media_type,
                size_bytes=len(item.content),
                sha256=item.sha256,
                uploaded_by_id=actor.id,
                incident_on=concern.occurred_on,
                incident_time=concern.occurred_time,
            )
            db.session.add(row)
            stored.append(row)
        db.session.flush()
    except (OSError, uploads.StorageFailed) as error:
        uploads.discard_written()
        raise DomainError(
            "We could not save the evidence files, so nothing was sent. "
            "Your words are still here: please try again.",
            evidence.FIELD,
        ) from error
    return stored


def _file(
    reporter: User,
    concern: Concern,
    checked: list[evidence.CheckedFile],
    pupils: list[tuple[int, PupilPart]],
) -> Concern:
    decision = routing.route(concern, reporter)
    concern.procedure = decision.procedure
    concern.handler_id = decision.handlers[0].id if decision.handlers else None
    if concern.procedure is Procedure.ALLEGATIONS:
        concern.lado_due_at = working_days_after(utcnow(), 1)
    db.session.add(concern)
    db.session.flush()
    for pupil_id, part in pupils:
        concern.pupils.append(ConcernPupil(pupil_id=pupil_id, part=part))
    _add_action(
        concern,
        ActionKind.RAISED,
        reporter,
        concern.source.label + (" (urgent)" if concern.urgency is Urgency.URGENT else ""),
    )
    stored = _store_evidence(reporter, concern, checked)
    told = ", ".join(f"{u.full_name} (to handle)" for u in decision.handlers)
    informed = ", ".join(f"{u.full_name} (told)" for u in decision.informed)
    _add_action(
        concern,
        ActionKind.ROUTED,
        None,
        f"{decision.procedure.label}. " + "; ".join(p for p in (told, informed) if p),
    )
    if concern.consider_police:
        _add_action(
            concern,
            ActionKind.MATERIAL_MARKED,
            reporter,
            "Marked by the reporter as "
            + ", ".join(m.label.lower() for m in concern.material)
            + ". Consider whether the police should be contacted.",
        )
    if decision.block_site:
        _request_block_from(concern, reporter)
    audit.record(
        "safeguarding.concern_raised",
        actor=reporter,
        target=concern,
        kind=concern.kind.value,
        procedure=concern.procedure.value,
        evidence=len(stored),
        handler_id=concern.handler_id,
    )
    for handler in decision.handlers:
        _notify_handler(concern, handler)
    if concern.urgency is Urgency.URGENT and decision.deputies:
        alert_deputies(concern, decision.deputies, "It was raised as urgent.")
    for person in decision.informed:
        if person.id != concern.passed_on_by_id:
            _notify_informed(concern, person, decision.handlers)
    return concern


def working_days_after(moment: datetime, days: int) -> datetime:
    """The same time of day `days` working days (Monday to Friday) later."""
    result = moment
    while days > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


def alert_deputies(concern: Concern, deputies: list[User], why: str) -> None:
    """Tell the deputy DSLs (a link only) and note it in the chronology, once per concern."""
    told = [d for d in deputies if d.id != concern.staff_member_id and can_open(d, concern)]
    if not told or concern.escalated_at is not None:
        return
    concern.escalated_at = utcnow()
    for deputy in told:
        if deputy.email:
            mail.queue(
                deputy.email,
                f"Safeguarding concern {concern.reference} needs someone now",
                f"Dear {deputy.first_name},\n\n"
                f"A safeguarding concern ({concern.reference}) needs a member of the "
                f"safeguarding team. {why}\n"
                f"Please sign in to read it:\n\n"
                f"{mail.link('safeguarding.case', concern_id=concern.id)}\n\n"
                "The details are kept in the safeguarding record, not in email.\n",
                private=True,
            )
    _add_action(
        concern, ActionKind.ESCALATED, None, f"{why} " + ", ".join(d.full_name for d in told)
    )


def _request_block_from(concern: Concern, reporter: User) -> None:
    if not concern.link:
        _add_action(
            concern,
            ActionKind.NOTE,
            None,
            "No link was given: add the site to the blocked-site register from this page.",
        )
        return
    try:
        entry, new = register.request_block(
            reporter,
            concern.link,
            f"Inappropriate content seen in school ({concern.reference}).",
            concern,
        )
    except DomainError as problem:
        _add_action(
            concern, ActionKind.NOTE, None, f"The link could not be blocked: {problem.message}"
        )
        return
    _add_action(
        concern,
        ActionKind.BLOCK_REQUESTED,
        None,
        f"{entry.domain}: waiting for approval on the register."
        if new
        else f"{entry.domain} is already on the register ({entry.status.label.lower()}).",
    )


# --- Telling people (a link only, never the details) ----------------------------------------


def _notify_handler(concern: Concern, handler: User) -> None:
    if not handler.email:
        return
    mail.queue(
        handler.email,
        f"A safeguarding concern for you: {concern.reference}",
        f"Dear {handler.first_name},\n\n"
        f"A safeguarding concern ({concern.reference}) has been passed to you.\n"
        f"Please sign in to read it:\n\n{mail.link('safeguarding.case', concern_id=concern.id)}"
        "\n\n"
        "The details are kept in the safeguarding record, not in email.\n",
        private=True,
    )


def _notify_informed(concern: Concern, person: User, handlers: list[User]) -> None:
    if not person.email:
        return
    lead = handlers[0].full_name if handlers else "the e-safety officer"
    mail.queue(
        person.email,
        f"A safeguarding concern involving your class: {concern.reference}",
        f"Dear {person.first_name},\n\n"
        f"A safeguarding concern ({concern.reference}) involving your class has been raised.\n"
        f"{lead} is looking after it and will talk with you about it.\n\n"
        "No details are sent by email. Please do not discuss it by email either.\n",
        private=True,
    )


def who_will_read(concern: Concern) -> list[User]:
    """The people a reporter is told will read their concern: those who can open it and lead
    it (class teachers are told it exists but do not read it, so they are not named)."""
    people = [concern.handler] if concern.handler else []
    if concern.procedure not in routing.OUTSIDE_DSL and concern.procedure is not (
        Procedure.ALLEGATIONS
    ):
        people += routing.dsl_team()[:3]
    seen: set[int] = set()
    result = []
    for person in people:
        if person.id not in seen and person.id != concern.staff_member_id:
            seen.add(person.id)
            result.append(person)
    return result


# --- Who may open a concern -----------------------------------------------------------------


def chair_id() -> int | None:
    chair = school.chair_of_governors()
    return chair.id if chair else None


def can_open(user: User, concern: Concern, chair: int | None | bool = False) -> bool:
    """The safeguarding team and the headteacher open concerns; the e-safety officer and the
    senior team open their share (online content, adults outside) and any they lead; nobody
    opens one about themselves; concerns about the headteacher are for the chair of
    governors (or whoever holds it until there is one)."""
    if concern.staff_member_id == user.id:
        return False
    if concern.about_headteacher:
        chair = chair_id() if chair is False else chair
        holds_it = concern.handler_id == user.id and not user.has_role(Role.HEADTEACHER)
        return user.id == chair or holds_it
    if user.has_role(*routing.SEE_ALL_ROLES):
        return True
    if not user.has_role(*routing.CONCERN_ROLES):
        return False
    return concern.handler_id == user.id or (
        concern.procedure in routing.OUTSIDE_DSL and concern.pupil_id is None
    )


def has_hidden_concern_about(viewer: User, person: User) -> bool:
    """Whether `person` is the subject of a live concern `viewer` may not open. Their account is
    then not the viewer's to change, or a concern could be silenced by taking the account of
    whoever handles it (the caller says no without saying why)."""
    chair = chair_id()
    concerns = db.session.scalars(
        select(Concern).where(
            Concern.staff_member_id == person.id, Concern.status != ConcernStatus.RESOLVED
        )
    )
    return any(not can_open(viewer, concern, chair) for concern in concerns)


def log_access(user: User, concern: Concern | None, what: str) -> None:
    db.session.add(
        ConcernAccess(concern_id=concern.id if concern else None, user_id=user.id, what=what[:80])
    )
    db.session.flush()


def open_concern(user: User, concern_id: int, what: str = "case") -> Concern:
    """The concern, if this person may open it (logged); otherwise it does not exist for them."""
    concern = db.session.scalar(
        select(Concern)
        .where(Concern.id == concern_id)
        .options(
            selectinload(Concern.evidence),
            selectinload(Concern.actions),
            selectinload(Concern.pupils),
            selectinload(Concern.tasks),
            selectinload(Concern.referrals),
        )
    )
    if concern is None or not can_open(user, concern):
        raise NotFoundError("We could not find that concern.")
    log_access(user, concern, what)
    if concern.first_read_at is None and user.id != concern.reporter_id:
        concern.first_read_at = utcnow()
    return concern


def may_see_list(user: User) -> bool:
    return user.has_role(*routing.CONCERN_ROLES) or user.id == chair_id()


def concerns_for(user: User, show: str = "open") -> list[Concern]:
    """The concerns this person may open, newest first (logged as opening the list)."""
    chair = chair_id()
    if not (user.has_role(*routing.CONCERN_ROLES) or user.id == chair):
        raise NotFoundError("We could not find that page.")
    query = select(Concern).order_by(Concern.created_at.desc(), Concern.id.desc())
    if show == "open":
        query = query.where(Concern.status.in_([ConcernStatus.NEW, ConcernStatus.IN_PROGRESS]))
    elif show == "closed":
        query = query.where(Concern.status.in_([ConcernStatus.RESOLVED, ConcernStatus.REFERRED]))
    rows = [c for c in db.session.scalars(query) if can_open(user, c, chair)]
    if user.has_role(*routing.CONCERN_ROLES):
        log_access(user, None, f"list of concerns ({show})")
    else:
        # The chair sees only concerns about the headteacher: log against each, so the
        # headteacher's own access log does not hint that any exist.
        for concern in rows:
            log_access(user, concern, f"list of concerns ({show})")
    return rows


def my_concerns(reporter: User) -> list[Concern]:
    """What a reporter raised: received and closed dates only, never the handlers' notes."""
    return list(
        db.session.scalars(
            select(Concern)
            .where(Concern.reporter_id == reporter.id)
            .order_by(Concern.created_at.desc(), Concern.id.desc())
        )
    )


def reported_by(reporter: User, concern_id: int) -> Concern:
    concern = db.session.get(Concern, concern_id)
    if concern is None or concern.reporter_id != reporter.id:
        raise NotFoundError("We could not find that concern.")
    return concern


# --- Handling a concern ---------------------------------------------------------------------


def _add_action(
    concern: Concern, kind: ActionKind, by: User | None, note: str = ""
) -> ConcernAction:
    action = ConcernAction(concern_id=concern.id, kind=kind, note=note, by_id=by.id if by else None)
    db.session.add(action)
    concurrency.flush()
    return action


def _check_handler(actor: User, concern: Concern) -> None:
    if not can_open(actor, concern):
        raise NotFoundError("We could not find that concern.")


def _start(actor: User, concern: Concern) -> None:
    if concern.status is ConcernStatus.NEW:
        concern.status = ConcernStatus.IN_PROGRESS
        _add_action(concern, ActionKind.STARTED, actor)
        audit.record("safeguarding.concern_started", actor=actor, target=concern)


def record_action(actor: User, concern: Concern, kind: ActionKind, note: str) -> ConcernAction:
    """Add a step to the chronology (meeting held, removal requested, ...), with who and when."""
    _check_handler(actor, concern)
    if kind not in HANDLER_ACTIONS:
        raise DomainError("Choose what was done from the list.", "kind")
    note = _clean(note, DESCRIPTION_LIMIT, "The details", "action_note")
    if kind in (ActionKind.NOTE, ActionKind.OUTCOME) and not note:
        raise DomainError("Write the details.", "action_note")
    _start(actor, concern)
    action = _add_action(concern, kind, actor, note)
    audit.record("safeguarding.action_recorded", actor=actor, target=concern, step=kind.value)
    return action


def eligible_handlers(concern: Concern) -> list[User]:
    """People who could lead this concern: those who may open it."""
    if concern.about_headteacher:
        chair = school.chair_of_governors()
        candidates = [chair] if chair else []
    else:
        candidates = school.staff_with_role(*routing.CONCERN_ROLES)
    return [u for u in candidates if u is not None and can_open(u, concern)]


def assign_handler(
    actor: User, concern: Concern, handler_id: int, seen: int | str | None = None
) -> None:
    """Give the concern a lead handler, who is emailed a link.

    `seen` is the concern's revision on the handler's page (see esafety/concurrency.py)."""
    _check_handler(actor, concern)
    concurrency.expect_revision(concern, seen)
    handler = next((u for u in eligible_handlers(concern) if u.id == handler_id), None)
    if handler is None:
        raise DomainError("Choose someone from the list.", "handler_id")
    if concern.handler_id == handler.id:
        return
    concern.handler_id = handler.id
    _add_action(concern, ActionKind.ASSIGNED, actor, handler.full_name)
    audit.record(
        "safeguarding.handler_assigned", actor=actor, target=concern, handler_id=handler.id
    )
    if handler.id != actor.id:
        _notify_handler(concern, handler)


def mark_material(actor: User, concern: Concern, material: Iterable[Material]) -> None:
    """A handler marks the material; any mark raises "consider police" (the reporter's stay)."""
    _check_handler(actor, concern)
    chosen = set(material)
    before = set(concern.material)
    concern.handler_material = join_material(chosen)
    concern.consider_police = bool(chosen or split_material(concern.reported_material))
    after = set(concern.material)
    if after != before:
        words = ", ".join(m.label.lower() for m in concern.material) or "none"
        note = f"Material now marked: {words}."
        if concern.consider_police:
            note += " Consider whether the police should be contacted."
        _add_action(concern, ActionKind.MATERIAL_MARKED, actor, note)
        audit.record(
            "safeguarding.material_marked",
            actor=actor,
            target=concern,
            material=[m.value for m in concern.material],
        )


def _close(actor: User, concern: Concern, seen: int | str | None) -> None:
    if concern.status.is_closed:
        raise DomainError("This concern is already closed.")
    concurrency.expect_revision(concern, seen)
    _start(actor, concern)


def resolve(actor: User, concern: Concern, outcome: str, seen: int | str | None = None) -> None:
    """Close the concern with its outcome; the reporter sees that it was closed, and when."""
    _check_handler(actor, concern)
    outcome = _clean(outcome, DESCRIPTION_LIMIT, "The outcome", "outcome")
    if not outcome:
        raise DomainError("Write the outcome before closing the concern.", "outcome")
    _close(actor, concern, seen)
    _add_action(concern, ActionKind.OUTCOME, actor, outcome)
    concern.status = ConcernStatus.RESOLVED
    concern.closed_at = utcnow()
    _add_action(concern, ActionKind.RESOLVED, actor)
    audit.record("safeguarding.concern_resolved", actor=actor, target=concern)


def add_evidence(actor: User, concern: Concern, uploads: Iterable[Upload]) -> list[Evidence]:
    """A handler saves more evidence to the case (all files or none)."""
    _check_handler(actor, concern)
    checked = _check_uploads(uploads)
    if not checked:
        raise DomainError("Choose at least one file.", evidence.FIELD)
    _refuse_images_of_sexual_material(concern.material, checked)
    stored = _store_evidence(actor, concern, checked)
    _add_action(
        concern, ActionKind.EVIDENCE_ADDED, actor, ", ".join(e.original_name for e in stored)
    )
    audit.record("safeguarding.evidence_added", actor=actor, target=concern, files=len(stored))
    return stored


def request_block(actor: User, concern: Concern, site: str, reason: str) -> None:
    """Ask for a site from this concern to be blocked; it waits on the register for approval."""
    _check_handler(actor, concern)
    entry, new = register.request_block(
        actor, site, reason or f"From {concern.reference}.", concern
    )
    _add_action(
        concern,
        ActionKind.BLOCK_REQUESTED,
        actor,
        f"{entry.domain}: waiting for approval."
        if new
        else f"{entry.domain} is already on the register ({entry.status.label.lower()}).",
    )


def destroy_picture(actor: User, concern: Concern, evidence_id: int, reason: str) -> Evidence:
    """The DSL destroys a picture that may show a child (never viewed, copied or kept), with
    the reason; its record and SHA-256 stay in the chronology."""
    _check_handler(actor, concern)
    if not actor.has_role(Role.DSL):
        raise NotAllowed("Only the designated safeguarding lead destroys evidence.")
    item = next((e for e in concern.evidence if e.id == evidence_id), None)
    if item is None or item.destroyed_at is not None:
        raise NotFoundError("We could not find that file.")
    if not item.is_image:
        raise DomainError("Only pictures are destroyed here.", "destroy_reason")
    reason = _clean(reason, 1000, "The reason", "destroy_reason")
    if not reason:
        raise DomainError("Say why the picture is destroyed.", "destroy_reason")
    item.destroyed_at = utcnow()
    item.destroyed_by_id = actor.id
    item.destroyed_reason = reason
    uploads.delete_after_commit(evidence.stored_file(item.stored_path))
    _add_action(
        concern,
        ActionKind.FILE_DESTROYED,
        actor,
        f"{item.original_name} (SHA-256 {item.sha256}): {reason}",
    )
    audit.record("safeguarding.picture_destroyed", actor=actor, target=concern, evidence=item.id)
    return item


@dataclass(frozen=True)
class EvidenceCopy:
    content: bytes
    media_type: str
    filename: str
    #: False for PDFs, whose metadata is not stripped (they download as an attachment).
    stripped: bool


def evidence_copy(user: User, concern_id: int, evidence_id: int) -> EvidenceCopy:
    """The copy staff view: pictures re-encoded without metadata; PDFs as they are (logged)."""
    concern = open_concern(user, concern_id, f"evidence {evidence_id}")
    item = next((e for e in concern.evidence if e.id == evidence_id), None)
    if item is None or item.destroyed_at is not None:
        raise NotFoundError("We could not find that file.")
    if item.is_image and concern.images_withheld:
        raise NotAllowed(
            "This picture is not shown: the material may be sexual or show a child's body. "
            "Its description and SHA-256 are on the case page."
        )
    content = evidence.read_stored(item.stored_path)
    if item.media_type.startswith("image/"):
        return EvidenceCopy(
            evidence.stripped_copy(content, item.media_type),
            item.media_type,
            item.original_name,
            True,
        )
    return EvidenceCopy(content, item.media_type, item.original_name, False)


# --- Small look-ups for the pages -----------------------------------------------------------


def readers_for_pupil(pupil_user: User) -> list[User]:
    """Who truly reads what a pupil tells: the few adults on the safeguarding team."""
    return routing.dsl_team()[:3]


def accesses_of(viewer: User, concern: Concern) -> list[ConcernAccess]:
    """The concern's access log, for the headteacher and DSL (or the chair, for theirs)."""
    if not (viewer.has_role(Role.HEADTEACHER, Role.DSL) or viewer.id == chair_id()):
        return []
    return list(
        db.session.scalars(
            select(ConcernAccess)
            .where(ConcernAccess.concern_id == concern.id)
            .order_by(ConcernAccess.id.desc())
            .limit(200)
        )
    )


def concern_by_reference(actor: User, reference: str | None) -> Concern | None:
    """Find a concern by its reference ("SG-0012" or "12") for the register; None if blank."""
    text = (reference or "").strip().upper().removeprefix("SG-").lstrip("0")
    if not text:
        return None
    number = whole_number(text, minimum=1)
    if number is None:
        raise DomainError("Give the concern's reference, like SG-0012.", "concern_ref")
    concern = db.session.get(Concern, number)
    if concern is None or not can_open(actor, concern):
        raise DomainError("There is no concern with that reference.", "concern_ref")
    return concern


def parse_year(value: str | None) -> date | None:
    """A school year such as 2026/27 as a day inside it; anything else means this year."""
    if not value or len(value) != 7 or value[4] != "/":
        return None
    year = whole_number(value[:4], minimum=2000, maximum=2999)
    return None if year is None else date(year, 9, 1)


# --- The general audit log (no tipping off) -------------------------------------------------

#: Who reads the general audit log: never governors (it names reporters and people involved).
AUDIT_READERS = (Role.HEADTEACHER, Role.DSL)


def _audit_concern_id(entry) -> int | None:
    if entry.target_type == "concern":
        return entry.target_id
    value = entry.details.get("concern_id")
    return int(value) if isinstance(value, int) else None


def visible_audit_entries(viewer: User, entries: list) -> list:
    """The general audit log without any safeguarding event the viewer may not open: those
    live in the concern's own access log, so the subject of a concern never sees a trace."""
    from .models import BlockedSite, LowLevelConcern

    chair = chair_id()
    concern_ids = {cid for e in entries if (cid := _audit_concern_id(e)) is not None}
    block_ids = {e.target_id for e in entries if e.target_type == BlockedSite.__tablename__}
    low_ids = {e.target_id for e in entries if e.target_type == LowLevelConcern.__tablename__}
    blocks = {
        b.id: b.concern_id
        for b in db.session.scalars(select(BlockedSite).where(BlockedSite.id.in_(block_ids)))
    }
    concern_ids |= {cid for cid in blocks.values() if cid}
    concerns = {
        c.id: c for c in db.session.scalars(select(Concern).where(Concern.id.in_(concern_ids)))
    }
    lows = {
        e.id: e
        for e in db.session.scalars(select(LowLevelConcern).where(LowLevelConcern.id.in_(low_ids)))
    }

    def opens(concern_id: int | None) -> bool:
        concern = concerns.get(concern_id) if concern_id else None
        return concern is not None and can_open(viewer, concern, chair)

    shown = []
    for entry in entries:
        concern_id = _audit_concern_id(entry)
        if entry.target_type == BlockedSite.__tablename__ and blocks.get(entry.target_id):
            concern_id = blocks[entry.target_id]
        if concern_id is not None:
            if opens(concern_id):
                shown.append(entry)
        elif entry.target_type == LowLevelConcern.__tablename__:
            low = lows.get(entry.target_id)
            if low is not None and routing.may_read_low_level(viewer, low, chair):
                shown.append(entry)
        elif entry.action.startswith("safeguarding."):
            if viewer.has_role(*routing.CONCERN_ROLES):
                shown.append(entry)
        else:
            shown.append(entry)
    return shown
