"""Demo school news: a few published items, a draft, and a second approved publisher.

Safe to run twice.
"""

from __future__ import annotations

from sqlalchemy import select

from ..auth.roles import Role
from ..extensions import db
from ..school.demo import DemoSchool
from . import access, services
from .models import NewsItem

NEWS_ITEMS = [
    (
        "Year 4 have been learning about the Romans",
        "Year 4 have been building model forts and learning how Roman roads were made. "
        "We loved our visit from a Roman soldier!",
    ),
    (
        "Safer Internet Day",
        "We have been talking about how to stay safe and kind online. Every class made "
        "a poster with their top tips.",
    ),
    (
        "Parents' e-safety evening",
        "We are holding an e-safety evening for parents and carers. Please book a place "
        "through the school app.",
    ),
]


def seed(school_: DemoSchool) -> None:
    """Give the school a few news items (only once)."""
    if db.session.scalar(select(NewsItem.id).limit(1)) is None:
        _seed_news(school_)
    db.session.flush()


def _seed_news(school_: DemoSchool) -> None:
    lead = next(iter(school_.staff_with(Role.COMPUTING_LEAD)), None)
    if lead is None:
        return
    for title, words in NEWS_ITEMS:
        services.publish_news(lead, title, words, checked=True)
    services.save_news(lead, "Spring term clubs", "We are planning our clubs for next term.")
    year4 = school_.staff.get("year4")
    if year4 is not None:
        access.approve_publisher(lead, year4.id)
