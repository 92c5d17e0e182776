"""Filtering and monitoring to the DfE standards: named people, the yearly review, filter
checks, monitoring alerts (typed in or imported from the provider's CSV) and the register of
attempts to get round the filter, with the sanction the school's policy sets."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from .. import audit
from ..auth.models import User
from ..auth.roles import Role
from ..clock import today, utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from .models import (
    AlertStatus,
    CheckResult,
    Circumvention,
    FilterCheck,
    FilteringResponsibility,
    FilteringReview,
    MonitoringAlert,
)

#: Who keeps these records and reads the alerts.
FILTERING_ROLES = (
    Role.ESAFETY_OFFICER,
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.HEADTEACHER,
    Role.SLT,
)
#: Who sees and keeps the circumvention register (it names people and their sanctions).
CIRCUMVENTION_ROLES = (Role.ESAFETY_OFFICER, Role.DSL, Role.HEADTEACHER)
#: The school's policy: a ban from school computing equipment, other than with close supervision.
DEFAULT_SANCTION = (
    "No use of school computers, tablets or the network, other than with close supervision "
    "by a member of staff."
)
#: The review is yearly; filter checks are expected at least once a term.
REVIEW_EVERY_DAYS = 365
CHECK_EVERY_DAYS = 122

#: The yearly review's checklist (key, what the reviewer confirms), after the DfE standards.
REVIEW_CHECKLIST: tuple[tuple[str, str], ...] = (
    ("people_named", "The senior leader and the governor responsible are named on this page."),
    (
        "blocks_harm_not_learning",
        "The filter blocks harmful and inappropriate content without getting in the way of "
        "teaching and learning.",
    ),
    (
        "every_device_checked",
        "The filter has been checked on every kind of device and network pupils use.",
    ),
    (
        "alerts_acted_on",
        "Monitoring alerts reach the right person quickly and each one is acted on.",
    ),
    (
        "staff_know_how_to_report",
        "Staff know how to report a site that should be blocked, or one blocked by mistake.",
    ),
    (
        "risks_considered",
        "The review considered the risks our pupils face: their ages, needs and what is new.",
    ),
)
CHECKLIST_KEYS = tuple(key for key, _ in REVIEW_CHECKLIST)


def _require(actor: User, roles: tuple[Role, ...], doing: str) -> None:
    if not actor.has_role(*roles):
        raise NotAllowed(f"Only the school's safeguarding leaders can {doing}.")


def _text(value: str | None, limit: int, message: str, field_name: str) -> str:
    text = " ".join((value or "").split()) if limit <= 200 else (value or "").strip()
    if not text:
        raise DomainError(message, field_name)
    if len(text) > limit:
        raise DomainError(f"Please keep this under {limit:,} characters.", field_name)
    return text


def _not_future(day: date | None, field_name: str) -> date:
    if day is None:
        raise DomainError("Please give the date.", field_name)
    if day > today():
        raise DomainError("That date is in the future.", field_name)
    return day


# --- Who is responsible ------------------------------------------------------------------------


def responsibility() -> FilteringResponsibility | None:
    return db.session.scalar(select(FilteringResponsibility).limit(1))


def name_responsible(
    actor: User,
    *,
    slt_lead_id: int | None,
    governor_id: int | None,
    filter_provider: str = "",
    monitoring_provider: str = "",
) -> FilteringResponsibility:
    """The headteacher names the senior leader and the governor responsible."""
    if not actor.has_role(Role.HEADTEACHER):
        raise NotAllowed("The headteacher names who is responsible for filtering and monitoring.")
    lead = db.session.get(User, slt_lead_id) if slt_lead_id else None
    if lead is None or not lead.active or not lead.has_role(Role.SLT, Role.HEADTEACHER):
        raise DomainError("Please choose a member of the senior leadership team.", "slt_lead_id")
    governor = db.session.get(User, governor_id) if governor_id else None
    if governor is None or not governor.active or not governor.has_role(Role.GOVERNOR):
        raise DomainError("Please choose a governor.", "governor_id")
    row = responsibility()
    if row is None:
        row = FilteringResponsibility(updated_by_id=actor.id)
        db.session.add(row)
    row.slt_lead_id = lead.id
    row.governor_id = governor.id
    row.filter_provider = " ".join((filter_provider or "").split())[:120]
    row.monitoring_provider = " ".join((monitoring_provider or "").split())[:120]
    row.updated_by_id = actor.id
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "governance.filtering_responsibility",
        actor=actor,
        target=row,
        slt_lead_id=lead.id,
        governor_id=governor.id,
    )
    return row


# --- The yearly review and the filter checks -----------------------------------------------------


def record_review(
    actor: User, *, reviewed_on: date | None, confirmed: list[str], notes: str
) -> FilteringReview:
    """Record the yearly review: what was confirmed, and (for anything not) what will change."""
    _require(actor, FILTERING_ROLES, "record the filtering review")
    day = _not_future(reviewed_on, "reviewed_on")
    unknown = set(confirmed) - set(CHECKLIST_KEYS)
    if unknown:
        raise DomainError("Please choose from the checklist.", "confirmed")
    notes = (notes or "").strip()
    if len(set(confirmed)) < len(CHECKLIST_KEYS) and not notes:
        raise DomainError(
            "Some points are not confirmed: please note what will change, and by when.", "notes"
        )
    if len(notes) > 4000:
        raise DomainError("Please keep the notes under 4,000 characters.", "notes")
    review = FilteringReview(
        reviewed_on=day,
        checklist=json.dumps(sorted(set(confirmed))),
        notes=notes,
        reviewed_by_id=actor.id,
    )
    db.session.add(review)
    db.session.flush()
    audit.record("governance.filtering_reviewed", actor=actor, target=review)
    return review


def record_check(
    actor: User,
    *,
    checked_on: date | None,
    where: str,
    what: str,
    result: CheckResult,
    action: str = "",
) -> FilterCheck:
    """Record one check that the filter blocks what it should."""
    _require(actor, FILTERING_ROLES, "record filter checks")
    check = FilterCheck(
        checked_on=_not_future(checked_on, "checked_on"),
        where=_text(where, 200, "Please say which devices or network you checked.", "where"),
        what=_text(what, 2000, "Please say what you tried.", "what"),
        result=result,
        action=(action or "").strip()[:2000],
        checked_by_id=actor.id,
    )
    if result is CheckResult.NOT_BLOCKED and not check.action:
        raise DomainError("Please say what is being done to fix the filter.", "action")
    db.session.add(check)
    db.session.flush()
    audit.record("governance.filter_checked", actor=actor, target=check, result=result.value)
    return check


@dataclass
class FilteringStatus:
    """The picture on the governors' dashboard: figures only, never an alert's detail."""

    responsibility: FilteringResponsibility | None
    last_review: FilteringReview | None
    last_check: FilterCheck | None
    failed_checks_this_year: int
    alerts_waiting: int
    sanctions_in_force: int
    as_of: date

    @property
    def review_due_on(self) -> date | None:
        if self.last_review is None:
            return None
        return self.last_review.reviewed_on + timedelta(days=REVIEW_EVERY_DAYS)

    @property
    def review_overdue(self) -> bool:
        return self.review_due_on is None or self.review_due_on < self.as_of

    @property
    def check_overdue(self) -> bool:
        return (
            self.last_check is None
            or self.last_check.checked_on + timedelta(days=CHECK_EVERY_DAYS) < self.as_of
        )


def status(day: date | None = None) -> FilteringStatus:
    """Filtering and monitoring at a glance, in a fixed number of queries."""
    day = day or today()
    year_ago = day - timedelta(days=REVIEW_EVERY_DAYS)
    return FilteringStatus(
        responsibility=responsibility(),
        last_review=db.session.scalar(
            select(FilteringReview)
            .order_by(FilteringReview.reviewed_on.desc(), FilteringReview.id.desc())
            .limit(1)
        ),
        last_check=db.session.scalar(
            select(FilterCheck)
            .order_by(FilterCheck.checked_on.desc(), FilterCheck.id.desc())
            .limit(1)
        ),
        failed_checks_this_year=db.session.scalar(
            select(func.count(FilterCheck.id)).where(
                FilterCheck.result == CheckResult.NOT_BLOCKED, FilterCheck.checked_on > year_ago
            )
        )
        or 0,
        alerts_waiting=db.session.scalar(
            select(func.count(MonitoringAlert.id)).where(MonitoringAlert.status == AlertStatus.NEW)
        )
        or 0,
        sanctions_in_force=db.session.scalar(
            select(func.count(Circumvention.id)).where(Circumvention.ends_on >= day)
        )
        or 0,
        as_of=day,
    )


def reviews() -> list[FilteringReview]:
    return list(
        db.session.scalars(select(FilteringReview).order_by(FilteringReview.reviewed_on.desc()))
    )


def checks(limit: int = 50) -> list[FilterCheck]:
    return list(
        db.session.scalars(
            select(FilterCheck)
            .order_by(FilterCheck.checked_on.desc(), FilterCheck.id.desc())
            .limit(limit)
        )
    )


# --- Monitoring alerts ---------------------------------------------------------------------------

#: Column names a provider's export may use, for each field we keep.
_COLUMNS = {
    "reference": ("reference", "id", "alert id", "alert_id", "ref"),
    "occurred_at": ("occurred_at", "date", "time", "timestamp", "date/time", "datetime"),
    "account": ("account", "user", "username", "user name"),
    "device": ("device", "computer", "machine", "hostname"),
    "category": ("category", "type", "rule", "policy"),
    "severity": ("severity", "level", "risk"),
    "detail": ("detail", "details", "capture", "text", "url", "description"),
}
_REQUIRED = ("reference", "occurred_at", "category")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)


def parse_time(value: str) -> datetime | None:
    value = (value or "").strip().removesuffix("Z")
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


@dataclass
class AlertImport:
    added: int = 0
    already_held: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def import_alerts(actor: User, content: bytes) -> AlertImport:
    """Take in the monitoring provider's CSV export: every row checked, all or nothing; an
    alert already held (same reference) is skipped, so the same export can be loaded twice."""
    _require(actor, FILTERING_ROLES, "record monitoring alerts")
    result = AlertImport()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append("The file is not a UTF-8 CSV. Save it again as 'CSV UTF-8'.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    columns = {}
    for name, aliases in _COLUMNS.items():
        found = next((headers[a] for a in aliases if a in headers), None)
        if found is not None:
            columns[name] = found
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        result.problems.append(
            "The file needs columns for: " + ", ".join(missing).replace("_", " ") + "."
        )
        return result
    held = set(db.session.scalars(select(MonitoringAlert.reference)))
    rows = []
    for line, row in enumerate(reader, start=2):
        values = {name: (row.get(column) or "").strip() for name, column in columns.items()}
        if not any(values.values()):
            continue
        when = parse_time(values["occurred_at"])
        if not values["reference"]:
            result.problems.append(f"Line {line}: the alert has no reference.")
        elif len(values["reference"]) > 80:
            result.problems.append(f"Line {line}: the reference is too long.")
        if when is None:
            result.problems.append(
                f"Line {line}: '{values['occurred_at'][:40]}' is not a date and time we can read "
                "(use 2026-11-30 14:05)."
            )
        if not values["category"]:
            result.problems.append(f"Line {line}: the alert has no category.")
        if values["reference"] in held:
            result.already_held += 1
            continue
        held.add(values["reference"])
        rows.append((values, when))
    if result.problems:
        return result
    for values, when in rows:
        db.session.add(
            MonitoringAlert(
                reference=values["reference"],
                occurred_at=when,
                account=values.get("account", "")[:120],
                device=values.get("device", "")[:120],
                category=values["category"][:120],
                severity=values.get("severity", "")[:20],
                detail=values.get("detail", "")[:4000],
                recorded_by_id=actor.id,
            )
        )
        result.added += 1
    db.session.flush()
    audit.record(
        "governance.alerts_imported", actor=actor, added=result.added, skipped=result.already_held
    )
    return result


def add_alert(
    actor: User,
    *,
    occurred_at: datetime | None,
    category: str,
    account: str = "",
    device: str = "",
    detail: str = "",
    severity: str = "",
) -> MonitoringAlert:
    """Type in an alert the provider sent by email or phone."""
    _require(actor, FILTERING_ROLES, "record monitoring alerts")
    if occurred_at is None:
        raise DomainError("Please give the date and time of the alert.", "occurred_at")
    alert = MonitoringAlert(
        reference=f"typed-{utcnow():%Y%m%d%H%M%S%f}",
        occurred_at=occurred_at,
        category=_text(category, 120, "Please give the alert's category.", "category"),
        account=" ".join(account.split())[:120],
        device=" ".join(device.split())[:120],
        detail=(detail or "").strip()[:4000],
        severity=" ".join(severity.split())[:20],
        recorded_by_id=actor.id,
    )
    db.session.add(alert)
    db.session.flush()
    audit.record("governance.alert_recorded", actor=actor, target=alert)
    return alert


def alerts(show: str = "new") -> list[MonitoringAlert]:
    query = select(MonitoringAlert).order_by(MonitoringAlert.occurred_at.desc())
    if show == "new":
        query = query.where(MonitoringAlert.status == AlertStatus.NEW)
    return list(db.session.scalars(query.limit(200)))


def _alert(actor: User, alert_id: int) -> MonitoringAlert:
    _require(actor, FILTERING_ROLES, "handle monitoring alerts")
    alert = db.session.get(MonitoringAlert, alert_id)
    if alert is None:
        raise NotFoundError("We could not find that alert.")
    if alert.status is not AlertStatus.NEW:
        raise DomainError(f"This alert has already been handled ({alert.status.label.lower()}).")
    return alert


def dismiss_alert(actor: User, alert_id: int, reason: str) -> MonitoringAlert:
    """Nothing more is needed: say why (a false match, already known...)."""
    alert = _alert(actor, alert_id)
    alert.dismiss_reason = _text(reason, 2000, "Please say why no more is needed.", "reason")
    alert.status = AlertStatus.DISMISSED
    alert.decided_by_id = actor.id
    alert.decided_at = utcnow()
    db.session.flush()
    audit.record("governance.alert_dismissed", actor=actor, target=alert)
    return alert


def alert_to_concern(actor: User, alert_id: int, note: str = "") -> MonitoringAlert:
    """The alert is a safeguarding matter: it becomes a concern, routed like any other."""
    from ..safeguarding import services as safeguarding
    from ..safeguarding.models import ConcernKind, Involved

    alert = _alert(actor, alert_id)
    description = (
        f"Monitoring alert {alert.reference} ({alert.category}) at "
        f"{alert.occurred_at:%d %B %Y %H:%M} on {alert.device or 'an unnamed device'}, "
        f"account {alert.account or 'not given'}.\n\n{alert.detail}".strip()
    )
    if note.strip():
        description += f"\n\n{note.strip()}"
    concern = safeguarding.raise_concern(
        actor,
        safeguarding.ConcernDetails(
            kind=ConcernKind.INAPPROPRIATE_CONTENT,
            involved=Involved.UNKNOWN,
            description=description[: safeguarding.DESCRIPTION_LIMIT],
            occurred_on=alert.occurred_at.date(),
            occurred_time=alert.occurred_at.time().replace(microsecond=0),
            in_school=True,
            platform="School network (monitoring)",
        ),
    )
    alert.status = AlertStatus.CONCERN
    alert.concern_id = concern.id
    alert.decided_by_id = actor.id
    alert.decided_at = utcnow()
    db.session.flush()
    audit.record("governance.alert_to_concern", actor=actor, target=alert, concern_id=concern.id)
    return alert


# --- Getting round the filter --------------------------------------------------------------------


def record_circumvention(
    actor: User,
    *,
    user_id: int | None,
    occurred_on: date | None,
    what: str,
    ends_on: date | None,
    supervised_use: bool = True,
    sanction: str = "",
) -> Circumvention:
    """Record an attempt to get round the filter and the ban that follows, until its end date."""
    _require(actor, CIRCUMVENTION_ROLES, "keep the register of attempts to get round the filter")
    person = db.session.get(User, user_id) if user_id else None
    if person is None:
        raise DomainError("Please choose who it was.", "user_id")
    day = _not_future(occurred_on, "occurred_on")
    if ends_on is None or ends_on < day:
        raise DomainError("The ban needs an end date on or after the day it happened.", "ends_on")
    if ends_on > day + timedelta(days=366):
        raise DomainError("Please set a ban of a year or less; review it then.", "ends_on")
    entry = Circumvention(
        user_id=person.id,
        occurred_on=day,
        what=_text(what, 2000, "Please say what was done to get round the filter.", "what"),
        sanction=(sanction or "").strip()[:2000] or DEFAULT_SANCTION,
        ends_on=ends_on,
        supervised_use=supervised_use,
        recorded_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "governance.circumvention_recorded",
        actor=actor,
        target=entry,
        user_id=person.id,
        ends_on=ends_on.isoformat(),
    )
    return entry


def circumventions(actor: User) -> list[Circumvention]:
    _require(actor, CIRCUMVENTION_ROLES, "see the register of attempts to get round the filter")
    return list(
        db.session.scalars(
            select(Circumvention).order_by(Circumvention.occurred_on.desc(), Circumvention.id)
        )
    )


def sanctions_in_force(day: date | None = None) -> list[Circumvention]:
    """Bans still running on a day: a ban ends after its last day, with nobody to lift it."""
    day = day or today()
    return list(
        db.session.scalars(
            select(Circumvention)
            .where(Circumvention.ends_on >= day)
            .order_by(Circumvention.ends_on)
        )
    )


def is_banned(user: User, day: date | None = None) -> Circumvention | None:
    """The ban in force for this person today, if any (for staff to check before lending)."""
    day = day or today()
    return db.session.scalar(
        select(Circumvention)
        .where(Circumvention.user_id == user.id, Circumvention.ends_on >= day)
        .order_by(Circumvention.ends_on.desc())
        .limit(1)
    )
