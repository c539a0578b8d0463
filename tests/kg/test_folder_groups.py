"""A `.kgqa-groups` file sets the access groups of the documents below its folder: nearest
wins, it overrides --groups, and one that cannot be read keeps its documents out (real files,
real spaCy, embedder and FalkorDB)."""

from __future__ import annotations

from pathlib import Path

from kg.embed import Embedder
from kg.extract.base import TripleExtractor
from kg.ingest.folder_groups import GROUPS_FILE, parse_groups_file
from kg.ingest.pipeline import Ingestor
from kg.models import ADMIN
from kg.settings import Settings
from kg.stores.base import GraphStore


def test_a_groups_file_is_one_group_a_line_with_comments() -> None:
    text = "# who may read this folder\nboard\n\n  hr  # and HR\nboard\n#legal\n"
    assert parse_groups_file(text) == ["board", "hr"]
    assert parse_groups_file("# nobody listed: public\n") == []


def tree(root: Path) -> Path:
    """root/                 (no groups file: the --groups of the run)
         top.txt
         hr/.kgqa-groups     hr
         hr/pay.txt
         hr/open/.kgqa-groups   (lists none: public again)
         hr/open/faq.txt
         hr/board/.kgqa-groups  board, legal
         hr/board/deep/minutes.txt
         broken/.kgqa-groups (not UTF-8)
         broken/secret.txt
    """
    files = {
        "top.txt": "Orin Vale founded Brightwater Labs.",
        "hr/pay.txt": "Ada Brand leads the payroll team.",
        "hr/open/faq.txt": "Mira Tal answers the questions of new staff.",
        "hr/board/deep/minutes.txt": "Dana Roe will succeed Orin Vale.",
        "broken/secret.txt": "Tessaly Optics is based in Norrhavn.",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "hr" / GROUPS_FILE).write_text("# staff files\nhr\n", encoding="utf-8")
    (root / "hr/open" / GROUPS_FILE).write_text("# open to everyone\n", encoding="utf-8")
    (root / "hr/board" / GROUPS_FILE).write_text("board\nlegal\n", encoding="utf-8")
    (root / "broken" / GROUPS_FILE).write_bytes("b\xf6rd\n".encode("latin-1"))
    return root


def test_nearest_groups_file_wins_over_the_command_groups(
    store: GraphStore, embedder: Embedder, spacy_extractor: TripleExtractor, tmp_path: Path
) -> None:
    root = tree(tmp_path / "docs")
    ingestor = Ingestor(Settings(), store, embedder, spacy_extractor)
    report = ingestor.run([root], groups=["staff"], progress=False)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["secret.txt"].status == "error"
    assert GROUPS_FILE in by_name["secret.txt"].message
    stored = {Path(d.path).name: d.groups for d in store.list_documents([ADMIN])}
    assert stored == {
        "top.txt": ["staff"],
        "pay.txt": ["hr"],
        "faq.txt": [],
        "minutes.txt": ["board", "legal"],
    }  # the unreadable groups file's document is not in the store, not public
    assert {f.path: f.groups for f in report.files if f.status == "ingested"} == {
        str(root / "top.txt"): ["staff"],
        str(root / "hr/pay.txt"): ["hr"],
        str(root / "hr/open/faq.txt"): [],
        str(root / "hr/board/deep/minutes.txt"): ["board", "legal"],
    }
    public = {Path(d.path).name for d in store.list_documents([])}
    assert public == {"faq.txt"}

    # A file named directly is covered by its folders' groups file too.
    alone = ingestor.run([root / "hr/board/deep/minutes.txt"], groups=[], progress=False)
    assert [(f.status, f.groups) for f in alone.files] == [("unchanged", ["board", "legal"])]

    # Changing a groups file re-labels the unchanged documents below it without re-ingesting.
    (root / "hr" / GROUPS_FILE).write_text("payroll\n", encoding="utf-8")
    again = ingestor.run([root / "hr"], groups=[], progress=False)
    pay = next(f for f in again.files if f.path.endswith("pay.txt"))
    assert pay.status == "unchanged" and "-> ['payroll']" in pay.message
    assert {Path(d.path).name for d in store.list_documents(["hr"])} == {"faq.txt"}
    assert "pay.txt" in {Path(d.path).name for d in store.list_documents(["payroll"])}
