"""The one list of the app's features and what each plugs in.

The app factory registers their blueprints (and with them their `flask <feature> ...` commands,
attached to `bp.cli`); the header, home page and class page show their links and tiles; the demo
seeds them; subject access, retention and erasure ask each one's records provider. Adding a
feature is one entry here. `tests/test_features.py` fails when a feature's tables hold personal
data and it has no records provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from flask import Blueprint


@dataclass(frozen=True)
class Feature:
    """One feature: its blueprint, and the optional parts it plugs into the rest of the app."""

    name: str
    blueprint: Blueprint
    #: A module with `subject_records(subject)` and `retention_due(schedule, on)`, and for
    #: features that hold a pupil's own work, `erasable_work(pupil)` (see records.providers).
    records: ModuleType | None = None
    #: Seeds the demo school's records for this feature (`flask demo`).
    demo: Callable[[Any], None] | None = None
    #: Templates: links in the main navigation, tiles on the home page and on a class page,
    #: and a line in the footer of every signed-in page.
    nav: str | None = None
    home: str | None = None
    class_page: str | None = None
    footer: str | None = None
    #: "Needs you": what is waiting for one adult in this feature (esafety.needs).
    needs: Callable[[Any], list[Any]] | None = None
    #: Says whether one person may not act on another's account because this feature holds a
    #: record about them the first may not open (auth.accounts asks every feature's guard).
    account_guard: Callable[[Any, Any], bool] | None = None
    #: People whose home page shows this feature's tile first (a parent's evenings).
    home_first_for: tuple[Any, ...] = ()
    #: A quick job that is safe to run often, as (its lock's name, the function): the mail
    #: worker runs it every few minutes, so it happens without cron (esafety.periodic).
    periodic: tuple[str, Callable[[], Any]] | None = None


@cache
def all_features() -> tuple[Feature, ...]:
    """Every feature, in the order their links, tiles, exports and deletions come.

    Imported here, not at the top, because the records feature itself reads this list.
    """
    from . import (
        governance,
        induction,
        lessons,
        meetings,
        news,
        records,
        safeguarding,
        sandbox,
        school,
    )
    from .auth.roles import Role
    from .governance import demo as governance_demo
    from .governance import records as governance_records
    from .induction import demo as induction_demo
    from .induction import needs as induction_needs
    from .induction import records as induction_records
    from .lessons import demo as lessons_demo
    from .lessons import records as lessons_records
    from .meetings import demo as meetings_demo
    from .meetings import records as meetings_records
    from .news import demo as news_demo
    from .news import records as news_records
    from .records import audit_records
    from .safeguarding import demo as safeguarding_demo
    from .safeguarding import needs as safeguarding_needs
    from .safeguarding import records as safeguarding_records
    from .safeguarding import services as safeguarding_services
    from .sandbox import demo as sandbox_demo
    from .sandbox import needs as sandbox_needs
    from .sandbox import records as sandbox_records
    from .sandbox import waiting as sandbox_waiting
    from .school import records as school_records

    return (
        Feature(
            "school",
            school.bp,
            records=school_records,
            nav="school/_nav.html",
            home="school/_home.html",
        ),
        Feature(
            "lessons",
            lessons.bp,
            records=lessons_records,
            demo=lessons_demo.seed,
            nav="lessons/_nav.html",
            home="lessons/_home.html",
            class_page="lessons/_class.html",
        ),
        Feature(
            "sandbox",
            sandbox.bp,
            records=sandbox_records,
            demo=sandbox_demo.seed,
            needs=sandbox_needs.needs_you,
            periodic=(sandbox_waiting.JOB, sandbox_waiting.notice_long_waits),
            nav="sandbox/_nav.html",
            home="sandbox/_home.html",
            class_page="sandbox/_class.html",
        ),
        Feature(
            "news",
            news.bp,
            records=news_records,
            demo=news_demo.seed,
            nav="news/_nav.html",
            home="news/_home.html",
        ),
        Feature(
            "meetings",
            meetings.bp,
            records=meetings_records,
            demo=meetings_demo.seed,
            nav="meetings/_nav.html",
            home="meetings/_home.html",
            home_first_for=(Role.PARENT,),
        ),
        Feature(
            "induction",
            induction.bp,
            records=induction_records,
            demo=induction_demo.seed,
            class_page="induction/_class.html",
            needs=induction_needs.needs_you,
            nav="induction/_nav.html",
            home="induction/_home.html",
        ),
        Feature(
            "safeguarding",
            safeguarding.bp,
            records=safeguarding_records,
            demo=safeguarding_demo.seed,
            needs=safeguarding_needs.needs_you,
            account_guard=safeguarding_services.has_hidden_concern_about,
            nav="safeguarding/_nav.html",
            home="safeguarding/_home.html",
            class_page="safeguarding/_class.html",
            footer="safeguarding/_footer.html",
        ),
        Feature(
            "governance",
            governance.bp,
            records=governance_records,
            demo=governance_demo.seed,
            nav="governance/_nav.html",
        ),
        # Last: its provider deletes old audit entries after every feature has written its own.
        Feature("records", records.bp, records=audit_records),
    )


def needs_providers() -> list[Callable[[Any], list[Any]]]:
    """Safeguarding first: a child's safety leads the list (esafety.needs reads them)."""
    found = [f for f in all_features() if f.needs is not None]
    found.sort(key=lambda f: f.name != "safeguarding")
    return [f.needs for f in found if f.needs is not None]


def periodic_jobs() -> list[tuple[str, Callable[[], Any]]]:
    return [f.periodic for f in all_features() if f.periodic is not None]


def account_guards() -> list[Callable[[Any, Any], bool]]:
    return [f.account_guard for f in all_features() if f.account_guard is not None]


def records_providers() -> list[ModuleType]:
    """Handed to the app by create_app; esafety.personal_data.providers() reads them there.
    The core's outbox keeps records about people too, so it answers beside the features."""
    from .mail import records as mail_records

    return [*(f.records for f in all_features() if f.records is not None), mail_records]
