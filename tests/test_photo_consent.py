"""Photo consent rules the class blog and the school news share, from plain values."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from esafety.errors import DomainError
from esafety.photos import consent


def pupil(first_name):
    return SimpleNamespace(first_name=first_name)


def test_photos_wait_until_someone_says_who_is_in_them():
    assert consent.needs_tagging(True, {}, nobody_in_photos=False)
    assert not consent.needs_tagging(True, {}, nobody_in_photos=True)
    assert not consent.needs_tagging(True, {1: pupil("Ava")}, nobody_in_photos=False)
    assert not consent.needs_tagging(False, {}, nobody_in_photos=False)


def test_pupils_without_consent_are_named_in_first_name_order():
    tagged = {1: pupil("Noah"), 2: pupil("Ava"), 3: pupil("Isla")}
    lacking = consent.lacking_consent(tagged, {1: False, 3: True})
    assert [p.first_name for p in lacking] == ["Ava", "Noah"]


def test_choosing_pupils_and_nobody_at_once_is_refused():
    consent.check_tag_choice({1}, nobody_in_photos=False)
    consent.check_tag_choice(set(), nobody_in_photos=True)
    with pytest.raises(DomainError, match="Please choose one") as refused:
        consent.check_tag_choice({1}, nobody_in_photos=True)
    assert refused.value.field == "pupils"


def test_retagging_keeps_the_tags_still_wanted_and_adds_the_new_ones():
    old = [SimpleNamespace(pupil_id=5, kept=True), SimpleNamespace(pupil_id=6, kept=True)]
    tags = consent.retagged(old, [7, 5, 4], lambda pid: SimpleNamespace(pupil_id=pid, kept=False))
    assert [(t.pupil_id, t.kept) for t in tags] == [(5, True), (4, False), (7, False)]
