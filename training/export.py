"""Datasets from the graph: TRL chat JSONL, Alpaca, ShareGPT, or an HF `datasets` folder.

Only triples the given groups may see are exported (default: public documents only). JSONL
formats write one file per split into the `out` folder, or, when `out` ends in `.jsonl` or
`.json`, one file holding every split with each record tagged by its `split` (a user who asks
for `pairs.jsonl` expects a file, not a folder of that name). Every record carries its
direction and provenance (fact, triple, chunk, document).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from kg.models import normalise_groups
from kg.stores.base import GraphStore
from training.pairs import HOLDOUT, QAPair, make_pairs, split_by_fact

Format = Literal["chat", "alpaca", "sharegpt", "hf"]
FORMATS: tuple[str, ...] = ("chat", "alpaca", "sharegpt", "hf")
FILE_SUFFIXES: tuple[str, ...] = (".jsonl", ".json")


def is_single_file(out: str | Path) -> bool:
    """True when `out` names one file (`.jsonl`/`.json`) rather than a folder of splits."""
    return Path(out).suffix.lower() in FILE_SUFFIXES


def chat_record(p: QAPair) -> dict[str, Any]:
    """TRL conversational format: {"messages": [user, assistant], ...metadata}."""
    messages = [
        {"role": "user", "content": p.question},
        {"role": "assistant", "content": p.answer},
    ]
    return {"messages": messages, **p.metadata()}


def alpaca_record(p: QAPair) -> dict[str, Any]:
    return {"instruction": p.question, "input": "", "output": p.answer, **p.metadata()}


def sharegpt_record(p: QAPair) -> dict[str, Any]:
    conversations = [{"from": "human", "value": p.question}, {"from": "gpt", "value": p.answer}]
    return {"conversations": conversations, **p.metadata()}


RECORDS: dict[str, Callable[[QAPair], dict[str, Any]]] = {
    "chat": chat_record,
    "hf": chat_record,
    "alpaca": alpaca_record,
    "sharegpt": sharegpt_record,
}


@dataclass
class ExportReport:
    format: str
    paths: list[str]
    facts: int
    pairs: int
    splits: dict[str, int] = field(default_factory=dict)
    directions: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_jsonl(records: Sequence[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _write_one_file(records: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """Every split in one file, each record tagged `split`: JSON Lines, or a JSON array."""
    tagged = [{**r, "split": name} for name, rs in records.items() for r in rs]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(tagged, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        write_jsonl(tagged, path)


def _save_hf(split_records: dict[str, list[dict[str, Any]]], out: Path) -> None:
    from datasets import Dataset, DatasetDict

    every = [r for rs in split_records.values() for r in rs]
    if not every:
        raise ValueError("nothing to export: the visible graph has no triples")
    features = Dataset.from_list(every).features  # one schema for all splits, empty ones too
    # Empty splits are left out: datasets cannot read back a zero-row split it saved.
    DatasetDict(
        {name: Dataset.from_list(rs, features=features) for name, rs in split_records.items() if rs}
    ).save_to_disk(str(out))


def write_splits(splits: dict[str, list[QAPair]], fmt: str, out: Path) -> list[str]:
    """Write every split in `fmt` under the folder `out`, or into the one file `out` names
    (`.jsonl`/`.json`); returns the paths written."""
    if fmt not in RECORDS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    single = is_single_file(out)
    if single and fmt == "hf":
        raise ValueError(f"--format hf writes a folder; give a folder path, not {out}")
    if single and out.is_dir():
        raise ValueError(f"{out} is a folder; give a new file path or a folder without a suffix")
    to_record = RECORDS[fmt]
    records = {name: [to_record(p) for p in pairs] for name, pairs in splits.items()}
    if single:
        _write_one_file(records, out)
        return [str(out)]
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "hf":
        _save_hf(records, out)
        return [str(out)]
    paths = []
    for name, rs in records.items():
        path = out / f"{name}.jsonl"
        write_jsonl(rs, path)
        paths.append(str(path))
    return paths


def export_dataset(
    store: GraphStore,
    fmt: str,
    out: str | Path,
    groups: Sequence[str] = (),
    reverse: bool = True,
    hops: int = 1,
    paraphrases: int = 1,
    seed: int = 0,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    holdout_reverse: float = 0.0,
    split_only: str | None = None,
) -> ExportReport:
    """Pairs from the triples `groups` may see, split by fact, written in `fmt` to `out`
    (a folder, or one `.jsonl`/`.json` file); `split_only` keeps just that split."""
    triples = store.triples(normalise_groups(groups))
    pairs = make_pairs(triples, reverse=reverse, hops=hops, paraphrases=paraphrases)
    if not pairs:
        raise ValueError("nothing to export: the graph has no triples these groups may see")
    splits = split_by_fact(pairs, fractions, seed=seed, holdout_reverse=holdout_reverse)
    if not splits[HOLDOUT]:
        del splits[HOLDOUT]
    if split_only is not None:
        if split_only not in splits:
            raise ValueError(f"unknown split {split_only!r}; choose one of {', '.join(splits)}")
        splits = {split_only: splits[split_only]}
        pairs = splits[split_only]
    paths = write_splits(splits, fmt, Path(out))
    return ExportReport(
        format=fmt,
        paths=paths,
        facts=len({p.fact_id for p in pairs}),
        pairs=len(pairs),
        splits={name: len(split) for name, split in splits.items()},
        directions=dict(Counter(p.direction for p in pairs)),
    )
