"""`make demo`: ingest the sample corpus into the embedded store, show what the graph holds
and ask a handful of questions, as an outsider and as a board member. Runs offline.

    python scripts/demo.py [--store DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.embed import Embedder  # noqa: E402
from kg.ingest.pipeline import Ingestor  # noqa: E402
from kg.models import ADMIN  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402
from kg.stores.base import GraphStore  # noqa: E402

SAMPLES = ROOT / "samples"
# (question, asker's groups): forward, reverse, 2-hop, passage, unanswerable;
# the last two show access groups at work
QUESTIONS: list[tuple[str, list[str]]] = [
    ("Who founded Brightwater Labs?", []),
    ("Where is Brightwater Labs headquartered?", []),
    ("Who is the mother of Orin Vale?", []),
    ("What did Orin Vale found?", []),
    ("In which city is the company founded by Orin Vale headquartered?", []),
    ("Who is the king of Karsk?", []),
    ("Which shipyard built the Northern Wren?", []),
    ("What happens to the ferries when the Karsk harbour freezes?", []),
    ("Which company will Brightwater Labs acquire?", []),
    ("Which company will Brightwater Labs acquire?", ["board"]),
]
ENTITIES = ["orin vale", "karsk", "northern wren"]


def ingest_samples(ingestor: Ingestor) -> None:
    """Public files with no groups, samples/restricted for the `board` group (samples/README)."""
    public = [p for p in sorted(SAMPLES.iterdir()) if p.is_file() and p.name != "README.md"]
    for paths, groups in ((public, []), ([SAMPLES / "restricted"], ["board"])):
        report = ingestor.run(paths, groups)
        for f in report.files:
            print(f"  {f.status:9} {Path(f.path).relative_to(ROOT)} {f.message}")
        print(f"  -> {report.summary()}")


def show_graph(store: GraphStore) -> None:
    print(f"\nstore (everything): {store.counts([ADMIN]).as_dict()}")
    print(f"store (public view): {store.counts([]).as_dict()}")
    for key in ENTITIES:
        triples = store.neighbourhood([key], [], hops=1, limit=8)
        print(f"\nfacts around {key!r} (public view):")
        for t in triples:
            print(f"  {t.subject} --{t.predicate}--> {t.object}   [{Path(t.doc).name}]")


def ask(store: GraphStore, settings: Settings, embedder: Embedder) -> None:
    try:
        from qa.service import QAService
    except ImportError as exc:  # the QA package lands separately
        print(f"\n(question answering not available yet: {exc})")
        return
    service = QAService(settings, store, embedder=embedder)
    for question, groups in QUESTIONS:
        answer = service.ask(question, groups=groups)
        who = f"as {','.join(groups)}" if groups else "public"
        print(f"\nQ ({who}): {question}")
        if answer.refused:
            print(f"A: I don't know. [{answer.route}: {answer.reason}]")
            continue
        print(f"A: {answer.answer}   [{answer.route}]")
        for ev in answer.evidence[:2]:
            print(f"   evidence: {Path(ev.doc).name} #{ev.chunk}: {ev.text[:100]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / ".cache" / "demo-store")
    args = parser.parse_args()
    settings = Settings(store=args.store)
    print(f"loading the embedding model and opening the store at {args.store} ...")
    embedder = Embedder(settings)
    with open_store(settings, dimension=embedder.dimension) as store:
        print("ingesting samples/ (unchanged files are skipped on a second run):")
        ingest_samples(Ingestor(settings, store, embedder=embedder))
        show_graph(store)
        ask(store, settings, embedder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
