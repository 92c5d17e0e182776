"""Evidence that cannot be stored: nothing is sent, the words stay on the page, no file is left."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from esafety.extensions import db
from esafety.safeguarding.models import Concern
from tests.safeguarding.conftest import png_bytes
from tests.safeguarding.test_forms import FORM


def test_evidence_that_cannot_be_stored_keeps_every_word(
    client, login_as, people, broken_upload_folder
):
    login_as(people.parent)
    data = {**FORM, "evidence": [(io.BytesIO(png_bytes()), "shot.png")]}
    response = client.post("/safeguarding/report", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code < 500
    assert "We could not save the evidence files, so nothing was sent" in page
    assert FORM["description"] in page and 'value="Facebook"' in page
    assert db.session.scalar(select(func.count(Concern.id))) == 0
