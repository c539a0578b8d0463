"""Ingestion end to end on the real FalkorDB store, real spaCy extractor and real embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.embed import Embedder
from kg.extract.base import Extraction, TripleExtractor
from kg.ingest.pipeline import Ingestor, text_sha256
from kg.ingest.readers import SourceText
from kg.ingest.stages import ThreeStages
from kg.models import ADMIN
from kg.settings import Settings
from kg.stores.base import GraphStore, StoreError

ORIN = "Orin Vale founded Brightwater Labs. Brightwater Labs is headquartered in Karsk."
FILES = Path(__file__).resolve().parent.parent / "data" / "files"
GOOD = ["notes.txt", "guide.md", "harbour.html", "quarry.pdf", "letters.docx"]
BAD = ["broken.pdf", "empty.txt", "binary.txt", "table.xyz"]


@pytest.fixture
def ingestor(store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor) -> Ingestor:
    return Ingestor(Settings(), store, embedder=embedder, extractor=spacy_extractor)


def facts(store: GraphStore, groups: list[str] | None = None) -> set[tuple[str, str, str]]:
    return {(t.subject_key, t.predicate, t.object_key) for t in store.triples(groups or [ADMIN])}


def test_folder_ingests_every_format_and_reports_bad_files(
    ingestor: Ingestor, store: GraphStore
) -> None:
    report = ingestor.run([FILES], groups=[], progress=False)
    status = {Path(f.path).name: f for f in report.files}
    assert {n for n, f in status.items() if f.status == "ingested"} == set(GOOD)
    assert {n for n, f in status.items() if f.status == "error"} == set(BAD)
    assert all(status[n].message for n in BAD)
    found = facts(store)
    for fact in [
        ("orin vale", "found", "brightwater labs"),  # txt
        ("mira tal", "mother of", "orin vale"),  # md
        ("tomas vale", "compose", "harbour suite"),  # html
        ("ilsa moren", "found", "quarry works"),  # pdf
        ("joren hask", "paint", "grey tower"),  # docx
    ]:
        assert fact in found
    counts = store.counts([ADMIN])
    assert counts.documents == len(GOOD)
    assert counts.chunks == report.totals["chunks"]
    assert counts.triples == report.totals["triples"] > 0
    assert set(report.timings) == {
        "read", "chunk", "extract", "embed_chunks", "embed_names", "write"
    }
    doc = store.get_document(str((FILES / "guide.md").resolve()), [ADMIN])
    assert doc is not None and doc.title == "The Lenhold Guide"


def test_entities_get_name_embeddings_for_linking(ingestor: Ingestor, store: GraphStore) -> None:
    ingestor.run([FILES / "notes.txt"], groups=[], progress=False)
    hits = store.entity_vector(ingestor.embed_names(["Brightwater Labs"])[0], 1, [ADMIN])
    assert hits and hits[0][0].key == "brightwater labs"


def recording_names(ingestor: Ingestor) -> list[str]:
    """Every name the ingestor's (real) name embedder is asked to encode, from now on."""
    seen: list[str] = []
    real = ingestor.embed_names

    def embed_names(names):
        seen.extend(names)
        return real(names)

    ingestor.embed_names = embed_names  # type: ignore[method-assign]
    return seen


def test_names_are_embedded_by_the_store_s_name_embedder(
    store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor, tmp_path: Path
) -> None:
    """By default model2vec's static model (distilled from MiniLM) embeds entity names: the
    chunks still go to MiniLM, the names never do, and the store records which made them."""
    path = tmp_path / "note.txt"
    path.write_text(ORIN)
    chunk_texts: list[str] = []
    real = embedder.encode

    class Recording:
        dimension = embedder.dimension

        def encode(self, texts):
            chunk_texts.extend(texts)
            return real(texts)

    ingestor = Ingestor(Settings(), store, Recording(), spacy_extractor)
    names = recording_names(ingestor)
    ingestor.run([path], [], progress=False)
    assert store.name_embedder == "model2vec" == Settings().name_embedder
    assert "Brightwater Labs" in names and "Brightwater Labs" not in chunk_texts
    assert chunk_texts == [f"note\n{ORIN}"]
    static = ingestor.embed_names(["Brightwater Labs", "Brightwater Laboratories", "Karsk"])
    assert len(static[0]) == store.dimension
    dot = lambda u, v: sum(x * y for x, y in zip(u, v, strict=True))  # noqa: E731
    assert abs(dot(static[0], static[0]) - 1.0) < 1e-4
    assert dot(static[0], static[1]) > dot(static[0], static[2]) + 0.3
    assert dot(static[0], embedder.encode_one("Brightwater Labs")) < 0.9  # another space
    hits = store.entity_vector(static[1], 1, [ADMIN])  # linking's embedding tier
    assert hits and hits[0][0].key == "brightwater labs"


def test_names_of_entities_already_stored_are_not_embedded_again(
    store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(ORIN)
    second.write_text("Brightwater Labs acquired Tidewell Mills.")
    Ingestor(Settings(), store, embedder, spacy_extractor).run([first], [], progress=False)
    ingestor = Ingestor(Settings(), store, embedder, spacy_extractor)
    seen = recording_names(ingestor)
    ingestor.run([second], [], progress=False)
    assert "Tidewell Mills" in seen and "Brightwater Labs" not in seen
    for name, key in [
        ("Brightwater Labs", "brightwater labs"),
        ("Tidewell Mills", "tidewell mills"),
    ]:
        hits = store.entity_vector(ingestor.embed_names([name])[0], 1, [ADMIN])
        assert hits and hits[0][0].key == key


def test_only_names_get_name_vectors_common_nouns_and_dates_do_not(
    store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor, tmp_path: Path
) -> None:
    """Linking matches a question's names by vector, so only capitalised names need one."""
    path = tmp_path / "study.txt"
    path.write_text("Orin Vale studied physics at the University of Lenhold in 1998.")
    ingestor = Ingestor(Settings(), store, embedder, spacy_extractor)
    seen = recording_names(ingestor)
    ingestor.run([path], [], progress=False)
    assert ("orin vale", "study", "physics") in facts(store)
    assert {"Orin Vale", "University of Lenhold"} <= set(seen)
    assert "physics" not in seen and "1998" not in seen
    hits = store.entity_vector(ingestor.embed_names(["physics"])[0], 5, [ADMIN])
    assert "physics" not in {e.key for e, _ in hits}


def test_an_entity_dropped_by_one_batch_gets_its_vector_back_in_the_next(
    store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor, tmp_path: Path
) -> None:
    """Batch 1 replaces the only document naming Tidewell Mills (the store drops the entity);
    batch 2 names it again, so its vector must be written again, not assumed stored."""
    old, other = tmp_path / "a.txt", tmp_path / "b.txt"
    old.write_text("Sela Dunn founded Tidewell Mills.")
    ingestor = Ingestor(Settings(), store, embedder, spacy_extractor, batch_chunks=1)
    ingestor.run([old], [], progress=False)
    old.write_text("Sela Dunn moved to Osk.")
    other.write_text("Tidewell Mills is headquartered in Karsk.")
    report = ingestor.run([old, other], [], progress=False)
    assert [f.status for f in report.files] == ["replaced", "ingested"]
    hits = store.entity_vector(ingestor.embed_names(["Tidewell Mills"])[0], 1, [ADMIN])
    assert hits and hits[0][0].key == "tidewell mills"


def test_reingesting_unchanged_files_rewrites_nothing(
    ingestor: Ingestor, store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [FILES / n for n in GOOD]
    ingestor.run(paths, groups=[], progress=False)
    before = (store.counts([ADMIN]), facts(store))
    writes: list[int] = []
    real = store.replace_documents
    monkeypatch.setattr(store, "replace_documents", lambda b: writes.append(len(b)) or real(b))
    again = ingestor.run(paths, groups=[], progress=False)
    assert [f.status for f in again.files] == ["unchanged"] * len(GOOD)
    assert writes == [] and again.timings["extract"] == 0.0
    assert (store.counts([ADMIN]), facts(store)) == before


def test_changed_file_replaces_everything_derived_from_it(
    ingestor: Ingestor, store: GraphStore, tmp_path: Path
) -> None:
    path = tmp_path / "company.txt"
    path.write_text(ORIN)
    ingestor.run([path], groups=[], progress=False)
    assert ("brightwater labs", "headquarter in", "karsk") in facts(store)
    path.write_text("Sela Dunn founded Tidewell Mills. Tidewell Mills is headquartered in Osk.")
    report = ingestor.run([path], groups=[], progress=False)
    assert [f.status for f in report.files] == ["replaced"]
    after = facts(store)
    assert ("tidewell mills", "headquarter in", "osk") in after
    assert not {f for f in after if "brightwater labs" in f}
    assert store.counts([ADMIN]).documents == 1


def test_delete_keeps_entities_mentioned_elsewhere(
    ingestor: Ingestor, store: GraphStore, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text(ORIN)
    two.write_text("Mira Tal moved to Karsk. Mira Tal is the mother of Orin Vale.")
    ingestor.run([one, two], groups=[], progress=False)
    assert ingestor.delete(one) is True
    left = facts(store)
    assert not {f for f in left if "brightwater labs" in f}
    assert ("mira tal", "mother of", "orin vale") in left
    assert {e.key for e in store.find_entities(["karsk", "orin vale"], [ADMIN])} == {
        "karsk",
        "orin vale",
    }
    assert store.find_entities(["brightwater labs"], [ADMIN]) == []
    assert ingestor.delete(one) is False
    assert store.counts([ADMIN]).documents == 1


def test_groups_are_stored_respected_and_updated_without_reextraction(
    ingestor: Ingestor, store: GraphStore, tmp_path: Path
) -> None:
    public, secret = tmp_path / "public.txt", tmp_path / "secret"
    secret.mkdir()
    public.write_text("Orin Vale founded Brightwater Labs.")
    (secret / "plan.txt").write_text("Brightwater Labs acquired Tidewell Mills.")
    ingestor.run([public], groups=[], progress=False)
    ingestor.run([secret], groups=["board"], progress=False)
    secret_id = str((secret / "plan.txt").resolve())
    assert store.get_document(secret_id, ["board"]).groups == ["board"]
    assert store.get_document(secret_id, []) is None
    assert store.counts([]).documents == 1
    assert store.counts(["board"]).documents == 2
    assert ("brightwater labs", "acquire", "tidewell mills") not in facts(store, ["staff"])
    report = ingestor.run([secret], groups=["board", "legal"], progress=False)
    assert report.files[0].status == "unchanged" and "groups" in report.files[0].message
    assert set(store.get_document(secret_id, ["legal"]).groups) == {"board", "legal"}


def test_a_large_document_is_split_and_batched(
    ingestor: Ingestor, store: GraphStore, tmp_path: Path
) -> None:
    path = tmp_path / "many.md"
    lines = [f"Person{i} Vale founded Company{i} Labs in Karsk." for i in range(100)]
    path.write_text("# Many companies\n\n" + "\n\n".join(lines))
    small = Ingestor(
        Settings(chunk_size=64, chunk_overlap=0),
        store,
        ingestor.embedder,
        ingestor.extractor,
        batch_chunks=8,
    )
    report = small.run([path, FILES / "notes.txt"], groups=[], progress=False)
    assert [f.status for f in report.files] == ["ingested", "ingested"]
    assert report.files[0].chunks > 16
    assert store.counts([ADMIN]).chunks == report.totals["chunks"]
    assert ("person7 vale", "found", "company7 labs") in facts(store)


def test_missing_path_is_reported_and_the_rest_ingested(
    ingestor: Ingestor, store: GraphStore, tmp_path: Path
) -> None:
    copy = tmp_path / "notes.txt"
    shutil.copy(FILES / "notes.txt", copy)
    report = ingestor.run([tmp_path / "nope.txt", copy], groups=[], progress=False)
    assert [(Path(f.path).name, f.status) for f in report.files] == [
        ("nope.txt", "error"),
        ("notes.txt", "ingested"),
    ]
    assert not report.ok


class PoisonedStore:
    """The real store, except that writing a document titled 'poison' fails (fault injection)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def replace_documents(self, batch: list) -> None:
        if any(doc.title == "poison" for doc, *_ in batch):
            raise StoreError("disk full")
        self._store.replace_documents(batch)

    def replace_document(self, doc, *rest) -> None:  # type: ignore[no-untyped-def]
        self.replace_documents([(doc, *rest)])


class PoisonedExtractor(TripleExtractor):
    """spaCy, except that a text mentioning 'poison' raises (fault injection)."""

    def __init__(self, real: TripleExtractor) -> None:
        self.real = real

    def extract(self, text: str) -> Extraction:
        if "poison" in text:
            raise RuntimeError("parser crashed")
        return self.real.extract(text)

    def extract_many(self, texts: list[str]) -> list[Extraction]:
        return [self.extract(t) for t in texts]


def sources(*texts: tuple[str, str]) -> list[SourceText]:
    return [SourceText(f"mem:{t}", f"mem/{t}", t, x, text_sha256(x)) for t, x in texts]


def test_a_failing_write_or_extraction_loses_only_that_document(
    store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor
) -> None:
    ingestor = Ingestor(
        Settings(), PoisonedStore(store), embedder, PoisonedExtractor(spacy_extractor)
    )
    report = ingestor.ingest_texts(
        sources(
            ("good", "Orin Vale founded Brightwater Labs."),
            ("poison", "Mira Tal moved to Karsk."),
            ("bad text", "The poison was found in Karsk."),
            ("also good", "Tomas Vale composed the Harbour Suite."),
        ),
        groups=[],
        progress=False,
    )
    status = {f.path: (f.status, f.message) for f in report.files}
    assert status["mem/good"][0] == status["mem/also good"][0] == "ingested"
    assert status["mem/poison"] == ("error", "write failed: StoreError: disk full")
    assert status["mem/bad text"][0] == "error" and "parser crashed" in status["mem/bad text"][1]
    assert {d.title for d in store.list_documents([ADMIN])} == {"good", "also good"}
    assert ("mira tal", "move to", "karsk") not in facts(store)


def test_stage_errors_reach_the_caller() -> None:
    def fail(_: int) -> None:
        raise OSError("store went away")

    with ThreeStages() as stages:
        stages.submit(lambda: 1, fail)
        with pytest.raises(OSError, match="store went away"):
            stages.wait()


def test_two_embed_workers_write_batches_in_input_order() -> None:
    """A slow batch in the embed stage lets the next one overtake it there, never at the
    write; a failed batch does not hold up the ones behind it."""
    import threading
    import time

    written: list[int] = []
    started: list[int] = []
    both = threading.Barrier(2, timeout=10)

    def embed(i: int) -> int:
        started.append(i)
        if i in (0, 1):
            both.wait()  # batches 0 and 1 are in the embed stage at the same time
        if i == 0:
            time.sleep(0.3)  # ... and 1 finishes first
        if i == 3:
            raise ValueError("batch 3 broke")
        return i

    with ThreeStages(embed_workers=2) as stages:
        assert stages.workers == 2
        for i in range(3):
            stages.submit(lambda i=i: embed(i), written.append)
        stages.wait()
        assert written == [0, 1, 2]
        stages.submit(lambda: embed(3), written.append)
        stages.submit(lambda: embed(4), written.append)
        with pytest.raises(ValueError, match="batch 3 broke"):
            stages.wait()
        stages.wait()
    assert written == [0, 1, 2, 4]


def test_an_embed_worker_goes_on_while_a_batch_is_being_written() -> None:
    """Batch 1 is embedded while batch 0's write still blocks, then written after it."""
    import threading

    release, embedded = threading.Event(), threading.Event()
    written: list[int] = []

    def write(i: int) -> None:
        if i == 0:
            assert release.wait(10)
        written.append(i)

    def embed_second() -> int:
        embedded.set()
        return 1

    with ThreeStages(embed_workers=2) as stages:
        stages.submit(lambda: 0, write)
        stages.submit(embed_second, write)
        assert embedded.wait(10)
        assert written == []
        release.set()
        stages.wait()
    assert written == [0, 1]
