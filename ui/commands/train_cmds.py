"""`kgqa export`, `kgqa train` and `kgqa eval`: thin wrappers over training/."""

from __future__ import annotations

import argparse
import json
import sys

from tqdm import tqdm

from kg.settings import Settings


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
                store, args.format, args.out, groups=args.groups, reverse=not args.no_reverse,
                hops=args.hops, paraphrases=args.paraphrases, seed=args.seed,
                fractions=fractions, holdout_reverse=args.holdout_reverse,
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
        cache=settings.model_cache,
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


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from training.reversal import ReversalConfig, format_table, run_reversal

    config = ReversalConfig(limit=args.limit)
    if args.facts:
        config.facts = args.facts
    if args.epochs:
        config.epochs = args.epochs
    try:
        with tqdm(desc="reversal benchmark", unit="stage") as bar:
            result = run_reversal(config, settings, on_stage=lambda s: (bar.set_postfix_str(s),
                                                                        bar.update()))
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(format_table(result))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
        print(f"wrote {args.out}")
    return 0
