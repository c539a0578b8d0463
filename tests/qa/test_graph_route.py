"""The graph route embeds only the triples of paths that can pass, and that changes nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from kg.extract.forms import FORM_PIPES_OFF, content_forms, nlp, word_forms_many
from kg.extract.normalize import entity_key
from kg.models import ADMIN, Chunk, Document, Entity, Triple
from kg.settings import Settings
from qa.graph_route import HOP_LIMITS, NEIGHBOUR_LIMIT, GraphRoute
from qa.linking import link_entities
from qa.question import analyse
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


class FormsNotStored(GraphRoute):
    """Reads edges as a store written before predicate forms were stored returns them."""

    def _fetch(self, keys, groups, leads_on):  # type: ignore[no-untyped-def]
        triples, types = super()._fetch(keys, groups, leads_on)
        return [dataclasses.replace(t, forms=None) for t in triples], types


def test_ingestion_stores_predicate_forms_and_older_edges_read_the_same(qa_service) -> None:
    """Every ingested edge carries its predicate's word forms, the ones the question side
    computes; without them (an older store) the route parses the predicates and answers
    every graph question of the labelled set with the same candidates."""
    model = qa_service.settings.spacy_model
    _, rows = qa_service.store.cypher(
        "MATCH ()-[r:REL]->() RETURN r.predicate, r.forms", {}, [ADMIN])
    assert len(rows) > 50 and all(forms is not None for _, forms in rows)
    # read afresh on the question side's pipeline (word_forms_many's cache holds what the
    # extractor's pipeline read at ingestion)
    question_side = nlp(model).pipe([p for p, _ in rows], disable=list(FORM_PIPES_OFF))
    assert [sorted(content_forms(d)) for d in question_side] == [f for _, f in rows]
    assert any(f for _, f in rows if "headquarter" in f or "found" in f)
    questions = [json.loads(line)["q"] for line in QUESTIONS.read_text().splitlines()
                 if line.strip() and json.loads(line).get("route") == "graph"]
    stored, parsed = qa_service.graph_route, FormsNotStored(qa_service.store, qa_service.embed,
                                                             model)
    for q in questions:
        info = analyse(q, model)
        links = link_entities(info, qa_service.store, [ADMIN], qa_service.embed_names)
        a, b = stored.run(info, links, [ADMIN]), parsed.run(info, links, [ADMIN])
        assert a.triples_seen == b.triples_seen, q
        assert a.best is None or all(h.triple.forms is not None for h in a.best.hops), q
        assert [(c.answer_key, c.covered, c.score) for c in a.candidates] == [
            (c.answer_key, c.covered, c.score) for c in b.candidates], q


def test_batched_word_forms_equal_the_full_pipeline_read() -> None:
    model = Settings().spacy_model
    phrases = ["headquartered in", "having begun his career with Sewe Sports", "is the mother of",
               "Robert Blanchett, Jr. founded it", "study at", "having", "was born in"]
    pipeline = nlp(model)
    assert word_forms_many(phrases, model) == [content_forms(pipeline(p)) for p in phrases]
    assert "headquarter" in word_forms_many(["headquartered in"], model)[0]


def _orin_vale_and_a_hub(store) -> None:  # type: ignore[no-untyped-def]
    """Orin Vale -> Karsk -> Dralle River, and Orin Vale -> a hub ("Daughter") with more
    relations than the fetch's whole limit."""
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


def _forms(*words: str) -> frozenset[str]:
    return frozenset().union(*word_forms_many(list(words), Settings().spacy_model))


def test_a_hub_met_at_the_second_hop_does_not_crowd_out_the_other_neighbours(store) -> None:
    """With both first hops asked for, the hub gives at most its per-key share and Karsk's
    river stays."""
    _orin_vale_and_a_hub(store)
    fetched, _ = GraphRoute(store, lambda t: [], Settings().spacy_model)._fetch(
        ["orin vale"], [ADMIN], _forms("live", "have")
    )
    edges = {(t.subject_key, t.object_key) for t in fetched}
    assert ("karsk", "dralle river") in edges
    assert len([e for e in edges if "daughter" in e]) <= HOP_LIMITS[1] + 1


def test_a_second_hop_leaves_only_by_an_edge_the_question_has_a_word_for(store) -> None:
    """A question about where Orin Vale lives names living, not having: Karsk's edges are
    fetched, none of the hub's other 450; an identity question fetches one hop."""
    _orin_vale_and_a_hub(store)
    route = GraphRoute(store, lambda t: [], Settings().spacy_model)
    fetched, _ = route._fetch(["orin vale"], [ADMIN], _forms("live", "river"))
    edges = {(t.subject_key, t.object_key) for t in fetched}
    assert ("karsk", "dralle river") in edges
    assert [e for e in edges if "daughter" in e] == [("orin vale", "daughter")]
    one_hop, _ = route._fetch(["orin vale"], [ADMIN], None)
    assert {(t.subject_key, t.object_key) for t in one_hop} == {
        ("orin vale", "karsk"), ("orin vale", "daughter")}
