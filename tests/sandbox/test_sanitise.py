"""Every bad input in the shared corpora comes out holding only allow-listed, safe HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from esafety.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    clean_html,
    render_markdown,
)
from tests.sandbox.conftest import CORPORA, corpus_inputs

SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if tag == "a" and name == "rel":
                if value != LINK_REL:
                    self.problems.append(f"rel={value!r}")
                continue
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "href" and not (value or "").strip().lower().startswith(SAFE_SCHEMES):
                self.problems.append(f"href={value!r}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")


def problems_in(html: str) -> list[str]:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_every_corpus_input_is_cleaned_to_the_allow_list(corpora_dir, corpus):
    inputs = corpus_inputs(corpora_dir, corpus)
    assert inputs, corpus
    failures = []
    for text in inputs:
        for made in (clean_html(text), render_markdown(text)):
            found = problems_in(made)
            if found:
                failures.append((text[:80], found))
            if clean_html(made) != made:
                failures.append((text[:80], "cleaning again changed it"))
    assert failures == []


def test_script_and_handlers_are_gone_but_the_words_stay():
    html = clean_html('<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>')
    assert html == "<p>Hi there</p>"


def test_links_keep_only_safe_addresses_and_get_rel():
    html = clean_html(
        '<a href="https://bbc.co.uk/bitesize">ok</a>'
        '<a href="javascript:alert(1)">js</a>'
        '<a href="/relative">rel</a>'
        '<a href="data:text/html,hi">data</a>'
        '<a href="mailto:office@school.example">mail</a>'
    )
    assert 'href="https://bbc.co.uk/bitesize" rel="nofollow noopener noreferrer"' in html
    assert 'href="mailto:office@school.example"' in html
    assert "javascript" not in html and "/relative" not in html and "data:" not in html
    assert html.count("<a ") == 5  # the words stay, the unsafe addresses go


def test_markdown_makes_the_editor_formats_and_never_raw_html():
    html = render_markdown(
        "**bold** and _italic_\n\n- one\n- two\n\n1. first\n\n> a quote\n\n"
        "[BBC](https://www.bbc.co.uk) <img src=x onerror=alert(1)>"
    )
    for tag in ("<strong>bold</strong>", "<em>italic</em>", "<ul>", "<ol>", "<blockquote>"):
        assert tag in html
    assert '<a href="https://www.bbc.co.uk" rel="nofollow noopener noreferrer">BBC</a>' in html
    assert "<img" not in html and "&lt;img" in html


def test_markdown_link_to_javascript_is_not_a_link():
    html = render_markdown("[click](javascript:alert(1))")
    assert "<a" not in html


def test_empty_text_gives_empty_html():
    assert clean_html("") == "" and render_markdown("") == ""


def test_the_engines_default_attributes_are_not_kept():
    assert clean_html('<p lang="en" title="x" data-x="1">a</p>') == "<p>a</p>"
