"""MiniLM through onnxruntime (fp32 and dynamic int8) against the torch embedder: CPU and agreement.

    python bench/embed_onnx.py [--corpus PATH] [--chunks 300] [--names 1200] [--json]

Exports the offline all-MiniLM-L6-v2 (the Embedder's model) with torch.onnx into a temp
folder, quantises it with onnxruntime's quantize_dynamic (per tensor, and per channel on
MatMul only), then embeds passages (title + text) and distinct titles as "entity names" with
each variant on one thread, batched as kg.embed batches. Prints process CPU seconds, the
speed-up over torch fp32 and the cosine of each vector to its torch vector (min / p1 / mean);
the last line is JSON. Needs onnxruntime and onnx, which kgqa does not install yet (why: the
sentence-transformers ONNX backend needs optimum-onnx, whose 0.1.0 requires transformers<4.58).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.embed import Embedder  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "benchmarks" / "2wikimultihopqa" / "corpus.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export(embedder: Embedder, folder: Path) -> dict[str, Path]:
    """fp32 ONNX of the transformer (last hidden state) and two int8 quantisations of it."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    bert = embedder._model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor):
            return self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)[0]

    sample = embedder._model.tokenizer(["a b", "c d e"], padding=True, return_tensors="pt")
    paths = {"fp32": folder / "model.onnx"}
    torch.onnx.export(
        Hidden(),
        tuple(sample[k] for k in INPUTS),
        str(paths["fp32"]),
        input_names=list(INPUTS),
        output_names=["hidden"],
        dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "hidden")},
        opset_version=17,
        dynamo=False,
    )
    paths["int8"] = folder / "int8.onnx"
    quantize_dynamic(paths["fp32"], paths["int8"], weight_type=QuantType.QInt8)
    paths["int8-matmul-per-channel"] = folder / "int8pc.onnx"
    quantize_dynamic(
        paths["fp32"],
        paths["int8-matmul-per-channel"],
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    return paths


def ort_encode(embedder: Embedder, model: Path, texts: list[str]) -> np.ndarray:
    """Mean pooling + L2 norm, as the sentence-transformers model does, on one thread."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    out = np.zeros((len(texts), embedder.dimension), np.float32)
    for batch in embedder._batches(texts):
        enc = embedder._model.tokenizer(
            [texts[i] for i in batch],
            truncation=True,
            max_length=embedder._model.max_seq_length,
            padding=True,
            return_tensors="np",
        )
        hidden = session.run(None, {k: enc[k].astype(np.int64) for k in INPUTS})[0]
        mask = enc["attention_mask"][..., None].astype(np.float32)
        vectors = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        out[batch] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--chunks", type=int, default=300)
    parser.add_argument("--names", type=int, default=1200)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print("skipped: onnxruntime is not installed (pip install onnxruntime onnx)")
        return 0
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus} (give --corpus PATH)")
        return 0
    import torch

    torch.set_num_threads(1)
    rows = json.loads(args.corpus.read_text(encoding="utf-8"))
    sets = {
        "chunks": [f"{r['title']}\n{r['text']}" for r in rows[: args.chunks]],
        "names": sorted({r["title"] for r in rows[args.chunks :]})[: args.names],
    }
    embedder = Embedder()
    result: dict[str, object] = {"load_avg": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory() as folder:
        models = export(embedder, Path(folder))
        for label, texts in sets.items():
            start = time.process_time()
            reference = np.array(embedder.encode(texts), np.float32)
            torch_s = time.process_time() - start
            row: dict[str, object] = {"n": len(texts), "torch_fp32_cpu_s": round(torch_s, 2)}
            for variant, path in models.items():
                start = time.process_time()
                vectors = ort_encode(embedder, path, texts)
                cpu = time.process_time() - start
                cos = (reference * vectors).sum(1)
                row[variant] = {
                    "cpu_s": round(cpu, 2),
                    "speedup": round(torch_s / cpu, 2),
                    "cos_min": round(float(cos.min()), 4),
                    "cos_p1": round(float(np.percentile(cos, 1)), 4),
                    "cos_mean": round(float(cos.mean()), 4),
                }
                if not args.json:
                    r = row[variant]
                    print(
                        f"{label} ({len(texts)}) onnx {variant}: {r['cpu_s']} CPU s vs torch "
                        f"{torch_s:.2f} ({r['speedup']}x); cosine to torch min {r['cos_min']} "
                        f"p1 {r['cos_p1']} mean {r['cos_mean']}"
                    )
            result[label] = row
    result["load_avg_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
