"""Fixtures for the class blog: a class with its teacher, named pupils and a parent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import services
from esafety.school.models import ConsentSource, Pupil, SchoolClass, YearGroup
from esafety.school.services import record_photo_consent
from tests import factories

#: The shared bad-input corpora and how each names its input field.
CORPORA = {
    "blns.json": None,
    "dompurify-payloads.json": "payload",
    "html5lib-sanitizer-inputs.json": "input",
    "bleach-regression-inputs.json": "input",
}


def corpus_inputs(corpora_dir: Path, name: str) -> list[str]:
    path = corpora_dir / name
    if not path.is_file():
        pytest.skip(f"the corpus {path} is missing")
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    key = CORPORA[name]
    return [entry if key is None else entry[key] for entry in data]


@pytest.fixture
def corpora_dir(shared_dir: Path) -> Path:
    folder = shared_dir / "corpora"
    if not folder.is_dir():
        pytest.skip(f"the bad-input corpora are not at {folder}")
    return folder


@dataclass
class BlogClass:
    school_class: SchoolClass
    teacher: User
    ava: Pupil
    noah: Pupil
    isla: Pupil
    parent: User
    other_class: SchoolClass
    other_pupil: Pupil

    @property
    def id(self) -> int:
        return self.school_class.id


@pytest.fixture
def blog(db) -> BlogClass:
    """Year 4 'Ash' with Ava Jones, Noah Patel and Isla Brennan; Ava's mum; another class."""
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima", last_name="Rahman")
    ash = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    ava = factories.make_pupil(ash, first_name="Ava", last_name="Jones")
    noah = factories.make_pupil(ash, first_name="Noah", last_name="Patel")
    isla = factories.make_pupil(ash, first_name="Isla", last_name="Brennan")
    parent = factories.make_parent(ava, first_name="Sam", last_name="Jones")
    oak = factories.make_class(YearGroup.YEAR_3, name="Oak")
    finn = factories.make_pupil(oak, first_name="Finn", last_name="Okafor")
    db.session.commit()
    return BlogClass(ash, teacher, ava, noah, isla, parent, oak, finn)


@pytest.fixture
def open_blog(blog: BlogClass) -> BlogClass:
    """The same class with its blog open for writing."""
    services.open_window(blog.teacher, blog.id, None)
    db.session.commit()
    return blog


def give_consent(pupil: Pupil, *, class_blog: bool, website: bool) -> None:
    office = factories.make_user(Role.OFFICE_ADMIN)
    record_photo_consent(
        office,
        pupil,
        factories.current_year(),
        class_blog=class_blog,
        website=website,
        source=ConsentSource.PAPER_FORM,
    )


def approved_post(blog: BlogClass, author: Pupil | None = None, title: str = "Our trip"):
    """A pupil's post, sent and approved (the blog must be open)."""
    author = author or blog.ava
    post = services.save_post(author.user, blog.id, title, "We saw a **red** kite.", send=True)
    from esafety.sandbox import moderation

    moderation.approve(blog.teacher, post)
    db.session.commit()
    return post


def pytest_terminal_summary(terminalreporter):
    """Show the checks' precision and recall on the children's corpus after the run."""
    from tests.sandbox.test_children_corpus import REPORT

    if REPORT:
        terminalreporter.write_sep("-", "blog checks on children's writing")
        for line in REPORT:
            terminalreporter.write_line(line)
