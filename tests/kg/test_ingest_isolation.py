"""One bad file never stops a batch: every kind of failure is that file's error entry.

Real files on disk (not UTF-8, binary, broken pdf, empty, a generated 30 MB one-line text,
a long run without sentence breaks), the real spaCy extractor, embedder and FalkorDB; one
embedder fault is injected to show the embed stage is isolated too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.embed import Embedder
from kg.extract.base import TripleExtractor
from kg.ingest.chunk_fallback import is_pathological, window_split
from kg.ingest.pipeline import Ingestor
from kg.models import ADMIN
from kg.settings import Settings
from kg.stores.base import GraphStore

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "data" / "files"


class PoisonedEmbedder:
    """The real embedder, except that a text holding 'zymurgy' raises (fault injection)."""

    def __init__(self, real: Embedder) -> None:
        self.real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        if any("zymurgy" in t for t in texts):
            raise RuntimeError("out of memory in the embedder")
        return self.real.encode(texts)


def bad_batch(folder: Path) -> Path:
    """Good files next to every kind of bad one; the 30 MB file is written in ~0.1 s."""
    for name in ("notes.txt", "guide.md", "broken.pdf", "empty.txt", "binary.txt"):
        shutil.copy(FILES / name, folder / name)
    (folder / "latin1.txt").write_bytes("Caf\xe9 M\xfcller founded Zeta.".encode("latin-1"))
    (folder / "huge.txt").write_text("lorem ipsum dolor " * 1_700_000, encoding="utf-8")
    (folder / "runon.txt").write_text("alpha beta gamma " * 20_000, encoding="utf-8")
    (folder / "brew.txt").write_text("Ada Brand studied zymurgy in Karsk.", encoding="utf-8")
    return folder


EXPECTED_ERRORS = {
    "broken.pdf": "unreadable pdf",
    "empty.txt": "empty file",
    "binary.txt": "binary content",
    "latin1.txt": "not UTF-8",
    "huge.txt": "KGQA_MAX_FILE_CHUNKS",
}


def test_fallback_chunker_is_linear_and_keeps_every_word() -> None:
    text = "lorem ipsum dolor " * 1_700_000  # 30.6 MB, no sentence break
    assert is_pathological(text, 512)
    assert not is_pathological("A short sentence.\n\n" * 1000, 512)
    parts = window_split(text, 512, 64)
    assert all(len(p) <= 512 * 4 for p in parts)
    assert parts[0].startswith("lorem") and parts[-1].endswith("dolor")
    assert len(parts) > len(text) // (512 * 4)


def test_every_bad_file_is_its_own_error_and_the_good_ones_go_in(
    store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor, tmp_path: Path
) -> None:
    folder = bad_batch(tmp_path)
    ingestor = Ingestor(Settings(), store, PoisonedEmbedder(embedder), spacy_extractor)
    report = ingestor.run([folder], groups=[], progress=False)
    status = {Path(f.path).name: f for f in report.files}
    for name, reason in EXPECTED_ERRORS.items():
        assert status[name].status == "error" and reason in status[name].message, status[name]
    assert status["brew.txt"].status == "error"
    assert "embedding failed: RuntimeError" in status["brew.txt"].message
    good = {"notes.txt", "guide.md", "runon.txt"}
    assert {n for n, f in status.items() if f.status == "ingested"} == good
    assert status["runon.txt"].chunks > 1  # the fallback windows, not one giant chunk
    titles = {Path(d.path).name for d in store.list_documents([ADMIN])}
    assert titles == good
    found = {(t.subject_key, t.predicate, t.object_key) for t in store.triples([ADMIN])}
    assert ("orin vale", "found", "brightwater labs") in found


def test_cli_ingests_the_good_files_then_exits_partly_failed(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    folder = bad_batch(tmp_path / "in")
    store = tmp_path / "store"

    def kgqa(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ui.cli", *args, "--store", str(store)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )

    done = kgqa("ingest", str(folder), "--json")
    assert done.returncode == 1, done.stderr  # documented: 1 partly failed
    status = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    for name, reason in EXPECTED_ERRORS.items():
        assert status[name]["status"] == "error" and reason in status[name]["message"]
    assert status["brew.txt"]["status"] == "ingested"  # the real embedder has no poison
    done = kgqa("ask", "Where is Brightwater Labs headquartered?", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert "Karsk" in answer["answer"]
    assert any(e["doc"].endswith("notes.txt") for e in answer["evidence"]), answer
