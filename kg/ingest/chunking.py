"""Split document text into chunks with llama-index's SentenceSplitter (sentence-aware)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.ingest.chunk_fallback import is_pathological, window_split
from kg.models import Chunk
from kg.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int) -> SentenceSplitter:
    from llama_index.core.node_parser import SentenceSplitter

    overlap = max(0, min(chunk_overlap, chunk_size // 2))
    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=overlap)


def chunk_id(doc_id: str, sha256: str, position: int) -> str:
    """Stable (same path + content → same id) and unique across documents and versions."""
    doc_hash = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:12]
    return f"{doc_hash}:{sha256[:8]}:{position}"


def split_text(text: str, settings: Settings) -> list[str]:
    """Sentence-aware chunks; text punkt cannot split in bounded time goes by windows."""
    size, overlap = settings.chunk_size, settings.chunk_overlap
    if is_pathological(text, size):
        return window_split(text, size, overlap)
    try:
        parts = _splitter(size, overlap).split_text(text)
    except TimeoutError:  # nltk's regex time limit on a run it cannot split
        return window_split(text, size, overlap)
    return [p.strip() for p in parts if p.strip()]


def make_chunks(doc_id: str, sha256: str, text: str, settings: Settings) -> list[Chunk]:
    return [
        Chunk(id=chunk_id(doc_id, sha256, i), doc_id=doc_id, text=part, position=i)
        for i, part in enumerate(split_text(text, settings))
    ]
