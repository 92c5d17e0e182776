"""After the academic-year rollover, last year's class blogs are read-only archives."""

from __future__ import annotations

import pytest

from esafety.errors import DomainError, NotAllowed
from esafety.extensions import db
from esafety.sandbox import services
from esafety.school import rollover
from esafety.school.models import YearGroup


def test_last_years_blog_is_read_only_after_the_rollover(school):
    year_3 = school.classes[YearGroup.YEAR_3]
    teacher = school.teachers[YearGroup.YEAR_3]
    post = services.save_post(teacher, year_3.id, "Our trip", "We went to the museum.", send=True)
    db.session.commit()

    rollover.apply_rollover(None)
    db.session.commit()

    page = services.blog_page(teacher, year_3.id)
    assert [view.post.id for view in page.posts] == [post.id]  # still there to read
    with pytest.raises(NotAllowed):
        services.save_post(teacher, year_3.id, "More", "Another post.", send=True)
    with pytest.raises(DomainError):
        services.open_window(teacher, year_3.id, 30)
    with pytest.raises(NotAllowed):
        services.add_comment(teacher, post, "A comment.")
