"""A parent's withdrawal of photo consent applies to the very next approval on the blog."""

from __future__ import annotations

import io

import pytest

from esafety.errors import DomainError
from esafety.sandbox import moderation, services
from esafety.school.models import ConsentKind
from esafety.school.services import give_photo_consent
from tests.sandbox.test_images import jpeg_with_gps

ALL_NO = {kind: False for kind in ConsentKind}


def test_withdrawn_consent_stops_the_next_blog_approval(open_blog):
    parent = open_blog.parent  # Ava's mum
    give_photo_consent(parent, open_blog.ava.id, {**ALL_NO, ConsentKind.CLASS_BLOG: True})
    first = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "We went out", send=True)
    services.attach_picture(open_blog.teacher, first, io.BytesIO(jpeg_with_gps()), "The class")
    services.tag_pupils(open_blog.teacher, first, [open_blog.ava.id], nobody_in_photos=False)
    moderation.approve(open_blog.teacher, first)

    give_photo_consent(parent, open_blog.ava.id, ALL_NO)
    second = services.save_post(open_blog.ava.user, open_blog.id, "Park", "We ran", send=True)
    services.attach_picture(open_blog.teacher, second, io.BytesIO(jpeg_with_gps()), "The park")
    services.tag_pupils(open_blog.teacher, second, [open_blog.ava.id], nobody_in_photos=False)
    with pytest.raises(DomainError, match="Ava Jones has no class blog photo consent"):
        moderation.approve(open_blog.teacher, second)
