"""Relation generalisation benchmark for the graph/QA route (issue 10, "Measure").

    python bench/relations.py [--limit N | --all] [--sets pairs,families] [--out FILE]

Two sets, ingested together into one fresh temporary store through the public API only
(Ingestor.ingest_texts, QAService.ask), so it runs before and after the relation rewrite:

- pairs: real celebrity parent/child pairs (reversal_curse/parent_child_pairs.csv, read from
  $KGQA_BENCHMARKS or ../shared/benchmarks; never copied here). A deterministic sample
  (seed 0, default 200 pairs) becomes one document per pair, in one of five sentence forms
  rotated by position. Each pair gets one FORWARD question (name the child, ask for the
  parent) and one REVERSE question (name the parent, ask for the child), in one of six
  wordings per direction, rotated by position, so every form meets every wording.
- families: bench/relations_families.json, hand-written fictitious facts in one wording,
  asked in other wordings, both directions, plus refusal questions (unknown names and
  questions whose only matching edge goes the other way).

Scoring reads only Answer.answer / .refused: an answer is correct when it names a gold
entity (plural wordings: every gold entity; case-insensitive substring of the full name, a
leading "The" dropped);
gold [] means the right answer is a refusal. A non-refused answer that names no gold entity
but names a wrong-direction entity (the question's own entity, or one on the other side of
the relation) counts as wrong_direction, else as wrong. Refusals are counted apart.

The sentence forms, question wordings and family questions below were fixed before the
first run and have not been tuned to results.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.ingest.pipeline import Ingestor, text_sha256  # noqa: E402
from kg.ingest.readers import SourceText  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402
from qa.service import QAService  # noqa: E402

FAMILIES = Path(__file__).with_name("relations_families.json")
OUTCOMES = ("correct", "refused", "wrong", "wrong_direction")

# {c} child, {p} parent, {t} parent type (mother/father): fixed before the first run
SENTENCE_FORMS = (
    "The {t} of {c} is {p}.",
    "{p} is the {t} of {c}.",
    "{c} is a child of {p}, the child's {t}.",
    "{c}'s {t} is {p}.",
    "{c} was born to {p}, the child's {t}.",
)
# (wording id, template, plural): plural wordings need every gold name in the answer
FORWARD = (
    ("F1 Who is X's <t>?", "Who is {c}'s {t}?", False),
    ("F2 Who is the <t> of X?", "Who is the {t} of {c}?", False),
    ("F3 Name a parent of X.", "Name a parent of {c}.", False),
    ("F4 Which person is X's <t>?", "Which person is {c}'s {t}?", False),
    ("F5 X's <t> is who?", "{c}'s {t} is who?", False),
    ("F6 Who are the parents of X?", "Who are the parents of {c}?", True),
)
REVERSE = (
    ("R1 Name a child of Y.", "Name a child of {p}.", False),
    ("R2 Who is Y's son or daughter?", "Who is {p}'s son or daughter?", False),
    ("R3 Who are the children of Y?", "Who are the children of {p}?", True),
    ("R4 Whose <t> is Y?", "Whose {t} is {p}?", False),
    ("R5 Give me a child of Y.", "Give me a child of {p}.", False),
    ("R6 Y is the parent of whom?", "{p} is the parent of whom?", False),
)


@dataclass
class Item:
    """One question with its gold and wrong-direction names, grouped for the tables."""

    set: str
    group: str  # wording id (pairs) or family name
    direction: str  # forward / reverse / refusal
    q: str
    gold: list[str]
    wrong_direction: list[str]
    all: bool = False
    outcome: str = ""
    got: str = ""


@dataclass
class Bench:
    docs: list[SourceText] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def default_pairs() -> Path:
    base = os.environ.get("KGQA_BENCHMARKS") or ROOT.parent / "shared" / "benchmarks"
    return Path(base) / "reversal_curse" / "parent_child_pairs.csv"


def source(doc_id: str, title: str, text: str) -> SourceText:
    return SourceText(id=doc_id, path=doc_id, title=title, text=text,
                      sha256=text_sha256(title + "\n" + text))


def pair_set(path: Path, limit: int | None, bench: Bench) -> None:
    """Sample pairs (seed 0), write their documents and one question per direction each."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [(r["child"].strip(), r["parent"].strip(), r["parent_type"].strip())
                for r in csv.DictReader(fh)]
    rows = list(dict.fromkeys(r for r in rows if all(r)))
    if limit is not None and limit < len(rows):
        rows = random.Random(0).sample(rows, limit)
    parents: dict[str, list[str]] = defaultdict(list)
    typed: dict[tuple[str, str], list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for c, p, t in rows:
        parents[c].append(p)
        typed[c, t].append(p)
        children[p].append(c)
    for i, (c, p, t) in enumerate(rows):
        text = SENTENCE_FORMS[i % len(SENTENCE_FORMS)].format(c=c, p=p, t=t)
        bench.docs.append(source(f"bench-rel:pair:{i:04d}", f"Family note {i}", text))
        wid, tpl, plural = FORWARD[i % len(FORWARD)]
        gold = typed[c, t] if "{t}" in tpl else parents[c]
        bench.items.append(Item("pairs", wid, "forward", tpl.format(c=c, p=p, t=t), gold,
                                [c, *children.get(c, [])], all=plural))
        wid, tpl, plural = REVERSE[i % len(REVERSE)]
        bench.items.append(Item("pairs", wid, "reverse", tpl.format(c=c, p=p, t=t), children[p],
                                [p, *parents.get(p, [])], all=plural))


def family_set(path: Path, bench: Bench) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))["families"]
    for name, fam in data.items():
        for j, text in enumerate(fam["docs"]):
            bench.docs.append(source(f"bench-rel:{name}:{j}", f"{name} note {j}", text))
        for q in fam["questions"]:
            direction = "refusal" if not q["gold"] else "answer"
            bench.items.append(Item("families", name, direction, q["q"], q["gold"],
                                    q["wrong_direction"], all=q.get("all", False)))


def _norm(text: str) -> str:
    words = text.casefold().split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def names(text: str, wanted: list[str]) -> list[bool]:
    """Whether each wanted name (a leading "The" dropped) occurs in `text`."""
    low = " ".join(text.casefold().split())
    return [_norm(w) in low for w in wanted]


def outcome(item: Item, refused: bool, text: str) -> str:
    if refused:
        return "correct" if not item.gold else "refused"
    hits = names(text, item.gold)
    if item.gold and (all(hits) if item.all else any(hits)):
        return "correct"
    return "wrong_direction" if any(names(text, item.wrong_direction)) else "wrong"


def table(items: list[Item], key: str) -> dict[str, dict[str, float]]:
    """Per group: n, accuracy and the count of each outcome."""
    groups: dict[str, Counter] = defaultdict(Counter)
    for it in items:
        groups[getattr(it, key)][it.outcome] += 1
    out = {}
    for g, c in sorted(groups.items()):
        n = sum(c.values())
        out[g] = {"n": n, "accuracy": round(c["correct"] / n, 3),
                  **{o: c[o] for o in OUTCOMES[1:]}}
    return out


def print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"{'':40} {'n':>4} {'acc':>6} {'refused':>8} {'wrong':>6} {'wrong_dir':>9}")
    for g, r in rows.items():
        print(f"{g:40} {r['n']:>4} {r['accuracy']:>6.3f} {r['refused']:>8} {r['wrong']:>6}"
              f" {r['wrong_direction']:>9}")


def run(bench: Bench, progress: bool) -> float:
    """Ingest into a fresh temporary store and ask every question; returns ingest seconds."""
    with tempfile.TemporaryDirectory(prefix="kgqa-rel-", dir="/tmp") as tmp:
        settings = Settings(store=Path(tmp))
        with open_store(settings) as store:
            start = time.perf_counter()
            report = Ingestor(settings, store).ingest_texts(
                bench.docs, [], progress=progress, total=len(bench.docs))
            ingest_s = time.perf_counter() - start
            if report.totals["error"]:
                print(f"warning: {report.totals['error']} documents failed to ingest",
                      file=sys.stderr)
            service = QAService(settings, store)
            for it in tqdm(bench.items, desc="questions", disable=not progress):
                ans = service.ask(it.q)
                it.outcome, it.got = outcome(it, ans.refused, ans.answer), ans.answer
    return ingest_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=Path, default=default_pairs())
    ap.add_argument("--families", type=Path, default=FAMILIES)
    ap.add_argument("--limit", type=int, default=200, help="celebrity pairs sampled (seed 0)")
    ap.add_argument("--all", action="store_true", help="every celebrity pair (1,513)")
    ap.add_argument("--sets", default="pairs,families", help="comma list: pairs, families")
    ap.add_argument("--out", type=Path, help="also write the JSON summary here")
    ap.add_argument("--misses", action="store_true", help="print every non-correct answer")
    args = ap.parse_args()
    sets = {s.strip() for s in args.sets.split(",") if s.strip()}
    if not sets <= {"pairs", "families"}:
        ap.error(f"unknown set(s): {sorted(sets - {'pairs', 'families'})}")
    bench = Bench()
    if "pairs" in sets:
        if not args.pairs.is_file():
            print(f"skipped: no file at {args.pairs} (give --pairs PATH or set KGQA_BENCHMARKS)")
            return 0
        pair_set(args.pairs, None if args.all else args.limit, bench)
    if "families" in sets:
        family_set(args.families, bench)
    start = time.perf_counter()
    ingest_s = run(bench, progress=True)
    wall = time.perf_counter() - start
    summary: dict = {"documents": len(bench.docs), "questions": len(bench.items)}
    for name in ("pairs", "families"):
        items = [it for it in bench.items if it.set == name]
        if not items:
            continue
        if args.misses:
            for it in items:
                if it.outcome != "correct":
                    print(f"{it.outcome.upper()} [{it.group}] {it.q} -> {it.got!r}")
        per_group = table(items, "group")
        per_dir = table(items, "direction")
        print_table(f"{name}: per {'family' if name == 'families' else 'wording'}", per_group)
        print_table(f"{name}: per direction", per_dir)
        summary[name] = {"overall": table(items, "set")[name], "per_direction": per_dir,
                         "per_group": per_group}
    load = os.getloadavg()
    summary.update(ingest_s=round(ingest_s, 1), wall_s=round(wall, 1),
                   load_avg=[round(x, 2) for x in load])
    print(f"\n{len(bench.docs)} documents, {len(bench.items)} questions; ingest "
          f"{ingest_s:.0f} s, wall {wall:.0f} s, load average {load[0]:.2f}")
    line = json.dumps(summary)
    if args.out:
        args.out.write_text(line + "\n", encoding="utf-8")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
