"""What every triple extractor returns, so ingestion does not care which one ran."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from kg.models import Entity, Paragraph, Triple


@dataclass
class Extraction:
    """Triples of one text plus every entity it mentions (also those in no triple)."""

    triples: list[Triple] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    # the text's paragraphs when the extractor's parse split them (kg.extract.paragraphs)
    paragraphs: tuple[Paragraph, ...] | None = None


@dataclass
class ExtractTimes:
    """Seconds an extractor spent, for bench/ingest.py's stage table: parsing (spaCy's
    nlp.pipe) apart, within whole extract_many calls; wall and CPU of the thread that ran."""

    parse_wall: float = 0.0
    parse_cpu: float = 0.0
    wall: float = 0.0
    cpu: float = 0.0


class TripleExtractor(ABC):
    """Turns a chunk of text into triples; keys are normalised (kg.extract.normalize)."""

    times: ExtractTimes | None = None  # set by extractors that count their seconds

    @abstractmethod
    def extract(self, text: str) -> Extraction: ...

    def extract_many(self, texts: list[str]) -> list[Extraction]:
        """Batch form; backends override it when batching is faster (spaCy's nlp.pipe)."""
        return [self.extract(t) for t in texts]
