"""A designated safeguarding lead sets up the second sign-in step, signs in with a code from
the app, and later with a recovery code when the phone is not to hand."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import expect

from esafety.auth.roles import Role
from esafety.extensions import db
from tests import factories

from .conftest import enrol_authenticator

EMAIL = "grace@school.example"


def _password(page) -> None:
    page.goto(page.base_url + "/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_enrol_sign_in_with_a_code_and_with_a_recovery_code(page):
    factories.make_user(Role.DSL, first_name="Grace", last_name="Lead", email=EMAIL)
    db.session.commit()

    # First sign-in: the password, then setting up the app (QR code or typed key).
    _password(page)
    expect(page.get_by_role("heading", name="Set up your sign-in code")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Turn it on").click()
    expect(page.locator("#code-error")).to_contain_text("That code did not match")
    secret, codes = enrol_authenticator(page)
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    _sign_out(page)

    # Next time: the password, then the app's code (a new one: each code works once).
    _password(page)
    expect(page.get_by_role("heading", name="Your sign-in code")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    _sign_out(page)

    # Without the phone: a recovery code, once.
    _password(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You used a recovery code: 9 left")).to_be_visible()
    _sign_out(page)
    _password(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#code-error")).to_contain_text("That code did not work")
