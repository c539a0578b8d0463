"""The reversal-curse benchmark (Berglund et al. 2023), run through kgqa's whole pipeline.

Documents are ingested (chunks -> triples in a fresh store), the triples turned into QA
pairs and used to LoRA-fine-tune the generator under three conditions: (a) forward pairs
only, (b) forward and reverse pairs, (c) reverse pairs held out for half the facts. Each
adapter answers the forward and reverse questions closed-book (no retrieval); an answer is
right when it contains one of the answers the triples give to that question (case and
punctuation ignored). The graph route (qa.service) answers the same questions from the
store, for comparison.

Two sources, one path: the paper's p2d facts are written as one document each ("Name is
description."), a corpus folder (e.g. samples/) is ingested as it is; both then go through
`ingest_documents` and the same conditions. "Forward" asks for a triple's subject, "reverse"
for its object; the model sees only the QA pairs, never the documents.
"""

from __future__ import annotations

import json
import os
import random
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
from training.reversal_score import (
    Question,
    accuracy,
    eval_questions,
    normalise,
    score,
)

P2D = "reversal_curse"
CONDITIONS = ("forward_only", "both", "holdout_half")
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
    corpus: str | Path | None = None  # a document folder instead of the p2d facts
    groups: tuple[str, ...] = ()  # corpus mode: also ingest subfolders, for these groups
    limit: int | None = None  # p2d: the first N people; corpus: N facts drawn with the seed
    epochs: float = 25.0  # the setting: forward-only reached forward 1.00 only by ~25
    rank: int = 16
    lr: float = 1e-3
    batch_size: int = 8
    paraphrases: int = 1
    seed: int = 0
    threads: int | None = None  # CPU threads (default: training.model.use_cpu_threads)
    work: str | None = None  # working folder (default: a temporary one, removed afterwards)
    conditions: tuple[str, ...] = CONDITIONS
    graph_route: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.conditions) - set(CONDITIONS))
        if unknown:
            raise ValueError(f"unknown condition(s) {unknown}; choose from {list(CONDITIONS)}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1, not {self.limit}")


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


def write_fact_documents(facts: list[Fact], folder: Path) -> list[str]:
    """One small text document per fact, so the p2d facts take the corpus path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, fact in enumerate(facts):
        path = folder / f"fact{i:03d}.txt"
        path.write_text(fact.sentence + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def corpus_documents(folder: str | Path, groups: tuple[str, ...] = ()) -> list[tuple[list, list]]:
    """(paths, groups) batches to ingest: the folder's own files public (README* left out);
    its subfolders (samples/restricted) only when `groups` is given, ingested for them."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {folder}")
    files = sorted(str(p) for p in folder.iterdir()
                   if p.is_file() and not p.name.lower().startswith("readme"))  # fmt: skip
    if not files:
        raise ValueError(f"no documents in {folder}")
    batches: list[tuple[list, list]] = [(files, [])]
    subfolders = sorted(str(p) for p in folder.iterdir() if p.is_dir())
    if groups and subfolders:
        batches.append((subfolders, list(groups)))
    return batches


def ingest_documents(
    batches: list[tuple[list, list]],
    groups: tuple[str, ...],
    work: Path,
    settings: Settings,
    **components: Any,
) -> tuple[Settings, list]:
    """Ingest (paths, groups) batches into a fresh store; the triples `groups` may see.
    `components` (embedder=, extractor=) go to the Ingestor: tests pass loaded ones."""
    from kg.ingest.pipeline import Ingestor
    from kg.stores import open_store

    store_settings = settings.with_overrides(store=work / "store", backend="falkordb")
    with open_store(store_settings) as store:
        ingestor = Ingestor(store_settings, store, **components)
        for paths, doc_groups in batches:
            ingestor.run(paths, groups=doc_groups, progress=False)
        triples = store.triples(list(groups))
    return store_settings, triples


def about_people(pairs: list[QAPair], facts: list[Fact]) -> list[QAPair]:
    """Pairs of triples with a person at one end (p2d mode only).

    Extraction also yields side triples ("sommelier crafted Lunar Wine"); leaving them out
    keeps the runs short and the score about the name <-> description link the paper tests.
    """
    names = {normalise(f.name) for f in facts}
    return [p for p in pairs if names & {normalise(p.subject), normalise(p.object)}]


def choose_facts(pairs: list[QAPair], limit: int | None, seed: int) -> list[QAPair]:
    """The pairs of `limit` facts drawn with the seed (all pairs when no limit)."""
    facts = sorted({p.fact_id for p in pairs})
    if limit is None or limit >= len(facts):
        return list(pairs)
    chosen = set(random.Random(seed).sample(facts, limit))
    return [p for p in pairs if p.fact_id in chosen]


def _closed_book(adapter: str | None, questions: list[Question], config: ReversalConfig,
                 settings: Settings) -> list[str]:  # fmt: skip
    from training.model import chat_answers, load_generator, use_cpu_threads

    use_cpu_threads(config.threads)
    model, tokenizer = load_generator(settings.generator_model, settings.model_cache, adapter)
    return chat_answers(model, tokenizer, [q.text for q in questions])


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


def benchmark_pairs(
    config: ReversalConfig, work: Path, settings: Settings, **components: Any
) -> dict[str, Any]:
    """Documents -> store -> triples -> pairs; the corpus or the p2d facts, one path."""
    if config.corpus:
        batches, groups = corpus_documents(config.corpus, config.groups), config.groups
        people: list[Fact] | None = None
    else:
        people = load_facts(config.facts, config.limit)
        batches, groups = [(write_fact_documents(people, work / "docs"), [])], ()
    store_settings, triples = ingest_documents(batches, groups, work, settings, **components)
    every = make_pairs(triples, paraphrases=config.paraphrases)
    pairs = about_people(every, people) if people else choose_facts(every, config.limit,
                                                                    config.seed)  # fmt: skip
    return {"store_settings": store_settings, "triples": triples, "every": every,
            "pairs": pairs, "people": people}  # fmt: skip


def run_reversal(
    config: ReversalConfig,
    settings: Settings,
    on_stage: Stage | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """The whole benchmark; returns a JSON-ready dict (see format_table). `on_result` gets
    the results so far after each condition, so a long run that is stopped keeps them."""
    from training.lora import TrainConfig, train

    stage = on_stage or (lambda _s: None)
    work = Path(config.work or tempfile.mkdtemp(prefix="kgrev-", dir="/tmp"))
    source = str(config.corpus) if config.corpus else str(config.facts)
    settings_used = {**asdict(config), "facts": str(config.facts), "corpus": source}
    result: dict[str, Any] = {"config": settings_used}
    try:
        stage("ingest")
        built = benchmark_pairs(config, work, settings)
        pairs = built["pairs"]
        asked = eval_questions(pairs, built["every"])
        questions = asked["forward"] + asked["reverse"]
        result |= {
            "source": source, "facts": len({p.fact_id for p in pairs}),
            "people": len(built["people"]) if built["people"] else None,
            "triples": len(built["triples"]), "pairs": len(pairs),
            "questions": {d: len(q) for d, q in asked.items()},
            "multi_answer_questions": sum(len(q.answers) > 1 for q in questions),
            "conditions": {},
        }  # fmt: skip
        if not questions:
            raise ValueError(f"the extractor found no triples in {source}")
        stage("base model")
        base_answers = _closed_book(None, questions, config, settings)
        result["conditions"]["base"] = score(base_answers, asked, {p.fact_id for p in pairs})
        for condition in config.conditions:
            stage(condition)
            train_pairs, held = _training_pairs(condition, pairs, config.seed)
            data = work / condition / "data"
            write_splits({"train": train_pairs}, "chat", data)
            run = train(TrainConfig(
                data=str(data), out=str(work / condition / "adapter"),
                base=settings.generator_model, epochs=config.epochs, rank=config.rank,
                lr=config.lr, batch_size=config.batch_size, save_steps=10_000, seed=config.seed,
                cache=settings.model_cache, progress_bar=False, threads=config.threads,
            ))  # fmt: skip
            answers = _closed_book(run.adapter_dir, questions, config, settings)
            result["conditions"][condition] = {
                "train_pairs": len(train_pairs), "steps": run.steps,
                "seconds": round(run.seconds, 1), "s_per_step": round(run.seconds_per_step, 2),
                "final_loss": run.final_loss, **score(answers, asked, held),
            }  # fmt: skip
            if on_result:
                on_result(result)
        if config.graph_route:
            stage("graph route")
            result["graph"] = _graph_route(built["store_settings"], asked, config.groups)
    finally:
        if config.work is None:
            shutil.rmtree(work, ignore_errors=True)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _graph_route(
    store_settings: Settings, asked: dict[str, list[Question]], groups: tuple[str, ...]
) -> dict[str, Any]:
    """The same questions answered by qa.service from the graph (None if qa is absent)."""
    try:
        from qa.service import QAService
    except ImportError as e:
        return {"skipped": f"qa.service unavailable: {e}"}
    from kg.stores import open_store

    out: dict[str, Any] = {}
    with open_store(store_settings) as store:
        service = QAService(store_settings, store)
        for direction, questions in asked.items():
            answers = [service.ask(q.text, groups=list(groups), route="graph") for q in questions]
            texts = [a.answer if not a.refused else "" for a in answers]
            out[direction] = accuracy(texts, questions)
            out[f"{direction}_refused"] = sum(a.refused for a in answers)
    return out
