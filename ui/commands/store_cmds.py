"""`kgqa ingest | delete | stats | triples | cypher`: the store's command-line face.

Exit codes: 0 success; 1 partly failed (some files not ingested, the others committed; a
path not found; a query error); 2 refused input (a write through `cypher`, bad --params); 3
the store could not be opened or refused the embedding model's size. Every command that reads
asks as the public unless --groups or --admin (ui.cli.asker).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from kg.settings import Settings
from kg.stores.base import (
    BadParameter,
    Dimension,
    GraphStore,
    QueryTimedOut,
    QueryTooComplex,
    ReadOnlyViolation,
    StoreError,
    dimension_mismatch,
)
from ui.cli import asker

if TYPE_CHECKING:
    from kg.embed import Embedder

OK, PARTIAL, REFUSED, STORE_FAILED = 0, 1, 2, 3


def _err(message: str) -> None:
    print(f"kgqa: {message}", file=sys.stderr)


def _with_store(
    settings: Settings, work: Callable[[GraphStore], int], dimension: Dimension = 384
) -> int:
    """Open the store, run `work`, always close it; a store that will not open is exit 3."""
    from kg.stores import open_store

    try:
        store = open_store(settings, dimension=dimension)
    except StoreError as exc:
        _err(f"cannot open the store at {settings.store}: {exc}")
        return STORE_FAILED
    with store:
        return work(store)


class EmbedderUnavailable(Exception):
    """The embedding model would not load (the message says why)."""


class LazyEmbedder:
    """The embedding model, loaded on first use: re-ingesting unchanged files needs none, and
    an existing store opens with the size it records. Once loaded it must match that size."""

    def __init__(self, settings: Settings, bulk: bool = False) -> None:
        self.settings = settings
        self.bulk = bulk  # ingestion's passage batches (kg.embed.resolve_precision)
        self.expected: int | None = None  # the open store's embedding size
        self._model: Embedder | None = None

    def load(self) -> Embedder:
        if self._model is None:
            from kg.embed import Embedder

            try:
                model = Embedder(self.settings, bulk=self.bulk)
            except (OSError, RuntimeError) as exc:
                raise EmbedderUnavailable(str(exc)) from exc
            if self.expected is not None and model.dimension != self.expected:
                raise dimension_mismatch(self.expected, model.dimension)
            self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        return self.load().dimension

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        return self.load().encode(texts)


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from kg.ingest.pipeline import Ingestor

    embedder = LazyEmbedder(settings, bulk=True)

    def work(store: GraphStore) -> int:
        embedder.expected = store.dimension
        ingestor = Ingestor(settings, store, embedder=embedder)  # type: ignore[arg-type]
        try:
            report = ingestor.run(args.paths, args.groups, progress=sys.stderr.isatty())
        except StoreError as exc:  # the model's embedding size is not the store's
            _err(f"cannot ingest into the store at {settings.store}: {exc}")
            return STORE_FAILED
        if args.json:
            print(json.dumps(report.to_dict()))
        else:
            for f in report.files:
                access = f" [groups: {','.join(f.groups)}]" if f.groups else ""
                if f.status == "error" or f.message:
                    print(f"{f.status:9} {f.path}: {f.message}{access}")
                else:
                    counts = f"({f.chunks} chunks, {f.triples} triples)"
                    print(f"{f.status:9} {f.path} {counts}{access}")
            print(report.summary())
        for f in report.errors:
            _err(f"{f.path}: {f.message}")
        return OK if report.ok else PARTIAL

    try:
        return _with_store(settings, work, dimension=lambda: embedder.dimension)
    except EmbedderUnavailable as exc:
        _err(str(exc))
        return PARTIAL


def run_delete(args: argparse.Namespace, settings: Settings) -> int:
    from kg.ingest.pipeline import Ingestor

    def work(store: GraphStore) -> int:
        ingestor = Ingestor(settings, store)
        deleted: list[str] = []
        missing: list[str] = []
        for path in args.paths:
            (deleted if ingestor.delete(path) else missing).append(path)
        if args.json:
            print(json.dumps({"deleted": deleted, "missing": missing}))
        else:
            for path in deleted:
                print(f"deleted {path}")
        for path in missing:
            _err(f"not in the store: {path}")
        return PARTIAL if missing else OK

    return _with_store(settings, work)


def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    def work(store: GraphStore) -> int:
        counts = store.counts(asker(args))
        if args.json:
            print(json.dumps(counts.as_dict()))
        else:
            for name, value in counts.as_dict().items():
                print(f"{name:10} {value}")
        return OK

    return _with_store(settings, work)


def run_triples(args: argparse.Namespace, settings: Settings) -> int:
    def work(store: GraphStore) -> int:
        for t in store.triples(asker(args), limit=args.limit):
            if args.json:
                row = {
                    "subject": t.subject,
                    "predicate": t.predicate,
                    "object": t.object,
                    "doc": t.doc,
                    "chunk": t.chunk,
                }
                print(json.dumps(row))
            else:
                print(f"{t.subject} --{t.predicate}--> {t.object}    [{t.doc} #{t.chunk}]")
        return OK

    return _with_store(settings, work)


def run_cypher(args: argparse.Namespace, settings: Settings) -> int:
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as exc:
        _err(f"--params is not valid JSON: {exc}")
        return REFUSED
    if not isinstance(params, dict):
        _err("--params must be a JSON object")
        return REFUSED

    def work(store: GraphStore) -> int:
        try:
            columns, rows = store.cypher(args.query, params, asker(args))
        except ReadOnlyViolation as exc:
            _err(f"refused: only read-only Cypher is allowed ({exc})")
            return REFUSED
        except BadParameter as exc:
            _err(f"refused --params: {exc}")
            return REFUSED
        except QueryTooComplex as exc:
            _err(f"refused: {exc}")
            return REFUSED
        except QueryTimedOut as exc:
            _err(f"query failed: {exc} (KGQA_CYPHER_TIMEOUT_S sets the limit)")
            return PARTIAL
        except StoreError as exc:
            _err(f"query failed: {exc}")
            return PARTIAL
        if args.json:
            print(json.dumps({"columns": columns, "rows": rows}, default=_jsonable))
        else:
            print("\t".join(columns))
            for row in rows:
                print("\t".join(_cell(v) for v in row))
        return OK

    return _with_store(settings, work)


def _jsonable(value: Any) -> Any:
    """Graph values the driver returns as objects (nodes, edges, paths) become text."""
    props = getattr(value, "properties", None)
    return props if isinstance(props, dict) else str(value)


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=_jsonable)
