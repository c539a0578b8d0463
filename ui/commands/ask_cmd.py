"""`kgqa ask`: one question, or a JSONL file of them answered with the models loaded once."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kg.settings import Settings
from qa.models import Answer
from ui.cli import asker


def _print_answer(answer: Answer) -> None:
    print(answer.answer)
    print(f"  route: {answer.route} ({answer.reason})")
    for i, ev in enumerate(answer.evidence, start=1):
        fact = f" [{' | '.join(ev.triple)}]" if ev.triple else ""
        text = ev.text if len(ev.text) <= 160 else ev.text[:157] + "..."
        print(f"  [{i}] {ev.doc} #{ev.chunk}{fact} score {ev.score:.2f}: {text}")


def _questions(path: Path, default_groups: list[str]) -> Iterator[tuple[int, Any]]:
    """(line number, (question, groups)) or (line number, error message) per input line."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                question = row["q"]
                groups = row.get("groups", default_groups)
                if not isinstance(question, str) or not isinstance(groups, list):
                    raise TypeError("'q' must be a string and 'groups' a list")
                yield n, (question, [str(g) for g in groups])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                yield n, f"line {n}: expected {{\"q\": \"...\", \"groups\": [...]}}: {exc}"


def _preload(settings: Settings) -> Callable[[], Any]:
    """Load the embedder and spaCy on a thread while the main thread starts the store (a
    separate server process that decodes the graph): a cold `kgqa ask` waits for the longer
    of the two, not their sum. Returns a function giving the embedder (None if it failed to
    load: the service then loads it itself and reports the error as usual)."""
    loaded: dict[str, Any] = {}

    def load() -> None:
        try:
            from kg.embed import Embedder
            from qa.question import analyse

            loaded["embedder"] = Embedder(settings)
            analyse("Who founded it?", settings.spacy_model)
        except Exception:  # noqa: BLE001 - reported by the service's own load
            pass

    worker = threading.Thread(target=load, name="kgqa-preload", daemon=True)
    worker.start()

    def embedder() -> Any:
        worker.join()
        return loaded.get("embedder")

    return embedder


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if bool(args.question) == bool(args.file):
        print("kgqa ask: give either a QUESTION or --file QUESTIONS.jsonl", file=sys.stderr)
        return 2
    if args.file and not Path(args.file).is_file():
        print(f"kgqa ask: no such file: {args.file}", file=sys.stderr)
        return 2
    from kg.stores import open_store
    from qa.service import QAService

    failures = 0
    models = _preload(settings)  # while the store's server loads the graph
    try:
        store = open_store(settings)
    except BaseException:
        models()  # no thread left importing at exit
        raise
    with store:
        service = QAService(settings, store, embedder=models())
        if args.question:
            items: Any = [(0, (args.question, asker(args)))]
        else:
            items = _questions(Path(args.file), asker(args))
        for n, item in items:
            if isinstance(item, str):
                failures += 1
                print(json.dumps({"line": n, "error": item}) if args.json else item,
                      file=sys.stdout if args.json else sys.stderr)
                continue
            question, groups = item
            try:
                answer = service.ask(question, groups=groups, route=args.route,
                                     adapter=args.adapter)
            except ValueError as exc:
                failures += 1
                print(json.dumps({"line": n, "question": question, "error": str(exc)})
                      if args.json else f"error: {exc}", flush=True)
                continue
            if args.json:
                print(answer.model_dump_json(), flush=True)
            else:
                _print_answer(answer)
    return 1 if failures else 0
