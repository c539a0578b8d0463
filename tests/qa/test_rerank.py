"""The optional cross-encoder rerank stage (qa.rerank): off by default, clear errors for a
folder that holds no cross-encoder, and (with a real model folder) a reordered ranking.

No pip package ships cross-encoder weights, so the real-model test runs only when
KGQA_TEST_RERANK_MODEL names a downloaded cross-encoder folder; otherwise it says so and skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.settings import Settings, default_embedding_model
from qa.rerank import Reranker, make_reranker

REAL_MODEL = os.environ.get("KGQA_TEST_RERANK_MODEL", "")


def test_off_by_default(qa_service: object) -> None:
    assert make_reranker(Settings()) is None
    assert qa_service.dense_route.rerank is None  # type: ignore[attr-defined]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="KGQA_RERANK_MODEL"):
        make_reranker(Settings(rerank_model=str(tmp_path / "absent")))


def test_embedding_model_is_refused() -> None:
    """The bundled MiniLM is an embedder: as a cross-encoder its head would be untrained."""
    with pytest.raises(RuntimeError, match="no trained cross-encoder"):
        Reranker(default_embedding_model(), top=5)


@pytest.mark.skipif(not REAL_MODEL, reason="KGQA_TEST_RERANK_MODEL not set: no pip package "
                    "ships cross-encoder weights, so the real-model rerank test needs a folder")
def test_real_cross_encoder_reorders_passages(qa_service: object) -> None:
    question = "Who founded Brightwater Labs?"
    route = qa_service.dense_route  # type: ignore[attr-defined]
    q_vec = qa_service.embed([question])[0]  # type: ignore[attr-defined]
    plain = route.retrieve(question, q_vec, [])
    reranker = Reranker(REAL_MODEL, top=len(plain))
    reranked = reranker(question, plain)
    assert {h.chunk.id for h in reranked} == {h.chunk.id for h in plain}
    assert "Brightwater" in reranked[0].chunk.text
    assert [h.score for h in reranked] == sorted((h.score for h in reranked), reverse=True)
