"""Turn files into plain text through llama-index's file readers, one clear error per bad file.

Formats: txt (FlatReader), html (HTMLTagReader on <body>, block-aware, title from <title>),
md (markdown-it-py to the same HTML text, see html_text.py), pdf (PDFReader, pypdf), docx
(DocxReader, docx2txt). Checks that run before any reader
(missing, too large, binary, empty) raise ReadError so one bad file never stops the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llama_index.core.readers.base import BaseReader

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx"}


class ReadError(ValueError):
    """A file that cannot be ingested; the message says why in plain words."""


@dataclass
class SourceText:
    """A document's text before chunking; `id` is its identity in the store."""

    id: str
    path: str
    title: str
    text: str
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def document_id(path: str | Path) -> str:
    """A document is identified by its resolved absolute path."""
    return str(Path(path).expanduser().resolve())


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, plus every non-hidden file below named folders (sorted).

    Missing paths are yielded too, so the caller reports them instead of silently skipping.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
        else:
            found = [path]
        for p in found:
            if p not in seen:
                seen.add(p)
                yield p


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def check_file(path: Path, max_file_mb: float) -> None:
    """Reject what no reader should see: missing, unsupported, empty, too large, binary."""
    if not path.exists():
        raise ReadError("no such file")
    if not path.is_file():
        raise ReadError("not a regular file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(
            f"unsupported file type {suffix or '(none)'!r}; "
            f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty file")
    if size > max_file_mb * 1024 * 1024:
        raise ReadError(
            f"too large: {size / 1048576:.1f} MB > limit {max_file_mb:g} MB (KGQA_MAX_FILE_MB)"
        )
    if suffix in TEXT_SUFFIXES:
        data = path.read_bytes()
        if b"\x00" in data[:65536]:
            raise ReadError("binary content in a text file")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    elif suffix == ".pdf":
        _check_pdf(path)


def _check_pdf(path: Path) -> None:
    """Open the PDF once up front: PDFReader retries a broken file three times before failing."""
    import pypdf

    try:
        pages = len(pypdf.PdfReader(path).pages)
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ReadError(f"unreadable pdf: {type(exc).__name__}: {exc}") from exc
    if pages == 0:
        raise ReadError("pdf has no pages")


def _reader(suffix: str) -> BaseReader:
    """The llama-index reader for a suffix (imported late: llama-index is slow to import)."""
    from llama_index.readers.file import DocxReader, FlatReader, PDFReader

    from kg.ingest.html_text import BlockHTMLReader

    if suffix in (".html", ".htm"):
        return BlockHTMLReader()
    if suffix == ".pdf":
        return PDFReader(return_full_document=True)
    if suffix == ".docx":
        return DocxReader()
    return FlatReader()


def _load_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        from kg.ingest.html_text import markdown_to_text

        return markdown_to_text(path.read_text(encoding="utf-8"))[1]
    reader = _reader(suffix)
    try:
        docs = reader.load_data(path)
    except Exception as exc:  # every reader raises its own types; report, never crash
        raise ReadError(f"unreadable {suffix[1:]}: {type(exc).__name__}: {exc}") from exc
    text = "\n\n".join(d.text.strip() for d in docs if d.text and d.text.strip())
    return pdf_paragraphs(text) if suffix == ".pdf" else text


def pdf_paragraphs(text: str) -> str:
    """Blank lines where pypdf's line-per-line text most likely ends a heading or paragraph.

    PDFs carry no paragraph structure and the extractor joins single line breaks as soft
    wraps; without this a title becomes part of the first sentence's subject and coreference
    ("the painting") reaches into the previous paragraph. A line well short of the page width
    ends a block: a heading when unpunctuated, a paragraph when it ends a sentence.
    """
    lines = text.split("\n")
    width = max((len(line.strip()) for line in lines), default=0)
    out: list[str] = []
    for line in lines:
        out.append(line)
        stripped = line.strip()
        heading = len(stripped) < width / 2 and stripped[-1:] not in tuple(".!?:;,")
        paragraph_end = len(stripped) < width * 0.85 and stripped[-1:] in tuple('.!?"”')
        if stripped and (heading or paragraph_end):
            out.append("")
    return "\n".join(out)


def _title(path: Path, text: str) -> str:
    """First heading (md), <title>/<h1> (html), PDF metadata, a title-like first line, else
    the file name without suffix."""
    suffix = path.suffix.lower()
    title = ""
    if suffix in (".md", ".markdown"):
        from kg.ingest.html_text import markdown_to_text

        title = markdown_to_text(path.read_text(encoding="utf-8"))[0]
    elif suffix in (".html", ".htm"):
        from kg.ingest.html_text import html_title

        title = html_title(path.read_text(encoding="utf-8"))
    elif suffix == ".pdf":
        import pypdf

        meta = pypdf.PdfReader(path).metadata
        title = (meta.title or "").strip() if meta else ""
    return title or _first_line_title(text) or path.stem.replace("_", " ").strip() or path.name


def _first_line_title(text: str) -> str:
    """A short first line without closing punctuation reads as the title (txt, docx, pdf)."""
    first = text.lstrip().split("\n", 1)[0].strip()
    return first if 0 < len(first) <= 80 and first[-1] not in ".!?:;," else ""


def load_source(path: Path, sha256: str) -> SourceText:
    """Read a checked file (see check_file) into text and a title; ReadError if no text."""
    text = _load_text(path)
    if not text.strip():
        raise ReadError("no text found (empty after reading)")
    return SourceText(
        id=document_id(path), path=str(path), title=_title(path, text), text=text, sha256=sha256
    )


def read_file(path: Path, max_file_mb: float) -> SourceText:
    """Checked, read and titled; raises ReadError with the reason when the file is unusable."""
    check_file(path, max_file_mb)
    return load_source(path, file_sha256(path))
