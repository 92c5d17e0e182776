"""Policies and versions: draft, publish (frozen and fingerprinted), supersede; minor vs major."""

from __future__ import annotations

import hashlib

import pytest

from esafety import mail
from esafety.auth.roles import Role
from esafety.errors import DomainError, NotAllowed
from esafety.extensions import db
from esafety.induction import compliance, policies, ratification
from esafety.induction.models import (
    ApprovalCapacity,
    ChangeSize,
    EvidenceIsWrittenOnce,
    PolicySection,
    VersionState,
)
from tests import factories
from tests.induction.helpers import (
    chair,
    make_head,
    make_staff,
    new_version,
    policy_text,
    publish_policy,
    read_pass_sign,
    standard_setup,
)


def test_a_policy_is_split_into_its_sections():
    sections = policies.split_sections(policy_text())
    assert [s.heading for s in sections] == [
        "Introduction",
        "Who is responsible",
        "Staff and social media",
        "Reviewing this policy",
    ]
    assert sections[2].markdown == "Do not friend pupils or parents."


def test_headings_inside_a_code_block_do_not_start_a_section():
    text = "## One\n\n```\n## not a heading\n```\n\n## Two\n\nText"
    assert [s.heading for s in policies.split_sections(text)] == ["One", "Two"]


def test_a_policy_without_sections_is_refused_with_a_reason():
    head = make_head()
    with pytest.raises(DomainError) as error:
        policies.create_policy(
            head, title="Short", owner=head, review_interval_months=12, body_markdown="Just text."
        )
    assert error.value.field == "body_markdown"
    assert "## " in error.value.message


def test_publishing_fingerprints_the_exact_text_and_records_who_approved_it():
    head = make_head()
    version = publish_policy(head)
    assert version.state == VersionState.PUBLISHED
    assert version.sha256 == hashlib.sha256(version.body_markdown.encode()).hexdigest()
    # The chair's approval, after the head's, brought it into force.
    assert version.approved_by_id == chair().id
    approvals = ratification.ratification_of(version).approvals
    assert {c: a.user_id for c, a in approvals.items()} == {
        ApprovalCapacity.HEADTEACHER: head.id,
        ApprovalCapacity.CHAIR: chair().id,
    }
    assert version.published_at is not None
    assert (version.review_due_on - version.published_at.date()).days in range(365, 367)


def test_policy_text_is_rendered_and_sanitised():
    head = make_head()
    text = policy_text("\n\n<script>alert(1)</script> and [a link](javascript:alert(2)) **bold**")
    version = publish_policy(head, text=text)
    html = version.sections[-1].body_html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html


def test_a_published_version_cannot_be_edited_through_the_service():
    head = make_head()
    version = publish_policy(head)
    with pytest.raises(DomainError, match="can no longer change"):
        policies.update_draft(
            head,
            version,
            body_markdown=policy_text("!"),
            change=ChangeSize.MINOR,
            change_summary="typo",
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda v: setattr(v, "body_markdown", v.body_markdown + " sneaky"),
        lambda v: setattr(v, "sha256", "0" * 64),
        lambda v: setattr(v, "change", ChangeSize.MINOR),
        lambda v: setattr(v, "state", VersionState.DRAFT),
    ],
    ids=["text", "hash", "change", "back-to-draft"],
)
def test_the_database_layer_refuses_changes_to_a_published_version(change):
    head = make_head()
    version = publish_policy(head)
    db.session.commit()
    change(version)
    with pytest.raises(EvidenceIsWrittenOnce):
        db.session.flush()
    db.session.rollback()


def test_a_published_version_and_its_sections_cannot_be_deleted():
    head = make_head()
    version = publish_policy(head)
    db.session.commit()
    db.session.delete(version)
    with pytest.raises(EvidenceIsWrittenOnce):
        db.session.flush()
    db.session.rollback()
    section = db.session.get(PolicySection, version.sections[0].id)
    section.body_html = "<p>changed</p>"
    with pytest.raises(EvidenceIsWrittenOnce):
        db.session.flush()
    db.session.rollback()


def test_only_one_draft_at_a_time_and_drafts_can_change():
    head = make_head()
    version = publish_policy(head)
    draft = policies.start_new_version(
        head,
        version.policy,
        body_markdown=policy_text(" v2"),
        change=ChangeSize.MINOR,
        change_summary="Tidied.",
    )
    assert draft.number == 2 and draft.state == VersionState.DRAFT
    with pytest.raises(DomainError, match="already a draft"):
        policies.start_new_version(
            head,
            version.policy,
            body_markdown=policy_text(),
            change=ChangeSize.MAJOR,
            change_summary="x",
        )
    policies.update_draft(
        head, draft, body_markdown=policy_text(" v2b"), change=ChangeSize.MAJOR, change_summary="Y"
    )
    assert draft.body_markdown.endswith("v2b") and draft.change == ChangeSize.MAJOR


def test_publishing_a_new_version_supersedes_the_old_one():
    head = make_head()
    first = publish_policy(head)
    second = new_version(head, first, ChangeSize.MINOR)
    assert first.state == VersionState.SUPERSEDED and first.superseded_at is not None
    assert second.state == VersionState.PUBLISHED
    assert policies.latest_published(first.policy_id).id == second.id


def test_only_leaders_write_and_publish_policies():
    teacher = factories.make_user(Role.TEACHER)
    with pytest.raises(NotAllowed):
        policies.create_policy(
            teacher,
            title="Mine",
            owner=teacher,
            review_interval_months=12,
            body_markdown=policy_text(),
        )
    head = make_head()
    draft = policies.create_policy(
        head, title="Ours", owner=head, review_interval_months=12, body_markdown=policy_text()
    )
    with pytest.raises(NotAllowed):
        policies.publish_version(teacher, draft)


def test_a_major_version_marks_signers_as_needing_to_re_sign_and_emails_them():
    setup = standard_setup()
    signer = make_staff(first_name="Anna", last_name="Kowal", email="anna@school.example")
    never_signed = make_staff(first_name="James", last_name="Price", email="james@school.example")
    read_pass_sign(signer, setup.version, setup.course)
    db.session.commit()

    third = new_version(setup.head, setup.version, ChangeSize.MAJOR)
    db.session.commit()

    item = compliance.induction_of(signer).policy_item(setup.version.policy_id)
    assert item.state == compliance.ItemState.NEEDS_RESIGN
    assert item.version.id == third.id and item.signed_number == 1
    sent = mail.outbox_messages()
    assert [m["To"] for m in sent] == ["anna@school.example"]
    assert "version 2 of the Social Media Policy" in sent[0]["Subject"]
    assert (
        compliance.induction_of(never_signed).policy_item(setup.version.policy_id).state
        == compliance.ItemState.TO_DO
    )


def test_a_minor_version_keeps_sign_offs_current_and_emails_nobody():
    setup = standard_setup()
    signer = make_staff()
    read_pass_sign(signer, setup.version, setup.course)
    new_version(setup.head, setup.version, ChangeSize.MINOR)
    db.session.commit()

    item = compliance.induction_of(signer).policy_item(setup.version.policy_id)
    assert item.state == compliance.ItemState.DONE
    assert item.version.number == 2 and item.signed_number == 1
    assert mail.outbox_messages() == []


def test_the_first_version_is_always_major():
    head = make_head()
    version = policies.create_policy(
        head, title="New", owner=head, review_interval_months=12, body_markdown=policy_text()
    )
    policies.update_draft(
        head, version, body_markdown=policy_text(), change=ChangeSize.MINOR, change_summary=""
    )
    assert version.change == ChangeSize.MAJOR


def test_a_draft_can_be_discarded_but_not_a_published_version():
    head = make_head()
    version = publish_policy(head)
    draft = policies.start_new_version(
        head,
        version.policy,
        body_markdown=policy_text(),
        change=ChangeSize.MINOR,
        change_summary="x",
    )
    policies.discard_draft(head, draft)
    assert policies.open_draft(version.policy_id) is None
    with pytest.raises(DomainError):
        policies.discard_draft(head, version)
