""" "Can I sign up?" weighs the app's own age, the game's rating, features that start later,
kids' versions and the law in the school's country; the data file is checked field by field."""

from __future__ import annotations

import re
from datetime import date

import pytest

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.lessons.signup import (
    APP_AGES_FILE,
    AppAgesError,
    app_ages,
    find_app,
    load_app_ages,
    sign_up_verdict,
    stale_apps,
)


def _app(slug: str):
    app = find_app(slug)
    assert app is not None, slug
    return app


def test_a_seven_year_old_is_not_told_yes_for_a_pegi_12_game():
    verdict = sign_up_verdict(_app("fortnite"), 7)
    assert not verdict.allowed
    assert verdict.headline == "Not yet: Fortnite is rated PEGI 12."
    assert "Ask your grown-up about games for your age." in verdict.reasons
    assert sign_up_verdict(_app("fortnite"), 12).allowed


def test_a_ten_year_old_and_youtube_hears_about_the_kids_and_supervised_versions():
    verdict = sign_up_verdict(_app("youtube"), 10)
    assert not verdict.allowed
    assert verdict.headline == "Not yet. YouTube is for people aged 13 and over."
    words = " ".join(verdict.reasons)
    assert "YouTube Kids" in words and "supervised account" in words
    assert words.index("YouTube Kids") < words.index("wait 3 more years")


def test_a_fifteen_year_old_in_australia_and_tiktok_meets_the_under_16_law():
    in_australia = sign_up_verdict(_app("tiktok"), 15, "AU")
    assert not in_australia.allowed
    assert in_australia.headline == "Not yet. TikTok is for people aged 16 and over."
    assert any("In Australia, the law says" in r for r in in_australia.reasons)
    in_the_uk = sign_up_verdict(_app("tiktok"), 15, "GB")
    assert in_the_uk.allowed
    assert "Some parts start later: private messages at 16, going live at 18." in (
        in_the_uk.reasons
    )
    # An app the Australian law does not cover keeps its own age there.
    assert sign_up_verdict(_app("whatsapp"), 13, "AU").allowed


def test_the_data_names_at_least_fifty_apps_including_ai_tools_pupils_use():
    slugs = {app.slug for app in app_ages()}
    assert len(slugs) >= 50
    for wanted in (
        "character-ai",
        "google-gemini",
        "microsoft-copilot",
        "meta-ai",
        "capcut",
        "messenger-kids",
        "amazon-alexa",
        "toca-boca-world",
        "gacha-club",
        "pokemon-go",
    ):
        assert wanted in slugs
    assert "My AI" in _app("snapchat").note
    assert _app("character-ai").features == {"ai_chatbot": 18}


def test_a_file_with_a_bad_rating_feature_or_country_is_refused(tmp_path):
    text = APP_AGES_FILE.read_text(encoding="utf-8")
    broken = text.replace("  rating: PEGI 12\n  rating_age: 12\n", "  rating: PEGI 12\n", 1)
    broken = broken.replace("    messaging: 16\n", "    teleporting: 16\n", 1)
    broken = broken.replace("    AU:\n", "    ZZ:\n", 1)
    path = tmp_path / "app_ages.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(AppAgesError) as error:
        load_app_ages(path)
    problems = "\n".join(error.value.problems)
    assert "rating and rating_age go together" in problems
    assert "features.teleporting is not one of" in problems
    assert "countries.ZZ is not one of" in problems


def test_unchecked_or_old_facts_are_warned_about_not_failed():
    from dataclasses import replace

    apps = list(app_ages())
    # Every shipped entry was checked against its source this term, by a named person.
    assert all(app.checked and app.checked_by and app.source for app in apps)
    assert stale_apps(apps, date(2026, 12, 3)) == []
    never = [replace(apps[0], checked=None)]
    assert stale_apps(never, today())[0] == (
        f"app ages: 1 apps have no checked date: {apps[0].name}"
    )
    old = [replace(apps[0], checked=date(2020, 1, 1))]
    assert "checked over a year ago" in stale_apps(old, date(2026, 12, 3))[0]
    fresh = [replace(apps[0], checked=date(2026, 11, 1))]
    assert stale_apps(fresh, date(2026, 12, 3)) == []


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("&#39;", "'")


def test_an_adult_previews_any_age_and_country(client, login_as, year4):
    login_as(Role.TEACHER)
    page = _text(client.get("/lessons/can-i-sign-up?app=tiktok&age=15&country=AU"))
    assert "Not yet. TikTok is for people aged 16 and over." in page
    page = _text(client.get("/lessons/can-i-sign-up?app=tiktok&age=15&country=GB"))
    assert "Yes, TikTok's rules say you are old enough." in page
    page = _text(client.get("/lessons/can-i-sign-up?app=tiktok&age=15&country=XX"))
    assert page.count("Yes, TikTok") == 1  # an unknown country falls back to the school's


def test_a_pupil_gets_the_schools_country_and_cannot_choose_another(app, client, login_as, year4):
    pupil = year4.pupil
    pupil.date_of_birth = date(today().year - 15, 1, 1)
    db.session.commit()
    app.config["SCHOOL_COUNTRY"] = "AU"
    try:
        login_as(pupil.user)
        page = _text(client.get("/lessons/can-i-sign-up?app=tiktok&country=GB"))
        assert "Not yet. TikTok is for people aged 16 and over." in page
        assert 'name="country"' not in page
    finally:
        app.config["SCHOOL_COUNTRY"] = "GB"


def test_the_page_says_when_each_apps_facts_were_last_checked(client, login_as, year4):
    login_as(Role.TEACHER)
    page = _text(client.get("/lessons/can-i-sign-up?app=tiktok&age=10"))
    # Once in the answer for TikTok, and once per app in the table of minimum ages.
    assert 'Last checked: <time datetime="2026-12-03">3 December 2026</time>' in page
    assert page.count('<time datetime="2026-12-03">3 December 2026</time>') == len(app_ages()) + 1
    assert "Not yet checked" not in page
