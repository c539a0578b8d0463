"""Cheaper chunk embedders against MiniLM fp32 torch: texts/s and agreement, 1 and 2 threads.

    python bench/embed_onnx.py [--corpus PATH] [--passages 1000] [--threads 1,2]
                               [--variants a,b,...] [--json]

Passages are 2WikiMultiHopQA's first N (title + text, as bench/ingest.py embeds them).
Variants, each on the same texts, batched as kg.embed batches (BATCH_TOKENS):
- torch-fp32: kg.embed.Embedder on torch (the reference every cosine is taken against);
- ort-fp32: the offline MiniLM exported with torch.onnx, onnxruntime ORT_ENABLE_ALL (what
  kg.onnx_embed, the default backend, runs);
- ort-fp32-fused: the same after onnxruntime.transformers' BERT fusions (Attention,
  SkipLayerNorm, Gelu);
- int8-*: onnxruntime quantize_dynamic of the fused model's MatMul weights, per channel,
  QInt8 (s8) or QUInt8 (u8) weights, optionally keeping the last N layers (keepN) or the FFN
  down-projections (ffnout) in fp32, or 7-bit (rr) (see quantise);
- torch-bf16: the same torch model under torch.autocast("cpu", bfloat16) (oneDNN's bf16
  matmuls; AVX512-BF16 or AMX make them fast);
- model2vec: the static model kg.name_embed distils from the same MiniLM (no transformer).
Prints wall texts/s, process CPU s, speed-up over torch-fp32 at the same thread count, and
the cosine of each vector to its torch-fp32 vector (min / p1 / mean) and the overlap of each
passage's 10 nearest passages with torch-fp32's (meaningful for model2vec too, whose PCA space
differs); the last line is JSON.
onnxruntime and onnx are kgqa dependencies (kg.onnx_embed runs the ort-fp32 variant by default).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.embed import Embedder  # noqa: E402
from kg.settings import Settings  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "benchmarks" / "2wikimultihopqa" / "corpus.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
Encode = Callable[[list[str]], np.ndarray]


def export(embedder: Embedder, path: Path) -> None:
    """fp32 ONNX of the transformer's last hidden state, as kgqa's onnx backend exports it."""
    from kg.embed import _model_path
    from kg.onnx_embed import export as export_model

    export_model(_model_path(embedder.model_name), path)


def fuse(source: Path, target: Path, heads: int, hidden: int) -> None:
    from onnxruntime.transformers import optimizer

    model = optimizer.optimize_model(
        str(source), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1
    )
    model.save_model_to_file(str(target))


def quantise(source: Path, target: Path, options: list[str], layers: int) -> None:
    """Dynamic int8 of the MatMul weights, per channel. `options`: "s8" / "u8" weights,
    "keepN" (the last N layers stay fp32), "ffnout" (every FFN down-projection stays fp32:
    its input, after GELU, has the widest range), "ffnN" (layer N's only), "rr" (7-bit
    reduce_range)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = [
        f"layer.{i}/"
        for n in options
        if n.startswith("keep")
        for i in range(layers - int(n[4:]), layers)
    ]
    nodes = [n.name for n in onnx.load(str(source)).graph.node]
    exclude = [n for n in nodes if any(k in n for k in keep)]
    ffn = [f"layer.{n[3:]}/" for n in options if n.startswith("ffn") and n != "ffnout"]
    if ffn or "ffnout" in options:
        exclude += [
            n
            for n in nodes
            if n.endswith("/output/dense/MatMul")
            and "/attention/" not in n
            and ("ffnout" in options or any(k in n for k in ffn))
        ]
    quantize_dynamic(
        source,
        target,
        weight_type=QuantType.QUInt8 if "u8" in options else QuantType.QInt8,
        per_channel=True,
        reduce_range="rr" in options,
        op_types_to_quantize=["MatMul"],
        extra_options={"MatMulConstBOnly": True, "DefaultTensorType": onnx.TensorProto.FLOAT},
        nodes_to_exclude=exclude,
    )


def ort_encoder(embedder: Embedder, model: Path, threads: int) -> Encode:
    """Mean pooling + L2 norm over the last hidden state, as sentence-transformers does."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}

    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), embedder.dimension), np.float32)
        for batch in embedder._batches(texts):
            enc = embedder._model.tokenizer(
                [texts[i] for i in batch],
                truncation=True,
                max_length=embedder._model.max_seq_length,
                padding=True,
                return_tensors="np",
            )
            feed = {k: enc[k].astype(np.int64) for k in INPUTS if k in names}
            hidden = session.run(None, feed)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            vectors = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            out[batch] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return out

    return encode


def build(embedder: Embedder, folder: Path, wanted: list[str]) -> dict[str, Path]:
    config = embedder._model[0].auto_model.config
    layers = int(config.num_hidden_layers)
    paths = {"ort-fp32": folder / "model.onnx", "ort-fp32-fused": folder / "fused.onnx"}
    export(embedder, paths["ort-fp32"])
    fuse(paths["ort-fp32"], paths["ort-fp32-fused"], config.num_attention_heads, config.hidden_size)
    for name in wanted:
        if not name.startswith("int8-"):
            continue
        paths[name] = folder / f"{name}.onnx"  # e.g. int8-s8-keep1-ffnout
        quantise(paths["ort-fp32-fused"], paths[name], name.split("-")[1:], layers)
    return {k: v for k, v in paths.items() if k in wanted}


def neighbours(vectors: np.ndarray, k: int = 10) -> np.ndarray:
    """Each text's k nearest other texts (cosine), for an agreement that holds across
    vector spaces (model2vec's PCA space is not MiniLM's: its cosine to MiniLM means nothing)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1)[:, :k]


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([len(set(x) & set(y)) / len(x) for x, y in zip(a, b, strict=True)]))


def bf16(embedder: Embedder, texts: list[str]) -> np.ndarray:
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16):
        return np.array(embedder.encode(texts), np.float32)


def timed(encode: Encode, texts: list[str]) -> tuple[np.ndarray, float, float]:
    encode(texts[:16])  # warm-up: first-run allocations and kernel choices
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = encode(texts)
    return vectors, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument(
        "--variants",
        default="ort-fp32,ort-fp32-fused,int8-s8,int8-u8,int8-s8-rr,int8-s8-keep1,"
        "int8-s8-keep2,int8-s8-ffnout,int8-u8-ffnout,model2vec",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    wanted = args.variants.split(",")
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print("skipped: onnxruntime is not installed (pip install onnxruntime onnx)")
        return 0
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus} (give --corpus PATH)")
        return 0
    import torch

    rows = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.passages]
    texts = [f"{r['title']}\n{r['text']}" for r in rows]
    result: dict[str, object] = {"n": len(texts), "load_avg": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as folder:
        base = Embedder(Settings(embedding_threads=1, embedding_backend="torch"))
        models = build(base, Path(folder), wanted)
        for threads in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(threads)
            embedder = Embedder(Settings(embedding_threads=threads, embedding_backend="torch"))
            reference, ref_wall, ref_cpu = timed(
                lambda t, e=embedder: np.array(e.encode(t), np.float32), texts
            )
            ref_nn = neighbours(reference)
            table: dict[str, dict[str, float]] = {
                "torch-fp32": {
                    "texts_s": round(len(texts) / ref_wall, 1),
                    "cpu_s": round(ref_cpu, 1),
                    "speedup": 1.0,
                }
            }
            encoders: dict[str, Encode] = {
                k: ort_encoder(embedder, p, threads) for k, p in models.items()
            }
            if "torch-bf16" in wanted:
                encoders["torch-bf16"] = lambda t, e=embedder: bf16(e, t)
            if "model2vec" in wanted:
                from kg.name_embed import StaticNames

                static = StaticNames(Settings())
                encoders["model2vec"] = lambda t, s=static: np.array(s.encode(t), np.float32)
            for name, encode in encoders.items():
                vectors, wall, cpu = timed(encode, texts)
                cos = (reference * vectors).sum(1)
                table[name] = {
                    "nn10": round(overlap(ref_nn, neighbours(vectors)), 3),
                    "texts_s": round(len(texts) / wall, 1),
                    "cpu_s": round(cpu, 1),
                    "speedup": round(ref_wall / wall, 2),
                    "cos_min": round(float(cos.min()), 4),
                    "cos_p1": round(float(np.percentile(cos, 1)), 4),
                    "cos_mean": round(float(cos.mean()), 4),
                }
            result[f"threads_{threads}"] = table
            if not args.json:
                print(f"{len(texts)} passages, {threads} thread(s):")
                for name, r in table.items():
                    agree = (
                        f" cosine min {r['cos_min']} p1 {r['cos_p1']} mean {r['cos_mean']}"
                        f" 10-NN overlap {r['nn10']}"
                        if "cos_min" in r
                        else ""
                    )
                    print(
                        f"  {name:16} {r['texts_s']:8.1f} texts/s  {r['cpu_s']:6.1f} CPU s"
                        f"  {r['speedup']:5.2f}x{agree}"
                    )
    result["load_avg_after"] = os.getloadavg()[0]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
