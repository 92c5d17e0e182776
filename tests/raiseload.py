"""Make an accidental lazy load fail loudly: a page that reads a relationship it did not load
with its query raises instead of sending one more statement per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import InstrumentedAttribute


@contextmanager
def lazy_loads_raise(*relationships: InstrumentedAttribute) -> Iterator[None]:
    """While open, reading one of these relationships raises where it would send a statement:
    the query that loaded the object has to load it too (`joinedload`, `selectinload`)."""
    saved = []
    for attribute in relationships:
        raising = attribute.property._get_strategy((("lazy", "raise_on_sql"),))
        saved.append((attribute.impl, attribute.impl.callable_))
        attribute.impl.callable_ = raising._load_for_state
    try:
        yield
    finally:
        for impl, callable_ in saved:
            impl.callable_ = callable_
