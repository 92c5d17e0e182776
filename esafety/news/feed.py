"""The Atom feed of the school's news, for the school website."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime

from ..clock import utcnow
from .models import NewsItem

ATOM_NS = "http://www.w3.org/2005/Atom"


def atom_feed(
    items: list[NewsItem],
    *,
    title: str,
    feed_url: str,
    page_url: str,
    item_url: Callable[[NewsItem], str],
) -> bytes:
    """The feed for the school website, built with ElementTree so every character is escaped."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", title)
    sub(feed, "id", feed_url)
    sub(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=page_url, type="text/html")
    updated = max((i.updated_at for i in items), default=None) or utcnow()
    sub(feed, "updated", _rfc3339(updated))
    author = sub(feed, "author")
    sub(author, "name", title)
    for item in items:
        entry = sub(feed, "entry")
        url = item_url(item)
        sub(entry, "title", item.title)
        sub(entry, "id", url)
        sub(entry, "link", rel="alternate", href=url, type="text/html")
        sub(entry, "published", _rfc3339(item.published_at or item.created_at))
        sub(entry, "updated", _rfc3339(item.updated_at))
        sub(entry, "content", item.html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _rfc3339(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"
