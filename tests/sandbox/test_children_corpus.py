"""The checks on sentences children really write: precision and recall per kind, with floors.

The floors: a worry or a personal detail a child gives away must almost never be missed
(recall 0.9); the other kinds teach writing habits, where missing one in five is tolerable
(0.8). Each kind must be right at least four times in five when it fires (precision 0.8), and
at most 3% of innocent sentences may be flagged at all: a checker that cries wolf is ignored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from esafety.writing.checks import MESSAGES, check_text

CORPUS = Path(__file__).parent / "data" / "children_writing.tsv"
ROSTER = [("Ava", "Jones"), ("Noah", "Patel"), ("Ben", "Ahmed"), ("Isla", "Brennan")]
SCHOOL = "Meadowbank Primary School"
STRICT_KINDS = {"worry", "address", "phone", "email", "full_name"}
STRICT_RECALL, RECALL, PRECISION, FALSE_ALARMS = 0.9, 0.8, 0.8, 0.03


@dataclass(frozen=True)
class Sentence:
    family: str
    kinds: frozenset[str]
    text: str


def load_corpus() -> list[Sentence]:
    sentences = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        family, kinds, text = line.split("\t")
        wanted = frozenset() if kinds == "-" else frozenset(kinds.split(","))
        sentences.append(Sentence(family, wanted, text))
    return sentences


def found_kinds(sentence: Sentence) -> frozenset[str]:
    return frozenset(f.kind for f in check_text(sentence.text, ROSTER, school_name=SCHOOL))


def measure(sentences: list[Sentence]) -> tuple[dict[str, tuple[float, float, int]], list[str]]:
    """Precision, recall and count for each kind, and the innocent sentences that were flagged."""
    hits, fired, wanted = Counter(), Counter(), Counter()
    false_alarms = []
    for sentence in sentences:
        found = found_kinds(sentence)
        for kind in found:
            fired[kind] += 1
            hits[kind] += kind in sentence.kinds
        for kind in sentence.kinds:
            wanted[kind] += 1
        if not sentence.kinds and found:
            false_alarms.append(f"{sentence.text!r}: {sorted(found)}")
    table = {
        kind: (
            hits[kind] / fired[kind] if fired[kind] else 1.0,
            hits[kind] / wanted[kind] if wanted[kind] else 1.0,
            wanted[kind],
        )
        for kind in sorted(MESSAGES)
    }
    return table, false_alarms


REPORT: list[str] = []


def test_the_corpus_is_big_enough_and_covers_every_kind_and_family():
    sentences = load_corpus()
    assert len(sentences) >= 150
    labelled = Counter(kind for s in sentences for kind in s.kinds)
    assert set(labelled) == set(MESSAGES), set(MESSAGES) - set(labelled)
    assert all(labelled[kind] >= 4 for kind in MESSAGES), labelled
    innocent_families = {s.family for s in sentences if not s.kinds}
    assert {"class_names", "initials", "game", "story_title", "ordinary_words"} <= innocent_families
    assert sum(1 for s in sentences if not s.kinds) >= 50


def test_precision_and_recall_per_kind_meet_the_floors():
    sentences = load_corpus()
    table, false_alarms = measure(sentences)
    innocent = sum(1 for s in sentences if not s.kinds)
    REPORT[:] = [f"{'kind':<12} {'precision':>9} {'recall':>7} {'sentences':>9}"] + [
        f"{kind:<12} {p:>9.2f} {r:>7.2f} {n:>9}" for kind, (p, r, n) in table.items()
    ]
    REPORT.append(f"false alarms: {len(false_alarms)} of {innocent} innocent sentences")
    report = "\n".join(REPORT + false_alarms)
    for kind, (precision, recall, _) in table.items():
        floor = STRICT_RECALL if kind in STRICT_KINDS else RECALL
        assert recall >= floor, f"{kind} recall {recall:.2f} < {floor}\n{report}"
        assert precision >= PRECISION, f"{kind} precision {precision:.2f}\n{report}"
    assert len(false_alarms) <= FALSE_ALARMS * innocent, report


@pytest.mark.parametrize(
    "sentence", [s for s in load_corpus() if "worry" in s.kinds], ids=lambda s: s.text
)
def test_a_worry_never_blocks(sentence):
    worries = [f for f in check_text(sentence.text, ROSTER) if f.kind == "worry"]
    assert worries and not any(f.blocking for f in worries)
    assert "grown-up who keeps children safe" in worries[0].message
