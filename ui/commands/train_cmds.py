"""`kgqa export`, `kgqa train` and `kgqa eval`: thin wrappers over training/."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

from tqdm import tqdm

from kg.settings import Settings
from ui.cli import asker

if TYPE_CHECKING:
    from training.reversal import ReversalConfig


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from kg.stores import open_store
    from training.export import export_dataset
    from training.pairs import parse_fractions

    try:
        fractions = parse_fractions(args.split)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with open_store(settings) as store:
        try:
            report = export_dataset(
                store, args.format, args.out, groups=asker(args), reverse=not args.no_reverse,
                hops=args.hops, paraphrases=args.paraphrases, seed=args.seed,
                fractions=fractions, holdout_reverse=args.holdout_reverse,
                split_only=args.split_only,
            )  # fmt: skip
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
    print(json.dumps(report.as_dict(), indent=2))
    return 0


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    from training.lora import TrainConfig, train

    config = TrainConfig(
        data=args.data, out=args.out, base=args.base or settings.generator_model,
        epochs=args.epochs, max_steps=args.max_steps, rank=args.rank, lr=args.lr,
        batch_size=args.batch_size, save_steps=args.save_steps, merge=args.merge,
        cache=settings.model_cache, threads=args.threads,
    )  # fmt: skip
    try:
        result = train(config)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    summary = {
        "adapter": result.adapter_dir,
        "merged": result.merged_dir,
        "steps": result.steps,
        "resumed_from": result.resumed_from,
        "final_loss": result.final_loss,
        "seconds_per_step": round(result.seconds_per_step, 3),
    }
    print(json.dumps(summary, indent=2))
    return 0


def reversal_config(args: argparse.Namespace) -> ReversalConfig:
    """The benchmark's settings from `kgqa eval reversal` flags (unset flags keep defaults)."""
    from training.reversal import ReversalConfig

    given = {
        "facts": args.facts, "corpus": args.corpus, "limit": args.limit, "epochs": args.epochs,
        "rank": args.rank, "threads": args.threads,
        "conditions": tuple(args.conditions) if args.conditions else None,
    }  # fmt: skip
    return ReversalConfig(groups=tuple(args.groups), seed=args.seed,
                          **{k: v for k, v in given.items() if v is not None})  # fmt: skip


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from training.reversal import run_reversal
    from training.reversal_score import format_table

    started = time.perf_counter()
    try:
        config = reversal_config(args)
        with tqdm(desc="reversal benchmark", unit="stage") as bar:
            result = run_reversal(
                config, settings, on_stage=lambda s: (bar.set_postfix_str(s), bar.update()),
                on_result=lambda partial: _write_json(partial, args.out),
            )
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    print(format_table(result))
    if args.out:
        _write_json(result, args.out)
        print(f"wrote {args.out}")
    return 0


def _write_json(result: dict, out: str | None) -> None:
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
