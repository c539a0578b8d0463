"""Chinese text: jieba segmentation, the lexicon's Chinese forms, clause-pattern extraction
(kg.extract.zh) and full-text search of Chinese chunks in the real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import zh
from kg.embed import Embedder
from kg.extract.spacy_extractor import SpacyExtractor
from kg.extract.zh import ChineseAware, ZhExtractor
from kg.ingest.pipeline import Ingestor
from kg.relations import DATA, Lexicon, lexicon
from kg.settings import Settings
from kg.stores.base import GraphStore
from kg.stores.fulltext_rank import query_terms

ZH_SAMPLES = Path(__file__).resolve().parents[1] / "data" / "zh_samples"


def triples(text: str) -> set[tuple[str, str, str]]:
    return {(t.subject, t.predicate, t.object) for t in ZhExtractor().extract(text).triples}


def test_detection_and_segmentation() -> None:
    assert zh.is_chinese("林晓梅创立了白水实验室。")
    assert not zh.is_chinese("Orin Vale founded Brightwater Labs.")
    assert zh.has_han("Lin 晓梅")
    assert "实验室" in zh.words("林晓梅创立了白水实验室")
    assert zh.sentences("甲创立了乙。乙位于丙！丁？") == ("甲创立了乙。", "乙位于丙！", "丁？")


def test_lexicon_maps_chinese_forms_to_relations() -> None:
    lex = lexicon()
    assert lex.of_phrase("创立") == {"founded"}
    assert lex.of_phrase("母亲") == {"mother_of"}
    assert lex.of_phrase("位于") == {"located_in"}
    assert list(lex.zh_forms("verbs")).index("总部位于") < list(lex.zh_forms("verbs")).index(
        "位于"
    )


def test_lexicon_rejects_an_unknown_relation_in_zh_table(tmp_path: Path) -> None:
    bad = tmp_path / "relations.toml"
    broken = DATA.read_text(encoding="utf-8").replace(
        "[zh.verbs]\n", '[zh.verbs]\nnot_a_relation = ["某"]\n'
    )
    bad.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match="not_a_relation"):
        Lexicon.load(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("林晓梅于1998年创立了白水实验室。", ("林晓梅", "创立", "白水实验室")),
        ("青石出版社由苏明远创办。", ("苏明远", "创办", "青石出版社")),
        ("白水实验室是由林晓梅创立的。", ("林晓梅", "创立", "白水实验室")),
        ("青石出版社被白水实验室收购。", ("白水实验室", "收购", "青石出版社")),
        ("陈玉兰是林晓梅的母亲。", ("陈玉兰", "母亲", "林晓梅")),
        ("林晓梅的父亲是林国栋。", ("林国栋", "父亲", "林晓梅")),
        ("白水实验室位于杭州。", ("白水实验室", "位于", "杭州")),
        ("蓝湾基金会的总部位于宁波。", ("蓝湾基金会", "总部位于", "宁波")),
        # 出版 inside 出版社 is not the verb; the book title loses its marks
        ("青石出版社于2008年出版了《潮汐之书》。", ("青石出版社", "出版", "潮汐之书")),
    ],
)
def test_clause_patterns(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in triples(text)


def test_omitted_subjects_pronouns_and_coordination() -> None:
    found = triples(
        "林晓梅于1998年创立了白水实验室，并于2003年创立了蓝湾基金会。她还撰写了《潮汐之书》。"
        "林晓梅和周文博共同创立了远山学院。"
    )
    assert {
        ("林晓梅", "创立", "蓝湾基金会"),  # the clause names no subject: the previous one's
        ("林晓梅", "撰写", "潮汐之书"),  # 她: the last person named
        ("林晓梅", "创立", "远山学院"),
        ("周文博", "创立", "远山学院"),
    } <= found


def test_no_triple_without_a_lexicon_form() -> None:
    assert triples("白水实验室研究海水淡化和潮汐能源。今天天气很好。") == set()


def test_entity_types() -> None:
    ext = ZhExtractor().extract("林晓梅创立了白水实验室。白水实验室位于杭州。")
    types = {e.name: e.type for e in ext.entities}
    assert types == {"林晓梅": "PERSON", "白水实验室": "ORG", "杭州": "GPE"}


def test_chinese_chunks_go_to_the_chinese_patterns(spacy_extractor: SpacyExtractor) -> None:
    """What the Ingestor wraps its extractor in: Chinese to kg.extract.zh, English as before."""
    ext = ChineseAware(spacy_extractor)
    zh_out, en_out = ext.extract_many(["林晓梅创立了白水实验室。", "Orin Vale founded Lumen."])
    assert [(t.subject, t.object) for t in zh_out.triples] == [("林晓梅", "白水实验室")]
    assert any(t.object == "Lumen" for t in en_out.triples)


def test_query_terms_segment_chinese() -> None:
    assert query_terms("谁创立了白水实验室？") == ["创立", "白水", "实验室"]
    assert query_terms("Who founded Brightwater Labs") == ["who", "founded", "brightwater", "labs"]


def test_chinese_files_ingest_and_full_text_finds_chinese_words(
    store: GraphStore, embedder: Embedder, tmp_path: Path
) -> None:
    """txt, md and html, through the real pipeline and FalkorDB's full-text index."""
    settings = Settings(store=tmp_path)
    report = Ingestor(settings, store, embedder=embedder).run(
        sorted(str(p) for p in ZH_SAMPLES.iterdir()), [], progress=False
    )
    assert {Path(f.path).suffix for f in report.files if f.status == "ingested"} == {
        ".txt", ".md", ".html"
    }
    assert all(f.triples > 0 for f in report.files), report.files
    hits = store.fulltext_search("涡轮", 3, [])
    assert hits and "涡轮" in hits[0].chunk.text
    hits = store.fulltext_search("远帆船厂建造什么", 3, [])
    assert hits and "远帆船厂" in hits[0].chunk.text
    assert store.fulltext_search("涡轮", 3, []) != store.fulltext_search("宁波", 3, [])
