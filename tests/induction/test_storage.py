"""A certificate that cannot be stored is a message beside the file, everything typed kept."""

from __future__ import annotations

import io

from sqlalchemy import select

from esafety.extensions import db
from esafety.induction.models import TrainingRecord
from tests.induction.helpers import make_staff, real_pdf, standard_setup


def test_a_certificate_that_cannot_be_stored_keeps_the_form(client, login_as, broken_upload_folder):
    standard_setup()
    login_as(make_staff())
    response = client.post(
        "/induction/training",
        data={
            "kind": "safeguarding",
            "course": "Level 1 refresher",
            "provider": "Local authority",
            "completed_on": "2026-01-10",
            "file": (io.BytesIO(real_pdf()), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code < 500
    assert 'id="file-error"' in page and "We could not save that file just now" in page
    assert 'value="Level 1 refresher"' in page and 'value="Local authority"' in page
    assert db.session.scalar(select(TrainingRecord.id)) is None
