"""MiniLM (any plain mean-pooled folder, see kg.mean_pooled) on onnxruntime instead of torch.

The same network and weights, exported once with torch.onnx and cached under
`model_cache/onnx/`: the vectors equal torch's (cosine 1.000 on 2Wiki passages and names,
bench/embed_onnx.py), so a store built with either backend answers questions embedded by the
other. What changes is the cost of a call: torch runs transformers' Python code around every
layer (~12 ms of a 13-token question's 21 ms forward on this 2-core machine), onnxruntime one
C++ graph, so the short texts a question embeds (the question, triples, lead words,
sentences) take a third to two thirds of the time; long passages cost the same.
"""

from __future__ import annotations

import fcntl
import hashlib
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.mean_pooled import MeanPooled

EXPORT_VERSION = 1  # bump when the export changes: a new cache folder
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MODEL_FILE = "model.onnx"


def available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_folder(model_folder: str, model_cache: Path) -> Path:
    """One export per model folder's contents: its config and the weights' size and date
    (a hard-linked copy of MiniLM shares the export; an edited model gets a new one)."""
    root = Path(model_folder)
    parts = [str(EXPORT_VERSION), (root / "config.json").read_text(encoding="utf-8")]
    for weights in sorted(root.glob("*.safetensors")) + sorted(root.glob("*.bin")):
        stat = weights.stat()
        parts.append(f"{weights.name}:{stat.st_size}:{int(stat.st_mtime)}")
    tag = hashlib.sha1("\0".join(parts).encode()).hexdigest()[:12]
    return Path(model_cache).expanduser() / "onnx" / tag


def exported(model_folder: str, model_cache: Path) -> Path:
    """The cached ONNX file, exported first when it is missing (once; a second process
    waits for the first's)."""
    folder = cache_folder(model_folder, model_cache)
    target = folder / MODEL_FILE
    if target.exists():
        return target
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        print(f"kgqa: exporting {model_folder} to ONNX (once, ~10 s); cached in {folder}",
              file=sys.stderr)
        folder.mkdir(exist_ok=True)
        partial = folder / (MODEL_FILE + ".partial")
        export(model_folder, partial)
        partial.rename(target)
    return target


def export(model_folder: str, path: Path) -> None:
    """The transformer's last hidden state, dynamic batch and length; pooling stays ours."""
    import warnings

    import torch
    from transformers import AutoModel, AutoTokenizer

    bert = AutoModel.from_pretrained(model_folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_folder)

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor):
            return self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)[0]

    sample = tokenizer(["a b", "c d e"], padding=True, return_tensors="pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's tracer warnings say nothing to a user
        torch.onnx.export(
            Hidden().eval(),  # a new Module trains by default, which would leave dropout on
            tuple(sample[k] for k in INPUTS),
            str(path),
            input_names=list(INPUTS),
            output_names=["hidden"],
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "hidden")},
            opset_version=17,
            dynamo=False,
        )


class OnnxMeanPooled(MeanPooled):
    """MeanPooled's tokenizer, pooling and normalisation around an onnxruntime session."""

    def __init__(self, folder: str, model_cache: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        from transformers import AutoConfig, AutoTokenizer

        config = AutoConfig.from_pretrained(folder)  # a folder without its model fails here
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.tokenizer_lock = threading.Lock()
        self.max_seq_length = MeanPooled.seq_limit(folder, self.tokenizer)
        self._dimension = int(config.hidden_size)
        options = ort.SessionOptions()
        # one thread per call, on the caller's: ingestion runs its embed workers at once
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(exported(folder, model_cache)), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str], batch_size: int = 64, **_: Any) -> Any:
        """Unit-length float32 vectors (a numpy array), one row per text, in order."""
        import numpy as np

        rows = []
        for i in range(0, len(texts), max(1, batch_size)):
            batch = self.tokens(texts[i : i + batch_size], "np")
            ids = batch["input_ids"].astype(np.int64)
            feed = {k: batch[k].astype(np.int64) if k in batch else np.zeros_like(ids)
                    for k in INPUTS}
            hidden = self.session.run(None, feed)[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            rows.append((pooled / np.clip(norms, 1e-12, None)).astype(np.float32))
        return np.concatenate(rows) if rows else np.zeros((0, self._dimension), np.float32)


if __name__ == "__main__":  # `python -m kg.onnx_embed`: export the default model now
    from kg.embed import _model_path, _offline, model_id
    from kg.settings import Settings

    _offline()
    settings = Settings()
    print(exported(_model_path(model_id(settings)), settings.model_cache))
