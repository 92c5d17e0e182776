"""The shape of the code: one manifest of features, a records provider wherever personal data
lives, commits only at the end of a request, and no import cycles or hidden dependencies."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import ForeignKey  # noqa: F401 - documents what "points at a person" means

from esafety import features
from esafety.extensions import db

PACKAGE = Path(__file__).resolve().parent.parent / "esafety"
#: Blueprints that are the app's core, not features: the home page and signing in.
CORE_BLUEPRINTS = {"main", "auth"}
#: Core modules whose tables a feature's provider answers for.
CORE_OWNERS = {"auth": "school", "audit": "records", "photos": "sandbox"}
#: Tables that point at a person hold personal data.
PERSON_TABLES = {"user", "pupil", "staff_profile"}
PERSON_COLUMNS = {"first_name", "last_name", "email", "date_of_birth"}


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_blueprint_but_the_core_comes_from_the_manifest(app):
    names = {f.name for f in features.all_features()}
    assert set(app.blueprints) == names | CORE_BLUEPRINTS
    assert [f.blueprint.name for f in features.all_features()] == [
        f.name for f in features.all_features()
    ]


def _owner(model_class: type) -> str:
    part = model_class.__module__.split(".")[1]
    return CORE_OWNERS.get(part, part)


def _holds_personal_data(table) -> bool:
    points_at_person = any(fk.column.table.name in PERSON_TABLES for fk in table.foreign_keys)
    return points_at_person or bool(PERSON_COLUMNS & set(table.columns.keys()))


def test_each_feature_holding_personal_data_has_a_records_provider():
    by_name = {f.name: f for f in features.all_features()}
    missing = []
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        if not _holds_personal_data(table):
            continue
        feature = by_name.get(_owner(mapper.class_))
        provider = feature.records if feature else None
        if provider is None or not hasattr(provider, "subject_records"):
            missing.append(f"{table.name}: no subject_records from {_owner(mapper.class_)}")
        elif not (hasattr(provider, "retention_due") or hasattr(provider, "KEPT_BECAUSE")):
            missing.append(f"{table.name}: {feature.name} neither deletes nor says why it keeps")
    assert missing == []


def test_the_check_notices_a_feature_without_a_provider(monkeypatch):
    """The test above can fail: take one provider away and it must."""
    trimmed = tuple(
        features.Feature(f.name, f.blueprint) if f.name == "meetings" else f
        for f in features.all_features()
    )
    monkeypatch.setattr(features, "all_features", lambda: trimmed)
    with pytest.raises(AssertionError, match="no subject_records from meetings"):
        test_each_feature_holding_personal_data_has_a_records_provider()


def test_no_hidden_dependencies():
    """Dependencies a reader and a tool can see: no import-by-string, no optional features."""
    offenders = []
    for path in _sources():
        text = path.read_text()
        if "import_module(" in text or "except ImportError" in text:
            offenders.append(str(path.relative_to(PACKAGE)))
    for path in PACKAGE.rglob("*.html"):
        if "ignore missing" in path.read_text():
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_views_never_commit():
    """The request commits once at its end (esafety.SchoolApp); views only call services."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("views.py")
        if re.search(r"db\.session\.commit\(\)", path.read_text())
    ]
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every esafety module this file imports, at the top or inside a function."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = (
                node.module or ""
                if node.level == 0
                else ".".join(p for p in (base, node.module) if p)
            )
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.add(full if full in modules else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return (found & modules) - {name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    paths = {_module_name(p): p for p in _sources()}
    graph = {name: _imports(path, set(paths)) for name, path in paths.items()}
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
