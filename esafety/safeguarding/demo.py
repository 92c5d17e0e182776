"""Demo safeguarding records: concerns in each state, a block request waiting, blocked sites.

Made through the services, so routing, chronology and audit are real. Safe to run twice.
"""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select, update

from .. import guards
from ..auth.models import User
from ..auth.roles import Role
from ..clock import today, utcnow
from ..extensions import db
from ..school.demo import DemoSchool
from ..school.models import YearGroup
from ..school.services import current_academic_year, parents_of
from . import casefile, lowlevel, register, services
from .models import (
    ActionKind,
    Agency,
    BlockedSite,
    BlockStatus,
    Concern,
    ConcernAction,
    ConcernKind,
    Involved,
    LowLevelConcern,
    Material,
    PupilPart,
    Urgency,
)

#: Sites the policy names as not reachable on the school network.
POLICY_BLOCKED = [
    ("facebook.com", "Social media is not reachable on the school network (social media policy)."),
    ("instagram.com", "Social media is not reachable on the school network (social media policy)."),
]


def _exists(reporter: User, description: str) -> bool:
    return (
        db.session.scalar(
            select(Concern.id).where(
                Concern.reporter_id == reporter.id, Concern.description == description
            )
        )
        is not None
    )


def _screenshot(lines: list[str]) -> bytes:
    """A plain picture standing in for a screenshot of a message thread."""
    image = Image.new("RGB", (480, 260), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        top = 20 + n * 56
        draw.rounded_rectangle((20, top, 460, top + 44), radius=12, fill=(220, 228, 240))
        draw.text((36, top + 14), line, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


#: Steps the app writes as a concern arrives; they keep the time it was raised.
_ON_ARRIVAL = {
    ActionKind.RAISED,
    ActionKind.ROUTED,
    ActionKind.MATERIAL_MARKED,
    ActionKind.BLOCK_REQUESTED,
}


def _spread(concern: Concern, days_ago: int) -> None:
    """Give a demo concern a believable history inside this school year."""
    days_ago = max(0, min(days_ago, (today() - current_academic_year().starts_on).days))
    created = utcnow() - timedelta(days=days_ago, hours=3)
    concern.created_at = created
    arrival = [
        a for a in concern.actions if a.kind in _ON_ARRIVAL and a.by_id != concern.handler_id
    ]
    later = [a for a in concern.actions if a not in arrival]
    step = (utcnow() - created) / (len(later) + 1)
    times = {a.id: created + timedelta(seconds=n) for n, a in enumerate(arrival)}
    times |= {a.id: created + step * n for n, a in enumerate(later, start=1)}
    # The chronology is append-only; the demo, run as the tables' owner, back-dates it.
    with guards.suspended(db.session.connection(), "concern_action"):
        for action_id, at in times.items():
            db.session.execute(
                update(ConcernAction).where(ConcernAction.id == action_id).values(at=at)
            )
    for item in concern.evidence:
        item.uploaded_at = created
    if concern.closed_at:
        concern.closed_at = max(times.values())
    if concern.lado_due_at:
        concern.lado_due_at = services.working_days_after(created, 1)
    db.session.flush()
    db.session.expire(concern, ["actions"])


def _parent_of(pupil) -> User:
    return parents_of([pupil.id])[0].parent


def _a_pupil_tells_a_teacher(school: DemoSchool) -> None:
    """New: a Year 5 pupil tells a teacher."""
    year5_pupil = school.pupils[YearGroup.YEAR_5][0]
    choice = services.TellChoice.UNKIND
    words = "Someone in my game chat keeps calling me names and saying nobody likes me."
    description = f"{choice.label}.\n\nIn their words: {words}"
    if not _exists(year5_pupil.user, description):
        concern = services.tell_a_teacher(year5_pupil.user, choice, words)
        _spread(concern, 1)


def _abuse_about_the_school_online(school: DemoSchool) -> None:
    """In progress: an adult outside school posts abuse about the school; steps under way."""
    head = school.staff["head"]
    year3_parent = _parent_of(school.pupils[YearGroup.YEAR_3][0])
    description = (
        "An adult who is not a parent keeps commenting on the school's Facebook posts, calling "
        "Mr Price useless and saying parents should complain about him. Several parents have "
        "shared it."
    )
    if not _exists(year3_parent, description):
        concern = services.raise_concern(
            year3_parent,
            services.ConcernDetails(
                kind=ConcernKind.DAMAGING_POST,
                involved=Involved.ADULT_OUTSIDE,
                description=description,
                occurred_on=today() - timedelta(days=12),
                platform="Facebook",
                link="https://facebook.com/example-post",
                material=[Material.ABUSIVE],
            ),
            [
                services.Upload(
                    "comments.png",
                    io.BytesIO(_screenshot(["Price is useless", "Complain to the head!"])),
                )
            ],
        )
        handler = concern.handler or head
        services.record_action(
            handler, concern, ActionKind.MEETING_HELD, "Met Mr Price; he has support."
        )
        services.record_action(
            handler,
            concern,
            ActionKind.REMOVAL_REQUESTED,
            "Messaged the poster asking for the comments to be removed. No reply yet.",
        )
        _spread(concern, 10)


def _a_shocking_site_on_a_class_laptop(school: DemoSchool) -> None:
    """Resolved: inappropriate content on a school laptop; the site is now blocked."""
    officer = school.staff["esafety"]
    teacher = school.staff["year3"]
    description = "A pupil found a video site with violent clips on a class laptop in golden time."
    if not _exists(teacher, description):
        concern = services.raise_concern(
            teacher,
            services.ConcernDetails(
                kind=ConcernKind.INAPPROPRIATE_CONTENT,
                involved=Involved.UNKNOWN,
                description=description,
                occurred_on=today() - timedelta(days=30),
                in_school=True,
                link="https://www.shock-clips.example/watch?v=1",
            ),
        )
        entry = db.session.scalar(
            select(BlockedSite).where(BlockedSite.domain == "shock-clips.example")
        )
        if entry is not None and entry.status is BlockStatus.PENDING:
            register.decide(officer, entry.id, approve=True)
        services.record_action(
            officer, concern, ActionKind.NOTE, "Spoke with the class about what to do."
        )
        services.resolve(officer, concern, "Site blocked; the class talked it through in PSHE.")
        _spread(concern, 30)


def _an_unblocked_games_site(school: DemoSchool) -> None:
    """New: another site from a classroom, waiting on the register for approval."""
    teacher = school.staff["year6"]
    description = "Pupils showed each other an 'unblocked games' site that has chat with strangers."
    if not _exists(teacher, description):
        concern = services.raise_concern(
            teacher,
            services.ConcernDetails(
                kind=ConcernKind.INAPPROPRIATE_CONTENT,
                involved=Involved.UNKNOWN,
                description=description,
                occurred_on=today() - timedelta(days=2),
                in_school=True,
                link="https://free-games-unblocked.example/play",
            ),
        )
        _spread(concern, 2)


def _an_adult_asks_a_child_for_photos(school: DemoSchool) -> None:
    """Referred: an unknown adult asked a Year 6 child for photos."""
    officer = school.staff["esafety"]
    year6_child = school.pupils[YearGroup.YEAR_6][1]
    year6_parent = _parent_of(year6_child)
    description = (
        "An adult my daughter does not know messaged her in a game and asked for photos of her."
    )
    if not _exists(year6_parent, description):
        concern = services.raise_concern(
            year6_parent,
            services.ConcernDetails(
                kind=ConcernKind.UNWANTED_CONTACT,
                involved=Involved.ADULT_OUTSIDE,
                description=description,
                occurred_on=today() - timedelta(days=20),
                platform="Online game chat",
                pupil_id=year6_child.id,
                material=[Material.SEXUAL],
            ),
        )
        handler = concern.handler or officer
        services.record_action(
            handler, concern, ActionKind.MEETING_HELD, "Met the parent and the child."
        )
        services.record_action(
            handler, concern, ActionKind.POLICE_CONTACTED, "Reported online to the police."
        )
        # The referrals keep the case open while the police and CEOP act.
        casefile.refer(
            handler,
            concern,
            Agency.POLICE,
            referred_on=today() - timedelta(days=19),
            reference="26/1184",
            outcome="Officer assigned; they will visit the family.",
            follow_up_on=today() + timedelta(days=5),
        )
        casefile.refer(handler, concern, Agency.CEOP, referred_on=today() - timedelta(days=19))
        _spread(concern, 20)


def _a_parent_befriends_a_teacher(school: DemoSchool) -> None:
    """New: a parent sent a friend request to a teacher."""
    teacher = school.staff["year4"]
    description = "A parent in my class sent me a friend request on Facebook last night."
    if not _exists(teacher, description):
        concern = services.raise_concern(
            teacher,
            services.ConcernDetails(
                kind=ConcernKind.UNWANTED_CONTACT,
                involved=Involved.ADULT_OUTSIDE,
                description=description,
                occurred_on=today() - timedelta(days=1),
                platform="Facebook",
                staff_contact=True,
            ),
        )
        _spread(concern, 1)


def _a_group_chat_sticker(school: DemoSchool) -> None:
    """The same Year 5 child again: their class teacher reports a group chat, with another
    pupil who harmed and one who saw it. The child's file now links two concerns."""
    officer = school.staff["esafety"]
    year5_pupil = school.pupils[YearGroup.YEAR_5][0]
    teacher = school.staff["computing"]
    other, witness = school.pupils[YearGroup.YEAR_5][1], school.pupils[YearGroup.YEAR_5][2]
    description = (
        "A class group chat made a sticker of a pupil's face with unkind words on it. "
        "The pupil was crying at lunch."
    )
    if not _exists(teacher, description):
        concern = services.raise_concern(
            teacher,
            services.ConcernDetails(
                kind=ConcernKind.CYBER_BULLYING,
                involved=Involved.PUPIL,
                description=description,
                occurred_on=today() - timedelta(days=4),
                platform="WhatsApp group",
                pupil_id=year5_pupil.id,
                urgency=Urgency.ROUTINE,
                other_pupils=[(other.id, PupilPart.HARMED_OTHERS), (witness.id, PupilPart.WITNESS)],
            ),
        )
        dsl = concern.handler or officer
        casefile.set_review(dsl, concern, today() + timedelta(days=14))
        task = casefile.set_task(
            dsl, concern, "Meet both families about the group chat", dsl.id, today()
        )
        # An action that fell due three days ago and is not done: it shows as overdue.
        task.due_on = today() - timedelta(days=3)
        _spread(concern, 4)


def _an_allegation_about_a_teacher(school: DemoSchool) -> None:
    """An allegation about a member of staff (the LADO contact is due in a working day)."""
    parent = _parent_of(school.pupils[YearGroup.YEAR_4][0])
    subject = school.staff["year4"]
    description = (
        "My son says his teacher followed him on a gaming app and sent him a private message."
    )
    if not _exists(parent, description):
        concern = services.raise_concern(
            parent,
            services.ConcernDetails(
                kind=ConcernKind.UNWANTED_CONTACT,
                involved=Involved.STAFF,
                description=description,
                occurred_on=today() - timedelta(days=1),
                staff_member_id=subject.id,
                pupil_id=school.pupils[YearGroup.YEAR_4][0].id,
                urgency=Urgency.URGENT,
            ),
        )
        _spread(concern, 1)


def _a_concern_about_the_headteacher(school: DemoSchool) -> None:
    """A concern about the headteacher: only the chair of governors sees it."""
    head = school.staff["head"]
    reporter = school.staff["office"]
    description = "The headteacher shared a photo of a pupil on her personal social media."
    if not _exists(reporter, description):
        concern = services.raise_concern(
            reporter,
            services.ConcernDetails(
                kind=ConcernKind.OTHER,
                involved=Involved.STAFF,
                description=description,
                occurred_on=today() - timedelta(days=3),
                staff_member_id=head.id,
            ),
        )
        _spread(concern, 3)


def _a_low_level_concern(school: DemoSchool) -> None:
    """A low-level concern about a member of staff, for the headteacher and the DSL."""
    dsls = school.staff_with(Role.DSL)
    if dsls and not db.session.scalar(select(LowLevelConcern.id)):
        lowlevel.record(
            dsls[0],
            school.staff["year6"].id,
            "Used a personal phone to take a photo of a class display with pupils in it.",
            today() - timedelta(days=6),
            "A teaching assistant",
        )


#: One of each kind of concern a DSL meets, in the order the demo adds them.
_CASES = (
    _a_pupil_tells_a_teacher,
    _abuse_about_the_school_online,
    _a_shocking_site_on_a_class_laptop,
    _an_unblocked_games_site,
    _an_adult_asks_a_child_for_photos,
    _a_parent_befriends_a_teacher,
    _a_group_chat_sticker,
    _an_allegation_about_a_teacher,
    _a_concern_about_the_headteacher,
    _a_low_level_concern,
)


def seed(school: DemoSchool) -> None:
    """Add the demo concerns and register entries the demo school does not have yet."""
    officer = school.staff["esafety"]
    for domain, reason in POLICY_BLOCKED:
        if db.session.scalar(select(BlockedSite.id).where(BlockedSite.domain == domain)) is None:
            register.record_domain(officer, domain, reason)
    for case in _CASES:
        case(school)
