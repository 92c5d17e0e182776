"""Records made the way people make them (through each feature's services), for records tests."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from esafety.auth.models import User
from esafety.extensions import db
from esafety.induction import training
from esafety.induction.models import TrainingKind, TrainingRecord
from esafety.photos.models import BlogImage
from esafety.safeguarding import services as safeguarding
from esafety.safeguarding.models import Concern, ConcernKind, Involved
from esafety.sandbox import moderation
from esafety.sandbox import services as blog
from esafety.sandbox.models import BlogComment, BlogPost
from esafety.school.models import Pupil
from tests.induction.helpers import real_pdf

PDF = real_pdf()


def png(colour=(30, 120, 200)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    out.seek(0)
    return out


def post_with_drawing(teacher: User, pupil: Pupil, title: str = "My castle") -> BlogPost:
    """A pupil's post with a drawing, approved by the teacher (the blog must be open)."""
    post = blog.save_post(pupil.user, pupil.class_id, title, "I drew a castle.", send=False)
    blog.attach_picture(pupil.user, post, png(), "A grey castle")
    blog.save_post(pupil.user, pupil.class_id, title, "I drew a castle.", send=True, post=post)
    moderation.approve(teacher, post)
    return post


def comment_on(
    teacher: User, pupil: Pupil, post: BlogPost, words: str = "I like it."
) -> BlogComment:
    comment = blog.add_comment(pupil.user, post, words)
    moderation.approve(teacher, comment)
    return comment


def stored_pictures(post: BlogPost) -> list[BlogImage]:
    return list(db.session.scalars(db.select(BlogImage).where(BlogImage.post_id == post.id)))


def training_with_certificate(office: User, staff: User) -> TrainingRecord:
    return training.add_training_record(
        office,
        staff,
        kind=TrainingKind.SAFEGUARDING,
        course="Safeguarding refresher",
        provider="Local authority",
        completed_on=date(2025, 1, 10),
        certificate=training.Upload("certificate.pdf", PDF),
    )


def concern_about(reporter: User, pupil: Pupil | None, *, with_evidence: bool = True, **extra):
    details = safeguarding.ConcernDetails(
        kind=extra.pop("kind", ConcernKind.CYBER_BULLYING),
        involved=extra.pop("involved", Involved.PUPIL if pupil else Involved.UNKNOWN),
        description=extra.pop("description", "Unkind messages in a group chat."),
        pupil_id=pupil.id if pupil else None,
        **extra,
    )
    uploads = [safeguarding.Upload("screenshot.png", png((200, 30, 30)))] if with_evidence else []
    concern: Concern = safeguarding.raise_concern(reporter, details, uploads)
    return concern
