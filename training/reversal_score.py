"""Scoring the reversal benchmark: distinct questions with all their answers, the table.

In a real corpus one question can have several right answers ("What did Orin Vale found?"
when he founded two companies, or paraphrase triples), so answers are grouped by the
normalised question and an answer is right when it contains any of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from training.pairs import QAPair


@dataclass(frozen=True)
class Question:
    """One distinct question, with every answer the triples give it and the facts behind it."""

    text: str
    direction: str
    answers: tuple[str, ...]
    facts: frozenset[str]


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def is_correct(answer: str, expected: str | tuple[str, ...]) -> bool:
    """The answer contains one of the expected answers (case and punctuation ignored)."""
    options = (expected,) if isinstance(expected, str) else expected
    said = normalise(answer)
    return any(normalise(e) and normalise(e) in said for e in options)


def accuracy(answers: list[str], questions: list[Question]) -> float | None:
    if not questions:
        return None
    right = sum(is_correct(a, q.answers) for a, q in zip(answers, questions, strict=True))
    return round(right / len(questions), 3)


def eval_questions(pairs: list[QAPair], every: list[QAPair] | None = None) -> dict[str, list]:
    """Each distinct first-wording question of `pairs`, per direction.

    A question's answers are all those the triples give it (`every` pair with the same
    normalised question): "What did Orin Vale found?" is right with either company he founded.
    """
    answers: dict[str, dict[str, None]] = defaultdict(dict)
    facts: dict[str, set[str]] = defaultdict(set)
    for p in every if every is not None else pairs:
        answers[normalise(p.question)][p.answer] = None
    for p in pairs:
        facts[normalise(p.question)].add(p.fact_id)
    asked: dict[str, list[Question]] = {"forward": [], "reverse": []}
    seen: set[str] = set()
    for p in pairs:
        key = normalise(p.question)
        if p.paraphrase == 0 and p.direction in asked and key not in seen:
            seen.add(key)
            question = Question(p.question, p.direction, tuple(answers[key]), frozenset(facts[key]))
            asked[p.direction].append(question)
    return asked


def score(answers: list[str], asked: dict[str, list[Question]], held: set[str]) -> dict:
    """Accuracy per direction; a reverse question counts as held out when every fact that
    answers it had its reverse pairs withheld."""
    n_fwd = len(asked["forward"])
    rev = list(zip(answers[n_fwd:], asked["reverse"], strict=True))
    trained = [(a, q) for a, q in rev if not q.facts <= held]
    held_out = [(a, q) for a, q in rev if q.facts <= held]
    return {
        "forward": accuracy(answers[:n_fwd], asked["forward"]),
        "reverse": accuracy(answers[n_fwd:], asked["reverse"]),
        "reverse_trained": accuracy([a for a, _ in trained], [q for _, q in trained]),
        "reverse_held_out": accuracy([a for a, _ in held_out], [q for _, q in held_out]),
        "examples": _examples(answers, asked["forward"] + asked["reverse"]),
    }


def _examples(answers: list[str], questions: list[Question], n: int = 6) -> list[dict]:
    """A few answers spread over the questions, to see what the model says."""
    step = max(1, len(questions) // n)
    return [{"q": q.text, "expected": " | ".join(q.answers), "answer": a}
            for a, q in list(zip(answers, questions, strict=True))[::step]]  # fmt: skip


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of closed-book accuracy per condition, plus the graph route."""
    head = ("condition", "pairs", "forward", "reverse", "rev trained", "rev held out", "s/step")
    rows = []
    for name, c in result.get("conditions", {}).items():
        rows.append((name, _fmt(c.get("train_pairs", 0)), _fmt(c["forward"]), _fmt(c["reverse"]),
                     _fmt(c["reverse_trained"]), _fmt(c["reverse_held_out"]),
                     _fmt(c.get("s_per_step"))))  # fmt: skip
    graph = result.get("graph")
    if graph and "forward" in graph:
        rows.append(("graph route", "-", _fmt(graph["forward"]), _fmt(graph["reverse"]), "-", "-",
                     "-"))  # fmt: skip
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
             for row in [head, *rows]]  # fmt: skip
    about = (f"source: {result.get('source')}, facts: {result.get('facts')}, "
             f"triples: {result.get('triples')}, questions: {result.get('questions')}, "
             f"with several answers: {result.get('multi_answer_questions')}")  # fmt: skip
    footer = f"peak RSS: {result.get('peak_rss_mb')} MB"
    if result.get("wall_seconds") is not None:
        footer += f", wall time: {result['wall_seconds'] / 60:.1f} min"
    return "\n".join([about, *lines, footer])
