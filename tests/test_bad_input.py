"""Bad input is a 404 or a message beside the field, never a server error (esafety/inputs.py).

The whole-app sweep is tests/test_fuzz.py; these pin each finding down on its own.
"""

from __future__ import annotations

import time

import pytest

from esafety.errors import DomainError
from esafety.inputs import MAX_ID, whole_number
from esafety.safeguarding import services as safeguarding
from esafety.sandbox import services
from esafety.writing.checks import check_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("²", None), ("٣", None), ("-1", None), ("1e3", None)]
    + [(str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("9" * 40, None), (None, None)],
)
def test_whole_numbers_are_plain_digits_within_the_databases_range(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/school/classes/2147483648",
        "/school/classes/99999999999999999999999",
        "/school/classes/²",
        "/sandbox/news/2147483648",
        "/pupils/%00",
        "/pupils/a%00b/1",
        "/pupils/" + "x" * 201,
    ],
)
def test_impossible_values_in_a_path_are_not_found(client, login_as, path):
    from esafety.auth.roles import Role

    login_as(Role.HEADTEACHER)
    assert client.get(path).status_code == 404


def test_page_and_class_numbers_in_a_query_are_checked(client, login_as):
    from esafety.auth.roles import Role

    login_as(Role.COMPUTING_LEAD)
    for value in ("2147483648", "²", "-3", "%00"):
        assert client.get(f"/lessons/curriculum?class_id={value}").status_code < 500
    assert client.get("/records/people?q=a%00b").status_code < 500


def test_superscript_digits_in_a_concern_reference_are_refused_not_a_crash(db):
    from esafety.auth.roles import Role
    from tests import factories

    officer = factories.make_user(Role.ESAFETY_OFFICER)
    for reference in ("SG-²", "SG-9999999999999", "SG-٣"):
        with pytest.raises(DomainError):
            safeguarding.concern_by_reference(officer, reference)
    assert safeguarding.parse_year("²⁰²⁶/27") is None
    assert safeguarding.parse_year("2026/27").year == 2026


def test_one_very_long_word_is_checked_quickly():
    # CPU time of this thread, so a busy machine does not fail it; a catastrophic regex would.
    started = time.thread_time()
    check_text("a" * 64_000)
    check_text("a@" * 32_000)
    assert time.thread_time() - started < 1.0
    found = check_text("Write to me at sam.smith@example.com please")
    assert [f.kind for f in found if f.kind == "email"] == ["email"]
    assert services.POST_MAX < 20_000  # the checks read everything a post may hold
