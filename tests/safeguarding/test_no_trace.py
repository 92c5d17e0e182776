"""No tipping off: the subject of each demo concern walks every page, export and email they
can reach and finds no trace of it; governors never read the general audit log."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from esafety import audit, mail
from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.cli import demo_command
from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import Concern, ConcernPupil, LowLevelConcern


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(demo_command, ["--json"])
    assert result.exit_code == 0, result.output


def _traces(concern: Concern) -> list[str]:
    """Patterns that would give the concern away: its reference, link, record or words."""
    return [
        rf"\b{concern.reference}\b",
        rf"/safeguarding/concerns/{concern.id}\b",
        rf"\bconcern\s+{concern.id}\b",
        re.escape(concern.description[:40]),
    ]


def _find(traces: list[str], text: str) -> str | None:
    return next((t for t in traces if re.search(t, text)), None)


def _pages(app, concern_ids: list[int], pupil_ids: list[int]) -> list[str]:
    """Every GET page without arguments, and every page about these concerns and pupils."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if not rule.arguments:
            urls.append(rule.rule)
            continue
        for concern_id in concern_ids:
            if rule.arguments == {"concern_id"}:
                urls.append(rule.rule.replace("<int:concern_id>", str(concern_id)))
        for pupil_id in pupil_ids:
            if rule.arguments == {"pupil_id"}:
                urls.append(rule.rule.replace("<int:pupil_id>", str(pupil_id)))
    return urls


def _walk(app, client, user: User, traces: list[str], concern_ids, pupil_ids) -> None:
    for url in _pages(app, concern_ids, pupil_ids):
        with client.get(url) as response:
            ok = response.status_code == 200
            body = response.get_data().decode(errors="ignore") if ok else ""
        found = _find(traces, body)
        assert found is None, f"{user.full_name} sees {found!r} on {url}"
    # Their own subject-access export, where they may make one.
    response = client.post(f"/records/people/{user.id}/export")
    if response.status_code == 200:
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        everything = "".join(archive.read(n).decode(errors="ignore") for n in archive.namelist())
        found = _find(traces, everything)
        assert found is None, f"{user.full_name}'s export holds {found!r}"
    # Their email.
    db.session.commit()
    for message in mail.outbox_messages():
        if user.email and user.email in message["To"]:
            found = _find(traces, message["Subject"] + message.get_content())
            assert found is None, f"{user.full_name} was emailed {found!r}"


def test_the_subject_of_each_demo_concern_finds_no_trace_of_it(app, client, login_as, demo):
    about_staff = list(
        db.session.scalars(select(Concern).where(Concern.staff_member_id.is_not(None)))
    )
    subjects = {c.staff_member_id for c in about_staff}
    assert len(subjects) >= 2, "the demo has concerns about a teacher and the headteacher"
    all_ids = list(db.session.scalars(select(Concern.id)))
    pupil_ids = list(db.session.scalars(select(ConcernPupil.pupil_id).distinct()))
    for subject_id in subjects:
        subject = db.session.get(User, subject_id)
        theirs = [c for c in about_staff if c.staff_member_id == subject_id]
        traces = [t for c in theirs for t in _traces(c)]
        # The audit log holds the concern's events: they must not be shown to its subject.
        assert any(e.target_id == theirs[0].id for e in audit.recent(500, "safeguarding."))
        login_as(subject)
        _walk(app, client, subject, traces, all_ids, pupil_ids)


def test_the_subject_of_a_low_level_concern_finds_no_trace_of_it(app, client, login_as, demo):
    entry = db.session.scalar(select(LowLevelConcern))
    assert entry is not None, "the demo has a low-level concern"
    subject = entry.staff_member
    login_as(subject)
    traces = [re.escape(entry.description[:40]), rf"\blow_level_concern\s+{entry.id}\b"]
    _walk(app, client, subject, traces, [], [])


def test_the_headteacher_reads_the_audit_log_without_the_concern_about_her(client, login_as, demo):
    head = db.session.scalar(select(User).where(User.email == "head@meadowbank.example"))
    about_head = db.session.scalar(select(Concern).where(Concern.about_headteacher))
    about_teacher = db.session.scalar(
        select(Concern).where(
            Concern.staff_member_id.is_not(None), Concern.about_headteacher.is_(False)
        )
    )
    login_as(head)
    page = client.get("/audit").get_data(as_text=True)
    assert "safeguarding.concern_raised" in page
    shown = services.visible_audit_entries(head, audit.recent(1000))
    assert about_head.id not in {e.target_id for e in shown if e.target_type == "concern"}
    assert about_teacher.id in {e.target_id for e in shown if e.target_type == "concern"}
    # The chair, who handles it, is not an audit-log reader at all (governors never are).
    chair = db.session.scalar(select(User).where(User.email == "chair@meadowbank.example"))
    login_as(chair)
    assert client.get("/audit").status_code == 403


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.SLT, Role.ESAFETY_OFFICER, Role.TEACHER])
def test_only_the_headteacher_and_dsl_read_the_general_audit_log(client, login_as, role):
    login_as(role)
    assert client.get("/audit").status_code == 403


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.DSL])
def test_the_headteacher_and_dsl_read_the_general_audit_log(client, login_as, role):
    login_as(role)
    assert client.get("/audit").status_code == 200
