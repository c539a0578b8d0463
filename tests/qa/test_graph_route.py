"""The graph route embeds only the triples of paths that can pass, and that changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract.normalize import entity_key
from kg.models import ADMIN, Chunk, Document, Entity, Triple
from kg.settings import Settings
from qa.graph_route import HOP_LIMITS, NEIGHBOUR_LIMIT, GraphRoute
from qa.linking import link_entities
from qa.question import _content_forms, _nlp, analyse, word_forms_many
from tests.conftest import STORE_DIMENSION

QUESTIONS = Path(__file__).parent.parent / "data" / "questions.jsonl"


class ScoreEveryPath(GraphRoute):
    prune = False


def test_pruned_paths_give_the_same_candidates_as_scoring_every_path(qa_service) -> None:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    questions = [r["q"] for r in rows if r.get("route") == "graph"]
    assert len(questions) >= 20
    model = qa_service.settings.spacy_model
    pruned = qa_service.graph_route
    every = ScoreEveryPath(qa_service.store, qa_service.embed, model)
    embedded = seen = 0
    for q in questions:
        info = analyse(q, model)
        links = link_entities(info, qa_service.store, [ADMIN], qa_service.embed_names)
        a, b = pruned.run(info, links, [ADMIN]), every.run(info, links, [ADMIN])
        got = [(c.answer_key, c.covered, c.fits, pytest.approx(c.score, abs=1e-4))
               for c in a.candidates]
        assert got == [(c.answer_key, c.covered, c.fits, c.score) for c in b.candidates], q
        assert (a.opposite, a.ruled_out) == (b.opposite, b.ruled_out), q
        embedded, seen = embedded + a.triples_embedded, seen + b.triples_embedded
    assert embedded < seen / 2, (embedded, seen)  # the point of pruning


def test_batched_word_forms_equal_the_full_pipeline_read() -> None:
    model = Settings().spacy_model
    phrases = ["headquartered in", "having begun his career with Sewe Sports", "is the mother of",
               "Robert Blanchett, Jr. founded it", "study at", "having", "was born in"]
    nlp = _nlp(model)
    assert word_forms_many(phrases, model) == [_content_forms(nlp(p)) for p in phrases]
    assert "headquarter" in word_forms_many(["headquartered in"], model)[0]


def test_a_hub_met_at_the_second_hop_does_not_crowd_out_the_other_neighbours(store) -> None:
    """Orin Vale -> Karsk -> Dralle River, and Orin Vale -> a hub with more relations than
    the fetch's whole limit: the hub gives at most its per-key share, Karsk's river stays."""
    hub_degree = NEIGHBOUR_LIMIT + 50
    doc = Document("/facts/hub.txt", "/facts/hub.txt", "hub", "1" * 64)
    chunk = Chunk("hub:0", doc.id, "Orin Vale lives in Karsk.", 0, [0.1] * STORE_DIMENSION)
    names = ["Orin Vale", "Karsk", "Dralle River", "Daughter"]
    names += [f"Person {i}" for i in range(hub_degree)]
    ends = [Entity(entity_key(n), n) for n in names]
    facts = [("Orin Vale", "live in", "Karsk"), ("Karsk", "lie on", "Dralle River"),
             ("Orin Vale", "have", "Daughter")]  # fmt: skip
    facts += [(f"Person {i}", "have", "Daughter") for i in range(hub_degree)]
    triples = [Triple(s, p, o, chunk.text, subject_key=entity_key(s), object_key=entity_key(o),
                      chunk_id=chunk.id) for s, p, o in facts]  # fmt: skip
    store.replace_document(doc, [chunk], ends, triples, [(chunk.id, e.key) for e in ends])
    fetched, _ = GraphRoute(store, lambda t: [], Settings().spacy_model)._fetch(
        ["orin vale"], [ADMIN]
    )
    edges = {(t.subject_key, t.object_key) for t in fetched}
    assert ("karsk", "dralle river") in edges
    assert len([e for e in edges if "daughter" in e]) <= HOP_LIMITS[1] + 1
