"""One store ingested from samples/ for every QA test (public files public, restricted ones
for the `board` group), and one QAService over it: models load once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.settings import Settings
from kg.stores.base import GraphStore

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="session")
def qa_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(store=tmp_path_factory.mktemp("qastore"))


@pytest.fixture(scope="session")
def qa_store(qa_settings: Settings, embedder: object) -> Iterator[GraphStore]:
    from kg.ingest.pipeline import Ingestor
    from kg.stores import open_store

    store = open_store(qa_settings)
    try:
        ingestor = Ingestor(qa_settings, store, embedder=embedder)
        public = sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.name != "README.md")
        ingestor.run([str(p) for p in public], [], progress=False)
        ingestor.run([str(SAMPLES / "restricted")], ["board"], progress=False)
        yield store
    finally:
        store.close()


@pytest.fixture(scope="session")
def qa_service(qa_settings: Settings, qa_store: GraphStore, embedder: object) -> object:
    from qa.service import QAService

    return QAService(qa_settings, qa_store, embedder=embedder)
