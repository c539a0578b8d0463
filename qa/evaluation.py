"""Scoring the QA service on a labelled question set (tests/data/questions.jsonl).

Each row: {"q", "kind", "answers": [acceptable substrings], "route", "groups"?, "forbidden"?}.
An answerable row is right when the answer is not refused and contains one of `answers`
(case and punctuation ignored); an "unanswerable" row is right when it is refused. No row
may show a `forbidden` string anywhere in its answer JSON (restricted content).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from qa.generate import keeps_entity
from qa.models import Answer


def load_questions(path: str | Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def is_correct(row: dict[str, Any], answer: Answer) -> bool:
    if row["kind"] == "unanswerable":
        return answer.refused
    return not answer.refused and any(keeps_entity(answer.answer, a) for a in row["answers"])


def leaks(row: dict[str, Any], answer: Answer) -> list[str]:
    dump = answer.model_dump_json().lower()
    return [f for f in row.get("forbidden", []) if f.lower() in dump]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def score(
    rows: Iterable[dict[str, Any]],
    answers: list[Answer],
    retrieval_s: list[float],
    answer_s: list[float],
) -> dict[str, Any]:
    """Accuracy per kind, refusal precision/recall, route accuracy, leaks and latency."""
    per_kind: dict[str, list[bool]] = defaultdict(list)
    routes: list[bool] = []
    routes_by_kind: dict[str, list[bool]] = defaultdict(list)
    refused_right = refused_total = should_refuse = 0
    leaked: list[dict[str, Any]] = []
    misses: list[dict[str, Any]] = []
    for row, ans in zip(rows, answers, strict=True):
        ok = is_correct(row, ans)
        per_kind[row["kind"]].append(ok)
        routes.append(ans.route == row["route"])
        routes_by_kind[row["kind"]].append(routes[-1])
        should = row["kind"] == "unanswerable"
        should_refuse += should
        refused_total += ans.refused
        refused_right += ans.refused and should
        if leaks(row, ans):
            leaked.append({"q": row["q"], "leaked": leaks(row, ans)})
        if not ok:
            misses.append({"q": row["q"], "kind": row["kind"], "got": ans.answer,
                           "route": ans.route, "reason": ans.reason})
    return {
        "questions": len(routes),
        "accuracy": {k: round(sum(v) / len(v), 3) for k, v in sorted(per_kind.items())},
        "counts": {k: len(v) for k, v in sorted(per_kind.items())},
        "refusal_precision": round(refused_right / refused_total, 3) if refused_total else 0.0,
        "refusal_recall": round(refused_right / should_refuse, 3) if should_refuse else 0.0,
        "route_accuracy": round(sum(routes) / len(routes), 3) if routes else 0.0,
        "route_accuracy_by_kind": {
            k: round(sum(v) / len(v), 3) for k, v in sorted(routes_by_kind.items())
        },
        "leaks": leaked,
        "latency_s": {
            "retrieval_p50": round(statistics.median(retrieval_s), 4) if retrieval_s else 0.0,
            "retrieval_p95": round(percentile(retrieval_s, 0.95), 4),
            "answer_p50": round(statistics.median(answer_s), 4) if answer_s else 0.0,
            "answer_p95": round(percentile(answer_s, 0.95), 4),
        },
        "misses": misses,
    }
