"""A few real LoRA steps on the offline SmolLM2: loss masking, adapter format, resume, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from kg.models import StoredTriple
from training.export import write_splits
from training.lora import TrainConfig, build_trainer, train
from training.model import chat_answers, load_generator
from training.pairs import make_pairs, split_by_fact
from ui.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chat_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    facts = [StoredTriple(f"Orin Vale {i}", "found", f"Brightwater Labs {i}", f"orin vale {i}",
                          f"brightwater labs {i}", "/docs/vale.txt", f"c:{i}") for i in range(4)]
    folder = tmp_path_factory.mktemp("chat")
    write_splits(split_by_fact(make_pairs(facts), (1.0, 0.0, 0.0)), "chat", folder)
    return folder


def test_loss_is_on_the_answer_tokens_only(chat_data: Path, tmp_path: Path) -> None:
    trainer = build_trainer(TrainConfig(data=str(chat_data), out=str(tmp_path), max_steps=1))
    row = trainer.train_dataset[0]
    ids, labels = row["input_ids"], row["labels"]
    pairs = list(zip(ids, labels, strict=True))
    trained = trainer.processing_class.decode([t for t, label in pairs if label != -100])
    prompt = trainer.processing_class.decode([t for t, label in pairs if label == -100])
    first = (chat_data / "train.jsonl").read_text().splitlines()[0]
    question = first.split('"content": "')[1].split('"')[0]
    assert question in prompt and question not in trained
    assert trained.startswith(("Orin Vale", "Brightwater Labs")) and "<|im_end|>" in trained


@pytest.fixture(scope="module")
def adapter(chat_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three real steps through `kgqa train`, with a merged copy."""
    out = tmp_path_factory.mktemp("lora") / "adapter"
    code = main(["train", "--data", str(chat_data / "train.jsonl"), "--out", str(out),
                 "--max-steps", "3", "--save-steps", "2", "--batch-size", "2", "--rank", "4",
                 "--lr", "5e-3", "--merge"])  # fmt: skip
    assert code == 0
    return out


def test_cli_train_writes_a_peft_adapter_the_generator_uses(adapter: Path) -> None:
    out = adapter
    assert (out / "adapter_config.json").is_file()
    assert (out / "adapter_model.safetensors").is_file()
    assert (out / "checkpoint-2").is_dir()

    from peft import PeftModel

    base, tokenizer = load_generator()
    enc = tokenizer("Who founded Brightwater Labs 1?", return_tensors="pt")
    with torch.inference_mode():
        before = base(**enc).logits
        tuned = PeftModel.from_pretrained(base, str(out)).eval()
        after = tuned(**enc).logits
    assert not torch.allclose(before, after, atol=1e-4)  # the adapter changes the model
    answers = chat_answers(tuned, tokenizer, ["Who founded Brightwater Labs 1?"], 8)
    assert len(answers) == 1 and answers[0]

    merged, _ = load_generator(str(out / "merged"))  # a plain model with the adapter folded in
    with torch.inference_mode():
        assert torch.allclose(merged(**enc).logits, after, atol=1e-3)


def test_training_resumes_from_its_last_checkpoint(chat_data: Path, tmp_path: Path) -> None:
    seen: list[dict] = []
    config = TrainConfig(data=str(chat_data), out=str(tmp_path), max_steps=2, save_steps=1,
                         batch_size=2, rank=4, target_modules=["q_proj", "v_proj"],
                         progress_bar=False)  # fmt: skip
    first = train(config, seen.append)
    assert first.steps == 2 and first.resumed_from is None and len(first.loss_history) == 2
    assert [s["step"] for s in seen] == [1, 2]
    config.max_steps = 3
    second = train(config, seen.append)
    assert second.resumed_from and second.resumed_from.endswith("checkpoint-2")
    assert second.steps == 3 and second.steps_run == 1
    assert seen[-1]["step"] == 3


def test_bad_training_data_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "train.jsonl"
    bad.write_text('{"instruction": "q", "output": "a"}\n')
    with pytest.raises(ValueError, match="not chat-format"):
        train(TrainConfig(data=str(bad), out=str(tmp_path / "out")))
    with pytest.raises(FileNotFoundError):
        train(TrainConfig(data=str(tmp_path / "missing.jsonl"), out=str(tmp_path / "out")))


def test_kgqa_ask_answers_with_the_adapter(adapter: Path, tmp_path: Path, capsys) -> None:
    import json

    from peft import PeftModel

    from kg.settings import Settings
    from qa.generate import make_generator

    samples = Path(__file__).resolve().parents[2] / "samples"
    store = tmp_path / "store"
    assert main(["ingest", str(samples / "vale_family.txt"), "--store", str(store)]) == 0
    capsys.readouterr()
    question = "Who is the mother of Orin Vale?"
    code = main(["ask", question, "--store", str(store), "--adapter", str(adapter), "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert "Mira Tal" in answer["answer"] and not answer["refused"]
    assert "generator" in answer["reason"]  # the adapted generator phrased (or was overruled)
    generator = make_generator(Settings(), adapter=str(adapter))
    assert isinstance(generator.model, PeftModel)
