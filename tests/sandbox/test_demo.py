"""The demo: every class has a lived-in blog, one is open for writing, and there is news."""

from __future__ import annotations

from sqlalchemy import func, select

from esafety.extensions import db
from esafety.news import demo as news_demo
from esafety.news.models import NewsItem, NewsState
from esafety.photos.models import BlogImage
from esafety.sandbox import demo, services
from esafety.sandbox.models import BlogComment, BlogPost, BlogReport, ItemState, ReportState
from esafety.school import demo as school_demo


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_seeds_every_class_and_is_safe_to_run_twice(db):
    school = school_demo.build()
    demo.seed(school)
    news_demo.seed(school)
    db.session.commit()
    for school_class in school.classes.values():
        states = list(
            db.session.scalars(select(BlogPost.state).where(BlogPost.class_id == school_class.id))
        )
        assert states.count(ItemState.APPROVED) >= 2
        assert ItemState.PENDING in states
        assert ItemState.HIDDEN in states  # reported, waiting for the teacher
        assert (
            db.session.scalar(
                select(func.count(BlogReport.id)).where(
                    BlogReport.class_id == school_class.id, BlogReport.state == ReportState.OPEN
                )
            )
            == 1
        )
    open_classes = [c for c in school.classes.values() if services.current_window(c.id)]
    assert [c.name for c in open_classes] == ["Ash"]
    published = db.session.scalars(
        select(NewsItem).where(NewsItem.state == NewsState.PUBLISHED)
    ).all()
    assert len(published) >= 3
    assert count(BlogComment) > 0 and count(BlogImage) == 1

    before = {model: count(model) for model in (BlogPost, BlogComment, BlogReport, NewsItem)}
    again = school_demo.build()
    demo.seed(again)
    news_demo.seed(again)
    db.session.commit()
    assert {model: count(model) for model in before} == before
