"""The reversal benchmark's corpus mode: documents, restricted folders, several right answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.embed import Embedder
from kg.extract.spacy_extractor import SpacyExtractor
from kg.models import StoredTriple
from kg.settings import Settings
from training.pairs import make_pairs
from training.reversal import (
    ReversalConfig,
    benchmark_pairs,
    choose_facts,
    corpus_documents,
)
from training.reversal_score import eval_questions, is_correct, score
from ui.cli import build_parser, main
from ui.commands.train_cmds import reversal_config

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Two public documents (Orin Vale founded two companies) and a restricted subfolder."""
    folder = tmp_path / "corpus"
    (folder / "restricted").mkdir(parents=True)
    (folder / "README.md").write_text("Orin Vale founded Nothing Ltd.\n")
    (folder / "vale.txt").write_text(
        "Orin Vale founded Brightwater Labs. Orin Vale founded Clearwell Systems.\n"
    )
    (folder / "tal.md").write_text("Mira Tal is the mother of Orin Vale.\n")
    (folder / "restricted" / "board.md").write_text("Edda Marr founded Harbor Mills.\n")
    return folder


def test_samples_public_files_are_ingested_public_and_restricted_only_for_groups() -> None:
    public = corpus_documents(SAMPLES)
    assert len(public) == 1 and public[0][1] == []
    names = {Path(p).name for p in public[0][0]}
    assert "vale_family.txt" in names and "arts_of_karsk.pdf" in names
    assert "README.md" not in names and "board_minutes.md" not in names
    with_board = corpus_documents(SAMPLES, ("board",))
    assert with_board[1] == ([str(SAMPLES / "restricted")], ["board"])
    with pytest.raises(FileNotFoundError):
        corpus_documents(SAMPLES / "missing")


def test_corpus_mode_builds_questions_with_every_right_answer(
    corpus: Path, tmp_path: Path, embedder: Embedder, spacy_extractor: SpacyExtractor
) -> None:
    """Real FalkorDB store, real embedder and spaCy extractor; README and restricted left out."""
    config = ReversalConfig(corpus=corpus)
    built = benchmark_pairs(config, tmp_path / "work", Settings(), embedder=embedder,
                            extractor=spacy_extractor)  # fmt: skip
    subjects = {t.subject for t in built["triples"]}
    assert "Orin Vale" in subjects and "Mira Tal" in subjects
    assert not {"Edda Marr", "Nothing Ltd"} & ({t.object for t in built["triples"]} | subjects)
    asked = eval_questions(built["pairs"], built["every"])
    founded = next(q for q in asked["reverse"] if q.text == "What did Orin Vale found?")
    assert set(founded.answers) == {"Brightwater Labs", "Clearwell Systems"}
    assert len(founded.facts) == 2
    assert [q.text for q in asked["reverse"]].count("What did Orin Vale found?") == 1
    assert built["people"] is None  # the p2d-only filter is not applied to a corpus


def test_corpus_groups_bring_the_restricted_facts_in(
    corpus: Path, tmp_path: Path, embedder: Embedder, spacy_extractor: SpacyExtractor
) -> None:
    config = ReversalConfig(corpus=corpus, groups=("board",))
    built = benchmark_pairs(config, tmp_path / "work", Settings(), embedder=embedder,
                            extractor=spacy_extractor)  # fmt: skip
    assert "Edda Marr" in {t.subject for t in built["triples"]}


def triples() -> list[StoredTriple]:
    rows = [
        ("Orin Vale", "found", "Brightwater Labs"),
        ("Orin Vale", "found", "Clearwell"),
        ("Mira Tal", "mother of", "Orin Vale"),
        ("Karsk", "lie on", "Dralle River"),
    ]
    return [StoredTriple(s, p, o, s.lower(), o.lower(), f"/d{i}.txt", f"c{i}")
            for i, (s, p, o) in enumerate(rows)]  # fmt: skip


def test_a_question_with_several_answers_is_right_with_any_of_them() -> None:
    pairs = make_pairs(triples())
    asked = eval_questions(pairs)
    founded = next(q for q in asked["reverse"] if q.text == "What did Orin Vale found?")
    assert is_correct("He founded Clearwell.", founded.answers)
    assert is_correct("brightwater labs", founded.answers)
    assert not is_correct("Karsk", founded.answers)
    by_fact = {p.object: p.fact_id for p in pairs}
    one_held = score([""] * len(asked["forward"]) + ["Clearwell"] * len(asked["reverse"]),
                     asked, {by_fact["Brightwater Labs"]})  # fmt: skip
    assert one_held["reverse_held_out"] is None  # Clearwell's reverse pair was still trained
    both_held = score([""] * len(asked["forward"]) + ["Clearwell"] * len(asked["reverse"]),
                      asked, {by_fact["Brightwater Labs"], by_fact["Clearwell"]})  # fmt: skip
    assert both_held["reverse_held_out"] == 1.0
    assert both_held["forward"] == 0.0


def test_answers_come_from_all_triples_even_when_only_some_facts_are_asked() -> None:
    every = make_pairs(triples())
    only_one = [p for p in every if p.object == "Brightwater Labs"]
    asked = eval_questions(only_one, every)
    assert set(asked["reverse"][0].answers) == {"Brightwater Labs", "Clearwell"}
    assert len(asked["forward"]) == 1 and len(asked["reverse"]) == 1


def test_limit_draws_whole_facts_with_the_seed() -> None:
    pairs = make_pairs(triples())
    two = choose_facts(pairs, 2, seed=3)
    assert len({p.fact_id for p in two}) == 2 and len(two) == 4  # both directions of each
    assert two == choose_facts(pairs, 2, seed=3)
    assert choose_facts(pairs, None, seed=3) == pairs and choose_facts(pairs, 99, 0) == pairs


def test_eval_flags_parse_into_the_config() -> None:
    args = build_parser().parse_args(
        ["eval", "reversal", "--corpus", "samples", "--groups", "board", "--limit", "40",
         "--epochs", "5", "--rank", "8", "--threads", "2", "--conditions", "both,holdout_half",
         "--seed", "4"]
    )  # fmt: skip
    config = reversal_config(args)
    assert (config.corpus, config.groups, config.limit, config.epochs) == ("samples", ("board",),
                                                                          40, 5.0)  # fmt: skip
    assert (config.rank, config.threads, config.seed) == (8, 2, 4)
    assert config.conditions == ("both", "holdout_half")
    defaults = reversal_config(build_parser().parse_args(["eval", "reversal"]))
    assert defaults.epochs == 25.0 and defaults.corpus is None and defaults.groups == ()
    assert defaults.conditions == ("forward_only", "both", "holdout_half")


def test_bad_eval_flags_get_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "reversal", "--conditions", "sideways"]) == 1
    assert "unknown condition(s) ['sideways']" in capsys.readouterr().err
    assert main(["eval", "reversal", "--corpus", "/no/such/folder"]) == 1
    assert "corpus folder not found" in capsys.readouterr().err


@pytest.mark.slow
def test_kgqa_eval_reversal_runs_on_a_corpus(corpus: Path, tmp_path: Path, capsys) -> None:
    """Two facts of a corpus, one epoch of one condition: the whole corpus path end to end."""
    out = tmp_path / "reversal.json"
    code = main(["eval", "reversal", "--corpus", str(corpus), "--limit", "2", "--epochs", "1",
                 "--conditions", "both", "--out", str(out)])  # fmt: skip
    assert code == 0
    result = json.loads(out.read_text())
    assert result["source"] == str(corpus) and result["facts"] == 2 and result["people"] is None
    assert set(result["conditions"]) == {"base", "both"}
    both = result["conditions"]["both"]
    assert result["pairs"] == both["train_pairs"] == 4 and both["steps"] == 1
    # two reverse questions, or one when both facts answer it ("What did Orin Vale found?")
    assert result["questions"]["forward"] == 2
    reverse, multi = result["questions"]["reverse"], result["multi_answer_questions"]
    assert reverse == 2 or (reverse == 1 and multi >= 1)
    assert 0.0 <= result["graph"]["forward"] <= 1.0
    printed = capsys.readouterr().out
    assert "both" in printed and "graph route" in printed and "wall time" in printed
