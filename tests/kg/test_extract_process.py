"""Extraction in a child process (kg.extract.process): the same triples as in-process, a
dead child replaced, a model that will not load reported, and the pipeline's use of it."""

from __future__ import annotations

import os
import signal

import pytest

from kg.embed import Embedder
from kg.extract.process import ExtractionProcessDied, ProcessExtractor
from kg.extract.spacy_extractor import SpacyExtractor
from kg.ingest.pipeline import Ingestor, text_sha256
from kg.ingest.readers import SourceText
from kg.models import ADMIN
from kg.settings import Settings
from kg.stores.base import GraphStore

TEXTS = [
    "Orin Vale founded Brightwater Labs. Brightwater Labs is headquartered in Karsk.",
    "Mira Tal is the mother of Orin Vale. She was born in Lenhold.",
    "The Harbour Suite was composed by Tomas Vale in 1931.",
]


def test_the_child_extracts_what_the_parent_would(spacy_extractor: SpacyExtractor) -> None:
    with ProcessExtractor(Settings()) as child:
        assert child.pid != os.getpid()
        assert child.extract_many(TEXTS) == spacy_extractor.extract_many(TEXTS)
        assert child.extract(TEXTS[0]) == spacy_extractor.extract(TEXTS[0])
        assert child.times is not None and 0 < child.times.parse_cpu <= child.times.cpu


def test_a_dead_child_is_reported_and_the_next_call_starts_a_new_one() -> None:
    with ProcessExtractor(Settings()) as child:
        first = child.pid
        os.kill(first, signal.SIGKILL)
        with pytest.raises(ExtractionProcessDied):
            for _ in range(50):  # the pool notices the death on its own thread
                child.extract_many(TEXTS[:1])
        assert child.extract_many(TEXTS[:1])[0].triples
        assert child.pid != first


def test_a_model_that_will_not_load_raises_its_own_error() -> None:
    with ProcessExtractor(Settings(spacy_model="no_such_spacy_model")) as child:
        with pytest.raises(OSError, match="no_such_spacy_model"):
            child.extract_many(TEXTS[:1])


def _sources(n: int) -> list[SourceText]:
    texts = [f"{t} Document {i}." for i in range(n) for t in TEXTS[:1]]
    return [
        SourceText(id=f"t{i}", path=f"t{i}", title=f"T{i}", text=t, sha256=text_sha256(t))
        for i, t in enumerate(texts)
    ]


def test_the_pipeline_stores_the_same_graph_with_or_without_the_child(
    store: GraphStore, embedder: Embedder
) -> None:
    graphs = []
    for mode in ("off", "on", "auto"):  # auto: more than one batch, so the child
        store.clear()
        ingestor = Ingestor(Settings(extract_process=mode), store, embedder=embedder,
                            batch_chunks=2)
        report = ingestor.ingest_texts(_sources(5), groups=[], progress=False)
        assert report.totals["error"] == 0 and report.totals["ingested"] == 5
        assert ingestor._extraction.child is None  # the child ends with the run
        graphs.append({(t.subject_key, t.predicate, t.object_key)
                       for t in store.triples([ADMIN])})
    assert graphs[0] == graphs[1] == graphs[2]
    assert any(f[:3] == ("orin vale", "found", "brightwater labs") for f in graphs[0])
