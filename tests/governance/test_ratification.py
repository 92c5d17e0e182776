"""A major version comes into force only with the headteacher's and the chair's approval."""

from __future__ import annotations

import pytest

from esafety import mail
from esafety.auth.roles import Role
from esafety.errors import DomainError, NotAllowed
from esafety.induction import policies, ratification
from esafety.induction.models import (
    ApprovalCapacity,
    ChangeSize,
    EvidenceIsWrittenOnce,
    VersionState,
)
from tests import factories
from tests.induction.helpers import chair, make_head, new_version, policy_text, publish_policy

CHECKS = list(ratification.CHECK_KEYS)


def _draft(head, version, change=ChangeSize.MAJOR):
    return policies.start_new_version(
        head,
        version.policy,
        body_markdown=version.body_markdown + "\n\nNew rules on livestreaming.",
        change=change,
        change_summary="Livestreaming.",
    )


def test_a_major_version_cannot_come_into_force_without_both_approvals():
    head = make_head()
    first = publish_policy(head)
    draft = _draft(head, first)
    with pytest.raises(DomainError, match="headteacher and the chair of governors"):
        policies.publish_version(head, draft)
    approval, in_force = policies.approve_version(head, draft, checks=CHECKS)
    assert (approval.capacity, in_force) == (ApprovalCapacity.HEADTEACHER, False)
    with pytest.raises(DomainError, match="waiting for chair of governors"):
        policies.publish_version(head, draft)
    assert policies.latest_published(first.policy_id).id == first.id
    approval, in_force = policies.approve_version(chair(), draft, checks=CHECKS)
    assert in_force and draft.state == VersionState.PUBLISHED
    assert first.state == VersionState.SUPERSEDED
    state = ratification.ratification_of(draft)
    assert state.complete and state.state == "Ratified"
    assert {a.sha256 for a in state.approvals.values()} == {draft.sha256}


def test_an_edit_after_approval_needs_a_fresh_approval():
    head = make_head()
    draft = _draft(head, publish_policy(head))
    policies.approve_version(head, draft, checks=CHECKS)
    policies.update_draft(
        head,
        draft,
        body_markdown=policy_text("\n\nChanged after the head approved."),
        change=ChangeSize.MAJOR,
        change_summary="Changed.",
    )
    _, in_force = policies.approve_version(chair(), draft, checks=CHECKS)
    assert not in_force and draft.state == VersionState.DRAFT
    state = ratification.ratification_of(draft)
    assert state.missing == [ApprovalCapacity.HEADTEACHER] and len(state.stale) == 1


def test_only_the_head_and_the_chair_approve_and_both_confirm_the_equality_check():
    head = make_head()
    draft = _draft(head, publish_policy(head))
    governor = factories.make_user(Role.GOVERNOR)
    chair()  # there is a chair, and it is not this governor
    for somebody in (governor, factories.make_user(Role.SLT)):
        with pytest.raises(NotAllowed):
            policies.approve_version(somebody, draft, checks=CHECKS)
    with pytest.raises(DomainError) as error:
        policies.approve_version(head, draft, checks=CHECKS[:-1])
    assert error.value.field == "checks"
    policies.approve_version(head, draft, checks=CHECKS)
    with pytest.raises(DomainError, match="already approved"):
        policies.approve_version(head, draft, checks=CHECKS)


def test_an_approval_is_evidence_and_cannot_be_changed(db):
    head = make_head()
    draft = _draft(head, publish_policy(head))
    approval, _ = policies.approve_version(head, draft, checks=CHECKS, note="Fine.")
    approval.equality_note = "Changed later."
    with pytest.raises(EvidenceIsWrittenOnce):
        db.session.flush()
    db.session.rollback()


def test_a_minor_version_is_published_by_a_leader_alone():
    head = make_head()
    first = publish_policy(head)
    minor = new_version(head, first, ChangeSize.MINOR)
    assert minor.state == VersionState.PUBLISHED
    assert ratification.ratification_of(minor).state.startswith("Minor change")
    assert not mail.outbox_messages()


def test_the_chair_reads_and_approves_on_the_page(client, login_as):
    head = make_head()
    draft = _draft(head, publish_policy(head))
    policies.approve_version(head, draft, checks=CHECKS)
    login_as(chair())
    page = client.get(f"/governance/versions/{draft.id}/approve").get_data(as_text=True)
    assert "New rules on livestreaming" in page and "Equality check" in page
    refused = client.post(f"/governance/versions/{draft.id}/approve", data={"checks": CHECKS[:2]})
    assert refused.status_code == 400
    assert "confirm every point" in refused.get_data(as_text=True)
    done = client.post(
        f"/governance/versions/{draft.id}/approve",
        data={"checks": CHECKS},
        follow_redirects=True,
    )
    assert "is ratified and now in force" in done.get_data(as_text=True)
    login_as(factories.make_user(Role.GOVERNOR))
    assert client.get(f"/governance/versions/{draft.id}/approve").status_code == 403


def test_leaders_see_where_a_draft_stands_on_the_policy_page(client, login_as):
    head = make_head()
    draft = _draft(head, publish_policy(head))
    policies.approve_version(head, draft, checks=CHECKS)
    login_as(factories.make_user(Role.SLT))
    page = client.get(f"/induction/manage/policies/{draft.policy_id}").get_data(as_text=True)
    assert "waiting for chair of governors" in page and "Ratified" in page
    assert f"/governance/versions/{draft.id}/approve" not in page  # not theirs to approve
