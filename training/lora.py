"""LoRA fine-tuning of the generator with peft + trl's SFTTrainer.

Chat records are turned into conversational prompt/completion pairs, so trl computes the
loss on the answer tokens only. CPU by default; on a GPU bf16, and QLoRA (4-bit base) when
bitsandbytes is installed. Checkpoints every `save_steps`; a rerun into the same `out`
resumes from the last checkpoint. The adapter is saved in peft's standard format.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from datasets import Dataset, load_dataset
from transformers import AutoModelForCausalLM, TrainerCallback
from transformers.trainer_utils import get_last_checkpoint

from kg.settings import Settings
from training.model import best_device, load_tokenizer, resolve_model, use_cpu_threads

Progress = Callable[[dict[str, Any]], None]


@dataclass
class TrainConfig:
    data: str  # chat JSONL/JSON file (its train split when tagged), or a folder with train.jsonl
    out: str
    base: str = ""  # '' = the offline SmolLM2-135M-Instruct GGUF
    epochs: float = 3.0
    max_steps: int = -1
    rank: int = 16
    alpha: int | None = None  # default 2 * rank
    dropout: float = 0.0
    lr: float = 1e-3
    batch_size: int = 8
    save_steps: int = 50
    merge: bool = False
    seed: int = 0
    cache: Path | None = None  # dequantized model cache (default Settings().model_cache)
    target_modules: str | list[str] = "all-linear"
    progress_bar: bool = True
    threads: int | None = None  # CPU threads (default: all cores but one)


@dataclass
class TrainResult:
    adapter_dir: str
    steps: int  # global step reached
    steps_run: int  # steps run by this call (fewer when it resumed)
    final_loss: float | None
    loss_history: list[float] = field(default_factory=list)
    merged_dir: str | None = None
    resumed_from: str | None = None
    seconds: float = 0.0

    @property
    def seconds_per_step(self) -> float:
        return self.seconds / self.steps_run if self.steps_run else 0.0


def chat_to_prompt_completion(record: dict[str, Any]) -> dict[str, Any]:
    """Split a chat record before its last (assistant) turn: the loss is on that turn only."""
    messages = record["messages"]
    if not messages or messages[-1]["role"] != "assistant":
        raise ValueError("every chat record must end with an assistant message")
    return {"prompt": messages[:-1], "completion": messages[-1:]}


def load_chat_dataset(data: str | Path) -> Dataset:
    """The training split of a chat export, as prompt/completion pairs: a folder's
    train.jsonl, or a one-file export's records tagged `split: train` (an untagged file is
    all training data)."""
    path = Path(data)
    if path.is_dir():
        path = path / "train.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"training data not found: {path}")
    ds = load_dataset("json", data_files=str(path), split="train")
    if "messages" not in ds.column_names:
        raise ValueError(f"{path} is not chat-format JSONL (no 'messages' field)")
    if "split" in ds.column_names:
        ds = ds.filter(lambda r: r["split"] == "train")
    if len(ds) == 0:
        raise ValueError(f"{path} holds no records")
    return ds.map(chat_to_prompt_completion, remove_columns=ds.column_names)


class _ProgressCallback(TrainerCallback):
    """Forwards the trainer's log lines (step, loss, epoch) to `on_progress`."""

    def __init__(self, on_progress: Progress | None, losses: list[float]) -> None:
        self.on_progress = on_progress
        self.losses = losses

    def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kw: Any):
        if logs and "loss" in logs:
            self.losses.append(float(logs["loss"]))
            if self.on_progress:
                self.on_progress({"step": state.global_step, "max_steps": state.max_steps,
                                  "epoch": state.epoch, "loss": float(logs["loss"])})  # fmt: skip


def _load_base(name: str, device: str) -> Any:
    """The base model: 4-bit (QLoRA) on a GPU with bitsandbytes, bf16 on a GPU, else fp32."""
    if device == "cuda" and importlib.util.find_spec("bitsandbytes"):
        from peft import prepare_model_for_kbit_training
        from transformers import BitsAndBytesConfig

        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                   bnb_4bit_compute_dtype=torch.bfloat16)  # fmt: skip
        model = AutoModelForCausalLM.from_pretrained(name, quantization_config=quant)
        return prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    return AutoModelForCausalLM.from_pretrained(name, dtype=dtype)


def build_trainer(config: TrainConfig, callbacks: list[TrainerCallback] | None = None) -> Any:
    """The SFTTrainer for `config`: LoRA on the base model, loss on completions only."""
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    cache = config.cache or Settings().model_cache
    name = resolve_model(config.base, cache)
    device = best_device()
    args = SFTConfig(
        output_dir=config.out,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.lr,
        lr_scheduler_type="linear",
        logging_steps=1,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        gradient_checkpointing=False,  # measured: far slower on CPU for a 135M model
        completion_only_loss=True,
        bf16=device == "cuda" and torch.cuda.is_bf16_supported(),
        use_cpu=device == "cpu",
        seed=config.seed,
        report_to="none",
        disable_tqdm=not config.progress_bar,
        dataloader_num_workers=0,
        max_length=512,
    )
    peft_config = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha or 2 * config.rank,
        lora_dropout=config.dropout,
        target_modules=config.target_modules,
        task_type="CAUSAL_LM",
    )
    return SFTTrainer(
        model=_load_base(name, device),
        args=args,
        train_dataset=load_chat_dataset(config.data),
        processing_class=load_tokenizer(name, cache),
        peft_config=peft_config,
        callbacks=callbacks,
    )


def train(config: TrainConfig, on_progress: Progress | None = None) -> TrainResult:
    """Fine-tune a LoRA adapter on chat data; resumes when `out` holds a checkpoint."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    resume = get_last_checkpoint(str(out))
    if best_device() == "cpu":
        use_cpu_threads(config.threads)
    losses: list[float] = []
    trainer = build_trainer(config, [_ProgressCallback(on_progress, losses)])
    started = time.perf_counter()
    output = trainer.train(resume_from_checkpoint=resume)
    seconds = time.perf_counter() - started
    trainer.save_model(str(out))  # adapter_config.json + adapter_model.safetensors
    merged = None
    if config.merge:
        merged = str(out / "merged")
        trainer.model.merge_and_unload().save_pretrained(merged)
        trainer.processing_class.save_pretrained(merged)
    steps_run = output.global_step - (int(Path(resume).name.split("-")[-1]) if resume else 0)
    return TrainResult(
        adapter_dir=str(out),
        steps=output.global_step,
        steps_run=steps_run,
        final_loss=losses[-1] if losses else None,
        loss_history=losses,
        merged_dir=merged,
        resumed_from=resume,
        seconds=seconds,
    )
