"""The checks' findings are stored with writing when it is saved; the teacher's queue reads them
and works them out again only when the rules, the class's lists or the words have changed."""

from __future__ import annotations

import pytest

from esafety.extensions import db
from esafety.sandbox import findings as class_findings
from esafety.sandbox import moderation, saved_findings, services
from esafety.sandbox.models import BlogPost
from esafety.writing import checks
from tests.sandbox.conftest import approved_post


def _queue(open_blog):
    return moderation.queue(services.require_staff(open_blog.teacher, open_blog.id))


@pytest.fixture
def counted_checks(monkeypatch):
    calls: list[str] = []
    real = moderation.check_text

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(moderation, "check_text", counting)
    return calls


def test_the_queue_shows_what_was_found_at_save_without_checking_again(open_blog, counted_checks):
    post = services.save_post(
        open_blog.ava.user, open_blog.id, "Football", "The other team were stupid", send=True
    )
    comment = services.add_comment(
        open_blog.noah.user, approved_post(open_blog), "Your poster was stupid"
    )
    assert post.findings_key and "unkind" in post.findings
    assert comment.findings_key == post.findings_key and "unkind" in comment.findings
    entries = {e.item.kind: e for e in _queue(open_blog)}
    assert [s.text for s in entries["post"].segments if s.finding] == ["stupid"]
    assert entries["post"].flagged
    assert {f.kind for f in entries["comment"].findings} == {"unkind"}
    assert counted_checks == []


def test_words_the_teacher_allows_since_make_the_queue_check_again(open_blog, counted_checks):
    services.save_post(
        open_blog.ava.user, open_blog.id, "Football", "The other team were stupid", send=True
    )
    class_findings.allow(open_blog.teacher, open_blog.id, "stupid")
    [entry] = _queue(open_blog)
    assert [s.text for s in entry.segments if s.finding] == []
    assert counted_checks == ["Football", "The other team were stupid"]


def test_new_rules_or_changed_words_are_checked_again(open_blog, counted_checks, monkeypatch):
    post = services.save_post(
        open_blog.ava.user, open_blog.id, "Football", "The other team were stupid", send=True
    )
    monkeypatch.setattr(saved_findings, "RULES_VERSION", checks.RULES_VERSION + "-next")
    assert _queue(open_blog)[0].flagged
    assert len(counted_checks) == 2
    monkeypatch.undo()
    post.source = "The other team played well"  # changed outside the services: not trusted
    [entry] = _queue(open_blog)
    assert not entry.flagged


def test_a_command_stores_the_findings_of_writing_saved_before_they_were_kept(
    open_blog, counted_checks
):
    post = services.save_post(
        open_blog.ava.user, open_blog.id, "Football", "The other team were stupid", send=True
    )
    post.findings = post.findings_key = None
    assert moderation.store_waiting_findings(open_blog.id) == 1
    assert moderation.store_waiting_findings(open_blog.id) == 0
    counted_checks.clear()
    assert _queue(open_blog)[0].flagged
    assert counted_checks == []


def test_the_store_findings_command_fills_in_what_older_writing_lacks(app, open_blog):
    post = services.save_post(
        open_blog.ava.user, open_blog.id, "Football", "The other team were stupid", send=True
    )
    post.findings = post.findings_key = None
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sandbox", "store-findings"])
    assert result.exit_code == 0, result.output
    assert "for 1 waiting item." in result.output
    db.session.expire_all()
    assert db.session.get(BlogPost, post.id).findings is not None
    assert "for 0 waiting items." in runner.invoke(args=["sandbox", "store-findings"]).output


def test_the_checks_read_the_class_names_and_allowed_words_in_one_statement(
    open_blog, count_queries
):
    class_findings.allow(open_blog.teacher, open_blog.id, "stupid")
    db.session.flush()
    text = f"{open_blog.ava.first_name} {open_blog.ava.last_name} said the game was stupid"
    with count_queries() as counter:
        found = services.check_fields({"body": text}, open_blog.id)["body"]
    assert counter.count == 1
    assert {f.kind for f in found} == {"full_name"}
