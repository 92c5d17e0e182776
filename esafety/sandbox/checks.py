"""Checks a child's words before a teacher sees them, and explains each problem kindly.

The school's policy: posts contain no text language ("lol", "gr8", "l8r"); children are not
identifiable by name; nobody shares where they live or how to contact them; unkind words are
reported to a teacher. The same checks run live in the browser (through a JSON endpoint) and
always again on the server when the writing is saved or sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Finding:
    """One thing in the text worth a second look, with where it is and what to do about it."""

    kind: str
    start: int
    end: int
    #: Written for a child of seven to read.
    message: str
    #: True when the writing cannot be sent until this is changed.
    blocking: bool
    #: A word to use instead, where there is one.
    suggestion: str | None = None

    def as_dict(self, text: str | None = None) -> dict:
        data = asdict(self)
        if text is not None:
            data["text"] = text[self.start : self.end]
        return data


# --- Text speak ----------------------------------------------------------------------------

#: Text-speak forms and the words to write instead (the policy names lol, gr8 and l8r).
TEXT_SPEAK: dict[str, str] = {
    "lol": "that made me laugh",
    "lolz": "that made me laugh",
    "lmao": "that made me laugh",
    "rofl": "that made me laugh",
    "gr8": "great",
    "gr8t": "great",
    "l8r": "later",
    "l8": "late",
    "brb": "I will be back soon",
    "omg": "wow",
    "u": "you",
    "r": "are",
    "ur": "your (or you are)",
    "b4": "before",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "2nite": "tonight",
    "2nyt": "tonight",
    "m8": "friend",
    "m8s": "friends",
    "idk": "I do not know",
    "dunno": "I do not know",
    "pls": "please",
    "plz": "please",
    "thx": "thank you",
    "thnx": "thank you",
    "cya": "see you",
    "cu": "see you",
    "bff": "best friend",
    "btw": "by the way",
    "fyi": "for your information",
    "imo": "I think",
    "imho": "I think",
    "tbh": "to be honest",
    "ttyl": "talk to you later",
    "gtg": "I have to go",
    "g2g": "I have to go",
    "jk": "only joking",
    "nvm": "never mind",
    "ppl": "people",
    "coz": "because",
    "cuz": "because",
    "bcoz": "because",
    "becoz": "because",
    "sry": "sorry",
    "soz": "sorry",
    "w8": "wait",
    "str8": "straight",
    "h8": "hate",
    "sum1": "someone",
    "some1": "someone",
    "ne1": "anyone",
    "any1": "anyone",
    "every1": "everyone",
    "no1": "no one",
    "4eva": "forever",
    "4ever": "forever",
    "luv": "love",
    "gud": "good",
    "nite": "night",
    "wot": "what",
    "tho": "though",
    "thru": "through",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "have to",
    "kk": "okay",
    "ikr": "I know",
    "hbu": "how about you",
    "wbu": "what about you",
    "smh": "I cannot believe it",
    "irl": "in real life",
    "bday": "birthday",
    "wud": "would",
    "cud": "could",
    "shud": "should",
    "xoxo": "love from",
    "ily": "I love you",
}
#: Single letters are only text speak when they stand alone, and not when named as letters.
_LONE_LETTERS = {"u", "r"}
_TEXT_SPEAK_RE = re.compile(
    r"(?<![\w'’@.\-/])("
    + "|".join(sorted((re.escape(k) for k in TEXT_SPEAK), key=len, reverse=True))
    + r")(?![\w'’@\-/]|\.\w)",
    re.IGNORECASE,
)
_NAMED_LETTER_RE = re.compile(r"(letter|letters|the sound)\s+['\"‘“]?$", re.IGNORECASE)

# --- Personal details ----------------------------------------------------------------------

#: Starts only where a word starts (the look-behind), so one long word is read once, not
#: once per letter: without it a 64,000-letter word took 16 s.
_EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)
#: A run that might be a UK phone number: starts +44, 0 or (0, then digits, spaces, dashes.
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\))?|\(?0)[\d\s()\-]{8,15}\d(?!\d)")
_POSTCODE_RE = re.compile(
    r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPS-UW\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
#: Street words that are rarely anything else, in any case.
_STREET_WORDS = r"road|rd|street|lane|avenue|crescent|terrace|grove|mews|boulevard|cul-de-sac"
#: Street words that are also everyday words ("close", "park"): only with capital letters.
_TITLE_STREET_WORDS = (
    r"Close|Drive|Way|Court|Gardens|Place|Hill|Park|Row|Square|Walk|View|Rise|Green|St|Ave|Dr|Ln"
)
_ADDRESS_RE = re.compile(
    r"\b\d{1,4}[a-zA-Z]?,?\s+((?:[A-Za-z'’\-]+\s+){1,3}?)"
    rf"(?:(?i:{_STREET_WORDS})|{_TITLE_STREET_WORDS})\b"
)
#: Words that show a number is counting something, not numbering a house.
_NOT_A_HOUSE = frozenset(
    "the a an and of to in on at up down along by near past over from into across my our your "
    "his her their big little small old new miles metres meters minutes hours days weeks times "
    "people children cars ducks cows sheep dogs cats birds trees houses steps more".split()
)

# --- Unkind words --------------------------------------------------------------------------

#: Words that hurt: whole words only, so "Scunthorpe", "class" and "grape" never fire.
UNKIND_WORDS = (
    "stupid idiot idiotic dumb dummy moron loser ugly fatty freak weirdo pathetic worthless "
    "thicko crybaby shut up hate you hate u nobody likes you kill yourself kys crap crappy "
    "damn shit shitty fuck fucking fucker bitch bastard arse arsehole asshole twat wanker "
    "cunt piss pissed"
).split()
_UNKIND_PHRASES = ("shut up", "hate you", "hate u", "nobody likes you", "kill yourself")
_UNKIND_RE = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _UNKIND_PHRASES)
    + "|"
    + "|".join(
        re.escape(w) + r"(?:s|es|er|ers|est|ed|ing)?"
        for w in sorted(set(UNKIND_WORDS) - {w for p in _UNKIND_PHRASES for w in p.split()})
    )
    + r")(?![\w'’])",
    re.IGNORECASE,
)

# --- Shouting ------------------------------------------------------------------------------

#: A run of capital letters at least this long (spaces and punctuation between allowed).
SHOUTING_LETTERS = 12
_CAPS_RUN_RE = re.compile(r"[A-Z][A-Z0-9\s!?.,'’\-]*[A-Z!?]")

MESSAGES = {
    "text_speak": (
        "“{found}” is text speak. On our blog we write whole words so everyone can "
        "understand. Try “{suggestion}”."
    ),
    "full_name": (
        "This is someone's full name. On the blog we only use first names, so nobody can "
        "find out who we are. Try just “{suggestion}”."
    ),
    "email": (
        "This looks like an email address. Email addresses are private, so please take it out."
    ),
    "phone": "This looks like a phone number. Phone numbers are private, so please take it out.",
    "postcode": (
        "This looks like a postcode. It could tell people where someone lives, so please take "
        "it out."
    ),
    "address": ("This looks like someone's address. Addresses are private, so please take it out."),
    "unkind": (
        "“{found}” might hurt someone's feelings. Is there a kinder way to say it? Your "
        "teacher will see this word when they read your writing."
    ),
    "shouting": (
        "Lots of capital letters can look like shouting. Try using small letters, with a "
        "capital at the start of each sentence."
    ),
}


def _message(kind: str, found: str = "", suggestion: str | None = None) -> str:
    return MESSAGES[kind].format(found=found, suggestion=suggestion or "")


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


def _text_speak(text: str, skip: list[tuple[int, int]]) -> list[Finding]:
    findings = []
    for match in _TEXT_SPEAK_RE.finditer(text):
        found = match.group(1)
        if _overlaps(match.start(), match.end(), skip):
            continue
        if found.lower() in _LONE_LETTERS and _is_named_letter(text, match.start(), match.end()):
            continue
        suggestion = TEXT_SPEAK[found.lower()]
        findings.append(
            Finding(
                "text_speak",
                match.start(),
                match.end(),
                _message("text_speak", found, suggestion),
                blocking=True,
                suggestion=suggestion,
            )
        )
    return findings


def _is_named_letter(text: str, start: int, end: int) -> bool:
    """'the letter u', or a letter in quotes, is a child writing about letters: not text speak."""
    before = text[max(0, start - 20) : start]
    after = text[end : end + 1]
    quoted = before[-1:] in {"'", '"', "‘", "“"} and after in {"'", '"', "’", "”"}
    return quoted or bool(_NAMED_LETTER_RE.search(before))


@lru_cache(maxsize=16)
def _name_pattern(names: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str] | None, dict]:
    """One pattern for every known full name (built once per roster), and first names by key."""
    first_by_key: dict[str, str] = {}
    for first, last in names:
        first, last = (first or "").strip(), (last or "").strip()
        if first and last:
            first_by_key.setdefault(_name_key(f"{first} {last}"), first)
    if not first_by_key:
        return None, first_by_key
    alternatives = sorted(
        (r"\s+".join(re.escape(part) for part in key.split()) for key in first_by_key),
        key=len,
        reverse=True,
    )
    pattern = re.compile(
        r"(?<![\w])(" + "|".join(alternatives) + r")(?:['’]s|['’])?(?![\w])", re.IGNORECASE
    )
    return pattern, first_by_key


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


def _full_names(text: str, known_names: Iterable[tuple[str, str]]) -> list[Finding]:
    pattern, first_by_key = _name_pattern(tuple(sorted(tuple(n) for n in known_names)))
    if pattern is None:
        return []
    findings = []
    for match in pattern.finditer(text):
        first = first_by_key.get(_name_key(match.group(1)), match.group(1).split()[0])
        findings.append(
            Finding(
                "full_name",
                match.start(),
                match.end(),
                _message("full_name", match.group(1), first),
                blocking=True,
                suggestion=first,
            )
        )
    return findings


def _emails(text: str) -> list[Finding]:
    return [
        Finding("email", m.start(), m.end(), _message("email"), blocking=True)
        for m in _EMAIL_RE.finditer(text)
    ]


def _phone_digits(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip().startswith("+"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def _looks_like_uk_phone(raw: str) -> bool:
    digits = _phone_digits(raw)
    return 10 <= len(digits) <= 11 and digits[0] == "0" and digits[1] != "0"


def _phones(text: str, skip: list[tuple[int, int]]) -> list[Finding]:
    findings = []
    for match in _PHONE_RE.finditer(text):
        raw = match.group(0).rstrip()
        # The run may have swallowed a number that follows ("07700900123 12 times"): trim it.
        while raw and not _looks_like_uk_phone(raw) and re.search(r"\s", raw):
            raw = re.sub(r"\s*\S+$", "", raw)
        if not raw or not _looks_like_uk_phone(raw):
            continue
        end = match.start() + len(raw)
        if _overlaps(match.start(), end, skip):
            continue
        findings.append(Finding("phone", match.start(), end, _message("phone"), blocking=True))
    return findings


def _postcodes(text: str, skip: list[tuple[int, int]]) -> list[Finding]:
    findings = []
    for match in _POSTCODE_RE.finditer(text):
        if _overlaps(match.start(), match.end(), skip):
            continue
        findings.append(
            Finding("postcode", match.start(), match.end(), _message("postcode"), blocking=True)
        )
    return findings


def _addresses(text: str) -> list[Finding]:
    findings = []
    for match in _ADDRESS_RE.finditer(text):
        between = match.group(1).lower().split()
        if any(word in _NOT_A_HOUSE for word in between):
            continue
        findings.append(
            Finding("address", match.start(), match.end(), _message("address"), blocking=True)
        )
    return findings


def _unkind(text: str) -> list[Finding]:
    return [
        Finding("unkind", m.start(), m.end(), _message("unkind", m.group(0)), blocking=False)
        for m in _UNKIND_RE.finditer(text)
    ]


def _shouting(text: str) -> list[Finding]:
    findings = []
    for match in _CAPS_RUN_RE.finditer(text):
        letters = sum(1 for ch in match.group(0) if ch.isalpha())
        if letters >= SHOUTING_LETTERS:
            findings.append(
                Finding(
                    "shouting", match.start(), match.end(), _message("shouting"), blocking=False
                )
            )
    return findings


#: More than any writing the app accepts (a post is at most 5,000 characters).
CHECK_LIMIT = 20_000


def check_text(text: str, known_names: Iterable[tuple[str, str]] = ()) -> list[Finding]:
    """Every finding in the text, in reading order: personal details, text speak, unkind words.

    Only the first CHECK_LIMIT characters are read, so no pattern ever runs on a huge input;
    everything that saves text refuses it well before that length."""
    text = (text or "")[:CHECK_LIMIT]
    emails = _emails(text)
    links = [(m.start(), m.end()) for m in _URL_RE.finditer(text)]
    email_spans = [(f.start, f.end) for f in emails]
    phones = _phones(text, email_spans + links)
    findings = [
        *emails,
        *phones,
        *_postcodes(text, email_spans + links),
        *_addresses(text),
        *_full_names(text, known_names),
        *_text_speak(text, email_spans + links + [(f.start, f.end) for f in phones]),
        *_unkind(text),
        *_shouting(text),
    ]
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop writing being sent until they are changed."""
    return [f for f in findings if f.blocking]
