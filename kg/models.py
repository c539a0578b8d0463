"""Typed records passed between ingestion, the stores and question answering.

They are plain dataclasses so every layer (and every backend) shares one vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

# The asker's access groups. Empty means "public documents only"; ADMIN sees everything.
ADMIN = "*"


def normalise_groups(groups: Iterable[str] | None) -> list[str]:
    """Clean a groups list (strip, drop blanks, de-duplicate, keep order)."""
    seen: list[str] = []
    for g in groups or ():
        g = g.strip()
        if g and g not in seen:
            seen.append(g)
    return seen


def can_see(doc_groups: Iterable[str], asker_groups: Iterable[str]) -> bool:
    """A document is visible when it is public, the asker is admin, or they share a group."""
    doc = set(doc_groups)
    asker = set(asker_groups)
    return not doc or ADMIN in asker or bool(doc & asker)


@dataclass
class Document:
    id: str  # the document's path, as given at ingest (resolved to an absolute path)
    path: str
    title: str
    sha256: str
    groups: list[str] = field(default_factory=list)


@dataclass
class Chunk:
    id: str  # f"{doc_sha[:12]}:{position}" style, unique across the store
    doc_id: str
    text: str
    position: int
    embedding: list[float] | None = None
    # its paragraphs as the extraction parse read them (kg.extract.paragraphs); None: the
    # dense route parses the text when it needs its sentences
    paragraphs: tuple[Paragraph, ...] | None = None


@dataclass(frozen=True)
class Paragraph:
    """A chunk's paragraph: its section heading, its sentences and each sentence's word
    forms, read in the paragraph by the parse that split it (one spaCy pass, not two)."""

    heading: str
    sentences: tuple[str, ...]
    forms: tuple[frozenset[str], ...]


@dataclass
class Entity:
    key: str  # normalised name: lower case, no articles/possessives (see kg.extract.normalize)
    name: str  # display name, as first seen
    type: str = ""  # spaCy NER label when known (PERSON, ORG, GPE, WORK_OF_ART, ...)
    aliases: list[str] = field(default_factory=list)
    embedding: list[float] | None = None  # embedding of the name, for linking questions


@dataclass
class Triple:
    """An extracted fact, before it is stored. Names are surface forms; keys are normalised."""

    subject: str
    predicate: str  # lemma phrase: "found", "mother of", "headquarter in", "study at"
    object: str
    sentence: str = ""
    subject_key: str = ""
    object_key: str = ""
    subject_type: str = ""
    object_type: str = ""
    chunk_id: str = ""  # set by ingestion
    relations: list[str] = field(default_factory=list)  # lexicon ids the predicate states
    # the predicate's word forms (kg.extract.forms), set by ingestion; None: not computed
    forms: list[str] | None = None


@dataclass
class StoredTriple:
    """A fact as read back from the store, with its provenance."""

    subject: str
    predicate: str
    object: str
    subject_key: str
    object_key: str
    doc: str
    chunk: str
    sentence: str = ""
    relations: tuple[str, ...] = ()  # lexicon ids stored with the edge (kg.relations)
    # the predicate's word forms stored with the edge; None in stores written before them
    forms: tuple[str, ...] | None = None


@dataclass
class ScoredChunk:
    chunk: Chunk
    score: float  # higher is better (similarity, not distance)
    doc_path: str = ""
    doc_title: str = ""
    # cosine of the chunk's vector to each vector a caller compared it with (the store
    # computes them where the vectors are: GraphStore.document_chunks(..., against=...))
    similarities: tuple[float, ...] = ()


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine of two unit vectors (every stored and every query embedding is one)."""
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def with_similarities(hit: ScoredChunk, against: Sequence[Sequence[float]]) -> ScoredChunk:
    """The hit compared with `against` from its embedding: what a store returns for
    document_chunks(..., against=...), computed here for a chunk embedded on the fly."""
    emb = hit.chunk.embedding
    sims = tuple(dot(emb, v) for v in against) if emb else ()
    chunk = replace(hit.chunk, embedding=None)
    return replace(hit, chunk=chunk, score=sims[0] if sims else 0.0, similarities=sims)


@dataclass
class Counts:
    documents: int
    chunks: int
    entities: int
    triples: int

    def as_dict(self) -> dict[str, int]:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "entities": self.entities,
            "triples": self.triples,
        }
