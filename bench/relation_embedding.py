"""Could embeddings map an unknown predicate phrase to a lexicon relation? Measured, not assumed.

Each phrase below (written before the first run, none in kg/relations.toml) is verbalised as
"X <phrase> Y" and matched to the nearest lexicon phrase by the default embedder's cosine.
A match counts as right when the nearest phrase states the gold relation, *reversed* when it
states the gold relation's inverse (the answer would come from the wrong end), and a phrase
with no gold relation should stay below the threshold. Prints a table, then JSON.

    python bench/relation_embedding.py [--threshold 0.85]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from kg.embed import Embedder  # noqa: E402
from kg.relations import lexicon  # noqa: E402

GOLD = {
    "take charge of": "leader_of", "give birth to": "mother_of", "tie the knot with": "spouse_of",
    "snap up": "acquired", "grow up in": "lives_in", "hail from": "born_in",
    "head up": "leader_of", "be raised by": "child_of", "be the offspring of": "child_of",
    "wrote the book": "author_of", "purchase a stake in": "owner_of",
    "sit on the board of": "member_of", "be hired by": "works_for", "lies within": "located_in",
    "empties into": "flows_into", "is adjacent to": "borders", "took the helm of": "leader_of",
    "penned": "author_of", "is a daughter of": "daughter_of", "authored": "author_of",
}  # fmt: skip
NONE = ["gather on", "sail with", "eat", "visit", "know", "like", "meet", "talk to",
        "argue with", "see", "walk to", "admire", "sue", "praise", "fear", "criticise"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, default=0.85)
    args = ap.parse_args()
    lex = lexicon()
    phrases = sorted({p for r in lex.relations.values() for p in r.phrases})
    embedder = Embedder()
    lexicon_vectors = np.array(embedder.encode([f"X {p} Y" for p in phrases]))
    asked = list(GOLD) + NONE
    sims = np.array(embedder.encode([f"X {p} Y" for p in asked])) @ lexicon_vectors.T
    counts = {"right": 0, "reversed": 0, "other": 0, "below": 0, "false_match": 0}
    rows = []
    for phrase, row in zip(asked, sims, strict=True):
        best = int(row.argmax())
        found, sim = lex.of_phrase(phrases[best]), float(row[best])
        gold = GOLD.get(phrase)
        if gold is None:
            verdict = "false_match" if sim >= args.threshold else "below"
        elif sim < args.threshold:
            verdict = "below"
        elif any(gold in lex.ancestors(f) or f in lex.ancestors(gold) for f in found):
            verdict = "right"
        elif any((gold, True) in lex.implied(f) for f in found):
            verdict = "reversed"
        else:
            verdict = "other"
        counts[verdict] += 1
        rows.append({"phrase": phrase, "gold": gold, "nearest": phrases[best],
                     "relations": sorted(found), "cosine": round(sim, 3), "verdict": verdict})
        print(f"{phrase:22} -> {phrases[best]:22} {sim:.3f} {verdict:11} gold={gold}")
    print(f"\nthreshold {args.threshold}: {counts}")
    print(json.dumps({"threshold": args.threshold, "counts": counts, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
