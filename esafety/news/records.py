"""School news in subject-access exports: items a member of staff wrote or published, their
approval to publish, and for a pupil, the news items whose photos they were tagged in.

Pictures on news items are exported with everything else a person uploaded (sandbox.records).
"""

from __future__ import annotations

from sqlalchemy import or_, select

from ..extensions import db
from ..personal_data import DataSubject, SubjectRecords, row
from .models import NewsItem, NewsItemPupil, NewsPublisher

#: Published news is the school's public record of what classes did, like its newsletters;
#: a pupil is never named in it, and a withdrawn item stays only as a draft for the record.
KEPT_BECAUSE = "the school's public record of its news; no pupil is named in it"


def subject_records(subject: DataSubject) -> SubjectRecords:
    records = SubjectRecords()
    user_id = subject.user.id
    items = db.session.scalars(
        select(NewsItem)
        .where(or_(NewsItem.author_id == user_id, NewsItem.published_by_id == user_id))
        .order_by(NewsItem.created_at, NewsItem.id)
    ).all()
    if items:
        records.sections["School news written or published"] = [
            row(item, "id", "title", "state", "created_at", "updated_at", "published_at")
            for item in items
        ]
    publisher = db.session.get(NewsPublisher, user_id)
    if publisher is not None:
        records.sections["Approved to publish school news"] = [row(publisher, "approved_at")]
    if subject.pupil is not None:
        tagged = db.session.execute(
            select(NewsItem.id, NewsItem.title, NewsItem.state)
            .join(NewsItemPupil, NewsItemPupil.news_item_id == NewsItem.id)
            .where(NewsItemPupil.pupil_id == subject.pupil.id)
            .order_by(NewsItem.id)
        ).all()
        if tagged:
            records.sections["Seen in school news photos"] = [
                {"news_item_id": item_id, "title": title, "state": state.value}
                for item_id, title, state in tagged
            ]
    return records
