"""Words that are fine in a class, and the class's weekly count of findings (no pupil names)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.errors import DomainError, NotAllowed, NotFoundError
from esafety.extensions import db
from esafety.sandbox import findings, moderation, services
from esafety.sandbox.models import FindingTally
from tests import factories


def kinds_found(text: str, class_id: int) -> set[str]:
    return {f.kind for f in services.check_fields({"text": text}, class_id)["text"]}


def test_a_teachers_this_is_fine_teaches_only_their_class(blog):
    assert "text_speak" in kinds_found("We made a bff bracelet", blog.id)
    moderation.mark_fine(blog.teacher, blog.id, "bff", kind="text_speak")
    assert "text_speak" not in kinds_found("We made a bff bracelet", blog.id)
    assert "text_speak" in kinds_found("We made a bff bracelet", blog.other_class.id)


def test_typed_words_join_the_list_and_can_be_taken_off(blog):
    entry = findings.allow(blog.teacher, blog.id, "  Stupid   Cupid ")
    assert entry.words == "stupid cupid"
    assert "unkind" not in kinds_found("We sang Stupid Cupid", blog.id)
    moderation.remove_allowed(blog.teacher, blog.id, entry.id)
    assert findings.allowed_words(blog.id) == []


def test_a_worry_can_never_join_the_list(blog):
    with pytest.raises(DomainError):
        findings.allow(blog.teacher, blog.id, "i want to die", kind="worry")
    findings.allow(blog.teacher, blog.id, "i want to die")
    assert "worry" in kinds_found("i want to die", blog.id)


@pytest.mark.parametrize("words", ["", "   ", "x" * 81])
def test_the_list_refuses_empty_or_long_words(blog, words):
    with pytest.raises(DomainError):
        findings.allow(blog.teacher, blog.id, words)


def test_only_the_class_staff_change_the_list(blog):
    other_teacher = factories.make_user(Role.TEACHER)
    entry = findings.allow(blog.teacher, blog.id, "bff")
    for person in (blog.ava.user, blog.parent, other_teacher):
        with pytest.raises((NotAllowed, NotFoundError)):
            moderation.mark_fine(person, blog.id, "lol", kind="text_speak")
        with pytest.raises((NotAllowed, NotFoundError)):
            moderation.remove_allowed(person, blog.id, entry.id)
    with pytest.raises(NotFoundError):
        moderation.remove_allowed(blog.teacher, blog.other_class.id, entry.id)


def test_the_fine_button_on_the_queue_adds_the_words(open_blog, client, login_as):
    login_as(open_blog.teacher)
    response = client.post(
        f"/sandbox/classes/{open_blog.id}/fine", data={"words": "bff", "kind": "text_speak"}
    )
    assert response.status_code == 302
    assert findings.allowed_words(open_blog.id) == ["bff"]
    html = client.get(f"/sandbox/classes/{open_blog.id}/moderation").get_data(as_text=True)
    assert "“bff” (text speak)" in html


# --- Weekly counts -----------------------------------------------------------------------


def test_sent_writing_and_refused_attempts_are_counted_by_kind(open_blog, client, login_as):
    services.save_post(open_blog.ava.user, open_blog.id, "Match", "You are stupid", send=True)
    db.session.commit()
    login_as(open_blog.noah.user)
    response = client.post(
        f"/sandbox/classes/{open_blog.id}/write",
        data={"title": "Me", "body": "ring me on 07700 900123", "send": "y"},
    )
    assert response.status_code == 200  # shown again with the message
    [this_week, *_] = findings.weekly_counts(open_blog.id)
    assert this_week.counts["unkind"] == 1 and this_week.counts["phone"] == 1


def test_staff_writing_is_not_counted(open_blog):
    services.save_post(open_blog.teacher, open_blog.id, "News", "That was lol", send=False)
    assert sum(w.total for w in findings.weekly_counts(open_blog.id)) == 0


def test_the_count_groups_weeks_and_leaves_out_older_ones(blog):
    now = utcnow()
    for days_ago, kind in ((0, "unkind"), (7, "unkind"), (8, "phone"), (60, "phone")):
        db.session.add(
            FindingTally(class_id=blog.id, kind=kind, found_at=now - timedelta(days=days_ago))
        )
    db.session.flush()
    weeks = findings.weekly_counts(blog.id, today=now.date())
    assert len(weeks) == findings.WEEKS_SHOWN
    assert sum(w.total for w in weeks) == 3
    assert weeks[0].counts["unkind"] == 1
    assert findings.kinds_in(weeks) == ["phone", "unkind"]


def test_the_count_on_the_page_names_no_pupil(open_blog, client, login_as):
    services.save_post(open_blog.ava.user, open_blog.id, "Match", "You are stupid", send=True)
    db.session.commit()
    login_as(open_blog.teacher)
    html = client.get(f"/sandbox/classes/{open_blog.id}/moderation").get_data(as_text=True)
    section = html[html.index('id="counts"') : html.index('id="allowed"')]
    assert "Unkind words" in section and "<td>1</td>" in section
    assert "Ava" not in section and "Jones" not in section
