"""The public feed's stricter checks: whole words, no child named, spelling, the class voice.

Policy: official posts are correctly written, contain no text language, name no child, and
speak as the class ("Year 4 have been…", "We have been…").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import select

from ..extensions import db
from ..school.models import Pupil
from ..writing.checks import Finding, check_text

#: On the public feed these stop publishing outright.
NEWS_BLOCKING = frozenset({"text_speak", "full_name", "pupil_name", "unkind"})


#: These need the publisher to tick that they have checked them.
NEWS_WARNINGS = frozenset({"spelling", "email", "phone", "postcode", "address", "shouting"})


NEWS_MESSAGES = {
    "text_speak": "“{found}” is text language; the school's posts use whole words. "
    "Try “{suggestion}”.",
    "full_name": "“{found}” names a pupil. Children are never named on the public feed.",
    "pupil_name": "“{found}” is the name of a pupil here. Children are never named on the "
    "public feed: write about the class instead.",
    "unkind": "“{found}” does not belong on the school's public feed.",
    "spelling": "Check the spelling of “{found}”{suggestion_text}.",
    "email": "This is an email address: check it is the school's own before publishing.",
    "phone": "This is a phone number: check it is the school's own before publishing.",
    "postcode": "This is a postcode: check it is the school's own before publishing.",
    "address": "This looks like an address: check it is the school's own before publishing.",
    "shouting": "A long run of capital letters reads as shouting.",
    "voice": "The school writes as the class: try “Year 4 have been…” or “We have been…”.",
}


@lru_cache(maxsize=1)
def _spellchecker():
    """The English dictionary ships inside pyspellchecker: nothing is fetched from the internet."""
    from spellchecker import SpellChecker

    checker = SpellChecker(language="en")
    checker.word_frequency.load_words(SCHOOL_WORDS)
    return checker


#: Words a British primary school uses that the dictionary lacks.
SCHOOL_WORDS = [
    "maths",
    "headteacher",
    "esafety",
    "online",
    "homework",
    "playtime",
    "lunchtime",
    "timetable",
    "colouring",
    "programme",
    "programmes",
    "pyjamas",
    "jewellery",
    "aluminium",
    "cheque",
    "kerb",
    "tyre",
    "tyres",
    "storytelling",
    "phonics",
    "wellbeing",
    "cheerleading",
    "dreamt",
]


#: British endings and their American forms: either spelling is accepted.
_BRITISH_TO_AMERICAN = [
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("our", "or"),
    ("ours", "ors"),
    ("ourful", "orful"),
    ("ourite", "orite"),
    ("ourites", "orites"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("ence", "ense"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("eller", "eler"),
    ("ellers", "elers"),
    ("mme", "m"),
]


_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")


_SENTENCE_START_RE = re.compile(r"(?:^|[.!?]\s+|\n\s*[-*>]?\s*)$")


_LINK_RE = re.compile(r"\b(?:https?://|www\.|mailto:)\S+|[\w.+\-]+@[\w\-.]+", re.IGNORECASE)


def _american_forms(word: str) -> list[str]:
    forms = []
    for british, american in _BRITISH_TO_AMERICAN:
        if word.endswith(british):
            forms.append(word[: -len(british)] + american)
        # A British word in the middle of a longer one: "colourful", "favourites".
        index = word.find(british)
        if 0 < index < len(word) - len(british):
            forms.append(word[:index] + american + word[index + len(british) :])
    return forms


def _at_sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_START_RE.search(text[max(0, start - 4) : start])) or start == 0


def spelling_findings(text: str, limit: int = 20) -> list[Finding]:
    """Words the dictionary does not know, in British or American spelling."""
    checker = _spellchecker()
    links = [(m.start(), m.end()) for m in _LINK_RE.finditer(text)]
    findings: list[Finding] = []
    for match in _WORD_RE.finditer(text):
        raw = match.group(0)
        if any(s <= match.start() < e for s, e in links):
            continue
        if any(ch.isupper() for ch in raw[1:]) or (
            raw[0].isupper() and not _at_sentence_start(text, match.start())
        ):
            continue  # names of places and people, and initials, are not spell-checked
        word = re.sub(r"['’]s?$", "", raw.lower()).replace("’", "'")
        if len(word) < 2 or not checker.unknown([word]):
            continue
        if any(not checker.unknown([form]) for form in _american_forms(word)):
            continue
        suggestion = checker.correction(word)
        findings.append(
            Finding(
                "spelling",
                match.start(),
                match.end(),
                NEWS_MESSAGES["spelling"].format(
                    found=raw,
                    suggestion_text=f" (did you mean “{suggestion}”?)" if suggestion else "",
                ),
                blocking=False,
                suggestion=suggestion,
            )
        )
        if len(findings) >= limit:
            break
    return findings


def _pupil_first_names() -> set[str]:
    return {
        name.strip()
        for name in db.session.scalars(
            select(Pupil.first_name).where(Pupil.left_on.is_(None)).distinct()
        )
        if name and name.strip()
    }


def pupil_name_findings(text: str, first_names: Iterable[str]) -> list[Finding]:
    """Any pupil's first name, as a name: 'Grace' mid-sentence, but not 'Will you…' or 'we will'."""
    names = sorted(set(first_names), key=len, reverse=True)
    if not names:
        return []
    checker = _spellchecker()
    pattern = re.compile(
        r"(?<![\w'’])(" + "|".join(re.escape(n) for n in names) + r")(?:['’]s)?(?![\w])"
    )
    findings = []
    for match in pattern.finditer(text):
        name = match.group(1)
        if name[0].islower():
            continue
        if not checker.unknown([name.lower()]) and _at_sentence_start(text, match.start()):
            continue  # "Will we…", "Grace and…" at the start of a sentence read as words
        findings.append(_news_finding("pupil_name", match.start(), match.end(), match.group(0)))
    return findings


_COLLECTIVE_RE = re.compile(
    r"\b(?:we|we've|we're|we'll|our|us|everyone)\b"
    r"|\b(?:year\s+\d|reception|nursery|class|classes|children|pupils|school)\s+"
    r"(?:have|has|had|are|were|will|enjoyed|loved)\b",
    re.IGNORECASE,
)


_FIRST_PERSON_RE = re.compile(r"\b(?:I|I've|I'm|I'll|my|me)\b")


def voice_findings(text: str) -> list[Finding]:
    """A gentle hint when the post does not speak as the class."""
    first_person = _FIRST_PERSON_RE.search(text)
    if first_person:
        return [_news_finding("voice", first_person.start(), first_person.end(), "")]
    if not _COLLECTIVE_RE.search(text):
        return [_news_finding("voice", 0, 0, "")]
    return []


def _news_finding(kind: str, start: int, end: int, found: str, suggestion: str | None = None):
    return Finding(
        kind,
        start,
        end,
        NEWS_MESSAGES[kind].format(found=found, suggestion=suggestion or ""),
        blocking=kind in NEWS_BLOCKING,
        suggestion=suggestion,
    )


def check_news_text(text: str) -> list[Finding]:
    """The public feed's stricter checks: whole words, no child named, spelling, the class voice."""
    pupils = [
        tuple(row)
        for row in db.session.execute(
            select(Pupil.first_name, Pupil.last_name).where(Pupil.left_on.is_(None))
        )
    ]
    findings = []
    for finding in check_text(text, pupils):
        if finding.kind not in NEWS_MESSAGES:
            continue  # the blog's child-safety kinds (a school's own name, a worry) do not apply
        found = text[finding.start : finding.end]
        findings.append(
            dataclasses.replace(
                finding,
                blocking=finding.kind in NEWS_BLOCKING,
                message=NEWS_MESSAGES[finding.kind].format(
                    found=found, suggestion=finding.suggestion or ""
                ),
            )
        )
    named = [(f.start, f.end) for f in findings if f.kind == "full_name"]
    findings += [
        f
        for f in pupil_name_findings(text, _pupil_first_names())
        if not any(s <= f.start < e for s, e in named)
    ]
    findings += spelling_findings(text)
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))


def check_news(title: str, body: str) -> dict[str, list[Finding]]:
    """Findings for each field, plus the collective-voice hint on the body."""
    return {
        "title": check_news_text(title),
        "body": check_news_text(body) + voice_findings(body),
    }
