"""A sentence-transformers folder that is only a BERT Transformer -> mean Pooling ->
Normalize (all-MiniLM-L6-v2 is), run on torch and `tokenizers` alone.

Importing sentence_transformers pulls in transformers, scikit-learn, scipy and its model-card
and backend modules: with spaCy, 21-24 s against 14-16 s for transformers alone (load
average ~4; torch itself comes with spaCy's thinc either way), and transformers' BertModel
import alone is ~4 s of that. The computation is sentence-transformers' own: the folder's
tokenizer.json truncated at max_seq_length, BERT's encoder in eval (the weights from
model.safetensors), the last hidden state averaged over the attention mask, L2 normalised;
tests compare the vectors with SentenceTransformer's on the same texts (max diff ~1e-7).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PLAIN = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_plain(folder: str) -> bool:
    """True for a local folder whose pipeline this module reproduces exactly."""
    root = Path(folder)
    try:
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if [m.get("type") for m in modules] != PLAIN or modules[0].get("path") not in ("", None):
        return False
    pooling = _json(root / modules[1]["path"] / "config.json")
    modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode")}
    st = _json(root / "config_sentence_transformers.json")
    return (
        modes.get("pooling_mode_mean_tokens") is True
        and not any(v for k, v in modes.items() if k != "pooling_mode_mean_tokens")
        and pooling.get("include_prompt", True) is True
        and not st.get("prompts")
        and not st.get("default_prompt_name")
        and not _json(root / "sentence_bert_config.json").get("do_lower_case")
        and _bert_config_ok(root)
    )


class _Tokens:
    """The folder's tokenizer.json through `tokenizers` (what transformers' fast BERT
    tokenizer runs), callable like a transformers tokenizer for kg.embed's batching."""

    def __init__(self, folder: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(max_length)

    def __call__(self, texts: list[str], **_: Any) -> dict[str, list[list[int]]]:
        return {"input_ids": [e.ids for e in self._tok.encode_batch(texts)]}

    def padded(self, texts: list[str]) -> tuple[Any, Any]:
        import torch

        ids = self(texts)["input_ids"]
        width = max(len(i) for i in ids)
        mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i in ids])
        return torch.tensor([i + [0] * (width - len(i)) for i in ids]), mask


def _bert(folder: Path) -> Any:
    """BERT's encoder (absolute positions, GELU, post-LayerNorm) as plain torch ops on the
    folder's safetensors weights: the same arithmetic as transformers' BertModel in eval."""
    import torch
    from safetensors.torch import load_file

    config = _json(folder / "config.json")
    w = load_file(str(folder / "model.safetensors"))
    w = {k.removeprefix("bert."): v for k, v in w.items()}
    heads, eps = int(config["num_attention_heads"]), float(config["layer_norm_eps"])
    layers = int(config["num_hidden_layers"])
    F = torch.nn.functional

    def norm(x: Any, name: str) -> Any:
        return F.layer_norm(x, x.shape[-1:], w[f"{name}.weight"], w[f"{name}.bias"], eps)

    def dense(x: Any, name: str) -> Any:
        return F.linear(x, w[f"{name}.weight"], w[f"{name}.bias"])

    def forward(ids: Any, mask: Any) -> Any:
        n, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        keep = mask[:, None, None, :].bool()

        def heads_of(t: Any) -> Any:
            return t.view(n, length, heads, -1).transpose(1, 2)

        for i in range(layers):
            p = f"encoder.layer.{i}"
            q, k, v = (heads_of(dense(x, f"{p}.attention.self.{m}")) for m in ("query", "key",
                                                                                 "value"))
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
            a = a.transpose(1, 2).reshape(n, length, -1)
            x = norm(dense(a, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
            h = F.gelu(dense(x, f"{p}.intermediate.dense"))
            x = norm(dense(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        return x

    return forward


def _bert_config_ok(folder: Path) -> bool:
    c = _json(folder / "config.json")
    return (
        c.get("model_type") == "bert"
        and c.get("hidden_act") == "gelu"
        and c.get("position_embedding_type", "absolute") == "absolute"
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


class MeanPooled:
    """The parts of SentenceTransformer that kg.embed.Embedder uses."""

    def __init__(self, folder: str) -> None:
        root = Path(folder)
        limit = _json(root / "sentence_bert_config.json").get("max_seq_length") or 512
        self.max_seq_length = int(limit)
        self.tokenizer = _Tokens(root, self.max_seq_length)
        self._forward = _bert(root)
        self._dimension = int(_json(root / "config.json")["hidden_size"])

    def get_embedding_dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str], batch_size: int = 64, **_: Any) -> Any:
        """Unit-length float32 vectors (a numpy array), one row per text, in order."""
        import numpy as np
        import torch

        rows = []
        with torch.inference_mode():
            for i in range(0, len(texts), max(1, batch_size)):
                ids, mask = self.tokenizer.padded(list(texts[i : i + batch_size]))
                hidden = self._forward(ids, mask)
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                rows.append(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy())
        return np.concatenate(rows) if rows else np.zeros((0, self._dimension), np.float32)
