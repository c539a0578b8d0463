"""Optional cross-encoder rerank of the dense/hybrid route's passage ranking.

A cross-encoder (sentence-transformers `CrossEncoder`) reads the question and each passage
together, which can order the top few passages better than vector and word overlap. It is
off unless `settings.rerank_model` names a model folder on disk: no pip package ships
cross-encoder weights (README, "Reranking"), and kgqa never loads from a hub at run time.
Only the first `settings.rerank_top` passages are rescored; the rest keep their order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg.models import ScoredChunk
from kg.settings import Settings

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

Rerank = Callable[[str, Sequence[ScoredChunk]], list[ScoredChunk]]


@lru_cache(maxsize=2)
def _load(folder: str) -> CrossEncoder:
    from sentence_transformers import CrossEncoder

    return CrossEncoder(folder, device="cpu", local_files_only=True)


class Reranker:
    """Rescores the top passages with a local cross-encoder; scores are its logits."""

    def __init__(self, model: str, top: int) -> None:
        path = Path(model).expanduser()
        if not path.is_dir():
            raise RuntimeError(
                f"rerank model {model!r} is not a folder: KGQA_RERANK_MODEL must name a local "
                "sentence-transformers cross-encoder folder (or be empty to switch reranking off)"
            )
        if not _is_cross_encoder(path):
            raise RuntimeError(
                f"{model!r} holds no trained cross-encoder (its config.json names no "
                "*ForSequenceClassification architecture); an embedding model would get an "
                "untrained scoring head"
            )
        try:
            self.model = _load(str(path.resolve()))
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"cannot load cross-encoder {model!r} offline: {exc}") from exc
        self.top = max(1, top)

    def __call__(self, question: str, chunks: Sequence[ScoredChunk]) -> list[ScoredChunk]:
        head, tail = list(chunks[: self.top]), list(chunks[self.top :])
        if len(head) < 2:
            return head + tail
        scores = self.model.predict(
            [(question, h.chunk.text) for h in head], show_progress_bar=False
        )
        ranked = sorted(zip(head, scores, strict=True), key=lambda hs: -float(hs[1]))
        return [ScoredChunk(h.chunk, float(s), h.doc_path, h.doc_title)
                for h, s in ranked] + tail


def _is_cross_encoder(folder: Path) -> bool:
    """A sequence-classification checkpoint: the head a cross-encoder scores with is trained."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(a.endswith("ForSequenceClassification") for a in config.get("architectures", []))


def make_reranker(settings: Settings) -> Reranker | None:
    """The configured reranker, or None when `rerank_model` is empty (the default)."""
    if not settings.rerank_model.strip():
        return None
    return Reranker(settings.rerank_model.strip(), settings.rerank_top)
