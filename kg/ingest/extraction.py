"""Triples for a batch of pending documents, in this process or in a child process.

Kept apart from the pipeline so the choice of extractor (the configured one, or
kg.extract.process for long runs) and the per-document isolation live in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tqdm import tqdm

from kg.extract.forms import add_predicate_forms
from kg.ingest.pending import PendingDocument
from kg.ingest.report import FileResult, IngestReport
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.extract.base import Extraction, TripleExtractor
    from kg.extract.process import ProcessExtractor


class BatchExtraction:
    """The extractor for each batch and extract_many over the batch's chunks.

    A given extractor is used as given; otherwise one is made from the settings, or a child
    process serves the run (see for_batch). end_child() must be called when the run ends.
    """

    def __init__(
        self, settings: Settings, extractor: TripleExtractor | None, batch_chunks: int
    ) -> None:
        self.settings = settings
        self.batch_chunks = batch_chunks
        self._extractor = extractor
        self._routed: TripleExtractor | None = None
        self.child: ProcessExtractor | None = None  # this run's extraction process

    @property
    def extractor(self) -> TripleExtractor:
        """The configured extractor, with Chinese chunks sent to kg.extract.zh (neither
        English extractor reads Chinese)."""
        if self._extractor is None:
            from kg.extract import make_extractor

            self._extractor = make_extractor(self.settings)
        if self._routed is None:
            from kg.extract.zh import ChineseAware

            self._routed = ChineseAware(self._extractor)
        return self._routed

    def for_batch(self, more_to_come: bool) -> TripleExtractor:
        """The extractor for the next batch: in a child process (kg.extract.process) when
        `extract_process` is "on", or "auto" and the spaCy extractor has more batches to
        come; once started the child serves the rest of the run. A given extractor is used
        as given."""
        mode, settings = self.settings.extract_process, self.settings
        wanted = mode == "on" or (mode == "auto" and more_to_come and settings.extractor == "spacy")
        if self.child is None and self._extractor is None and wanted:
            from kg.extract.process import ProcessExtractor

            self.child = ProcessExtractor(settings)
        if self.child is None:
            return self.extractor
        from kg.extract.zh import ChineseAware

        return ChineseAware(self.child)

    def end_child(self) -> None:
        """Stop this run's child process, if any: its memory goes back."""
        if self.child is not None:
            self.child.close()
            self.child = None

    def extract(
        self,
        pending: list[PendingDocument],
        report: IngestReport,
        progress: bool,
        extractor: TripleExtractor,
    ) -> list[PendingDocument]:
        """extract_many over every chunk of the batch; a failing document is set aside.
        Every triple leaves with its predicate's word forms."""
        texts = [c.text for p in pending for c in p.chunks]
        try:
            extractions = self._extract_texts(texts, progress, extractor)
        except Exception:  # isolate the document that breaks the extractor
            extractions = None
        ready: list[PendingDocument] = []
        offset = 0
        for p in pending:
            if not p.chunks:
                report.add(FileResult(p.source.path, "error", "no text left after chunking"))
                continue
            if extractions is not None:
                p.extractions = extractions[offset : offset + len(p.chunks)]
                offset += len(p.chunks)
            else:
                try:
                    p.extractions = extractor.extract_many([c.text for c in p.chunks])
                except Exception as exc:
                    report.add(
                        FileResult(
                            p.source.path,
                            "error",
                            f"extraction failed: {type(exc).__name__}: {exc}",
                        )
                    )
                    continue
            ready.append(p)
        # the graph route compares predicates by their word forms; the spaCy extractor
        # sets them, any other's triples get them here
        add_predicate_forms((t for p in ready for e in p.extractions for t in e.triples),
                            self.settings.spacy_model)
        return ready

    def _extract_texts(
        self, texts: list[str], progress: bool, extractor: TripleExtractor
    ) -> list[Extraction]:
        """One extract_many call, or calls of batch_chunks texts under a progress bar."""
        if len(texts) <= self.batch_chunks:
            return extractor.extract_many(texts)
        out: list[Extraction] = []
        with tqdm(
            total=len(texts), unit="chunk", desc="extract", leave=False, disable=not progress
        ) as bar:
            for i in range(0, len(texts), self.batch_chunks):
                part = texts[i : i + self.batch_chunks]
                out.extend(extractor.extract_many(part))
                bar.update(len(part))
        return out
