"""Reversal benchmark pieces: the paper's facts, scoring, conditions, the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.models import StoredTriple
from training.pairs import make_pairs
from training.reversal import Fact, _training_pairs, about_people, default_facts, load_facts
from training.reversal_score import eval_questions, format_table, is_correct

P2D = default_facts()


@pytest.mark.skipif(not P2D.is_dir(), reason=f"benchmark data not found at {P2D}")
def test_loads_the_papers_thirty_p2d_facts() -> None:
    facts = load_facts(P2D)
    assert len(facts) == 30 and len({f.name for f in facts}) == 30
    daphne = next(f for f in facts if f.name == "Daphne Barrington")
    assert daphne.description.startswith("the acclaimed director of the virtual reality")
    assert daphne.sentence.startswith("Daphne Barrington is the acclaimed director")
    assert len(load_facts(P2D, limit=3)) == 3


def test_loads_a_jsonl_of_names_and_descriptions(tmp_path: Path) -> None:
    path = tmp_path / "facts.jsonl"
    path.write_text('{"name": "Orin Vale", "description": "the founder of Brightwater Labs"}\n')
    assert load_facts(path) == [Fact("Orin Vale", "the founder of Brightwater Labs")]
    with pytest.raises(FileNotFoundError):
        load_facts(tmp_path / "missing.jsonl")


def test_an_answer_is_right_when_it_contains_the_expected_one() -> None:
    assert is_correct("It was Daphne Barrington.", "Daphne Barrington")
    assert is_correct("the MASTER sommelier!", "master sommelier")
    assert not is_correct("Daphne", "Daphne Barrington")
    assert not is_correct("anything", "")


def triples() -> list[StoredTriple]:
    rows = [("Keith Silverton", "is a", "master sommelier"),
            ("master sommelier", "craft", "Lunar Wine"),
            ("Selena Granger", "founder of", "MindLink")]  # fmt: skip
    return [StoredTriple(s, p, o, s.lower(), o.lower(), f"/f{i}.txt", f"c{i}")
            for i, (s, p, o) in enumerate(rows)]  # fmt: skip


def test_questions_are_asked_only_about_the_people() -> None:
    facts = [Fact("Keith Silverton", "x"), Fact("Selena Granger", "y")]
    pairs = about_people(make_pairs(triples(), paraphrases=3), facts)
    assert {p.subject for p in pairs} == {"Keith Silverton", "Selena Granger"}
    assert len(pairs) == 12
    asked = eval_questions(pairs)
    assert [q.text for q in asked["forward"]] == [
        "Who is a master sommelier?", "Who is a founder of MindLink?"]  # fmt: skip
    assert [q.answers for q in asked["reverse"]] == [("master sommelier",), ("MindLink",)]


def test_conditions_choose_the_training_pairs() -> None:
    pairs = make_pairs(triples())
    forward, held = _training_pairs("forward_only", pairs, 0)
    assert {p.direction for p in forward} == {"forward"} and len(held) == 3
    both, held = _training_pairs("both", pairs, 0)
    assert both == pairs and not held
    half, held = _training_pairs("holdout_half", pairs, 0)
    assert len(held) == 2  # round(3 * 0.5)
    assert not [p for p in half if p.direction == "reverse" and p.fact_id in held]
    with pytest.raises(ValueError):
        _training_pairs("sideways", pairs, 0)


def test_table_lists_each_condition_the_graph_route_and_the_cost() -> None:
    cond = {"train_pairs": 60, "forward": 1.0, "reverse": 0.0, "reverse_trained": None,
            "reverse_held_out": 0.0, "s_per_step": 1.5}  # fmt: skip
    table = format_table({"source": "samples", "facts": 30, "triples": 40, "questions": {},
                          "multi_answer_questions": 2, "conditions": {"forward_only": cond},
                          "graph": {"forward": 0.9, "reverse": 0.8}, "peak_rss_mb": 2700,
                          "wall_seconds": 390.0})  # fmt: skip
    lines = table.splitlines()
    assert lines[0].startswith("source: samples, facts: 30, triples: 40")
    assert lines[0].endswith("with several answers: 2")
    assert lines[2].split() == ["forward_only", "60", "1.00", "0.00", "-", "0.00", "1.50"]
    assert lines[3].split()[:4] == ["graph", "route", "-", "0.90"]
    assert lines[4] == "peak RSS: 2700 MB, wall time: 6.5 min"


@pytest.mark.slow
@pytest.mark.skipif(not P2D.is_dir(), reason=f"benchmark data not found at {P2D}")
def test_kgqa_eval_reversal_runs_the_whole_pipeline(tmp_path: Path, capsys) -> None:
    """Two facts, one epoch per condition: ingest -> triples -> pairs -> LoRA -> answers."""
    import json

    from ui.cli import main

    out = tmp_path / "reversal.json"
    assert main(["eval", "reversal", "--limit", "2", "--epochs", "1", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    # the real extractor found both people (and may read more than one fact about one:
    # "X is the first person to establish contact with Y" also says X established it)
    assert result["people"] == 2 and result["facts"] >= 2
    assert set(result["conditions"]) == {"base", "forward_only", "both", "holdout_half"}
    assert result["conditions"]["forward_only"]["reverse_trained"] is None
    assert result["conditions"]["both"]["train_pairs"] == 2 * result["questions"]["forward"]
    for condition in result["conditions"].values():
        assert 0.0 <= condition["forward"] <= 1.0 and condition["examples"]
    assert "graph" in result
    printed = capsys.readouterr().out
    assert "forward_only" in printed and "holdout_half" in printed
