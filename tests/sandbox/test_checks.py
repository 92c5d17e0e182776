"""check_text: every kind fires on what it should, and stays quiet on look-alikes."""

from __future__ import annotations

import pytest

from esafety.writing.checks import TEXT_SPEAK, Finding, check_text

ROSTER = [("Ava", "Jones"), ("Noah", "Patel"), ("Fatima", "Rahman")]


def kinds(text: str, names=ROSTER) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in check_text(text, names)]


def only(kind: str, text: str, names=ROSTER) -> list[str]:
    return [found for k, found in kinds(text, names) if k == kind]


# --- text speak ---


def test_text_speak_has_fifty_forms_with_suggestions():
    assert len(TEXT_SPEAK) >= 50
    assert all(suggestion.strip() for suggestion in TEXT_SPEAK.values())


@pytest.mark.parametrize(
    ("text", "found", "suggestion"),
    [
        ("That was funny lol", "lol", "that made me laugh"),
        ("The trip was gr8!", "gr8", "great"),
        ("See you l8r.", "l8r", "later"),
        ("OMG the snow", "OMG", "wow"),
        ("Are u coming?", "u", "you"),
        ("We r ready", "r", "are"),
        ("Is this ur coat", "ur", "your (or you are)"),
        ("Come b4 lunch", "b4", "before"),
        ("2day we painted", "2day", "today"),
        ("my m8 Noah", "m8", "friend"),
        ("idk why", "idk", "I do not know"),
        ("pls help", "pls", "please"),
        ("thx Miss", "thx", "thank you"),
        ("cya tomorrow", "cya", "see you"),
        ("brb", "brb", "I will be back soon"),
    ],
)
def test_text_speak_is_found_with_a_suggestion(text, found, suggestion):
    findings = [f for f in check_text(text) if f.kind == "text_speak"]
    assert [text[f.start : f.end] for f in findings] == [found]
    assert findings[0].suggestion == suggestion
    assert findings[0].blocking
    assert suggestion in findings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "I ate a lolly at the seaside.",
        "We used a cheese grater to grate the carrots.",
        "Our trip to Scunthorpe was great.",
        "The letter u is a vowel, and so is 'u'.",
        "We learnt the sound r makes.",
        "The bus did a U-turn.",
        "Look at https://u.example.org/r?u=1 for more.",
        "Roman numerals: IV, XI, and the urn we found.",
        "Our robot ran fast.",
    ],
)
def test_text_speak_look_alikes_do_not_fire(text):
    assert only("text_speak", text) == []


# --- full names ---


def test_full_names_on_the_roster_are_found_in_any_case_and_possessive():
    text = "Ava Jones and noah patel's dog met AVA JONES' cat and Fatima  Rahman."
    assert only("full_name", text) == ["Ava Jones", "noah patel's", "AVA JONES'", "Fatima  Rahman"]
    finding = next(f for f in check_text(text, ROSTER) if f.kind == "full_name")
    assert finding.blocking and finding.suggestion == "Ava"
    assert "first names" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "Ava Smith came to play.",  # a surname not on the roster
        "Ava and Noah played.",  # first names are fine
        "We read about Jones the Steam Engine.",
        "Avalon Jonesy is a made-up name.",
    ],
)
def test_names_not_on_the_roster_do_not_fire(text):
    assert only("full_name", text) == []


def test_no_roster_means_no_full_name_findings():
    assert only("full_name", "Ava Jones", names=[]) == []


# --- email, phone, postcode, address ---


def test_email_addresses_are_found():
    assert only("email", "Write to ava.j+blog@home.example please") == ["ava.j+blog@home.example"]
    assert only("email", "We met @ the park and wrote e-mails") == []


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)20 7946 0958",
        "(01244) 300123",
        "020 7946 0958",
        "0161-496-0000",
        "0800 123 4567",
    ],
)
def test_uk_phone_numbers_are_found(number):
    assert only("phone", f"Ring me on {number} after school") == [number]


@pytest.mark.parametrize(
    "text",
    [
        "In 1066 there was a battle.",
        "We counted 10,000 ants and 100 000 000 stars.",
        "The date was 01/02/2026.",
        "Our score was 07 to 3.",
        "Call 999 in an emergency.",
    ],
)
def test_numbers_that_are_not_phone_numbers_do_not_fire(text):
    assert only("phone", text) == []


@pytest.mark.parametrize("postcode", ["CH2 4AB", "ch2 4ab", "M1 1AE", "SW1A 1AA", "EC1A1BB"])
def test_uk_postcodes_are_found(postcode):
    assert only("postcode", f"I live near {postcode} now") == [postcode]


@pytest.mark.parametrize("text", ["We went to Year 4 and Y6.", "My code is AB12.", "b4 2day"])
def test_postcode_look_alikes_do_not_fire(text):
    assert only("postcode", text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("I live at 12 Oak Road.", "12 Oak Road"),
        ("come to 3a church street", "3a church street"),
        ("It is 42 Willow Close", "42 Willow Close"),
    ],
)
def test_addresses_are_found(text, address):
    assert only("address", text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "We walked 3 miles down the lane.",
        "There were 5 cows on the road.",
        "We stood very close to 2 big trees.",
        "The 4 of us went to the park.",
    ],
)
def test_counting_things_near_a_street_word_is_not_an_address(text):
    assert only("address", text) == []


def test_personal_details_block():
    text = "ava@home.example 07700 900123 CH2 4AB 12 Oak Road Ava Jones"
    personal = [f for f in check_text(text, ROSTER)]
    assert {f.kind for f in personal} == {"email", "phone", "postcode", "address", "full_name"}
    assert all(f.blocking for f in personal)


# --- unkind words and shouting ---


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("You are stupid", "stupid"),
        ("what an IDIOT", "IDIOT"),
        ("they are losers", "losers"),
        ("just shut  up", "shut  up"),
        ("I hate you", "hate you"),
    ],
)
def test_unkind_words_are_flagged_for_the_teacher_but_do_not_block(text, word):
    findings = [f for f in check_text(text) if f.kind == "unkind"]
    assert [text[f.start : f.end] for f in findings] == [word]
    assert not findings[0].blocking
    assert "teacher" in findings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "We visited Scunthorpe and Penistone.",
        "Our class assistant helped.",
        "The bass guitar and the shiitake mushrooms.",
        "We read about Dick Whittington.",
        "I hate broccoli but love peas.",
        "The dinosaurs will die out in the story.",
        "grate the cheese",
    ],
)
def test_innocent_words_do_not_fire_the_unkind_check(text):
    assert only("unkind", text) == []


def test_long_runs_of_capitals_are_shouting():
    findings = [f for f in check_text("WE WON THE MATCH TODAY!!!") if f.kind == "shouting"]
    assert len(findings) == 1 and not findings[0].blocking


@pytest.mark.parametrize(
    "text", ["We watched the BBC and visited the NHS.", "I Love Our Class Trip", "OK"]
)
def test_short_capitals_are_not_shouting(text):
    assert only("shouting", text) == []


# --- the whole result ---


def test_findings_come_in_reading_order_with_positions():
    text = "lol Ava Jones said gr8"
    findings = check_text(text, ROSTER)
    assert [f.kind for f in findings] == ["text_speak", "full_name", "text_speak"]
    assert all(isinstance(f, Finding) for f in findings)
    assert findings[0].as_dict(text)["text"] == "lol"


def test_clean_text_has_no_findings():
    assert check_text("Year 4 have been learning about the Romans. We loved it!", ROSTER) == []


# --- round 2: bounds and the kinds children's writing needs ---


def test_only_the_first_ten_thousand_characters_are_checked():
    from esafety.writing.checks import MAX_CHECK_CHARS

    text = "a " * MAX_CHECK_CHARS + " lol"
    assert check_text(text) == []
    assert only("text_speak", "lol " + text) == ["lol"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my email is ava123 at hotmail dot co dot uk", "ava123 at hotmail dot co dot uk"),
        ("write to dave at btinternet dot com", "dave at btinternet dot com"),
    ],
)
def test_emails_spelled_out_with_at_and_dot(text, found):
    assert only("email", text) == [found]


def test_a_website_said_aloud_is_not_an_email():
    assert only("email", "look at bbc dot co dot uk for the news") == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my number is 0 7 7 0 0 9 0 0 1 2 3 ok", "0 7 7 0 0 9 0 0 1 2 3"),
        ("call me on 7700 900123", "7700 900123"),
    ],
)
def test_spaced_out_and_zero_less_phone_numbers(text, found):
    assert only("phone", text) == [found]


def test_a_ten_digit_number_without_a_phone_word_is_not_a_phone():
    assert only("phone", "We counted 7700900123 grains of sand") == []


def test_possessive_names_without_an_apostrophe_and_misspelt_surnames():
    assert only("full_name", "me and ava joness dog") == ["ava joness"]
    assert only("full_name", "noah patle won") == ["noah patle"]


def test_a_name_after_class_or_year_names_a_class():
    assert only("full_name", "Class Ava Jones painted", names=ROSTER) == []


@pytest.mark.parametrize("text", ["We are Class R", "Year R sang", "a book by R. L. Stine"])
def test_class_letters_and_initials_are_not_text_speak(text):
    assert only("text_speak", text) == []


def test_the_school_name_comes_from_the_settings_inside_the_app(app):
    with app.app_context():
        school = app.config["SCHOOL_NAME"].split()[0]
        assert only("school", f"I love {school}") == [school]


def test_allowed_words_drop_a_finding_but_never_a_worry():
    text = "lol i want to die"
    found = {f.kind for f in check_text(text, allowed=["lol", "i want to die"])}
    assert found == {"worry"}


def test_the_compact_word_list_knows_exactly_the_words_pyspellchecker_knows():
    """The writing checks ask only whether a word is English; the compact list must answer as
    pyspellchecker's own dictionary does, for its words and for made-up ones."""
    import random

    from spellchecker import SpellChecker

    from esafety.writing.checks import WordList, english_words

    known = SpellChecker(distance=1)
    words = english_words()
    rng = random.Random(3)
    sample = rng.sample(sorted(known.word_frequency.dictionary), 3000)
    made_up = [
        "".join(rng.choice("aeioustrnlk") for _ in range(rng.randint(1, 11))) for _ in range(3000)
    ]
    for word in [*sample, *made_up, "Because", "", "zzzzqx"]:
        assert (word.lower() in words) == (word in known), word
    assert "b" not in WordList(["a", "c", "abc"]) and "abc" in WordList(["c", "abc"])
