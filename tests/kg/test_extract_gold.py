"""Micro precision/recall of the spaCy extractor on the hand-labelled sentences.

A triple matches when the normalised subject key, predicate and object key are equal.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.extract.base import TripleExtractor
from kg.extract.normalize import entity_key

GOLD = Path(__file__).resolve().parents[1] / "data" / "extraction_gold.jsonl"


def load_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]


def score(extractor: TripleExtractor, items: list[dict]) -> tuple[float, float, list[str]]:
    """(precision, recall, one line per miss or spurious triple)."""
    found = extractor.extract_many([item["text"] for item in items])
    true_pos = predicted = expected = 0
    report: list[str] = []
    for item, extraction in zip(items, found, strict=True):
        want = {(entity_key(s), p, entity_key(o)) for s, p, o in item["triples"]}
        got = {(t.subject_key, t.predicate, t.object_key) for t in extraction.triples}
        true_pos += len(want & got)
        predicted += len(got)
        expected += len(want)
        report += [f"missed   {t}  <- {item['text']}" for t in sorted(want - got)]
        report += [f"spurious {t}  <- {item['text']}" for t in sorted(got - want)]
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / expected if expected else 1.0
    return precision, recall, report


def test_gold_set_is_big_enough() -> None:
    items = load_gold()
    assert len(items) >= 60
    assert all(set(item) >= {"text", "triples", "pattern"} for item in items)


def test_spacy_extractor_precision_and_recall(spacy_extractor: TripleExtractor) -> None:
    precision, recall, report = score(spacy_extractor, load_gold())
    print("\n".join(report))
    print(f"extraction gold set: precision={precision:.3f} recall={recall:.3f}")
    assert precision >= 0.85
    assert recall >= 0.85
