"""The reversal-curse benchmark (Berglund et al. 2023), run through kgqa's whole pipeline.

Facts are written as documents, ingested (chunks -> triples in a fresh store), turned into
QA pairs and used to LoRA-fine-tune the generator under three conditions: (a) forward pairs
only, (b) forward and reverse pairs, (c) reverse pairs held out for half the facts. Each
adapter answers the forward and reverse questions closed-book (no retrieval); an answer is
right when it contains the expected one (case and punctuation ignored). The graph route
(qa.service) answers the same questions from the store, for comparison.

"Forward" asks for a triple's subject (the name, for "Name is description"), "reverse" for
its object; the model sees only the QA pairs, never the documents.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.settings import Settings
from training.export import write_splits
from training.pairs import HOLDOUT, QAPair, make_pairs, split_by_fact

P2D = "reversal_curse"
Stage = Callable[[str], None]


def default_facts() -> Path:
    """$KGQA_BENCHMARKS/reversal_curse, else ../shared/benchmarks/ beside the repo (or cwd)."""
    roots = [Path(__file__).resolve().parents[1], Path.cwd()]
    candidates = [root.parent / "shared" / "benchmarks" / P2D for root in roots]
    if os.environ.get("KGQA_BENCHMARKS"):
        candidates.insert(0, Path(os.environ["KGQA_BENCHMARKS"]) / P2D)
    return next((c for c in candidates if c.is_dir()), candidates[0])


@dataclass
class ReversalConfig:
    facts: str | Path = field(default_factory=default_facts)
    limit: int | None = None
    epochs: float = 12.0  # measured: loss < 0.01 by epoch ~10 (8 facts, lr 1e-3, r=16)
    rank: int = 16
    lr: float = 1e-3
    batch_size: int = 8
    paraphrases: int = 1
    seed: int = 0
    work: str | None = None  # working folder (default: a temporary one, removed afterwards)
    conditions: tuple[str, ...] = ("forward_only", "both", "holdout_half")
    graph_route: bool = True


@dataclass(frozen=True)
class Fact:
    name: str
    description: str

    @property
    def sentence(self) -> str:
        return f"{self.name} is {self.description.rstrip('.')}."


def load_facts(path: str | Path, limit: int | None = None) -> list[Fact]:
    """Facts from the paper's p2d folder/file, or a JSONL of {"name", "description"}."""
    path = Path(path)
    if path.is_dir():
        path = path / "p2d_prompts_train.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"facts not found: {path}")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if rows and "name" in rows[0]:
        facts = [Fact(r["name"], r["description"]) for r in rows]
    else:
        facts = _p2d_facts(rows, path.parent / "p2d_reverse_prompts_test.jsonl")
    return facts[:limit] if limit else facts


def _p2d_facts(rows: list[dict[str, str]], names_file: Path) -> list[Fact]:
    """Each person's most frequent 'the ...' completion among the 30 paraphrases."""
    if not names_file.is_file():
        raise FileNotFoundError(f"p2d names not found: {names_file}")
    names = [json.loads(line)["completion"].strip() for line in names_file.open(encoding="utf-8")]
    facts = []
    for name in dict.fromkeys(names):
        completions = (r["completion"].strip() for r in rows if name in r["prompt"])
        counts = Counter(c for c in completions if c.startswith("the "))
        if counts:
            facts.append(Fact(name, counts.most_common(1)[0][0].rstrip(".")))
    return facts


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def is_correct(answer: str, expected: str) -> bool:
    return bool(normalise(expected)) and normalise(expected) in normalise(answer)


def _accuracy(answers: list[str], pairs: list[QAPair]) -> float | None:
    if not pairs:
        return None
    return round(sum(is_correct(a, p.answer) for a, p in zip(answers, pairs, strict=True))
                 / len(pairs), 3)  # fmt: skip


def ingest_facts(facts: list[Fact], work: Path, settings: Settings) -> tuple[Settings, list]:
    """Write each fact as a document and ingest them into a fresh store; returns its triples."""
    from kg.ingest.pipeline import Ingestor
    from kg.stores import open_store

    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, fact in enumerate(facts):
        path = docs / f"fact{i:03d}.txt"
        path.write_text(fact.sentence + "\n", encoding="utf-8")
        paths.append(str(path))
    store_settings = settings.with_overrides(store=work / "store", backend="falkordb")
    with open_store(store_settings) as store:
        Ingestor(store_settings, store).run(paths, groups=[], progress=False)
        triples = store.triples([])
    return store_settings, triples


def about_people(pairs: list[QAPair], facts: list[Fact]) -> list[QAPair]:
    """Pairs of triples with a person at one end.

    Extraction also yields side triples ("sommelier crafted Lunar Wine"); leaving them out
    keeps the runs short and the score about the name <-> description link the paper tests.
    """
    names = {normalise(f.name) for f in facts}
    return [p for p in pairs if names & {normalise(p.subject), normalise(p.object)}]


def eval_questions(pairs: list[QAPair]) -> dict[str, list[QAPair]]:
    """One question per triple and direction: its first wording."""
    first = [p for p in pairs if p.paraphrase == 0 and p.direction in ("forward", "reverse")]
    return {d: [p for p in first if p.direction == d] for d in ("forward", "reverse")}


def _closed_book(adapter: str | None, questions: list[QAPair], settings: Settings) -> list[str]:
    from training.model import chat_answers, load_generator, use_cpu_threads

    use_cpu_threads()
    model, tokenizer = load_generator(settings.generator_model, settings.model_cache, adapter)
    return chat_answers(model, tokenizer, [p.question for p in questions])


def _score(answers: list[str], asked: dict[str, list[QAPair]], held: set[str]) -> dict[str, Any]:
    n_fwd = len(asked["forward"])
    fwd, rev = answers[:n_fwd], answers[n_fwd:]
    rev_pairs = asked["reverse"]
    trained = [(a, p) for a, p in zip(rev, rev_pairs, strict=True) if p.fact_id not in held]
    held_out = [(a, p) for a, p in zip(rev, rev_pairs, strict=True) if p.fact_id in held]
    return {
        "forward": _accuracy(fwd, asked["forward"]),
        "reverse": _accuracy(rev, rev_pairs),
        "reverse_trained": _accuracy([a for a, _ in trained], [p for _, p in trained]),
        "reverse_held_out": _accuracy([a for a, _ in held_out], [p for _, p in held_out]),
        "examples": _examples(answers, asked["forward"] + rev_pairs),
    }


def _examples(answers: list[str], pairs: list[QAPair], n: int = 6) -> list[dict[str, str]]:
    """A few answers spread over the questions, to see what the model says."""
    step = max(1, len(pairs) // n)
    return [{"q": p.question, "expected": p.answer, "answer": a}
            for a, p in list(zip(answers, pairs, strict=True))[::step]]  # fmt: skip


def _training_pairs(condition: str, pairs: list[QAPair], seed: int) -> tuple[list, set[str]]:
    """(pairs to train on, facts whose reverse pairs were withheld)."""
    every = {p.fact_id for p in pairs}
    if condition == "forward_only":
        return [p for p in pairs if p.direction == "forward"], every
    if condition == "both":
        return list(pairs), set()
    if condition == "holdout_half":
        splits = split_by_fact(pairs, (1.0, 0.0, 0.0), seed=seed, holdout_reverse=0.5)
        return splits["train"], {p.fact_id for p in splits[HOLDOUT]}
    raise ValueError(f"unknown condition {condition!r}")


def run_reversal(
    config: ReversalConfig, settings: Settings, on_stage: Stage | None = None
) -> dict[str, Any]:
    """The whole benchmark; returns a JSON-ready dict (see format_table)."""
    from training.lora import TrainConfig, train

    stage = on_stage or (lambda _s: None)
    facts = load_facts(config.facts, config.limit)
    work = Path(config.work or tempfile.mkdtemp(prefix="kgrev-", dir="/tmp"))
    result: dict[str, Any] = {"config": {**asdict(config), "facts": str(config.facts)}}
    try:
        stage("ingest")
        store_settings, triples = ingest_facts(facts, work, settings)
        pairs = about_people(make_pairs(triples, paraphrases=config.paraphrases), facts)
        asked = eval_questions(pairs)
        questions = asked["forward"] + asked["reverse"]
        result |= {
            "facts": len(facts), "facts_asked": len({p.fact_id for p in asked["forward"]}),
            "triples": len(triples), "pairs": len(pairs),
            "questions": {d: len(q) for d, q in asked.items()}, "conditions": {},
        }  # fmt: skip
        if not questions:
            raise ValueError("the extractor found no triples in the facts")
        stage("base model")
        untrained = {p.fact_id for p in pairs}
        base_answers = _closed_book(None, questions, settings)
        result["conditions"]["base"] = _score(base_answers, asked, untrained)
        for condition in config.conditions:
            stage(condition)
            train_pairs, held = _training_pairs(condition, pairs, config.seed)
            data = work / condition / "data"
            write_splits({"train": train_pairs}, "chat", data)
            run = train(TrainConfig(
                data=str(data), out=str(work / condition / "adapter"),
                base=settings.generator_model, epochs=config.epochs, rank=config.rank,
                lr=config.lr, batch_size=config.batch_size, save_steps=10_000, seed=config.seed,
                cache=settings.model_cache, progress_bar=False,
            ))  # fmt: skip
            answers = _closed_book(run.adapter_dir, questions, settings)
            result["conditions"][condition] = {
                "train_pairs": len(train_pairs), "steps": run.steps,
                "seconds": round(run.seconds, 1), "s_per_step": round(run.seconds_per_step, 2),
                "final_loss": run.final_loss, **_score(answers, asked, held),
            }  # fmt: skip
        if config.graph_route:
            stage("graph route")
            result["graph"] = _graph_route(store_settings, asked)
    finally:
        if config.work is None:
            shutil.rmtree(work, ignore_errors=True)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _graph_route(store_settings: Settings, asked: dict[str, list[QAPair]]) -> dict[str, Any]:
    """The same questions answered by qa.service from the graph (None if qa is absent)."""
    try:
        from qa.service import QAService
    except ImportError as e:
        return {"skipped": f"qa.service unavailable: {e}"}
    from kg.stores import open_store

    out: dict[str, Any] = {}
    with open_store(store_settings) as store:
        service = QAService(store_settings, store)
        for direction, pairs in asked.items():
            answers = [service.ask(p.question, groups=[], route="graph") for p in pairs]
            texts = [a.answer if not a.refused else "" for a in answers]
            out[direction] = _accuracy(texts, pairs)
            out[f"{direction}_refused"] = sum(a.refused for a in answers)
    return out


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
    facts = (f"facts: {result.get('facts')}, asked about: {result.get('facts_asked')}, "
             f"triples: {result.get('triples')}, questions: {result.get('questions')}")  # fmt: skip
    return "\n".join([facts, *lines])
