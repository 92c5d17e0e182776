""" "Can I sign up?": what popular apps' own rules, their age ratings and the law say, and a kind
answer for a child.

The policy asks the school to teach that pupils must not join sites whose minimum age is above
their own. One number per app is not enough: a game can have no minimum age and still be rated
PEGI 12; an app for 13s can start chat, messages, livestreams or its AI chatbot later; a kids'
version may exist; and a country's law can set a higher bar (Australia's under-16 rule). This
turns data/app_ages.yaml into a yes-or-not-yet answer that weighs all of these, in plain words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from .datafiles import DataFileError, read_data_file

APP_AGES_FILE = Path(__file__).resolve().parent / "data" / "app_ages.yaml"
_REQUIRED = ("name", "minimum_age", "kind", "note", "source")
_OPTIONAL = (
    "rating",
    "rating_age",
    "features",
    "younger_version",
    "countries",
    "checked",
    "checked_by",
)
#: Ages offered when an adult previews the answer (Reception to beyond Year 6).
PREVIEW_AGES = tuple(range(4, 19))
#: Countries an adult may preview; the school's own comes from the SCHOOL_COUNTRY setting.
COUNTRIES = {
    "GB": "the UK",
    "IE": "Ireland",
    "AU": "Australia",
    "US": "the United States",
}
DEFAULT_COUNTRY = "GB"
#: Parts of an app that can start at an older age than the app itself, in words a child reads.
FEATURES = {
    "chat": "chatting with other players",
    "messaging": "private messages",
    "livestreaming": "going live",
    "ai_chatbot": "its AI chatbot",
}
#: An app's rules are checked again at least this often; `lessons check` warns after that.
RECHECK_DAYS = 365


@dataclass(frozen=True)
class CountryRule:
    """Where a country's law (or the app's terms there) sets a different age."""

    age: int
    #: Why, in plain words (e.g. "Australian law says under-16s cannot have an account").
    why: str


@dataclass(frozen=True)
class AppAge:
    name: str
    #: The youngest age for one's OWN account under the app's terms in the UK (0: none set).
    minimum_age: int
    #: "app", "game", "site", "video", ... as the data file says.
    kind: str
    #: A plain-words note on the rule (e.g. a younger version exists, or a parent must agree).
    note: str
    #: Where the minimum age comes from (the app's terms).
    source: str
    #: A content rating such as "PEGI 12", and the age it names.
    rating: str | None = None
    rating_age: int | None = None
    #: Parts of the app that start later: FEATURES key -> age.
    features: dict[str, int] = field(default_factory=dict, hash=False)
    #: A parent-managed or kids' version, named so a child can ask for it.
    younger_version: str | None = None
    #: Country code -> a different age, where the law there (or the app's terms) differs.
    countries: dict[str, CountryRule] = field(default_factory=dict, hash=False)
    #: When someone last checked these facts against the app's own pages, and who.
    checked: date | None = None
    checked_by: str | None = None

    @property
    def slug(self) -> str:
        plain = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")

    def account_age(self, country: str) -> int:
        rule = self.countries.get(country)
        return max(self.minimum_age, rule.age) if rule else self.minimum_age


@dataclass(frozen=True)
class Verdict:
    """The answer for one app, age and country, in words a child can read."""

    app: AppAge
    age: int
    allowed: bool
    headline: str
    reasons: tuple[str, ...]
    country: str = DEFAULT_COUNTRY

    @property
    def years_to_wait(self) -> int:
        return max(0, self.app.account_age(self.country) - self.age)


class AppAgesError(DataFileError):
    """The app-age file is wrong; `problems` names each entry and field."""


def _age(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 21


def _optional(item: dict, where: str, problems: list[str]) -> dict:
    """Check the optional fields of one entry; return them ready for AppAge."""
    found: dict = {}
    rating, rating_age = item.get("rating"), item.get("rating_age")
    if (rating is None) != (rating_age is None):
        problems.append(f"{where}.rating and rating_age go together (e.g. 'PEGI 12' and 12)")
    elif rating is not None:
        if not isinstance(rating, str) or not rating.strip() or not _age(rating_age):
            problems.append(f"{where}.rating must be text and rating_age an age (0 to 21)")
        else:
            found.update(rating=rating.strip(), rating_age=rating_age)
    features = item.get("features") or {}
    if not isinstance(features, dict):
        problems.append(f"{where}.features must be a list of 'feature: age' lines")
        features = {}
    for key, value in features.items():
        if key not in FEATURES:
            problems.append(f"{where}.features.{key} is not one of {', '.join(FEATURES)}")
        elif not _age(value):
            problems.append(f"{where}.features.{key} must be an age (0 to 21)")
    found["features"] = {k: v for k, v in features.items() if k in FEATURES and _age(v)}
    younger = item.get("younger_version")
    if younger is not None:
        if not isinstance(younger, str) or not younger.strip():
            problems.append(f"{where}.younger_version must be text")
        else:
            found["younger_version"] = younger.strip()
    countries = item.get("countries") or {}
    rules: dict[str, CountryRule] = {}
    if not isinstance(countries, dict):
        problems.append(f"{where}.countries must be a list of country codes")
        countries = {}
    for code, rule in countries.items():
        if code not in COUNTRIES:
            problems.append(f"{where}.countries.{code} is not one of {', '.join(COUNTRIES)}")
        elif not isinstance(rule, dict) or not _age(rule.get("age")) or not rule.get("why"):
            problems.append(f"{where}.countries.{code} needs an age and a why")
        else:
            rules[code] = CountryRule(rule["age"], str(rule["why"]).strip())
    found["countries"] = rules
    checked = item.get("checked")
    if checked is not None:
        if not isinstance(checked, date):
            problems.append(f"{where}.checked must be a date like 2026-12-03")
        else:
            found["checked"] = checked
    checked_by = item.get("checked_by")
    if checked_by is not None:
        if not isinstance(checked_by, str) or not checked_by.strip():
            problems.append(f"{where}.checked_by must say who checked it")
        else:
            found["checked_by"] = checked_by.strip()
    elif checked is not None:
        problems.append(f"{where}.checked_by is missing: say who checked it")
    return found


def load_app_ages(path: Path = APP_AGES_FILE) -> list[AppAge]:
    """Read and check the data file; raise AppAgesError naming the entry and the field."""
    name = path.name
    data = read_data_file(path, AppAgesError)
    if not isinstance(data, list):
        raise AppAgesError([f"{name}: must be a list of apps"])
    problems: list[str] = []
    apps: list[AppAge] = []
    for n, item in enumerate(data):
        where = f"{name}: [{n}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must have {', '.join(_REQUIRED)}")
            continue
        for unknown in sorted(set(item) - set(_REQUIRED) - set(_OPTIONAL), key=str):
            problems.append(f"{where}.{unknown} is not a known field")
        entry_ok = True
        for key in ("name", "kind", "note", "source"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}.{key} is missing")
                entry_ok = False
        age: Any = item.get("minimum_age")  # a YAML value: _age checks it
        if not _age(age):
            problems.append(f"{where}.minimum_age must be a whole number of years (0 to 21)")
            entry_ok = False
        extra = _optional(item, where, problems)
        if entry_ok:
            apps.append(
                AppAge(
                    name=item["name"].strip(),
                    minimum_age=age,
                    kind=item["kind"].strip(),
                    note=item["note"].strip(),
                    source=item["source"].strip(),
                    **extra,
                )
            )
    slugs = [app.slug for app in apps]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.append(f"{name}: more than one entry is called {slug!r}")
    if len(data) < 50:
        problems.append(f"{name}: has {len(data)} apps; the school asked for at least 50")
    if problems:
        raise AppAgesError(problems)
    return sorted(apps, key=lambda app: app.name.lower())


def stale_apps(apps: list[AppAge], today: date) -> list[str]:
    """Warnings (not failures) for `lessons check`: facts never checked, or over a year old."""
    never = [app.name for app in apps if app.checked is None]
    old = [
        f"{app.name} (checked {app.checked.isoformat()})"
        for app in apps
        if app.checked is not None and (today - app.checked).days > RECHECK_DAYS
    ]
    warnings = []
    if never:
        warnings.append(f"app ages: {len(never)} apps have no checked date: {', '.join(never)}")
    if old:
        warnings.append(f"app ages: checked over a year ago: {', '.join(old)}")
    return warnings


@cache
def app_ages() -> tuple[AppAge, ...]:
    """The package's data file, loaded once per process."""
    return tuple(load_app_ages(APP_AGES_FILE))


def find_app(slug: str) -> AppAge | None:
    return next((app for app in app_ages() if app.slug == slug), None)


def _later_features(app: AppAge, age: int) -> str | None:
    later = [
        f"{FEATURES[key]} at {feature_age}"
        for key, feature_age in sorted(app.features.items(), key=lambda kv: kv[1])
        if feature_age > age and feature_age > app.minimum_age
    ]
    if not later:
        return None
    return "Some parts start later: " + ", ".join(later) + "."


def sign_up_verdict(app: AppAge, age: int, country: str = DEFAULT_COUNTRY) -> Verdict:
    """May someone of this age, in this country, join this app? Always kind, never scary.

    The bar is the highest of the app's own minimum age and the country's law; a game's age
    rating (PEGI) then decides whether it suits the child even where joining is allowed.
    """
    country = country if country in COUNTRIES else DEFAULT_COUNTRY
    rule = app.countries.get(country)
    needed = app.account_age(country)
    if age < needed:
        wait = needed - age
        years = "year" if wait == 1 else "years"
        reasons = []
        if app.younger_version:
            reasons.append(f"You can ask your grown-up about {app.younger_version}.")
        reasons.append(
            f"You are {age}, so for your own account you need to wait {wait} more {years}."
        )
        if rule and rule.age > app.minimum_age:
            reasons.append(rule.why)
        reasons += [
            "The age rule is there to keep children safe, not because you did anything wrong.",
            "Please do not sign up, even if friends have."
            + (
                ""
                if app.younger_version
                else " Ask a grown-up to help you find something made for your age."
            ),
        ]
        return Verdict(
            app,
            age,
            False,
            f"Not yet. {app.name} is for people aged {needed} and over.",
            tuple(reasons),
            country,
        )
    if app.rating_age is not None and age < app.rating_age:
        return Verdict(
            app,
            age,
            False,
            f"Not yet: {app.name} is rated {app.rating}.",
            (
                f"{app.rating} means it is made for people aged {app.rating_age} and over, "
                f"and you are {age}.",
                "Ask your grown-up about games for your age.",
            ),
            country,
        )
    later = _later_features(app, age)
    rated = (
        f"It is rated {app.rating}, which suits your age."
        if app.rating and app.rating_age is not None
        else None
    )
    if needed == 0:
        reasons = [
            "That does not mean it is all for children: read the note below with a grown-up.",
            "Ask a grown-up at home before you sign up, and set it up together.",
        ]
        headline = f"{app.name}'s rules do not set a minimum age."
    else:
        reasons = [
            f"{app.name} says people must be {needed} or older, and you are {age}.",
            "Still ask a grown-up at home before you sign up, and set it up together.",
        ]
        headline = f"Yes, {app.name}'s rules say you are old enough."
    reasons += [r for r in (rated, later) if r]
    reasons.append("Keep your account private and never share your password.")
    return Verdict(app, age, True, headline, tuple(reasons), country)
