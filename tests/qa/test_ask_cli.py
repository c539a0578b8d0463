"""`kgqa ask` as users run it: one question, and --file batch mode (one JSON line each)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.models import Answer
from ui.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of its own (the session QA store holds its folder's lock)."""
    folder = tmp_path_factory.mktemp("askstore")
    assert main(["ingest", str(SAMPLES / "vale_family.txt"), "--store", str(folder)]) == 0
    return folder


def test_ask_file_answers_each_line_in_order(
    small_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"q": "Who is the mother of Orin Vale?"}) + "\n"
        + "not json\n"
        + json.dumps({"q": "Who did Tomas Vale marry?", "groups": []}) + "\n"
        + json.dumps({"q": "Who founded Tessaly Optics?"}) + "\n"
    )
    capsys.readouterr()
    code = main(["ask", "--file", str(questions), "--store", str(small_store), "--json"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert code == 1  # one bad line: reported, the others still answered
    assert len(lines) == 4 and lines[1] == {"line": 2, "error": lines[1]["error"]}
    first, third, fourth = (Answer.model_validate(lines[i]) for i in (0, 2, 3))
    assert first.answer == "Mira Tal" and first.evidence
    assert third.answer == "Sela Brun"
    assert fourth.refused


def test_ask_one_question_prints_answer_and_citation(
    small_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["ask", "Where was Orin Vale born?", "--store", str(small_store)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Osterby"
    assert "vale_family.txt" in out and "route: graph" in out


def test_ask_needs_a_question_or_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask"]) == 2
    assert "either a QUESTION or --file" in capsys.readouterr().err


def test_a_store_built_on_onnxruntime_answers_on_torch(
    small_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--embedding-backend changes what runs the model, not the vectors: the store answers
    a dense question embedded by onnxruntime (fp32) and by torch (fp32, or bf16 where the
    CPU has it) alike."""
    from kg.settings import Settings
    from ui.cli import build_parser, settings_from_args

    args = build_parser().parse_args(["ask", "x", "--embedding-backend", "torch"])
    assert settings_from_args(args).embedding_backend == "torch"
    assert Settings().embedding_backend == "auto"
    question = "What happens after the meal on family Sundays?"
    answers = []
    for backend in ("onnx", "torch"):
        capsys.readouterr()
        assert main(["ask", question, "--store", str(small_store), "--json",
                     "--embedding-backend", backend]) == 0
        answers.append(Answer.model_validate_json(capsys.readouterr().out.splitlines()[-1]))
    assert not answers[0].refused and "shore" in answers[0].answer
    onnx, torch = answers
    assert onnx.answer == torch.answer
    cited = lambda a: [(e.doc, e.chunk, e.text) for e in a.evidence]  # noqa: E731
    assert cited(onnx) == cited(torch)
    # bf16 sums differ from fp32's in the fourth decimal (tests/kg/test_embed.py)
    assert all(abs(e.score - f.score) < 2e-3 for e, f in zip(onnx.evidence, torch.evidence,
                                                              strict=True))
