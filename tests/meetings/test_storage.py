"""An evening resource that cannot be stored is a message beside the file, the title kept."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.meetings.models import MeetingResource


def test_a_resource_that_cannot_be_stored_keeps_the_title(
    client, login_as, make_meeting, broken_upload_folder
):
    meeting = make_meeting()
    db.session.commit()
    login_as(Role.ESAFETY_OFFICER)
    response = client.post(
        f"/meetings/manage/{meeting.id}/resources",
        data={
            "action": "resource",
            "resource-title": "Evening slides",
            "resource-file": (io.BytesIO(b"%PDF-1.4 slides"), "slides.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "We could not save that file just now" in page
    assert 'value="Evening slides"' in page
    assert db.session.scalar(select(func.count(MeetingResource.id))) == 0
