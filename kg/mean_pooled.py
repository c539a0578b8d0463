"""A sentence-transformers folder that is only Transformer -> mean Pooling -> Normalize
(all-MiniLM-L6-v2 is), run with transformers alone.

Importing sentence_transformers pulls in scikit-learn, scipy and its model-card and backend
modules: 21-24 s against 14-16 s for transformers alone, both with spaCy (load average ~4;
torch itself comes with spaCy's thinc either way), a large part of a cold `kgqa ask`. The
computation is sentence-transformers' own: the tokenizer with padding and truncation at the
folder's max_seq_length, the model's last hidden state averaged over the attention mask, L2
normalised; tests compare the two on the same texts.
"""

from __future__ import annotations

import json
import threading
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
    )


class MeanPooled:
    """The parts of SentenceTransformer that kg.embed.Embedder uses."""

    def __init__(self, folder: str) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        # a fast tokenizer fails when two threads call it at once ("Already borrowed");
        # the forward pass needs no lock (inference only), so ingestion embeds in parallel
        self.tokenizer_lock = threading.Lock()
        self.auto_model = AutoModel.from_pretrained(folder).eval()
        self.max_seq_length = self.seq_limit(folder, self.tokenizer)
        self._dimension = int(self.auto_model.config.hidden_size)

    @staticmethod
    def seq_limit(folder: str, tokenizer: Any) -> int:
        """Tokens kept per text: the folder's max_seq_length, as sentence-transformers reads."""
        limit = _json(Path(folder) / "sentence_bert_config.json").get("max_seq_length")
        return int(limit or tokenizer.model_max_length)

    def __getitem__(self, index: int) -> MeanPooled:  # model[0].auto_model, as in ST
        if index != 0:
            raise IndexError(index)
        return self

    def get_embedding_dimension(self) -> int:
        return self._dimension

    def tokens(self, texts: Sequence[str], tensors: str) -> Any:
        """The batch padded and truncated as sentence-transformers does ("pt" or "np")."""
        with self.tokenizer_lock:
            return self.tokenizer(
                list(texts),
                padding=True,
                truncation=True,
                max_length=self.max_seq_length,
                return_tensors=tensors,
            )

    def encode(self, texts: Sequence[str], batch_size: int = 64, **_: Any) -> Any:
        """Unit-length float32 vectors (a numpy array), one row per text, in order."""
        import numpy as np
        import torch

        rows = []
        with torch.inference_mode():
            for i in range(0, len(texts), max(1, batch_size)):
                batch = self.tokens(texts[i : i + batch_size], "pt")
                # fp32 pooling also under bf16 autocast (kg.embed's embedding_precision)
                hidden = self.auto_model(**batch).last_hidden_state.float()
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                rows.append(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy())
        return np.concatenate(rows) if rows else np.zeros((0, self._dimension), np.float32)
