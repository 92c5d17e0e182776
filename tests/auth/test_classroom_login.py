"""Getting a young child in on a shared class tablet: pupil-first sign-in, class codes a child
cannot misread, name tiles with their own pictures, sign-out back to the class's names, focus
that stays in the picture grid, and a teacher's unlock that keeps the child's pictures."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from esafety import audit
from esafety.auth import class_device, services
from esafety.auth.pictures import PICTURES
from esafety.auth.roles import Role
from esafety.clock import school_time
from esafety.extensions import db
from esafety.school import avatars, roster
from esafety.school.models import Pupil, SchoolClass, YearGroup
from esafety.school.services import CODE_ALPHABET, class_by_code, new_login_code
from tests import factories

LOOK_ALIKES = set("UVQO01IL4")


@pytest.fixture
def robins(db):
    """A Reception class with its teacher and eight pupils who all know their pictures."""
    teacher = factories.make_user(Role.TEACHER, first_name="Tess")
    school_class = factories.make_class(YearGroup.RECEPTION, name="Robins", teacher=teacher)
    pupils = [
        factories.make_pupil(school_class, first_name=f"Child{n}", pictures=["cat", "sun", "boat"])
        for n in range(8)
    ]
    db.session.commit()
    return school_class, teacher, pupils


def _choose(client, pupil, pictures):
    url = f"/pupils/{pupil.school_class.login_code}/{pupil.id}"
    response = None
    for picture in pictures:
        response = client.post(url, data={"picture": picture})
    return response


# Class codes -------------------------------------------------------------------------------


def test_new_class_codes_have_no_characters_a_child_could_mistake():
    assert not LOOK_ALIKES & set(CODE_ALPHABET)
    codes = {new_login_code() for _ in range(300)}
    assert all(len(code) == 6 and not LOOK_ALIKES & set(code) for code in codes)


def test_a_code_printed_before_the_new_alphabet_still_opens_its_class(db):
    school_class = factories.make_class(YearGroup.YEAR_1, name="Owls")
    school_class.login_code = "QU4V0L"
    db.session.flush()
    assert class_by_code("qu4v0l").id == school_class.id
    assert class_by_code(" QU4-V0L ").id == school_class.id  # spaces and a dash a child adds


def test_a_child_can_type_the_code_with_spaces(client, robins):
    school_class, _, _ = robins
    code = school_class.login_code
    response = client.post("/pupils", data={"code": f"{code[:3]} {code[3:].lower()}"})
    assert response.headers["Location"].endswith(f"/pupils/{code}")


# Name tiles --------------------------------------------------------------------------------


def test_name_tile_pictures_differ_within_a_class_and_are_never_password_pictures(robins):
    _, _, pupils = robins
    tiles = [p.avatar for p in pupils]
    assert len(set(tiles)) == len(tiles)
    assert all(tile in avatars.AVATARS for tile in tiles)
    assert not set(tiles) & set(PICTURES)


def test_a_full_class_of_thirty_still_has_thirty_different_tiles(db):
    school_class = factories.make_class(YearGroup.YEAR_2, name="Wrens")
    pupils = [factories.make_pupil(school_class) for _ in range(30)]
    assert len({p.avatar for p in pupils}) == 30


def test_a_pupil_moved_by_the_roster_gets_a_tile_no_one_in_the_new_class_has(db):
    factories.current_year()
    office = factories.make_user(Role.OFFICE_ADMIN)
    header = ",".join(roster.COLUMNS)
    rows = [f"Oak,Year 3,P{n},Kid{n},Stone,2018-05-14,,,," for n in range(5)]
    rows += [f"Ash,Year 3,Q{n},Kit{n},Moss,2018-05-14,,,," for n in range(5)]
    assert roster.import_roster(office, ("\n".join([header, *rows]) + "\n").encode()).ok
    db.session.commit()
    oak = db.session.scalar(select(SchoolClass).where(SchoolClass.name == "Oak"))
    ash_pupil = db.session.scalar(select(Pupil).where(Pupil.reference == "Q0"))
    # Make the moving pupil's tile clash with Oak's before the move.
    ash_pupil.avatar = db.session.scalar(select(Pupil.avatar).where(Pupil.class_id == oak.id))
    db.session.commit()
    moved = rows[:5] + [rows[5].replace("Ash,", "Oak,", 1)] + rows[6:]
    assert roster.import_roster(office, ("\n".join([header, *moved]) + "\n").encode()).ok
    in_oak = list(db.session.scalars(select(Pupil.avatar).where(Pupil.class_id == oak.id)))
    assert len(in_oak) == 6 and len(set(in_oak)) == 6


def test_the_name_tiles_page_draws_each_pupils_own_picture_not_a_password_picture(client, robins):
    school_class, _, pupils = robins
    html = client.get(f"/pupils/{school_class.login_code}").get_data(as_text=True)
    assert "img/pictures/" not in html
    assert html.count('class="avatar"') == len(pupils)
    assert f'data-say="{pupils[0].first_name}"' in html


# The way in --------------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_pupil_entry_before_the_adult_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert "I&#39;m a pupil" in html or "I'm a pupil" in html
    assert html.index("pupil-entry") < html.index('name="email"')


def test_a_pupil_signing_out_lands_on_their_class_name_tiles(client, robins):
    school_class, _, pupils = robins
    assert _choose(client, pupils[0], ["cat", "sun", "boat"]).status_code == 302
    response = client.post("/logout")
    assert response.headers["Location"].endswith(f"/pupils/{school_class.login_code}")
    page = client.get(response.headers["Location"])
    assert b"tap your name" in page.data and b"signed out" in page.data


def test_an_adult_signing_out_without_a_class_device_lands_on_the_sign_in_page(client, login_as):
    login_as(Role.PARENT)
    assert client.post("/logout").headers["Location"].endswith("/login")


def test_a_teacher_makes_a_class_device_and_every_sign_out_then_shows_the_class(
    client, login_as, robins
):
    school_class, teacher, _ = robins
    login_as(teacher)
    response = client.post(f"/school/classes/{school_class.id}/class-device", data={"on": "1"})
    assert class_device.COOKIE in response.headers["Set-Cookie"]
    assert school_class.login_code in response.headers["Set-Cookie"]
    page = client.get(f"/school/classes/{school_class.id}").get_data(as_text=True)
    assert "Stop using this device as the class tablet" in page
    assert db.session.scalar(
        select(audit.AuditEntry).where(audit.AuditEntry.action == "school.class_device_on")
    )
    # The teacher signs out on the tablet: it shows the class's names, not the adult form.
    response = client.post("/logout")
    assert response.headers["Location"].endswith(f"/pupils/{school_class.login_code}")
    tiles = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Grown-ups sign in" in tiles
    # The sign-in page's pupil button goes straight to the class's names.
    login = client.get("/login").get_data(as_text=True)
    assert f"/pupils/{school_class.login_code}" in login and "pupil in Robins" in login


def test_turning_the_class_device_off_forgets_the_class(client, login_as, robins):
    school_class, teacher, _ = robins
    login_as(teacher)
    client.post(f"/school/classes/{school_class.id}/class-device", data={"on": "1"})
    response = client.post(f"/school/classes/{school_class.id}/class-device", data={"on": "0"})
    assert re.search(rf"{class_device.COOKIE}=;", response.headers["Set-Cookie"])
    login_as(teacher)
    assert client.post("/logout").headers["Location"].endswith("/login")


def test_another_classs_teacher_cannot_make_a_device_this_classs_tablet(client, login_as, robins):
    school_class, _, _ = robins
    login_as(Role.TEACHER)
    response = client.post(f"/school/classes/{school_class.id}/class-device", data={"on": "1"})
    assert response.status_code in (403, 404)
    assert class_device.COOKIE not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("cookie", ["<script>", "ZZZZZZ"])
def test_a_forged_or_stale_class_device_cookie_is_ignored(client, robins, cookie):
    client.set_cookie(class_device.COOKIE, cookie, domain="esafety.test")
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/pupils"' in html and "<script>" not in html


# Pictures ----------------------------------------------------------------------------------


def test_after_each_picture_focus_comes_back_to_the_picture_just_chosen(client, robins):
    _, _, pupils = robins
    url = f"/pupils/{pupils[0].school_class.login_code}/{pupils[0].id}"
    first = client.get(url).get_data(as_text=True)
    assert "autofocus" not in first  # arriving: the greeting and the prompt come first
    after_one = client.post(url, data={"picture": "sun"}).get_data(as_text=True)
    assert re.search(r'value="sun"[^>]*autofocus', after_one)
    assert len(re.findall("autofocus", after_one)) == 1


def test_a_wrong_try_is_read_aloud_and_focus_returns_to_the_grid(client, robins):
    _, _, pupils = robins
    response = _choose(client, pupils[0], ["dog", "dog", "dog"])
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert 'id="picture-message"' in html and 'data-read-target="picture-message"' in html
    assert re.search(r'value="cat"[^>]*autofocus', html)  # the grid's first picture


# Unlocking ---------------------------------------------------------------------------------


def test_the_teacher_unlocks_a_locked_child_who_keeps_their_pictures(client, login_as, robins, app):
    school_class, teacher, pupils = robins
    child = pupils[0]
    for _ in range(5):
        _choose(client, child, ["dog", "dog", "dog"])
    assert _choose(client, child, ["cat", "sun", "boat"]).status_code == 401
    picture_hash = child.user.picture_hash

    login_as(teacher)
    page = client.get(f"/school/classes/{school_class.id}").get_data(as_text=True)
    assert "Locked out of their pictures" in page and "Unlock" in page
    assert "GMT" in page or "BST" in page  # the lockout time is in the school's zone
    response = client.post(f"/school/pupils/{child.id}/unlock", follow_redirects=True)
    assert b"can try their pictures again" in response.data
    assert b"Locked out of their pictures" not in response.data
    entry = db.session.scalar(
        select(audit.AuditEntry).where(audit.AuditEntry.action == "auth.pupil_unlocked")
    )
    assert entry.actor_id == teacher.id and entry.target_id == child.user_id

    client.post("/logout")
    db.session.refresh(child.user)
    assert child.user.picture_hash == picture_hash
    assert _choose(client, child, ["cat", "sun", "boat"]).status_code == 302


def test_only_the_classs_staff_can_unlock(client, login_as, robins, app):
    _, _, pupils = robins
    key = services.pupil_account_key(pupils[0].user_id)
    throttle = app.extensions["esafety_throttle"]
    for _ in range(5):
        throttle.record_failure(key, "10.0.0.9")
    login_as(Role.TEACHER)
    assert client.post(f"/school/pupils/{pupils[0].id}/unlock").status_code in (403, 404)
    login_as(pupils[1].user)
    assert client.post(f"/school/pupils/{pupils[0].id}/unlock").status_code == 403
    assert throttle.locked_for(key, "10.0.0.9") > 0


# Times -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored_utc", "shown"),
    [
        (datetime(2026, 7, 1, 13, 5), "14:05 BST"),  # summer: an hour ahead of UTC
        (datetime(2026, 12, 3, 13, 5), "13:05 GMT"),  # winter: the same as UTC
    ],
)
def test_times_are_shown_on_the_school_clock_and_labelled(app, stored_utc, shown):
    assert school_time(stored_utc) == shown
    assert school_time(stored_utc, with_date=True).endswith(shown)


@pytest.mark.parametrize(
    ("stored_utc", "shown"),
    [
        (datetime(2026, 7, 1, 13, 5, 9), "1 Jul 2026, 14:05:09 BST"),
        (datetime(2026, 12, 3, 13, 5, 9), "3 Dec 2026, 13:05:09 GMT"),
    ],
)
def test_the_audit_log_shows_the_school_clock_in_summer_and_winter(
    client, login_as, stored_utc, shown
):
    db.session.add(audit.AuditEntry(action="school.example", at=stored_utc, detail="{}"))
    db.session.commit()
    login_as(Role.HEADTEACHER)
    html = client.get("/audit").get_data(as_text=True)
    assert shown in html and "UTC" not in html
