"""Every export format loads back with `datasets`, with direction and provenance per record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasets import load_dataset, load_from_disk

from kg.models import StoredTriple
from training.export import write_splits
from training.pairs import make_pairs, split_by_fact


def facts(n: int = 20) -> list[StoredTriple]:
    return [StoredTriple(f"Person {i}", "found", f"Company {i}", f"person {i}", f"company {i}",
                         f"/docs/d{i}.txt", f"c{i}:0", f"Person {i} founded Company {i}.")
            for i in range(n)]  # fmt: skip


@pytest.fixture(scope="module")
def splits() -> dict:
    return split_by_fact(make_pairs(facts(), paraphrases=2), (0.8, 0.1, 0.1), seed=0,
                         holdout_reverse=0.25)  # fmt: skip


def check_metadata(record: dict) -> None:
    assert record["direction"] in ("forward", "reverse")
    assert record["doc"].startswith("/docs/d") and record["chunk"].endswith(":0")
    assert record["subject"].startswith("Person") and record["predicate"] == "found"
    assert len(record["fact_id"]) == 16


def test_chat_jsonl_loads_with_datasets(splits: dict, tmp_path: Path) -> None:
    paths = write_splits(splits, "chat", tmp_path)
    assert sorted(Path(p).name for p in paths) == [
        "reverse_holdout.jsonl", "test.jsonl", "train.jsonl", "validation.jsonl"]  # fmt: skip
    ds = load_dataset("json", data_files={"train": str(tmp_path / "train.jsonl")})["train"]
    assert len(ds) == len(splits["train"])
    row = ds[0]
    assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
    pair = splits["train"][0]
    assert row["messages"][0]["content"] == pair.question
    assert row["messages"][1]["content"] == pair.answer
    check_metadata(row)


def test_alpaca_and_sharegpt_records(splits: dict, tmp_path: Path) -> None:
    write_splits(splits, "alpaca", tmp_path / "alpaca")
    write_splits(splits, "sharegpt", tmp_path / "sharegpt")
    alpaca = load_dataset("json", data_files=str(tmp_path / "alpaca" / "test.jsonl"))["train"]
    assert {"instruction", "input", "output"} <= set(alpaca.column_names)
    assert alpaca[0]["instruction"] == splits["test"][0].question
    check_metadata(alpaca[0])
    line = (tmp_path / "sharegpt" / "validation.jsonl").read_text().splitlines()[0]
    record = json.loads(line)
    assert [t["from"] for t in record["conversations"]] == ["human", "gpt"]
    assert record["conversations"][1]["value"] == splits["validation"][0].answer
    check_metadata(record)


def test_hf_folder_loads_with_load_from_disk(splits: dict, tmp_path: Path) -> None:
    write_splits(splits, "hf", tmp_path / "hf")
    dd = load_from_disk(str(tmp_path / "hf"))
    assert set(dd.keys()) == {"train", "validation", "test", "reverse_holdout"}
    for name, items in splits.items():
        assert len(dd[name]) == len(items)
    assert dd["reverse_holdout"][0]["direction"] == "reverse"
    check_metadata(dd["train"][0])
    assert dd["test"].features == dd["train"].features


def test_unknown_format_is_a_clear_error(splits: dict, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'csv'"):
        write_splits(splits, "csv", tmp_path)
    assert not list(tmp_path.iterdir())
