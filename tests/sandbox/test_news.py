"""The school's public news feed: who publishes, stricter checks, consent, the page and the feed."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from esafety import audit
from esafety.auth.roles import Role
from esafety.errors import DomainError, NotAllowed
from esafety.extensions import db
from esafety.news import access as news_access
from esafety.news import checks as news_checks
from esafety.news import services as news
from esafety.news.models import NewsState
from esafety.sandbox import services
from tests import factories
from tests.sandbox.conftest import give_consent
from tests.sandbox.test_images import jpeg_with_gps

ATOM = "{http://www.w3.org/2005/Atom}"
GOOD = "Year 4 have been learning about the Romans. We built a model fort together."


@pytest.fixture
def lead(db):
    return factories.make_user(Role.COMPUTING_LEAD, first_name="Tom", last_name="Reid")


def kinds(findings):
    return sorted({f.kind for f in findings})


def test_only_the_computing_lead_and_approved_staff_publish(blog, lead):
    teacher = blog.teacher
    assert news_access.may_publish(lead) and not news_access.may_publish(teacher)
    with pytest.raises(NotAllowed):
        news.publish_news(teacher, "Romans", GOOD)
    with pytest.raises(NotAllowed):
        news_access.approve_publisher(teacher, teacher.id)
    news_access.approve_publisher(lead, teacher.id)
    assert news_access.may_publish(teacher)
    item = news.publish_news(teacher, "Romans", GOOD)
    assert item.state is NewsState.PUBLISHED
    news_access.revoke_publisher(lead, teacher.id)
    assert not news_access.may_publish(teacher)
    assert [e.action for e in reversed(audit.recent(10, "sandbox.news"))] == [
        "sandbox.news.publisher_approved",
        "sandbox.news.published",
        "sandbox.news.publisher_revoked",
    ]
    for outsider in (blog.ava.user, blog.parent):
        assert not news_access.may_publish(outsider)


def test_text_speak_and_any_pupils_name_block_publishing(blog, lead):
    findings = news_checks.check_news_text("We had a gr8 day with Ava and Isla Brennan.")
    assert kinds([f for f in findings if f.blocking]) == ["full_name", "pupil_name", "text_speak"]
    with pytest.raises(services.WritingNeedsChanges):
        news.publish_news(lead, "Trip", "We had a gr8 day with Ava.")
    assert news.published_items() == []


def test_a_first_name_that_is_also_a_word_blocks_only_as_a_name(blog, lead):
    from tests import factories as f

    f.make_pupil(blog.school_class, first_name="Will", last_name="Hughes")
    f.make_pupil(blog.school_class, first_name="Grace", last_name="Evans")
    assert news_checks.check_news_text("We will sing. Will you come?") == []
    named = news_checks.check_news_text("We sang with Grace and Will today.")
    assert [(f.kind, f.blocking) for f in named] == [("pupil_name", True), ("pupil_name", True)]


def test_spelling_is_checked_with_british_and_american_spellings_both_fine(blog, lead):
    british = "We have organised a colourful programme at the theatre for our favourite neighbours."
    american = "We have organized a colorful program at the theater for our favorite neighbors."
    assert news_checks.spelling_findings(british) == []
    assert news_checks.spelling_findings(american) == []
    wrong = news_checks.spelling_findings("We recieved a beautful letter from Chester Zoo.")
    assert [(f.kind, f.suggestion) for f in wrong] == [
        ("spelling", "received"),
        ("spelling", "beautiful"),
    ]
    assert not any(f.blocking for f in wrong)


def test_spelling_findings_need_the_publisher_to_confirm(blog, lead):
    text = "We have recieved our new books."
    with pytest.raises(DomainError, match="tick that you have checked"):
        news.publish_news(lead, "Books", text)
    item = news.publish_news(lead, "Books", text, checked=True)
    assert item.state is NewsState.PUBLISHED


def test_the_collective_voice_is_hinted(blog):
    hint = news_checks.voice_findings("I took the children to the park.")
    assert [f.kind for f in hint] == ["voice"] and not hint[0].blocking
    assert "Year 4 have been" in hint[0].message
    assert news_checks.voice_findings("Year 4 have been to the park.") == []
    assert news_checks.voice_findings("We have been to the park.") == []
    assert [f.kind for f in news_checks.voice_findings("The park was sunny.")] == ["voice"]


def test_photos_need_website_consent_for_every_pupil_shown(blog, lead):
    item = news.save_news(lead, "Sports day", GOOD)
    news.attach_news_picture(lead, item, io.BytesIO(jpeg_with_gps()), "Runners at the start")
    with pytest.raises(DomainError, match="who can be seen"):
        news.publish_news(lead, "Sports day", GOOD, item)
    give_consent(blog.ava, class_blog=True, website=False)
    news.tag_news_pupils(lead, item, [blog.ava.id], nobody_in_photos=False)
    with pytest.raises(DomainError, match="No website photo consent this year for: Ava Jones"):
        news.publish_news(lead, "Sports day", GOOD, item)
    give_consent(blog.ava, class_blog=True, website=True)
    news.publish_news(lead, "Sports day", GOOD, item)
    assert item.state is NewsState.PUBLISHED


def test_withdrawn_news_leaves_the_public_page(blog, lead):
    item = news.publish_news(lead, "Romans", GOOD)
    news.withdraw_news(lead, item)
    assert news.published_items() == []
    assert audit.recent(1, "sandbox.news.withdrawn")


def test_the_public_page_and_feed_need_no_sign_in(blog, lead, client):
    item = news.publish_news(
        lead, "Romans & <friends>", GOOD + " [Read more](https://example.org/a?b=1&c=2)"
    )
    news.save_news(lead, "Draft only", "We are still writing this.")
    db.session.commit()
    page = client.get("/sandbox/news")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Romans &amp; &lt;friends&gt;" in html and "Draft only" not in html
    assert client.get(f"/sandbox/news/{item.id}").status_code == 200
    feed = client.get("/sandbox/news/feed.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)  # noqa: S314 - our own feed, in a test
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Romans & <friends>"]
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert 'href="https://example.org/a?b=1&amp;c=2"' in content.text
    assert b"&lt;friends&gt;" in feed.data
    assert entries[0].findtext(f"{ATOM}id").endswith(f"/sandbox/news/{item.id}")


def test_news_pictures_are_public_only_once_published(blog, lead, client):
    item = news.save_news(lead, "Art", GOOD)
    image = news.attach_news_picture(lead, item, io.BytesIO(jpeg_with_gps()), "Paintings")
    news.tag_news_pupils(lead, item, [], nobody_in_photos=True)
    db.session.commit()
    assert client.get(f"/sandbox/news/pictures/{image.id}").status_code == 404
    news.publish_news(lead, "Art", GOOD, item)
    db.session.commit()
    response = client.get(f"/sandbox/news/pictures/{image.id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    response.close()


def test_the_newsroom_form_shows_each_problem_and_keeps_the_words(blog, lead, client, login_as):
    login_as(lead)
    response = client.post(
        "/sandbox/newsroom/write",
        data={"title": "Trip", "body": "We had a gr8 day with Ava.", "publish": "y"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "We had a gr8 day with Ava.</textarea>" in html
    assert "text language" in html and "Children are never named" in html


def test_the_live_check_for_news_uses_the_stricter_rules(blog, lead, client, login_as):
    login_as(lead)
    data = client.post(
        "/sandbox/newsroom/check", json={"text": "I recieved a gr8 card from Ava", "mode": "news"}
    ).get_json()
    assert {f["kind"] for f in data["findings"]} == {
        "spelling",
        "text_speak",
        "pupil_name",
        "voice",
    }
    login_as(blog.teacher)
    assert (
        client.post("/sandbox/newsroom/check", json={"text": "x", "mode": "news"}).status_code
        == 403
    )


@pytest.mark.parametrize(("role", "status"), [(Role.TEACHER, 200), (Role.PARENT, 403)])
def test_the_newsroom_is_for_staff_and_says_who_publishes(blog, client, login_as, role, status):
    login_as(role)
    response = client.get("/sandbox/newsroom")
    assert response.status_code == status
    if status == 200:
        assert "Ask the computing lead" in response.get_data(as_text=True)
