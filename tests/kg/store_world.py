"""A tiny hand-made world for store tests: one public and one restricted document.

pub (public):   Orin Vale founded Brightwater Labs. / Brightwater Labs is headquartered in Karsk.
sec (finance):  Mira Tal is the mother of Orin Vale. / Mira Tal owns the Karsk Ledger.
Orin Vale is mentioned by both, so deleting either document must keep him.
Embeddings are mixes of fixed pseudo-random 384-dimensional directions (nearly orthogonal),
so nearest neighbours are known; exact basis vectors would tie every distance and starve HNSW.
"""

from __future__ import annotations

import math
import random

from kg.models import Chunk, Document, Entity, Triple
from kg.stores.base import DocumentRecords, GraphStore

DIM = 384


def direction(index: int) -> list[float]:
    """A fixed unit vector per index (seeded), nearly orthogonal to every other."""
    rng = random.Random(index)
    v = [rng.gauss(0.0, 1.0) for _ in range(DIM)]
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


def vec(*weights: tuple[int, float] | int) -> list[float]:
    """vec(3) is direction 3; vec((3, 1.0), (4, 0.2)) mixes directions with weights."""
    v = [0.0] * DIM
    for w in weights:
        index, value = w if isinstance(w, tuple) else (w, 1.0)
        v = [a + value * b for a, b in zip(v, direction(index), strict=True)]
    return v


def triple(s: str, p: str, o: str, chunk: str, sentence: str = "") -> Triple:
    return Triple(s, p, o, sentence, s.lower(), o.lower(), chunk_id=chunk)


def pub_records(title: str = "Public") -> DocumentRecords:
    doc = Document("/docs/pub.md", "/docs/pub.md", title, "sha-pub", [])
    chunks = [
        Chunk("pub:0", doc.id, "Orin Vale founded Brightwater Labs.", 0, vec(0)),
        Chunk("pub:1", doc.id, "Brightwater Labs is headquartered in Karsk.", 1, vec(1)),
    ]
    entities = [
        Entity("orin vale", "Orin Vale", "PERSON", ["Orin", "O. Vale"], vec(10)),
        Entity("brightwater labs", "Brightwater Labs", "ORG", [], vec(11)),
        Entity("karsk", "Karsk", "GPE", [], vec(12)),
    ]
    triples = [
        triple("Orin Vale", "found", "Brightwater Labs", "pub:0", chunks[0].text),
        triple("Brightwater Labs", "headquarter in", "Karsk", "pub:1", chunks[1].text),
    ]
    return doc, chunks, entities, triples, [("pub:0", "orin vale")]


def sec_records() -> DocumentRecords:
    doc = Document("/docs/sec.md", "/docs/sec.md", "Secret", "sha-sec", ["finance"])
    chunks = [
        Chunk("sec:0", doc.id, "Mira Tal is the mother of Orin Vale.", 0, vec(2)),
        Chunk("sec:1", doc.id, "Mira Tal owns the Karsk Ledger.", 1, vec(3)),
    ]
    entities = [
        Entity("mira tal", "Mira Tal", "PERSON", ["Mira"], vec(13)),
        Entity("orin vale", "Orin Vale", "PERSON", ["Orin Vale"], vec(10)),
        Entity("karsk ledger", "Karsk Ledger", "ORG", [], vec(14)),
    ]
    triples = [
        triple("Mira Tal", "mother of", "Orin Vale", "sec:0", chunks[0].text),
        triple("Mira Tal", "own", "Karsk Ledger", "sec:1", chunks[1].text),
    ]
    return doc, chunks, entities, triples, []


def load_world(store: GraphStore) -> None:
    store.replace_document(*pub_records())
    store.replace_document(*sec_records())
