"""QA pairs from stored triples, in both directions, split by fact.

Every pair remembers the fact it came from (its split unit) and where that fact was read
(document, chunk, sentence), so a dataset row can always be traced back to its evidence.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from kg.models import StoredTriple
from training.templates import canonical_predicate, render, templates_for

Direction = Literal["forward", "reverse", "2hop"]
SPLITS = ("train", "validation", "test")
HOLDOUT = "reverse_holdout"  # reverse pairs of facts trained only forward


@dataclass(frozen=True)
class QAPair:
    question: str
    answer: str
    direction: Direction
    fact_id: str  # the split unit: a fact's forward, reverse and 2-hop pairs stay together
    subject: str
    predicate: str
    object: str
    doc: str
    chunk: str
    sentence: str = ""
    paraphrase: int = 0
    path: tuple[str, ...] = field(default_factory=tuple)  # fact ids along a 2-hop question

    def metadata(self) -> dict[str, object]:
        """Everything but question and answer, JSON-ready (for dataset records)."""
        data = asdict(self)
        for key in ("question", "answer"):
            data.pop(key)
        data["path"] = list(self.path)
        return data


def fact_id(t: StoredTriple) -> str:
    """Stable id of a fact: the same triple read from two chunks is one fact."""
    key = "\x1f".join((t.subject_key or t.subject.lower(), canonical_predicate(t.predicate),
                       t.object_key or t.object.lower()))  # fmt: skip
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def unique_facts(triples: Iterable[StoredTriple]) -> list[StoredTriple]:
    """One triple per fact (the first seen, so provenance is the earliest chunk), in order."""
    seen: dict[str, StoredTriple] = {}
    for t in triples:
        if t.subject.strip() and t.object.strip() and t.predicate.strip():
            seen.setdefault(fact_id(t), t)
    return list(seen.values())


def _pairs_for(t: StoredTriple, reverse: bool, paraphrases: int) -> list[QAPair]:
    tpl = templates_for(t.predicate, t.object)
    fid = fact_id(t)
    out: list[QAPair] = []
    directions: list[tuple[Direction, Sequence[str], str]] = [("forward", tpl.forward, t.subject)]
    if reverse:
        directions.append(("reverse", tpl.reverse, t.object))
    for direction, questions, answer in directions:
        for i, q in enumerate(questions[: max(1, paraphrases)]):
            out.append(QAPair(render(q, t.subject, t.object), answer, direction, fid, t.subject,
                              t.predicate, t.object, t.doc, t.chunk, t.sentence, i))  # fmt: skip
    return out


def _two_hop(facts: list[StoredTriple], paraphrases: int) -> list[QAPair]:
    """Questions along a path a-r1-b-r2-c that name c and ask for a, b described via r2."""
    by_key: dict[str, list[StoredTriple]] = defaultdict(list)
    for t in facts:
        by_key[t.subject_key].append(t)
        by_key[t.object_key].append(t)
    out: list[QAPair] = []
    for t1 in facts:
        tpl1 = templates_for(t1.predicate, t1.object)
        # (the hidden middle entity, the answer's key, the answer, questions naming the middle)
        for middle, answer_key, answer, questions in (
            (t1.object_key, t1.subject_key, t1.subject, tpl1.forward),
            (t1.subject_key, t1.object_key, t1.object, tpl1.reverse),
        ):
            for t2 in by_key[middle]:
                if answer_key in (t2.subject_key, t2.object_key):
                    continue  # t1 itself, or a loop back to the answer
                tpl2 = templates_for(t2.predicate, t2.object)
                if t2.subject_key == middle:
                    phrase = render(tpl2.subject_np, o=t2.object, question=False)
                else:
                    phrase = render(tpl2.object_np, s=t2.subject, question=False)
                for i, q in enumerate(questions[: max(1, paraphrases)]):
                    out.append(QAPair(render(q, phrase, phrase), answer, "2hop", fact_id(t1),
                                      t1.subject, t1.predicate, t1.object, t1.doc, t1.chunk,
                                      t1.sentence, i, (fact_id(t1), fact_id(t2))))  # fmt: skip
    return out


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def dedupe(pairs: Iterable[QAPair]) -> list[QAPair]:
    """Drop pairs whose (question, answer) repeats another's, ignoring case and punctuation."""
    seen: set[tuple[str, str]] = set()
    out: list[QAPair] = []
    for p in pairs:
        key = (_norm(p.question), _norm(p.answer))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def make_pairs(
    triples: list[StoredTriple], reverse: bool = True, hops: int = 1, paraphrases: int = 1
) -> list[QAPair]:
    """QA pairs for every fact: forward (+ reverse), `paraphrases` wordings each, + 2-hop."""
    if hops not in (1, 2):
        raise ValueError(f"hops must be 1 or 2, not {hops}")
    if paraphrases < 1:
        raise ValueError(f"paraphrases must be at least 1, not {paraphrases}")
    facts = unique_facts(triples)
    pairs = [p for t in facts for p in _pairs_for(t, reverse, paraphrases)]
    if hops == 2:
        pairs += _two_hop(facts, paraphrases)
    return dedupe(pairs)


def parse_fractions(text: str) -> tuple[float, float, float]:
    """'0.8,0.1,0.1' -> (0.8, 0.1, 0.1); they must be non-negative and sum to 1."""
    try:
        parts = tuple(float(x) for x in text.split(","))
    except ValueError as e:
        raise ValueError(f"split must be three numbers like 0.8,0.1,0.1, got {text!r}") from e
    if len(parts) != 3 or min(parts) < 0 or abs(sum(parts) - 1.0) > 1e-6:
        raise ValueError(f"split must be three non-negative fractions summing to 1, got {text!r}")
    return parts  # type: ignore[return-value]


def split_by_fact(
    pairs: Sequence[QAPair],
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    holdout_reverse: float = 0.0,
) -> dict[str, list[QAPair]]:
    """train/validation/test by fact (seeded), plus the reverse pairs held out of training.

    `holdout_reverse` is the share of training facts whose reverse pairs move to
    "reverse_holdout": the model sees those facts only forward, which measures the curse.
    """
    if not 0.0 <= holdout_reverse <= 1.0:
        raise ValueError(f"holdout_reverse must be within [0, 1], got {holdout_reverse}")
    facts = sorted({p.fact_id for p in pairs})
    rng = random.Random(seed)
    rng.shuffle(facts)
    n_train = round(len(facts) * fractions[0])
    n_val = round(len(facts) * fractions[1])
    if fractions[2] == 0:
        n_val = len(facts) - n_train
    split_of = {f: "train" for f in facts[:n_train]}
    split_of |= {f: "validation" for f in facts[n_train : n_train + n_val]}
    split_of |= {f: "test" for f in facts[n_train + n_val :]}
    train_facts = facts[:n_train]
    n_held = round(len(train_facts) * holdout_reverse)
    held = set(random.Random(seed + 1).sample(train_facts, n_held))
    out: dict[str, list[QAPair]] = {name: [] for name in (*SPLITS, HOLDOUT)}
    for p in pairs:
        name = split_of[p.fact_id]
        if p.fact_id in held and p.direction == "reverse":
            name = HOLDOUT
        out[name].append(p)
    return out
