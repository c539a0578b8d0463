"""Labelled-set figures for the QA service: accuracy per kind, refusals, routes, latency.

    python bench/qa_eval.py [--store DIR] [--questions tests/data/questions.jsonl] [--json]
    python bench/qa_eval.py --samples tests/data/zh_samples \
        --questions tests/data/questions_zh.jsonl

Without --store it ingests samples/ (public files with no groups, samples/restricted with
the "board" group), or the --samples folder, into a temporary store first.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402
from qa.evaluation import load_questions, score, timed  # noqa: E402
from qa.service import QAService  # noqa: E402


def ingest_samples(settings: Settings, store, samples: Path = ROOT / "samples") -> None:  # type: ignore[no-untyped-def]
    from kg.ingest.pipeline import Ingestor

    public = [str(p) for p in sorted(samples.iterdir()) if p.is_file() and p.name != "README.md"]
    ingestor = Ingestor(settings, store)
    ingestor.run(public, [], progress=True)
    if (samples / "restricted").is_dir():
        ingestor.run([str(samples / "restricted")], ["board"], progress=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="an existing store holding samples/ (default: build one)")
    ap.add_argument("--questions", default=str(ROOT / "tests/data/questions.jsonl"))
    ap.add_argument("--samples", default=str(ROOT / "samples"),
                    help="the folder to ingest when no --store is given")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="kgqa-eval-", dir="/tmp") as tmp:
        settings = Settings(store=Path(args.store or tmp))
        with open_store(settings) as store:
            if not args.store:
                ingest_samples(settings, store, Path(args.samples))
            # two services so the second pass does not reuse the first one's caches
            first, second = QAService(settings, store), QAService(settings, store)
            first.ask("warm-up: who founded Brightwater Labs?")
            second.ask("warm-up: who founded Brightwater Labs?")
            retrieval_s = [timed(lambda r=r: first.retrieve(r["q"], r.get("groups", ())))[1]
                           for r in rows]
            answers, answer_s = [], []
            for r in rows:
                ans, secs = timed(lambda r=r: second.ask(r["q"], groups=r.get("groups", ())))
                answers.append(ans)
                answer_s.append(secs)
    report = score(rows, answers, retrieval_s, answer_s)
    if args.json:
        print(json.dumps(report))
    else:
        for m in report.pop("misses"):
            print(f"MISS [{m['kind']}] {m['q']} -> {m['got']!r} ({m['route']}: {m['reason']})")
        print(json.dumps(report, indent=2))
    return 1 if report["leaks"] else 0


if __name__ == "__main__":
    sys.exit(main())
