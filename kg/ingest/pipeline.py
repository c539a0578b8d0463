"""Files (or ready texts) → chunks → triples + embeddings → the store, in batches.

Batches span documents so spaCy (nlp.pipe), the embedder and the store each see many items
per call, and the three stages run at once on their threads (see stages.py); that is what
makes thousands of small documents fast. Each document is still
written all-or-nothing, and a failure in one document never loses the others.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from kg.ingest.chunking import make_chunks
from kg.ingest.extraction import BatchExtraction
from kg.ingest.folder_groups import FolderGroups, GroupsFileError
from kg.ingest.name_vectors import NameVectors
from kg.ingest.pending import PendingDocument
from kg.ingest.readers import (
    ReadError,
    SourceText,
    check_file,
    document_id,
    expand_paths,
    file_sha256,
    load_source,
)
from kg.ingest.report import FileResult, IngestReport
from kg.ingest.stages import ThreeStages
from kg.models import ADMIN, Document, Entity, Triple, normalise_groups
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.embed import Embedder
    from kg.extract.base import TripleExtractor
    from kg.stores.base import DocumentRecords, GraphStore

BATCH_CHUNKS = 256  # chunks per extract/embed/write round; bounds memory on big inputs

# (doc id, sha256, loader, the document's groups), or a file already known to be bad
_Source = tuple[str, str, Callable[[], SourceText], list[str]] | FileResult


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Ingestor:
    """Ingests files and folders (or in-memory texts) into a GraphStore."""

    def __init__(
        self,
        settings: Settings,
        store: GraphStore,
        embedder: Embedder | None = None,
        extractor: TripleExtractor | None = None,
        batch_chunks: int = BATCH_CHUNKS,
    ) -> None:
        self.settings = settings
        self.store = store
        self._embedder = embedder
        self.batch_chunks = max(1, batch_chunks)
        self._extraction = BatchExtraction(settings, extractor, self.batch_chunks)
        self._name_vectors = NameVectors(
            settings,
            store,
            chunk_encode=lambda: self.embedder.encode,
            embed_names=lambda names: self.embed_names(names),  # late: a wrapper sees all
        )

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from kg.embed import Embedder

            self._embedder = Embedder(self.settings, bulk=True)
        return self._embedder

    def embed_names(self, names: Sequence[str]) -> list[list[float]]:
        """Entity names through the name embedder the store records (kg.name_embed)."""
        return self._name_vectors.encode(names)

    @property
    def extractor(self) -> TripleExtractor:
        """The configured extractor, with Chinese chunks sent to kg.extract.zh (neither
        English extractor reads Chinese)."""
        return self._extraction.extractor

    # --- public entry points ------------------------------------------------------------
    def run(
        self,
        paths: Sequence[str | Path],
        groups: Sequence[str],
        progress: bool = True,
        groups_files: bool = True,
    ) -> IngestReport:
        """Ingest files and folders; unchanged files cost one sha256 and nothing else.

        `groups` applies to files no `.kgqa-groups` file covers (see folder_groups.py), or
        to every file when `groups_files` is False (uploads declare their own groups)."""
        files = list(expand_paths(paths))
        folders = FolderGroups(normalise_groups(groups), read_files=groups_files)
        sources = self._file_sources(files, folders)
        return self._ingest(sources, len(files), progress, "file")

    def ingest_texts(
        self,
        sources: Iterable[SourceText],
        groups: Sequence[str],
        progress: bool = True,
        total: int | None = None,
    ) -> IngestReport:
        """Ingest documents that are already text (benchmarks, API uploads)."""
        common = normalise_groups(groups)
        items = ((s.id, s.sha256, _const(s), common) for s in sources)
        return self._ingest(items, total, progress, "doc")

    def delete(self, path: str | Path) -> bool:
        """Remove a document (by path) and everything only it supported."""
        return self.store.delete_document(document_id(path))

    # --- the batched pipeline -----------------------------------------------------------
    def _file_sources(self, files: list[Path], folders: FolderGroups) -> Iterator[_Source]:
        for path in files:
            try:
                groups, _ = folders.for_file(path)
                check_file(path, self.settings.max_file_mb)
                sha = file_sha256(path)
            except (ReadError, GroupsFileError, OSError) as exc:
                yield FileResult(str(path), "error", str(exc))
                continue
            yield document_id(path), sha, _loader(path, sha), groups

    def _ingest(
        self,
        sources: Iterable[_Source],
        total: int | None,
        progress: bool,
        unit: str,
    ) -> IngestReport:
        start = time.perf_counter()
        report = IngestReport()
        known = {d.id: d for d in self.store.list_documents([ADMIN])}
        pending: list[PendingDocument] = []

        def flush(more_to_come: bool) -> None:
            """Extract here; the batch is embedded and written while the next is extracted."""
            nonlocal pending
            if not pending:
                return
            extractor = self._extraction.for_batch(more_to_come)
            with report.timed("extract"):
                ready = self._extraction.extract(pending, report, progress, extractor)
            done = len(pending)

            def embed() -> tuple[list[PendingDocument], list[DocumentRecords]]:
                with report.timed("embed_chunks"):
                    ok, records = self._embed_isolated(ready, report)
                # no wait for the batches still being written: their names are in this
                # run's cache, and the store keeps an entity's first vector anyway
                with report.timed("embed_names"):
                    return self._name_vectors.embed_isolated(ok, records, report)

            def write(batch: tuple[list[PendingDocument], list[DocumentRecords]]) -> None:
                with report.timed("write"):
                    self._name_vectors.restore_dropped_vectors(batch[1])
                    self._write(*batch, report)
                bar.update(done)

            stages.submit(embed, write)
            pending = []

        try:
            with (
                tqdm(total=total, unit=unit, desc="ingest", disable=not progress) as bar,
                ThreeStages(self.settings.ingest_embed_workers) as stages,
            ):
                for item in sources:
                    if isinstance(item, FileResult):
                        report.add(item)
                        bar.update(1)
                        continue
                    doc_id, sha, load, groups = item
                    old = known.get(doc_id)
                    if old is not None and old.sha256 == sha:
                        report.add(self._unchanged(old, groups))
                        bar.update(1)
                        continue
                    entry = self._read_and_chunk(doc_id, load, report)
                    if entry is None:
                        bar.update(1)
                        continue
                    entry.status = "replaced" if old is not None else "ingested"
                    entry.groups = groups
                    pending.append(entry)
                    if sum(len(p.chunks) for p in pending) >= self.batch_chunks:
                        flush(more_to_come=True)
                flush(more_to_come=False)
                stages.wait()
        finally:
            self._extraction.end_child()  # the child's memory goes back at the end of a run
        report.seconds = time.perf_counter() - start
        return report

    def _read_and_chunk(
        self, doc_id: str, load: Callable[[], SourceText], report: IngestReport
    ) -> PendingDocument | None:
        """Read and chunk one source; any failure becomes its error entry (None)."""
        try:
            with report.timed("read"):
                source = load()
            with report.timed("chunk"):
                chunks = make_chunks(source.id, source.sha256, source.text, self.settings)
        except (ReadError, OSError) as exc:
            report.add(FileResult(doc_id, "error", str(exc)))
            return None
        except Exception as exc:  # a reader or the chunker broke on this file only
            report.add(FileResult(doc_id, "error", f"{type(exc).__name__}: {exc}"))
            return None
        limit = self.settings.max_file_chunks
        if len(chunks) > limit:
            report.add(
                FileResult(
                    source.path,
                    "error",
                    f"too much text: {len(chunks)} chunks > limit {limit} "
                    "(KGQA_MAX_FILE_CHUNKS); split the file or raise the limit",
                )
            )
            return None
        return PendingDocument(source, "ingested", chunks=chunks)

    def _unchanged(self, old: Document, groups: list[str]) -> FileResult:
        if set(old.groups) == set(groups):
            return FileResult(old.path, "unchanged", groups=groups)
        self.store.set_groups(old.id, groups)
        return FileResult(old.path, "unchanged", f"groups {old.groups} -> {groups}", groups=groups)

    def _embed_isolated(
        self, ready: list[PendingDocument], report: IngestReport
    ) -> tuple[list[PendingDocument], list[DocumentRecords]]:
        """_embed_chunks for the batch; if it fails, document by document (errors kept).

        The model is loaded first, outside the isolation: a model that will not load or
        whose size is not the store's is the whole command's error, not each file's.
        """
        if ready:
            _ = self.embedder.dimension
        try:
            return ready, self._embed_chunks(ready)
        except Exception:
            ok: list[PendingDocument] = []
            records: list[DocumentRecords] = []
            for p in ready:
                try:
                    records += self._embed_chunks([p])
                    ok.append(p)
                except Exception as exc:
                    msg = f"embedding failed: {type(exc).__name__}: {exc}"
                    report.add(FileResult(p.source.path, "error", msg))
            return ok, records

    def _embed_chunks(self, ready: list[PendingDocument]) -> list[DocumentRecords]:
        """One encode call for every chunk of the batch; returns the documents' records."""
        chunk_inputs = [
            _chunk_embedding_text(p.source.title, c.text) for p in ready for c in p.chunks
        ]
        chunk_vectors = iter(self.embedder.encode(chunk_inputs))
        for p in ready:
            for c in p.chunks:
                c.embedding = next(chunk_vectors)
        return [_records(p) for p in ready]

    def _write(
        self, ready: list[PendingDocument], records: list[DocumentRecords], report: IngestReport
    ) -> None:
        """One batched store call; on failure retry one by one so only the bad one fails."""
        try:
            self.store.replace_documents(records)
            failures: dict[int, str] = {}
        except Exception:
            failures = {}
            for i, rec in enumerate(records):
                try:
                    self.store.replace_document(*rec)
                except Exception as exc:
                    failures[i] = f"write failed: {type(exc).__name__}: {exc}"
        for i, (p, (_, chunks, entities, triples, _)) in enumerate(
            zip(ready, records, strict=True)
        ):
            if i in failures:
                report.add(FileResult(p.source.path, "error", failures[i]))
            else:
                report.add(
                    FileResult(
                        p.source.path,
                        p.status,
                        "",
                        len(chunks),
                        len(entities),
                        len(triples),
                        p.groups,
                    )
                )


def _const(source: SourceText) -> Callable[[], SourceText]:
    return lambda: source


def _loader(path: Path, sha: str) -> Callable[[], SourceText]:
    return lambda: load_source(path, sha)


def _chunk_embedding_text(title: str, text: str) -> str:
    """The title gives a chunk its subject (passages often say 'he', 'the company')."""
    return text if not title or text.startswith(title) else f"{title}\n{text}"


def _records(p: PendingDocument) -> DocumentRecords:
    """Merge one document's extractions: entities by key, triples with their chunk id."""
    src = p.source
    doc = Document(
        id=src.id, path=src.path, title=src.title, sha256=src.sha256, groups=list(p.groups)
    )
    entities: dict[str, Entity] = {}
    triples: list[Triple] = []
    mentions: list[tuple[str, str]] = []

    def see(key: str, name: str, type_: str, aliases: Iterable[str] = ()) -> None:
        if not key:
            return
        ent = entities.setdefault(key, Entity(key=key, name=name, type=type_))
        ent.type = ent.type or type_
        for alias in (name, *aliases):
            if alias and alias != ent.name and alias not in ent.aliases:
                ent.aliases.append(alias)

    for chunk, extraction in zip(p.chunks, p.extractions, strict=True):
        chunk.paragraphs = extraction.paragraphs
        keys: list[str] = []
        for e in extraction.entities:
            see(e.key, e.name, e.type, e.aliases)
            keys.append(e.key)
        for t in extraction.triples:
            if not (t.subject_key and t.object_key and t.predicate):
                continue  # an endpoint normalised to nothing (e.g. a stray ".")
            see(t.subject_key, t.subject, t.subject_type)
            see(t.object_key, t.object, t.object_type)
            keys += [t.subject_key, t.object_key]
            t.chunk_id = chunk.id
            triples.append(t)
        mentions += [(chunk.id, k) for k in dict.fromkeys(keys) if k]
    return doc, p.chunks, list(entities.values()), triples, mentions
