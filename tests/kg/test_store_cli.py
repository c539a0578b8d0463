"""`kgqa ingest` opens an existing store without the embedding model and loads the model only
when a file needs embedding (real store, real model, real files; the CLI run in-process)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.embed import _load
from kg.models import ADMIN
from kg.settings import Settings, default_embedding_model
from kg.stores import open_store
from ui.cli import main

NO_MODEL = "/nonexistent/embedding-model"  # loading this fails


def ingest(store: Path, *paths: Path) -> int:
    return main(["ingest", *map(str, paths), "--store", str(store)])


def test_unchanged_files_need_no_embedding_model(tmp_path: Path, monkeypatch, capsys) -> None:
    """The store records its model (a folder here, a hard-linked copy of MiniLM), so the
    same folder made unloadable is the proof that an unchanged file loads no model."""
    model = tmp_path / "model"
    shutil.copytree(default_embedding_model(), model, copy_function=os.link)
    monkeypatch.setenv("KGQA_EMBEDDING_MODEL", str(model))
    note = tmp_path / "note.txt"
    note.write_text("Orin Vale founded Brightwater Labs in Karsk.")
    store = tmp_path / "store"
    assert ingest(store, note) == 0  # a new store: the model is loaded for its size
    assert "ingested" in capsys.readouterr().out

    (model / "config.json").unlink()  # the folder stays, its model no longer loads
    _load.cache_clear()  # as in a new process: the in-process copy is gone too
    assert ingest(store, note) == 0
    out, err = capsys.readouterr()
    assert "unchanged" in out and NO_MODEL not in err

    note.write_text("Mira Tal founded the Karsk Ledger.")  # now it needs embedding
    assert ingest(store, note) == 1
    assert f"cannot load embedding model {str(model)!r}" in capsys.readouterr().err
    with open_store(Settings(store=store), dimension=384) as opened:  # the old version stays
        assert [t.subject for t in opened.triples([ADMIN])] == ["Orin Vale"]


def test_a_new_store_without_a_model_is_refused_cleanly(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Orin Vale founded Brightwater Labs.")
    monkeypatch.setenv("KGQA_EMBEDDING_MODEL", NO_MODEL)
    assert ingest(tmp_path / "store", note) == 1
    assert "cannot load embedding model" in capsys.readouterr().err


@pytest.mark.parametrize("unchanged", [False, True], ids=["new-file", "unchanged-file"])
def test_a_model_of_another_size_is_refused_when_it_is_needed(
    tmp_path: Path, capsys, unchanged: bool
) -> None:
    """A store built with 8-dimensional vectors: the 384-dimensional default model is refused
    before anything is written, and only when a file needs it."""
    note = tmp_path / "note.txt"
    note.write_text("Orin Vale founded Brightwater Labs.")
    store = tmp_path / "store"
    with open_store(Settings(store=store), dimension=8) as opened:
        if unchanged:  # the same file recorded with its current sha256
            from kg.ingest.readers import document_id, file_sha256
            from kg.models import Document

            doc = Document(document_id(note), str(note), "note", file_sha256(note), [])
            opened.replace_document(doc, [], [], [], [])
    code = ingest(store, note)
    err = capsys.readouterr().err
    if unchanged:
        assert code == 0 and "8-dimensional" not in err
    else:
        assert code == 3 and "holds 8-dimensional embeddings, not 384" in err
    with open_store(Settings(store=store), dimension=8) as opened:
        assert opened.counts([ADMIN]).chunks == 0
