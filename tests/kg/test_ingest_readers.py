"""Reading every supported format through the llama-index readers, and refusing bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest.chunking import make_chunks
from kg.ingest.readers import ReadError, document_id, expand_paths, read_file
from kg.settings import Settings

FILES = Path(__file__).resolve().parent.parent / "data" / "files"


@pytest.mark.parametrize(
    ("name", "title", "sentence"),
    [
        ("notes.txt", "notes", "Orin Vale founded Brightwater Labs in 2011."),
        ("guide.md", "The Lenhold Guide", "Mira Tal is the mother of Orin Vale."),
        ("harbour.html", "Karsk Harbour", "Tomas Vale composed the Harbour Suite."),
        ("quarry.pdf", "Quarry Works", "Ilsa Moren founded Quarry Works in 1998."),
        ("letters.docx", "The Hask Letters", "Joren Hask painted The Grey Tower."),
    ],
)
def test_each_format_reads_text_and_title(name: str, title: str, sentence: str) -> None:
    source = read_file(FILES / name, max_file_mb=1)
    assert sentence in " ".join(source.text.split())
    assert source.title == title
    assert source.id == str((FILES / name).resolve())
    assert len(source.sha256) == 64


def test_html_reader_drops_markup() -> None:
    text = read_file(FILES / "harbour.html", max_file_mb=1).text
    assert "<p>" not in text and "DOCTYPE" not in text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("broken.pdf", "unreadable pdf"),
        ("empty.txt", "empty file"),
        ("binary.txt", "binary content"),
        ("table.xyz", "unsupported file type '.xyz'"),
        ("missing.txt", "no such file"),
    ],
)
def test_bad_files_raise_a_clear_reason(name: str, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        read_file(FILES / name, max_file_mb=1)


def test_too_large_file_is_refused() -> None:
    with pytest.raises(ReadError, match="too large"):
        read_file(FILES / "notes.txt", max_file_mb=0.00001)


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Caf\xe9 Lenhold is in Karsk.".encode("latin-1"))
    with pytest.raises(ReadError, match="not UTF-8"):
        read_file(path, max_file_mb=1)


def test_folders_expand_to_sorted_visible_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("B.")
    (tmp_path / "a.md").write_text("A.")
    (tmp_path / ".hidden.txt").write_text("H.")
    found = list(expand_paths([tmp_path, tmp_path / "a.md"]))
    assert found == [(tmp_path / "a.md").resolve(), (tmp_path / "sub" / "b.txt").resolve()]


def test_chunk_ids_are_stable_and_unique_per_document() -> None:
    settings = Settings(chunk_size=40, chunk_overlap=5)
    text = " ".join(f"Person {i} founded Company {i} in Karsk." for i in range(40))
    first = make_chunks(document_id("/a.txt"), "ab" * 32, text, settings)
    again = make_chunks(document_id("/a.txt"), "ab" * 32, text, settings)
    other = make_chunks(document_id("/b.txt"), "ab" * 32, text, settings)
    assert len(first) > 3
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first} | {c.id for c in other}) == 2 * len(first)
    assert [c.position for c in first] == list(range(len(first)))


def test_pdf_headings_become_their_own_paragraph() -> None:
    text = read_file(FILES / "quarry.pdf", max_file_mb=1).text
    assert text.startswith("Quarry Works\n\nIlsa Moren founded")


def test_markdown_and_html_blocks_are_separated_by_blank_lines() -> None:
    md = read_file(FILES / "guide.md", max_file_mb=1).text
    assert md.split("\n\n") == [
        "The Lenhold Guide",
        "Mira Tal is the mother of Orin Vale. Mira Tal studied physics at the University of "
        "Lenhold.",
        "Later life",
        "Mira Tal moved to Karsk.",
    ]
    html = read_file(FILES / "harbour.html", max_file_mb=1).text
    assert html.split("\n\n")[0] == "The harbour of Karsk"
