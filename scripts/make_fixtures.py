"""Regenerate the PDF and DOCX renditions used by tests and the sample corpus.

Dev tool, not a runtime dependency: needs fpdf2 and python-docx
(`pip install fpdf2==2.8.9 python-docx==1.2.0`). The generated files are committed.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "tests" / "data" / "files"

PDF_TITLE = "Quarry Works"
PDF_TEXT = (
    "Ilsa Moren founded Quarry Works in 1998. Quarry Works is headquartered in Denholt. "
    "Ilsa Moren studied geology at the University of Lenhold."
)
DOCX_TITLE = "The Hask Letters"
DOCX_TEXT = (
    "Joren Hask painted The Grey Tower. Petra Ansel is the sister of Joren Hask. "
    "Petra Ansel lives in Denholt."
)


def write_pdf(path: Path, title: str, paragraphs: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for para in paragraphs:
        pdf.multi_cell(0, 6, para, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(path))


def write_docx(path: Path, title: str, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for para in paragraphs:
        document.add_paragraph(para)
    document.save(str(path))


def markdown_paragraphs(md: str) -> tuple[str, list[str]]:
    """Title (first heading) and plain paragraphs of a markdown sample."""
    title = ""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", md):
        block = " ".join(line.strip() for line in block.strip().splitlines())
        if not block:
            continue
        heading = re.match(r"#+\s+(.*)", block)
        if heading and not title:
            title = heading.group(1)
        elif heading:
            paragraphs.append(heading.group(1) + ".")
        else:
            paragraphs.append(re.sub(r"[*_`]", "", block))
    return title, paragraphs


def fixtures() -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    write_pdf(FILES / "quarry.pdf", PDF_TITLE, [PDF_TEXT])
    write_docx(FILES / "letters.docx", DOCX_TITLE, [DOCX_TEXT])


def renditions(pairs: list[str]) -> None:
    """`src.md:dest.pdf` or `src.md:dest.docx`, paths relative to the repo root."""
    for pair in pairs:
        src, dest = (ROOT / p for p in pair.split(":"))
        title, paragraphs = markdown_paragraphs(src.read_text(encoding="utf-8"))
        writer = write_pdf if dest.suffix == ".pdf" else write_docx
        writer(dest, title or src.stem, paragraphs)
        print(f"wrote {dest.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("renditions", nargs="*", help="src.md:dest.pdf|docx pairs")
    args = parser.parse_args()
    if args.renditions:
        renditions(args.renditions)
    else:
        fixtures()
        print(f"wrote fixtures in {FILES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
