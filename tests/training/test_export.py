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


# ---- against the real store: only what the groups may see is exported -------------------
def exported(folder: Path) -> list[dict]:
    return [json.loads(line) for split in folder.glob("*.jsonl")
            for line in split.read_text().splitlines()]  # fmt: skip


def test_export_respects_groups_in_the_real_store(store, tmp_path: Path) -> None:
    from tests.kg.store_world import load_world
    from training.export import export_dataset

    load_world(store)  # /docs/pub.md public; /docs/sec.md restricted to "finance"
    public = export_dataset(store, "chat", tmp_path / "public", fractions=(1.0, 0.0, 0.0))
    assert public.facts == 2 and public.directions == {"forward": 2, "reverse": 2}
    rows = exported(tmp_path / "public")
    assert {r["doc"] for r in rows} == {"/docs/pub.md"}
    assert not [r for r in rows if "Mira Tal" in json.dumps(r)]

    finance = export_dataset(store, "chat", tmp_path / "finance", groups=["finance"],
                             fractions=(1.0, 0.0, 0.0))  # fmt: skip
    assert finance.facts == 4
    rows = exported(tmp_path / "finance")
    assert {r["doc"] for r in rows} == {"/docs/pub.md", "/docs/sec.md"}
    mother = [r for r in rows if r["predicate"] == "mother of" and r["direction"] == "reverse"]
    assert mother[0]["messages"][0]["content"] == "Who is a child of Mira Tal?"
    assert mother[0]["messages"][1]["content"] == "Orin Vale"
    assert mother[0]["chunk"] == "sec:0"


def test_export_of_an_empty_view_is_a_clear_error(store, tmp_path: Path) -> None:
    from training.export import export_dataset

    with pytest.raises(ValueError, match="nothing to export"):
        export_dataset(store, "hf", tmp_path / "hf")


def test_cli_export_writes_the_hf_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from kg.settings import Settings
    from kg.stores import open_store
    from tests.kg.store_world import load_world
    from ui.cli import main

    folder = tmp_path / "s"
    with open_store(Settings(store=folder, backend="falkordb")) as store:
        load_world(store)
    out = tmp_path / "hf"
    args = ["export", "--store", str(folder), "--format", "hf", "--out", str(out),
            "--groups", "finance", "--paraphrases", "2", "--hops", "2", "--split", "0.5,0.5,0"]
    assert main(args) == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    dd = load_from_disk(str(out))
    assert set(dd) == {"train", "validation"}  # the empty test split is left out
    assert report["splits"] == {"train": len(dd["train"]), "validation": len(dd["validation"]),
                                "test": 0}  # fmt: skip
    assert sum(report["splits"].values()) == report["pairs"] and report["directions"]["2hop"] > 0
    assert main([*args[:-1], "1,1,1"]) == 2  # bad split: a clear error, nothing lost
    assert load_from_disk(str(out))["train"].num_rows == dd["train"].num_rows


# ---- one file when --out names one (.jsonl / .json); a folder otherwise ------------------
@pytest.mark.parametrize("name", ["pairs.jsonl", "pairs.json"])
def test_a_file_path_writes_one_file_with_every_split_tagged(
    splits: dict, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    assert write_splits(splits, "chat", out) == [str(out)]
    assert out.is_file() and list(tmp_path.iterdir()) == [out]
    ds = load_dataset("json", data_files=str(out), split="train")
    assert len(ds) == sum(len(v) for v in splits.values())
    counts = {name: ds["split"].count(name) for name in splits}
    assert counts == {name: len(v) for name, v in splits.items()}
    check_metadata(ds[0])


def test_hf_into_a_file_path_or_a_file_into_a_folder_is_a_clear_error(
    splits: dict, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="hf writes a folder"):
        write_splits(splits, "hf", tmp_path / "pairs.jsonl")
    (tmp_path / "taken.jsonl").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        write_splits(splits, "chat", tmp_path / "taken.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.jsonl"]


def test_readme_usage_lines_export_then_train_data_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kgqa export --format chat --out pairs.jsonl` then `--data pairs.jsonl` as written."""
    from kg.settings import Settings
    from kg.stores import open_store
    from tests.kg.store_world import load_world
    from training.lora import load_chat_dataset
    from ui.cli import main

    monkeypatch.chdir(tmp_path)
    with open_store(Settings(store=tmp_path / "kgqa-store", backend="falkordb")) as store:
        load_world(store)
    assert main(["export", "--format", "chat", "--out", "pairs.jsonl", "--groups", "finance",
                 "--split", "0.5,0.5,0"]) == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert Path("pairs.jsonl").is_file() and report["paths"] == ["pairs.jsonl"]
    rows = [json.loads(line) for line in Path("pairs.jsonl").read_text().splitlines()]
    assert {r["split"] for r in rows} == {"train", "validation"}
    train_rows = load_chat_dataset("pairs.jsonl")  # what `kgqa train --data pairs.jsonl` reads
    assert len(train_rows) == report["splits"]["train"] > 0
    assert set(train_rows.column_names) == {"prompt", "completion"}

    assert main(["export", "--out", "train.json", "--split-only", "train", "--groups",
                 "finance", "--split", "0.5,0.5,0"]) == 0  # fmt: skip
    only = json.loads(capsys.readouterr().out)
    assert only["splits"] == {"train": report["splits"]["train"]}
    assert only["pairs"] == report["splits"]["train"]
    assert {r["split"] for r in json.loads(Path("train.json").read_text())} == {"train"}
    assert len(load_chat_dataset("train.json")) == report["splits"]["train"]

    assert main(["export", "--out", "data/", "--split-only", "validation"]) == 0
    assert [p.name for p in Path("data").iterdir()] == ["validation.jsonl"]
