"""One store ingested from samples/ for every QA test (public files public, restricted ones
for the `board` group), and one QAService over it: models load once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.embed import Embedder
from kg.settings import Settings
from kg.stores.base import GraphStore
from tests.conftest import samples_store


@pytest.fixture(scope="session")
def qa_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(store=tmp_path_factory.mktemp("qastore"))


@pytest.fixture(scope="session")
def qa_store(qa_settings: Settings, embedder: Embedder) -> Iterator[GraphStore]:
    with samples_store(qa_settings, embedder) as store:
        yield store


@pytest.fixture(scope="session")
def qa_service(qa_settings: Settings, qa_store: GraphStore, embedder: object) -> object:
    from qa.service import QAService

    return QAService(qa_settings, qa_store, embedder=embedder)
