"""The one text pipeline: how any text becomes safe HTML (the engine is nh3, Rust's ammonia).

Everything a person writes is stored as its source and as HTML made once, at save, by
`render_markdown` (or `clean_html` for HTML from elsewhere); lesson and policy files go through
the same Markdown engine. Features call these two functions and nothing else, so the engine can
change without touching them.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

#: The only tags that survive: enough for a child's paragraph, a list and a quote.
ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a"})
#: The only attribute kept is a link's address; `rel` is set by the cleaner itself.
ALLOWED_ATTRIBUTES = {"a": frozenset({"href"})}
#: Links may only leave for the web or an email; no javascript:, data:, or relative paths.
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Search engines and the linked site learn nothing from a child's link.
LINK_REL = "nofollow noopener noreferrer"
#: Tags whose content is dropped along with the tag (their text is never meant to be read).
DROP_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "title", "textarea"})

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    # "*" must be given (empty), or the engine keeps its default lang and title everywhere.
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    generic_attribute_prefixes=set(),
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)
#: CommonMark with raw HTML switched off: a typed <script> stays text.
_markdown = MarkdownIt("commonmark", {"html": False})

#: Cleaning is run until nothing changes, so stored HTML is a fixed point (at most this often).
_MAX_PASSES = 4


def clean_html(html: str) -> str:
    """Keep only the allow-listed tags and safe links; cleaning the result again changes nothing."""
    cleaned = _cleaner.clean(html or "")
    for _ in range(_MAX_PASSES):
        again = _cleaner.clean(cleaned)
        if again == cleaned:
            return cleaned
        cleaned = again
    return cleaned


def render_markdown(source: str) -> str:
    """Turn light Markdown (bold, italic, lists, links, quotes) into clean HTML, once, at save."""
    return clean_html(_markdown.render(source or ""))
