""" "Can I sign up?": the minimum ages in popular apps' own rules, and a kind answer for a child.

The policy asks the school to teach that pupils must not join sites whose minimum age is above
their own; this turns data/app_ages.yaml into a yes-or-not-yet answer for one pupil's age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

APP_AGES_FILE = Path(__file__).resolve().parent / "data" / "app_ages.yaml"
_FIELDS = ("name", "minimum_age", "kind", "note", "source")
#: Ages offered when an adult previews the answer (Reception to beyond Year 6).
PREVIEW_AGES = tuple(range(4, 19))


@dataclass(frozen=True)
class AppAge:
    name: str
    minimum_age: int
    #: "app", "game", "site", "video", ... as the data file says.
    kind: str
    #: A plain-words note on the rule (e.g. a younger version exists, or a parent must agree).
    note: str
    #: Where the minimum age comes from (the app's terms).
    source: str

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class Verdict:
    """The answer for one app and one age, in words a child can read."""

    app: AppAge
    age: int
    allowed: bool
    headline: str
    reasons: tuple[str, ...]

    @property
    def years_to_wait(self) -> int:
        return max(0, self.app.minimum_age - self.age)


class AppAgesError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_app_ages(path: Path = APP_AGES_FILE) -> list[AppAge]:
    """Read and check the data file; raise AppAgesError naming the entry and the field."""
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AppAgesError([f"{name}: the file is missing ({path})"]) from None
    except yaml.YAMLError as error:
        raise AppAgesError([f"{name}: is not valid YAML: {error}"]) from None
    if not isinstance(data, list):
        raise AppAgesError([f"{name}: must be a list of apps"])
    problems: list[str] = []
    apps: list[AppAge] = []
    for n, item in enumerate(data):
        where = f"{name}: [{n}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must have {', '.join(_FIELDS)}")
            continue
        for unknown in sorted(set(item) - set(_FIELDS), key=str):
            problems.append(f"{where}.{unknown} is not a known field")
        entry_ok = True
        for key in ("name", "kind", "note", "source"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}.{key} is missing")
                entry_ok = False
        age = item.get("minimum_age")
        if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 21:
            problems.append(f"{where}.minimum_age must be a whole number of years (0 to 21)")
            entry_ok = False
        if entry_ok:
            apps.append(
                AppAge(
                    name=item["name"].strip(),
                    minimum_age=age,
                    kind=item["kind"].strip(),
                    note=item["note"].strip(),
                    source=item["source"].strip(),
                )
            )
    slugs = [app.slug for app in apps]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.append(f"{name}: more than one entry is called {slug!r}")
    if len(data) < 25:
        problems.append(f"{name}: has {len(data)} apps; the school asked for at least 25")
    if problems:
        raise AppAgesError(problems)
    return sorted(apps, key=lambda app: app.name.lower())


@cache
def app_ages() -> tuple[AppAge, ...]:
    """The package's data file, loaded once per process."""
    return tuple(load_app_ages(APP_AGES_FILE))


def find_app(slug: str) -> AppAge | None:
    return next((app for app in app_ages() if app.slug == slug), None)


def sign_up_verdict(app: AppAge, age: int) -> Verdict:
    """May someone of this age join this app by its own rules? Always kind, never scary."""
    years = "year" if app.minimum_age - age == 1 else "years"
    if app.minimum_age == 0:
        return Verdict(
            app,
            age,
            True,
            f"{app.name}'s rules do not set a minimum age.",
            (
                "That does not mean it is all for children: read the note below with a grown-up.",
                "Ask a grown-up at home before you sign up, and set it up together.",
                "Keep your account private and never share your password.",
            ),
        )
    if age >= app.minimum_age:
        return Verdict(
            app,
            age,
            True,
            f"Yes, {app.name}'s rules say you are old enough.",
            (
                f"{app.name} says people must be {app.minimum_age} or older, and you are {age}.",
                "Still ask a grown-up at home before you sign up, and set it up together.",
                "Keep your account private and never share your password.",
            ),
        )
    return Verdict(
        app,
        age,
        False,
        f"Not yet. {app.name} is for people aged {app.minimum_age} and over.",
        (
            f"You are {age}, so you need to wait {app.minimum_age - age} more {years}.",
            "The age rule is there to keep children safe, not because you did anything wrong.",
            "Please do not sign up, even if friends have. Ask a grown-up to help you find "
            "something made for your age.",
        ),
    )
