"""Safeguarding fixtures: the people who raise and handle concerns, and evidence files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import ConcernKind, Involved
from esafety.school.models import Pupil, StaffProfile, YearGroup
from tests import factories


@dataclass
class People:
    school: factories.SmallSchool
    officer: User
    head: User
    slt: User
    chair: User
    governor: User
    parent: User
    child: Pupil
    office: User
    support: User
    computing: User

    @property
    def y5_teacher(self) -> User:
        return self.school.teachers[YearGroup.YEAR_5]


@pytest.fixture
def people(school) -> People:
    chair = factories.make_user(Role.GOVERNOR, first_name="Robert", last_name="Chair")
    profile = db.session.get(StaffProfile, chair.id)
    profile.is_chair_of_governors = True
    child = school.pupils[YearGroup.YEAR_5][0]
    found = People(
        school=school,
        officer=factories.make_user(Role.ESAFETY_OFFICER, first_name="Sarah", last_name="Officer"),
        head=factories.make_user(Role.HEADTEACHER, first_name="Helen", last_name="Head"),
        slt=factories.make_user(Role.SLT, first_name="Daniel", last_name="Deputy"),
        chair=chair,
        governor=factories.make_user(Role.GOVERNOR, first_name="Margaret", last_name="Gov"),
        parent=factories.make_parent(child, first_name="Jo", last_name="Parent"),
        child=child,
        office=factories.make_user(Role.OFFICE_ADMIN),
        support=factories.make_user(Role.SUPPORT_STAFF),
        computing=factories.make_user(Role.COMPUTING_LEAD),
    )
    db.session.commit()
    return found


def png_bytes(size=(40, 30), color=(200, 30, 30), text_chunk: str | None = None) -> bytes:
    from PIL import PngImagePlugin

    out = io.BytesIO()
    info = None
    if text_chunk:
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", text_chunk)
    Image.new("RGB", size, color).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    """A JPEG carrying a camera make and GPS position, as a phone photo would."""
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"3 0 obj<</Author(Someone)>>endobj\n"
        b"trailer<</Root 1 0 R/Info 3 0 R>>\n%%EOF\n"
    )


def upload(name: str, content: bytes) -> services.Upload:
    return services.Upload(name, io.BytesIO(content))


def details(**overrides) -> services.ConcernDetails:
    values = {
        "kind": ConcernKind.CYBER_BULLYING,
        "involved": Involved.UNKNOWN,
        "description": "Nasty comments under a photo of the Year 5 trip.",
        "occurred_on": date(2026, 3, 2),
    }
    values.update(overrides)
    return services.ConcernDetails(**values)


def outbox_to(address: str) -> list:
    from esafety import mail

    return [m for m in mail.outbox_messages() if address in m["To"]]


def all_pupils() -> list[Pupil]:
    return list(db.session.scalars(select(Pupil)))


def forget_concern_limits() -> None:
    """Seed a long history of concerns in one go: the hourly limit per reporter is for people
    sending them, not for a test building months of records."""
    from flask import current_app

    from esafety.auth.throttle import make_throttle

    current_app.extensions["esafety_throttle"] = make_throttle("")
