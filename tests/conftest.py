"""Session-scoped fixtures shared across the suite (expensive models and servers start once)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.embed import Embedder
from kg.extract.spacy_extractor import SpacyExtractor
from kg.settings import Settings
from kg.stores import open_store
from kg.stores.base import GraphStore

STORE_DIMENSION = 384  # the real embedding size, so ingest/qa tests can share the store


@pytest.fixture(scope="session")
def spacy_extractor() -> SpacyExtractor:
    """The default spaCy extractor (model load ~1 s), shared by ingest and extract tests."""
    return SpacyExtractor(Settings().spacy_model)


NEO4J_SKIP = "NEO4J_URI not set: Neo4j integration tests skipped"


def store_backends() -> list[object]:
    """FalkorDB always; Neo4j too, reported as skipped unless a server is set (NEO4J_URI)."""
    no_server = pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NEO4J_SKIP)
    return ["falkordb", pytest.param("neo4j", marks=no_server)]


@pytest.fixture(scope="session", params=store_backends())
def session_store(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[GraphStore]:
    """One open store per backend for the session (starting a server costs ~0.3 s)."""
    folder = tmp_path_factory.mktemp(f"store-{request.param}")
    settings = Settings(store=folder, backend=request.param)
    store = open_store(settings, dimension=STORE_DIMENSION)
    yield store
    store.close()


@pytest.fixture
def store(session_store: GraphStore) -> GraphStore:
    """The session's store, emptied (schema kept) before each test."""
    session_store.clear()
    return session_store


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default offline sentence embedder (all-MiniLM-L6-v2), loaded once per session."""
    return Embedder(Settings())


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@contextmanager
def samples_store(settings: Settings, embedder: Embedder) -> Iterator[GraphStore]:
    """A store ingested from samples/: public files public, samples/restricted for `board`
    (as samples/README.md says). Shared by the qa and ui session fixtures."""
    from kg.ingest.pipeline import Ingestor

    store = open_store(settings)
    try:
        ingestor = Ingestor(settings, store, embedder=embedder)
        public = sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.name != "README.md")
        ingestor.run([str(p) for p in public], [], progress=False)
        ingestor.run([str(SAMPLES / "restricted")], ["board"], progress=False)
        yield store
    finally:
        store.close()
