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


def source_paragraphs(text: str) -> tuple[str, list[str]]:
    """Title (the first block) and the other blocks of a txt/md sample, unwrapped."""
    blocks = [
        re.sub(r"^#+\s+", "", " ".join(line.strip() for line in block.strip().splitlines()))
        for block in re.split(r"\n\s*\n", text)
        if block.strip()
    ]
    return blocks[0], blocks[1:]


def fixtures() -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    write_pdf(FILES / "quarry.pdf", PDF_TITLE, [PDF_TEXT])
    write_docx(FILES / "letters.docx", DOCX_TITLE, [DOCX_TEXT])


# sample documents shipped only as PDF / DOCX (their text sources live in scripts/)
SAMPLE_RENDITIONS = {
    "scripts/sample_sources/arts_of_karsk.txt": "samples/arts_of_karsk.pdf",
    "scripts/sample_sources/university_of_lenhold.md": "samples/university_of_lenhold.docx",
}


def renditions() -> None:
    for src, dest in SAMPLE_RENDITIONS.items():
        title, paragraphs = source_paragraphs((ROOT / src).read_text(encoding="utf-8"))
        writer = write_pdf if dest.endswith(".pdf") else write_docx
        writer(ROOT / dest, title, paragraphs)
        print(f"wrote {dest}")


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    fixtures()
    print(f"wrote fixtures in {FILES.relative_to(ROOT)}")
    renditions()


if __name__ == "__main__":
    main()
