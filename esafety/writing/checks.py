"""Checks a child's words before a teacher sees them, and explains each problem kindly.

The school's policy: posts contain no text language ("lol", "gr8", "l8r"); children are not
identifiable by name; nobody shares where they live or how to contact them; unkind words are
reported to a teacher. The same checks run live in the browser (through a JSON endpoint) and
always again on the server when the writing is saved or sent.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

from flask import current_app, has_app_context
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..errors import DomainError
from .lexicon import (
    AIMED_ONLY,
    AIMING_WORDS,
    FUZZY_TARGETS,
    GAME_CUES,
    HUSH_CUES,
    MEET_CUES,
    MONTHS,
    NOT_A_SCHOOL_NAME,
    NOT_A_SECRET,
    NUMBER_WORDS,
    ONLINE_CUES,
    PICTURE_CUES,
    PLATFORMS,
    SPELLINGS,
    STORY_TITLES,
    STRANGER_CUES,
    UNKIND_PHRASES,
    WORRY_PHRASES,
)

#: Change it whenever a rule below changes what is found: findings stored with writing under
#: another version are worked out again (esafety/sandbox/saved_findings.py).
RULES_VERSION = "2026-12-03"


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


# --- Shouting ------------------------------------------------------------------------------

#: A run of capital letters at least this long (spaces and punctuation between allowed).
SHOUTING_LETTERS = 12
_CAPS_RUN_RE = re.compile(r"[A-Z][A-Z0-9\s!?.,'’\-]*[A-Z!?]")

# --- Plain form: what the phrase checks read ------------------------------------------------

#: Longer writing is checked up to here (posts stop at 5,000), so every check stays linear.
MAX_CHECK_CHARS = 10_000

_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
_SENTENCE_END_RE = re.compile(r"[.!?;\n]")


@dataclass
class _Plain:
    """The writing as words in their usual spelling, with a way back to the child's own text."""

    text: str
    #: (start, end) of each word in the child's text.
    spans: list[tuple[int, int]]
    #: Each word lower case, without apostrophes.
    keys: list[str]
    #: The plain form: usual spellings, single spaces, " | " between sentences.
    plain: str
    #: For each piece of the plain form: where it starts there, and its span in the text.
    starts: list[int]
    pieces: list[tuple[int, int]]
    #: Every word of the plain form: a check whose words are all missing need not run.
    words: frozenset[str]

    _sentences: list[tuple[int, int]] | None = None

    def has(self, *words: str) -> bool:
        return not self.words.isdisjoint(words)

    def span_of(self, start: int, end: int) -> tuple[int, int]:
        """The part of the child's text that a stretch of the plain form came from."""
        first = max(0, bisect_right(self.starts, start) - 1)
        last = max(first, bisect_right(self.starts, max(start, end - 1)) - 1)
        return self.pieces[first][0], self.pieces[last][1]

    def sentence_bounds(self) -> list[tuple[int, int]]:
        """(start, end) of each sentence in the plain form (worked out once)."""
        if self._sentences is None:
            self._sentences = self._find_sentences()
        return self._sentences

    def _find_sentences(self) -> list[tuple[int, int]]:
        bounds, position = [], 0
        for match in re.finditer(r" \| ", self.plain):
            bounds.append((position, match.start()))
            position = match.end()
        bounds.append((position, len(self.plain)))
        return [(s, e) for s, e in bounds if e > s]


def _plain(text: str) -> _Plain:
    spans = [m.span() for m in _WORD_RE.finditer(text)]
    keys = [text[start:end].lower() for start, end in spans]
    keys = [k.replace("'", "").replace("’", "") if not k.isalnum() else k for k in keys]
    usual = list(map(_usual_spelling, keys))
    ends = [m.start() for m in _SENTENCE_END_RE.finditer(text)]
    parts: list[str] = []
    starts: list[int] = []
    pieces: list[tuple[int, int]] = []
    position = previous_end = 0
    next_end = 0  # index into ends: the first sentence end not yet passed
    for (start, end), word in zip(spans, usual, strict=True):
        while next_end < len(ends) and ends[next_end] < previous_end:
            next_end += 1
        if parts and next_end < len(ends) and ends[next_end] < start:
            starts.append(position)
            pieces.append((previous_end, start))
            parts.append("|")
            position += 2
        starts.append(position)
        pieces.append((start, end))
        parts.append(word)
        position += len(word) + 1
        previous_end = end
    plain = " ".join(parts)
    return _Plain(text, spans, keys, plain, starts, pieces, frozenset(plain.split()))


@lru_cache(maxsize=8192)
def _usual_spelling(key: str) -> str:
    """A child's spelling of a word we listen for, as the phrase lists spell it.

    Known spellings come from the list; otherwise a word that is not English (by the spelling
    checker's dictionary, which the news feed already ships) and is one letter away from a
    word we listen for (two for long words) is read as that word. Real words are never changed,
    so "idiom" stays "idiom" and "loses" stays "loses".
    """
    if key in SPELLINGS:
        return SPELLINGS[key]
    if len(key) < 5 or key in FUZZY_TARGETS or not key.isalpha() or _is_english(key):
        return key
    limit = 2 if len(key) >= 9 else 1
    match = process.extractOne(
        key,
        FUZZY_TARGETS,
        scorer=OSA.distance,
        score_cutoff=limit,
    )
    return match[0] if match else key


class WordList:
    """Words kept sorted in one string per word length, searched by halves: 160,000 words in
    about 1.5 MB, where a set of them takes 27 MB in every worker."""

    def __init__(self, words: Iterable[str]) -> None:
        by_length: dict[int, list[str]] = {}
        for word in words:
            by_length.setdefault(len(word), []).append(word)
        self._blocks = {size: "".join(sorted(set(group))) for size, group in by_length.items()}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        size = len(word)
        block = self._blocks.get(size, "")
        low, high = 0, len(block) // size
        while low < high:
            middle = (low + high) // 2
            found = block[middle * size : (middle + 1) * size]
            if found == word:
                return True
            if found < word:
                low = middle + 1
            else:
                high = middle
        return False


@lru_cache(maxsize=1)
def english_words() -> WordList:
    """The English words pyspellchecker knows, lowercased: only whether a word is one is asked.

    Read from the package's own word list (its SpellChecker keeps frequencies and a lowered copy
    besides, and made each worker ~80 MB larger at its first post). A production worker reads
    it once at start-up (esafety/wsgi.py)."""
    import gzip
    import json
    from importlib.resources import files

    data = files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    return WordList(word.lower() for word in json.loads(gzip.decompress(data)))


def _is_english(word: str) -> bool:
    return word.lower() in english_words()


class _WordPattern:
    """Phrases matched on the plain form, compiled as one alternation.

    (Tried: compiling without the leading "\\b" so the engine can skip to likely first
    letters. It was twice as slow: the word boundary is the cheapest early refusal there is.)
    """

    def __init__(self, *patterns: str) -> None:
        self.pattern = patterns[0]
        self.regex = re.compile("|".join(f"(?:{p})" for p in patterns))

    def finditer(self, plain: str, start: int = 0, end: int | None = None):
        return self.regex.finditer(plain, start, len(plain) if end is None else end)

    def search(self, plain: str, start: int = 0, end: int | None = None):
        return self.regex.search(plain, start, len(plain) if end is None else end)


def _words(*patterns: str | Iterable[str]) -> _WordPattern:
    flat = [p for item in patterns for p in ([item] if isinstance(item, str) else item)]
    return _WordPattern(*flat)


_WORRY_RE = _words(WORRY_PHRASES)
_HUSH_RE = _words(HUSH_CUES)
_PICTURE_RE = _words(PICTURE_CUES)
_MEET_RE = _words(MEET_CUES)
_ONLINE_RE = _words(ONLINE_CUES)
#: A word every online or stranger cue contains: without one, those sentence checks are skipped.
_ONLINE_WORDS = frozenset(
    re.sub(r"[^a-z0-9 |]", " ", ONLINE_CUES + "|" + STRANGER_CUES).replace("|", " ").split()
) - {"a", "an", "i", "do", "not", "on", "up"}
_STRANGER_RE = _words(STRANGER_CUES)
_UNKIND_PHRASE_RE = _words(
    (*UNKIND_PHRASES, r"\bshut up\b", r"\bhate you\b", r"\bnobody likes you\b")
)
_STORY_TITLE_RE = _words(r"\b(?:" + "|".join(re.escape(t) for t in STORY_TITLES) + r")\b")
#: Two or more capitalised words in a row ("The Ugly Duckling"): a title, not a taunt.
_TITLE_CASE_RE = re.compile(r"\b[A-Z][a-z’']+(?:\s+(?:(?:of|the|a|and|in)\s+)?[A-Z][a-z’']+){1,6}")
_QUOTED_RE = re.compile(r"[“\"][^“”\"\n]{1,120}[”\"]")
_GAME_RE = _words(GAME_CUES)

# --- Personal details in words ----------------------------------------------------------------

_USERNAME_RES = (
    _words(
        rf"\b(?:my|his|her|our|me|mine) {PLATFORMS} (?:user ?name|name|gamer ?tag|gamertag|tag|"
        r"handle|account|id|user|code|channel|friend code|nickname|nick) (?:is |it is |is called "
        r"|called |=)?(?:called )?(?:(?:at|@) )?([\w.]+)"
    ),
    _words(
        r"\b(?:my|his|her|our) (?:user ?name|gamer ?tag|gamertag|handle|screen ?name)(?: on "
        rf"{PLATFORMS})? (?:is |it is |is called |=)?(?:(?:at|@) )?([\w.]+)"
    ),
    _words(
        rf"\b(?:add|friend|follow|find|message|subscribe to|play with) me on {PLATFORMS}"
        r"(?: (?:i am|my name is|it is|as|im)? ?([\w.]+))?"
    ),
    _words(rf"\bi am ([\w.]+) on {PLATFORMS}\b"),
    _words(r"\b(?:add|friend|follow) me ([a-z]*[_\d][\w.]*)"),
    _words(r"\b(?:my|his|her) (?:user|account|id|tag|name) (?:is |it is |=)?([a-z]*[_\d][\w.]*)"),
)
_HANDLE_RE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]{2,29}")
_PASSWORD_RE = _words(
    r"\b(?:(my|our|his|her|mum s|dad s|the|me|secret|school|ipad|phone|tablet|computer) )?"
    r"(?:(?:ipad|phone|tablet|computer|laptop|wifi|roblox|minecraft|game|school) )?"
    r"(password|passcode|pass code|pin|pin number|pin code|lock code|log in code|login|code)"
    r"(?: (?:for|to|on) (?:my |the )?\w+)? (?:(is|was|it is|its|=|are) )?([\w.!#$%&*]+)"
)
_SCHOOL_NAMED_RE = _words(
    r"\b(?:(?:i|we|he|she|my \w+) (?:go|goes|went|am going|used to go|will go|walk|get the bus) "
    r"to|(?:my|our|his|her) (?:school|old school|new school) is(?: called)?|i am at|we are at) "
    r"((?:st |saint )?[a-z]+(?: [a-z]+)?) (?:primary|academy|junior|juniors|infant|infants|"
    r"school|c of e|church school|community school)\b"
)
_SCHOOL_TITLE_RE = re.compile(
    r"\b(?:St\.? |Saint )?[A-Z][a-z]+(?:['’]s)?(?: [A-Z][a-z]+)? (?:Primary|Academy|Junior "
    r"School|Infant School|C of E|CE Primary|Community School)\b"
)
_MONTH = "(?:" + "|".join(MONTHS) + ")"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DAY_MONTH = rf"(?:(?:the )?{_DAY} (?:of )?{_MONTH}|{_MONTH} (?:the )?{_DAY})"
_FULL_DATE = rf"(?:{_DAY_MONTH} {_YEAR}|{_DAY} \d{{1,2}} (?:{_YEAR}|\d\d))"
_BIRTH_CUE = r"\b(?:born|birthday|date of birth|birth date)\b"
_BIRTHDAY_DATE_RE = _words(rf"{_BIRTH_CUE}(?: \w+){{0,4}}? {_FULL_DATE}\b")
_BIRTHDAY_RE = _words(_BIRTH_CUE)
_NUMBER = r"(?:\d{1,2}|" + "|".join(NUMBER_WORDS[:12]) + ")"
_AGE_RE = _words(
    rf"\b(?:i am|i will be|i turn|i am turning|i will turn|i turned|i am going to be|turning|"
    rf"i will be turning) {_NUMBER}\b(?! (?:minutes|pounds|p|cm|metres|o clock))",
    rf"\b{_NUMBER} (?:years? old|yrs? old|year old)\b",
)
#: Each pattern with the words it cannot match without (so most posts skip most patterns).
_WHEREABOUTS_RES = (
    (
        _words(
            r"\b(?:no one|nobody) (?:is|will be|be|s|"
            r"is going to be) (?:at )?(?:home|in|in the house|"
            r"in my house|at my house|around|there)\b(?: (?:after|until|till|from|on|at|tonight|"
            r"today|tomorrow)(?: \w+){0,2})?"
        ),
        ("no", "nobody"),
    ),
    (
        _words(
            r"\b(?:home alone|on my own at home|by myself at home|alone at home|at home (?:on my "
            r"own|by myself|alone)|in the house (?:on my own|by myself|alone))\b"
        ),
        ("alone", "own", "myself"),
    ),
    (
        _words(
            r"\b(?:the|our|my) (?:house|home|flat) (?:is|will be|is going to be|s) (?:empty|on its "
            r"own|locked up|all empty)\b"
        ),
        ("empty", "own", "locked"),
    ),
    (
        _words(
            r"\b(?:mum|dad|mum and dad|my parents|parents|everyone|my mum|my dad|they|my family) "
            r"(?:is|are|will be|is going to be|are going to be) (?:out|away|at work|on holiday|not "
            r"home|not in) (?:until|all|tonight|every|from|on|after|this|for|at)\b(?: \w+){0,2}"
        ),
        ("out", "away", "work", "holiday", "home", "in"),
    ),
    (
        _words(
            r"\b(?:we|i) (?:are |am |will be |are going to be |am going to be |are going |am going "
            r"|are off )(?:away|on holiday|going away|abroad) (?:all|for|from|until|on|this|next|"
            r"over|during)(?: \w+){0,2}? (?:half term|holiday|holidays|week|weeks|weekend|summer|"
            r"easter|christmas|days|months|night|nights|saturday|sunday|friday|monday|tuesday|"
            r"wednesday|thursday)\b"
        ),
        ("away", "holiday", "abroad"),
    ),
    (
        _words(
            r"\bi (?:walk|go|cycle|get the bus|ride my bike) (?:home|to school|home from school) "
            r"(?:on my own|by myself|alone)\b"
        ),
        ("own", "myself", "alone"),
    ),
    (
        _words(
            r"\b(?:i|we) (?:will be|am going to be|are going to be|"
            r"will|am|are|go|always go|play|am "
            r"always|are always|will be playing|am going|are going) (?:at|to|in) (?:the )?(?:park|"
            r"rec|playground|pool|swimming pool|shop|shops|library|field|woods|beach|skate park|"
            r"club|cinema|bus stop|corner|station|leisure centre|\w+ park|\w+ rec) (?:at|on|every|"
            r"after|tonight|tomorrow|this|until)\b(?: \w+){0,2}"
        ),
        (
            "park",
            "rec",
            "playground",
            "pool",
            "shop",
            "shops",
            "library",
            "field",
            "woods",
            "beach",
            "club",
            "cinema",
            "stop",
            "corner",
            "station",
            "centre",
        ),
    ),
    (
        _words(
            r"\bmeet (?:me|us) (?:at|in|by|outside) (?:the )?\w+(?: \w+)? (?:at|on|after|tonight|"
            r"tomorrow|this)\b(?: \w+){0,2}"
        ),
        ("meet",),
    ),
)
_ALL_STREET_WORDS = _STREET_WORDS + "|close|drive|way|court|gardens|place|hill|row|square|walk"
_ADDRESS_WORDS_RE = _words(
    r"\b(?:live|lives|living|stay|stays|house is|home is|flat is|party is|come to my house|"
    r"come to my party|moved to|moving to) (?:on|in|at|near|by|to)? ?(?:the )?((?:[a-z]+ ){1,3}?)"
    rf"(?:{_ALL_STREET_WORDS})\b"
)
_NUMBER_WORD_ADDRESS_RE = _words(
    r"\b(?:number )?(?:\d{1,4}[a-z]?|(?:"
    + "|".join(NUMBER_WORDS)
    + r")(?: (?:"
    + "|".join(NUMBER_WORDS)
    + r"))?)"
    rf" ((?:[a-z]+ ){{1,2}}?)(?:{_ALL_STREET_WORDS})\b"
)
#: Words that show a child is talking about a home, so "22 oak close" is an address.
_HOME_CUE_RE = _words(r"\b(?:live|lives|house|home|party|address|come to|come round)\b")
_STREET_SET = frozenset(_ALL_STREET_WORDS.split("|")) | {"st", "rd", "ave", "dr", "ln"}
_USERNAME_WORDS = frozenset(
    "name username user gamertag gamer tag handle account id code channel nickname nick add "
    "friend follow find message subscribe play screen am".split()
)
_SCHOOL_WORDS = frozenset(
    "primary academy junior juniors infant infants school church community".split()
)
_TITLE_ONLY_STREET = frozenset("close drive way court gardens place hill row square walk".split())
#: "name at hotmail dot co dot uk": the words for @ and dot.
_MAIL_DOMAINS = frozenset(
    "gmail hotmail outlook yahoo icloud live btinternet sky aol protonmail mail me msn virgin "
    "talktalk googlemail".split()
)
_TOP_LEVEL = frozenset("com uk org net co me io edu gov ac sch info biz".split())

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
    "username": (
        "This looks like a username or a name you use in a game. Strangers could use it to "
        "find you, so please take it out. You could write “my game” instead."
    ),
    "password": (
        "This looks like a password or a code. Passwords are only for you and your grown-ups, "
        "so please take it out."
    ),
    "school": (
        "This names a school. On the blog we say “our school” so nobody can find out where "
        "we are every day."
    ),
    "birthday": (
        "Your birthday and your age together tell people exactly who you are. Try “my "
        "birthday is in the spring” instead."
    ),
    "whereabouts": (
        "This tells people where someone will be, or when a home is empty. Please take it "
        "out: it is safer to keep that private."
    ),
    "worry": (
        "Thank you for writing this. A grown-up who keeps children safe will read it and talk "
        "to you."
    ),
}

#: Better ways to say it, shown with the message (the teacher's queue shows them too).
SUGGESTIONS = {
    "username": "my game",
    "password": "my password is a secret",
    "school": "our school",
    "birthday": "my birthday is in the spring",
    "whereabouts": "after school",
    "address": "my road",
    "phone": "my phone",
    "email": "my email",
    "postcode": "where I live",
}


def _message(kind: str, found: str = "", suggestion: str | None = None) -> str:
    return MESSAGES[kind].format(found=found, suggestion=suggestion or "")


def _finding(kind: str, start: int, end: int, text: str, *, blocking: bool) -> Finding:
    return Finding(
        kind,
        start,
        end,
        _message(kind, text[start:end]),
        blocking=blocking,
        suggestion=SUGGESTIONS.get(kind),
    )


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


# --- Text speak ----------------------------------------------------------------------------

#: Words before a lone letter that make it a name: "Class R", "Year R", "Table U".
_LETTER_NAMERS = frozenset("class year group table team row set block vitamin grade form".split())
_INITIAL_RE = re.compile(r"\.?\s*(?:[A-Z]\.?\s*)*[A-Z][a-z]")


def _text_speak(text: str, plain: _Plain, skip: list[tuple[int, int]]) -> list[Finding]:
    """Text speak as whole words: not inside links, emails or words ("lolly", "u.example")."""
    findings = []
    for (start, end), key in zip(plain.spans, plain.keys, strict=True):
        suggestion = TEXT_SPEAK.get(key)
        if suggestion is None or not _stands_alone(text, start, end):
            continue
        if _overlaps(start, end, skip):
            continue
        found = text[start:end]
        if key in _LONE_LETTERS and (
            _is_named_letter(text, start, end) or _is_a_name(text, start, end)
        ):
            continue
        findings.append(
            Finding(
                "text_speak",
                start,
                end,
                _message("text_speak", found, suggestion),
                blocking=True,
                suggestion=suggestion,
            )
        )
    return findings


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Not joined to a link, an email, a path or a hyphenated word on either side."""
    before = text[start - 1] if start else " "
    after = text[end : end + 2]
    if before in "'’@.-/" or (after[:1] and after[0] in "'’@-/"):
        return False
    return not (after[:1] == "." and after[1:2].isalnum())


def _is_named_letter(text: str, start: int, end: int) -> bool:
    """'the letter u', or a letter in quotes, is a child writing about letters: not text speak."""
    before = text[max(0, start - 20) : start]
    after = text[end : end + 1]
    quoted = before[-1:] in {"'", '"', "‘", "“"} and after in {"'", '"', "’", "”"}
    return quoted or bool(_NAMED_LETTER_RE.search(before))


def _is_a_name(text: str, start: int, end: int) -> bool:
    """'Class R', 'Year R', or an initial ('R. Dahl', 'R L Stine') is a name, not text speak."""
    words = text[max(0, start - 12) : start].split()
    if words and words[-1].lower().strip(".,:") in _LETTER_NAMERS:
        return True
    return text[start:end].isupper() and bool(_INITIAL_RE.match(text, end, end + 12))


# --- Names ---------------------------------------------------------------------------------


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
        r"(?<![\w])(" + "|".join(alternatives) + r")(?:['’]?s|['’])?(?![\w])", re.IGNORECASE
    )
    return pattern, first_by_key


@lru_cache(maxsize=16)
def _surnames_by_first(names: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, ...]]:
    """Each known one-word first name with the one-word surnames that go with it."""
    result: dict[str, set[str]] = {}
    for first, last in names:
        first, last = (first or "").strip().lower(), (last or "").strip().lower()
        if first and last and " " not in first and " " not in last:
            result.setdefault(first, set()).add(last)
    return {first: tuple(sorted(lasts)) for first, lasts in result.items()}


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


def _after_class_word(text: str, start: int) -> bool:
    """'Class Mary Seacole', 'Year 6 Noah': a name after Class or Year names a class."""
    words = text[max(0, start - 10) : start].split()
    return bool(words) and words[-1].lower() in {"class", "year"}


def _full_names(
    text: str, plain: _Plain, known_names: tuple[tuple[str, str], ...]
) -> list[Finding]:
    pattern, first_by_key = _name_pattern(known_names)
    if pattern is None:
        return []
    findings = []
    for match in pattern.finditer(text):
        if _after_class_word(text, match.start()):
            continue
        first = first_by_key.get(_name_key(match.group(1)), match.group(1).split()[0])
        findings.append(_name_finding(match.start(), match.end(), match.group(1), first))
    findings += _misspelt_names(plain, known_names, [(f.start, f.end) for f in findings])
    return findings


def _name_finding(start: int, end: int, found: str, first: str) -> Finding:
    return Finding(
        "full_name",
        start,
        end,
        _message("full_name", found, first),
        blocking=True,
        suggestion=first,
    )


def _misspelt_names(
    plain: _Plain, known_names: tuple[tuple[str, str], ...], found: list[tuple[int, int]]
) -> list[Finding]:
    """'Ava Jonse', 'noah patels': a known first name then a surname one letter out."""
    surnames = _surnames_by_first(known_names)
    findings = []
    for index in range(len(plain.keys) - 1):
        lasts = surnames.get(plain.keys[index])
        if not lasts:
            continue
        start, end = plain.spans[index][0], plain.spans[index + 1][1]
        if _overlaps(start, end, found) or _after_class_word(plain.text, start):
            continue
        word = plain.keys[index + 1]
        candidates = {word, word.removesuffix("s")}
        for last in lasts:
            if len(last) >= 4 and any(
                OSA.distance(c, last, score_cutoff=1) <= 1 for c in candidates
            ):
                first = plain.text[plain.spans[index][0] : plain.spans[index][1]]
                findings.append(_name_finding(start, end, plain.text[start:end], first))
                break
    return findings


# --- Email, phone, postcode, address ----------------------------------------------------------


def _emails(text: str, plain: _Plain) -> list[Finding]:
    findings = [
        _finding("email", m.start(), m.end(), text, blocking=True)
        for m in (_EMAIL_RE.finditer(text) if "@" in text else ())
    ]
    taken = [(f.start, f.end) for f in findings]
    keys = plain.keys
    for index, key in enumerate(keys):
        if key != "at" or index == 0 or index + 3 > len(keys):
            continue
        end = _spelt_domain_end(plain, index + 1)
        if end is None:
            continue
        start = plain.spans[index - 1][0]
        if not _overlaps(start, end, taken):
            findings.append(_finding("email", start, end, text, blocking=True))
    return findings


def _spelt_domain_end(plain: _Plain, index: int) -> int | None:
    """Where "hotmail dot co dot uk" (or "hotmail.co.uk") after "at" ends, if it is a domain."""
    keys, text = plain.keys, plain.text
    parts, position = 0, index
    while position < len(keys):
        parts += 1
        position += 1
        if position + 1 < len(keys) and keys[position] == "dot":
            position += 1
            continue
        if (
            position < len(keys)
            and text[plain.spans[position - 1][1] : plain.spans[position][0]] == "."
        ):
            continue
        break
    handle = keys[index - 2]
    looks_like_mail = keys[index] in _MAIL_DOMAINS or bool(re.search(r"[\d_.]", handle))
    if parts >= 2 and keys[position - 1] in _TOP_LEVEL and looks_like_mail:
        return plain.spans[position - 1][1]
    return None


_DIGIT_RUN_RE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\))?\s?)?\(?\d[\d \-().]{6,28}\d(?!\d)")


def _phone_digits(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip().startswith("+"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def _looks_like_uk_phone(raw: str, context: str) -> bool:
    digits = _phone_digits(raw)
    if 10 <= len(digits) <= 11 and digits[0] == "0" and digits[1] != "0":
        return True
    # A mobile number written without its leading 0 ("7700 900123"), near a phone word.
    return len(digits) == 10 and digits[0] == "7" and bool(_PHONE_WORD_RE.search(context))


_PHONE_WORD_RE = re.compile(
    r"\b(?:phone|fone|number|numba|mobile|call|ring|text|whatsapp|facetime)\b", re.IGNORECASE
)


def _phones(text: str, skip: list[tuple[int, int]]) -> list[Finding]:
    findings = []
    for match in _DIGIT_RUN_RE.finditer(text):
        raw = match.group(0).rstrip(" -(.")
        context = text[max(0, match.start() - 40) : match.start()]
        # The run may have swallowed a number that follows ("07700900123 12 times"): trim it.
        while raw and not _looks_like_uk_phone(raw, context) and re.search(r"\s", raw):
            raw = re.sub(r"\s*\S+$", "", raw)
        if not raw or not _looks_like_uk_phone(raw, context):
            continue
        end = match.start() + len(raw)
        if _overlaps(match.start(), end, skip):
            continue
        findings.append(_finding("phone", match.start(), end, text, blocking=True))
    return findings


def _postcodes(text: str, skip: list[tuple[int, int]]) -> list[Finding]:
    return [
        _finding("postcode", m.start(), m.end(), text, blocking=True)
        for m in _POSTCODE_RE.finditer(text)
        if not _overlaps(m.start(), m.end(), skip)
    ]


class _Sentences:
    """Where sentences start in the child's text, and where game words are, for context."""

    def __init__(self, plain: _Plain) -> None:
        self.plain = plain
        self._breaks: list[int] | None = None
        self._games: list[int] | None = None

    @property
    def breaks(self) -> list[int]:
        if self._breaks is None:
            self._breaks = [m.start() for m in _SENTENCE_END_RE.finditer(self.plain.text)]
        return self._breaks

    @property
    def games(self) -> list[int]:
        if self._games is None:
            self._games = [
                self.plain.span_of(*m.span())[0] for m in _GAME_RE.finditer(self.plain.plain)
            ]
        return self._games

    def in_a_game(self, position: int) -> bool:
        """A game word earlier in the same sentence: "my house in Bloxburg is 3 Rose Street"."""
        sentence_start = (
            self.breaks[bisect_right(self.breaks, position) - 1]
            if self.breaks and self.breaks[0] < position
            else 0
        )
        index = bisect_right(self.games, position) - 1
        return index >= 0 and self.games[index] >= sentence_start


def _addresses(text: str, plain: _Plain, sentences: _Sentences) -> list[Finding]:
    findings = []
    for match in _ADDRESS_RE.finditer(text):
        between = match.group(1).lower().split()
        if any(word in _NOT_A_HOUSE for word in between) or sentences.in_a_game(match.start()):
            continue
        findings.append(_finding("address", match.start(), match.end(), text, blocking=True))
    taken = [(f.start, f.end) for f in findings]
    for pattern in (_ADDRESS_WORDS_RE, _NUMBER_WORD_ADDRESS_RE) if plain.has(*_STREET_SET) else ():
        for match in pattern.finditer(plain.plain):
            between = match.group(1).split()
            if not between or any(word in _NOT_A_HOUSE for word in between):
                continue
            name_start = match.start(1)
            start, end = plain.span_of(name_start, match.end())
            if pattern is _NUMBER_WORD_ADDRESS_RE:
                start = plain.span_of(match.start(), match.end())[0]
            street = text[plain.span_of(match.end() - 1, match.end())[0] : end]
            if (
                street.lower() in _TITLE_ONLY_STREET
                and not street[:1].isupper()
                and not _HOME_CUE_RE.search(plain.plain, max(0, match.start() - 60), match.start())
            ):
                continue
            if _overlaps(start, end, taken) or sentences.in_a_game(start):
                continue
            findings.append(_finding("address", start, end, text, blocking=True))
            taken.append((start, end))
    return findings


# --- Unkind words ----------------------------------------------------------------------------


def _unkind(text: str, plain: _Plain) -> list[Finding]:
    spans = []
    for index, key in enumerate(plain.keys):
        word = _unkind_word(_usual_spelling(key))
        if word is None or (word in AIMED_ONLY and not _aimed(plain, index)):
            continue
        spans.append(plain.spans[index])
    for match in _UNKIND_PHRASE_RE.finditer(plain.plain):
        spans.append(plain.span_of(match.start(), match.end()))
    if not spans:
        return []
    titles = [plain.span_of(*m.span()) for m in _STORY_TITLE_RE.finditer(plain.plain)]
    titles += [m.span() for m in _QUOTED_RE.finditer(text)]
    titles += [m.span() for m in _TITLE_CASE_RE.finditer(text) if " " in m.group(0)]
    findings: list[Finding] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if _overlaps(start, end, titles) or (findings and start < findings[-1].end):
            continue
        findings.append(_unkind_finding(text, start, end))
    return findings


@lru_cache(maxsize=4096)
def _unkind_word(word: str) -> str | None:
    """The unkind word this is, with its endings ("idiots", "stupidest"), or None."""
    if word in _UNKIND_SINGLE:
        return word
    for ending in _UNKIND_ENDINGS:
        if word.endswith(ending) and word[: -len(ending)] in _UNKIND_SINGLE:
            return word[: -len(ending)]
    return None


_UNKIND_ENDINGS = ("s", "es", "er", "ers", "est", "ed", "ing")


#: Single unkind words (the words of the unkind phrases are only unkind together).
_UNKIND_SINGLE = (frozenset(UNKIND_WORDS) - {w for p in _UNKIND_PHRASES for w in p.split()}) | {
    "losers",
    "fatso",
    "dummies",
    "freaks",
}


def _word_at(plain: _Plain, position: int) -> int:
    """The index of the word that starts at (or just before) a place in the text."""
    return max(0, bisect_right(plain.spans, (position, len(plain.text) + 1)) - 1)


def _aimed(plain: _Plain, index: int) -> bool:
    """'you dummy', 'they are losers', not 'the baby's dummy' or 'we were the losers'."""
    before = plain.keys[max(0, index - 3) : index]
    return any(word in AIMING_WORDS for word in before) and "we" not in before


def _unkind_finding(text: str, start: int, end: int) -> Finding:
    found = text[start:end]
    return Finding("unkind", start, end, _message("unkind", found), blocking=False)


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


# --- Worries -----------------------------------------------------------------------------------


def _worries(plain: _Plain) -> list[Finding]:
    """What a child may be telling us about their safety: never blocking, always heard."""
    spans = [plain.span_of(*m.span()) for m in _WORRY_RE.finditer(plain.plain)]
    if not plain.has(*_ONLINE_WORDS):
        return [_finding("worry", s, e, plain.text, blocking=False) for s, e in _merge(spans)]
    for start, end in plain.sentence_bounds():
        sentence = plain.plain[start:end]
        online = _ONLINE_RE.search(sentence) or _STRANGER_RE.search(sentence)
        if not online:
            continue
        if _HUSH_RE.search(sentence) or _PICTURE_RE.search(sentence) or _MEET_RE.search(sentence):
            spans.append(plain.span_of(start, end))
    return [
        _finding("worry", start, end, plain.text, blocking=False) for start, end in _merge(spans)
    ]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- Usernames, passwords, schools, birthdays, whereabouts -----------------------------------


def _usernames(text: str, plain: _Plain, skip: list[tuple[int, int]]) -> list[Finding]:
    spans = []
    for pattern in _USERNAME_RES if plain.has(*_USERNAME_WORDS) else ():
        for match in pattern.finditer(plain.plain):
            handle = match.group(1) if match.lastindex else None
            if pattern.pattern.startswith(r"\bi am") and not re.search(r"[\d_]", handle or ""):
                continue
            if handle in NOT_A_SECRET and not pattern.pattern.startswith(r"\b(?:add|friend"):
                continue
            spans.append(plain.span_of(match.start(), match.end()))
    spans += [m.span() for m in (_HANDLE_RE.finditer(text) if "@" in text else ())]
    return [
        _finding("username", start, end, text, blocking=True)
        for start, end in _merge(spans)
        if not _overlaps(start, end, skip)
    ]


def _passwords(text: str, plain: _Plain) -> list[Finding]:
    findings: list[Finding] = []
    if not plain.has("password", "passcode", "pass", "pin", "login", "log", "code"):
        return findings
    for match in _PASSWORD_RE.finditer(plain.plain):
        owner, word, verb, given = match.groups()
        if given in NOT_A_SECRET or given == "|":
            continue
        has_digit = bool(re.search(r"\d", given))
        if (word == "code" or not (verb and owner)) and not has_digit:
            continue
        start, end = plain.span_of(match.start(), match.end())
        findings.append(_finding("password", start, end, text, blocking=True))
    return findings


def _schools(text: str, plain: _Plain, school_name: str | None) -> list[Finding]:
    spans = []
    named = plain.has(*_SCHOOL_WORDS)
    for match in _SCHOOL_NAMED_RE.finditer(plain.plain) if named else ():
        words = match.group(1).split()
        if words[-1] in NOT_A_SCHOOL_NAME or words[0] in NOT_A_SCHOOL_NAME:
            continue
        spans.append(plain.span_of(match.start(1), match.end()))
    spans += [m.span() for m in (_SCHOOL_TITLE_RE.finditer(text) if named else ())]
    for word in _school_words(school_name or ""):
        for index, key in enumerate(plain.keys):
            if key == word or (
                len(word) >= 6
                and abs(len(key) - len(word)) <= 1
                and OSA.distance(key, word, score_cutoff=1) <= 1
                and not _is_english(key)
            ):
                spans.append(plain.spans[index])
    return [_finding("school", s, e, text, blocking=True) for s, e in _merge(spans)]


@lru_cache(maxsize=4)
def _school_words(name: str) -> tuple[str, ...]:
    """The words that make the school's name its own ("meadowbank"), not "primary school"."""
    generic = {"primary", "school", "academy", "junior", "infant", "the", "of", "and", "st"}
    generic |= {"saint", "church", "c", "e", "ce", "cofe", "community", "england", "catholic"}
    generic |= {"rc", "free", "junior", "infants", "juniors", "federation", "trust"}
    words = [w.lower().strip(".,'’") for w in name.split()]
    return tuple(w for w in words if len(w) >= 4 and w not in generic)


def _birthdays(text: str, plain: _Plain) -> list[Finding]:
    if not plain.has("born", "birthday", "birth"):
        return []
    spans = [plain.span_of(*m.span()) for m in _BIRTHDAY_DATE_RE.finditer(plain.plain)]
    for start, end in plain.sentence_bounds():
        sentence = plain.plain[start:end]
        cue = _BIRTHDAY_RE.search(sentence)
        age = _AGE_RE.search(sentence)
        if cue and age:
            first, last = min(cue.start(), age.start()), max(cue.end(), age.end())
            spans.append(plain.span_of(start + first, start + last))
    return [_finding("birthday", s, e, text, blocking=True) for s, e in _merge(spans)]


def _whereabouts(text: str, plain: _Plain) -> list[Finding]:
    spans = []
    for pattern, needs in _WHEREABOUTS_RES:
        if not plain.has(*needs):
            continue
        for match in pattern.finditer(plain.plain):
            start, end = plain.span_of(match.start(), match.end())
            if text[start:end].startswith("Home Alone"):
                continue  # the film
            spans.append((start, end))
    return [_finding("whereabouts", s, e, text, blocking=True) for s, e in _merge(spans)]


# --- All of them -------------------------------------------------------------------------------


def check_text(
    text: str,
    known_names: Iterable[Sequence[str]] = (),
    *,
    allowed: Iterable[str] = (),
    school_name: str | None = None,
) -> list[Finding]:
    """Every finding in the text, in reading order: personal details, text speak, unkind words.

    `allowed` holds words and phrases the class's teacher said are fine (a worry is never
    dropped by it). The school's own name comes from the settings inside an app.
    """
    text = (text or "")[:MAX_CHECK_CHARS]
    names = tuple(sorted((first, last) for first, last in known_names))
    if school_name is None and has_app_context():
        school_name = current_app.config.get("SCHOOL_NAME")
    plain = _plain(text)
    sentences = _Sentences(plain)
    emails = _emails(text, plain)
    links = [(m.start(), m.end()) for m in _URL_RE.finditer(text)]
    email_spans = [(f.start, f.end) for f in emails]
    phones = _phones(text, email_spans + links)
    findings = [
        *emails,
        *phones,
        *_postcodes(text, email_spans + links),
        *_addresses(text, plain, sentences),
        *_full_names(text, plain, names),
        *_text_speak(text, plain, email_spans + links + [(f.start, f.end) for f in phones]),
        *_unkind(text, plain),
        *_shouting(text),
        *_worries(plain),
        *_usernames(text, plain, email_spans + links),
        *_passwords(text, plain),
        *_schools(text, plain, school_name),
        *_birthdays(text, plain),
        *_whereabouts(text, plain),
    ]
    fine = {_allow_key(word) for word in allowed if _allow_key(word)}
    if fine:
        findings = [
            f
            for f in findings
            if f.kind == "worry" or _allow_key(text[f.start : f.end]) not in fine
        ]
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))


def _allow_key(words: str) -> str:
    """How an allowed word is compared: lower case, single spaces, no quotes or end marks."""
    return " ".join(words.lower().replace("’", "'").strip(" .,!?'\"“”").split())


def allow_key(words: str) -> str:
    return _allow_key(words)


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop writing being sent until they are changed."""
    return [f for f in findings if f.blocking]


class WritingNeedsChanges(DomainError):
    """Something in the writing must change first; `problems` maps each field to its findings."""

    def __init__(self, problems: dict[str, list[Finding]], sending: bool) -> None:
        message = (
            "Please change the parts explained below, then send it again."
            if sending
            else "Please take out the private details explained below, then save again."
        )
        super().__init__(message, field=next(iter(problems), None))
        self.problems = problems
