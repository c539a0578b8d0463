"""A chunk is split into sentences and their word forms by one spaCy pass: the splits are
the full pipeline's, and the forms read in the paragraph are the forms of the sentence alone
(the lemma of a word rarely depends on the sentences around it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.forms import nlp, word_forms
from kg.extract.paragraphs import blocks, from_json, from_sentences, paragraphs, to_json
from kg.extract.spacy_extractor import SpacyExtractor
from kg.models import Paragraph
from kg.settings import Settings

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TEXTS = [p.read_text() for p in sorted(SAMPLES.rglob("*")) if p.suffix in (".md", ".txt")]
TEXTS += [
    "Dr. Mara Vale founded Brightwater Labs in 1998. It moved to Karsk in 2004! Why? "
    "Because the harbour (then new) was cheap, said J. R. Holm.",
    "Ships\n\nThe ferry leaves at 9 a.m. daily. It returns at noon.\nOpening hours\nMon-Fri",
]


def test_paragraphs_split_as_the_full_pipeline_does() -> None:
    model = Settings().spacy_model
    pipeline = nlp(model)
    assert len(TEXTS) >= 4
    for text in TEXTS:
        full = [tuple(" ".join(s.text.split()) for s in pipeline(b).sents)
                for _, b in blocks(text)]
        want = [tuple(s for s in sents if len(s) > 1) for sents in full]
        assert [p.sentences for p in paragraphs(text, model)] == [w for w in want if w]
    ships = paragraphs(TEXTS[-1], model)
    assert [p.heading for p in ships] == ["Ships"]  # "Opening hours" heads no sentence


def test_sentence_forms_read_in_the_paragraph_match_the_sentence_alone() -> None:
    model = Settings().spacy_model
    pairs = [(f, s) for text in TEXTS for p in paragraphs(text, model)
             for s, f in zip(p.sentences, p.forms, strict=True)]
    assert len(pairs) > 20
    same = sum(f == word_forms(s, model) for f, s in pairs)
    assert same >= 0.9 * len(pairs), f"{same} of {len(pairs)}"
    first = paragraphs(TEXTS[-2], model)[0]
    assert {"founded", "found", "brightwater", "labs", "1998"} <= first.forms[0]
    assert {"moved", "move", "karsk"} <= first.forms[1]


def test_extraction_reads_the_paragraphs_the_question_side_parse_gives() -> None:
    """Ingestion stores the extraction parse's split; it must be the split the dense route
    would parse, or none at all (then the route parses)."""
    model = Settings().spacy_model
    texts = [*TEXTS, "Sea of Love may refer to"]  # a lone heading-like line: no paragraph
    got = [e.paragraphs for e in SpacyExtractor(model).extract_many(texts)]
    assert got[-1] is None and paragraphs(texts[-1], model) == ()
    read = [(t, g) for t, g in zip(texts, got, strict=True) if g is not None]
    assert len(read) >= len(TEXTS) - 2, f"{len(read)} of {len(TEXTS)} read off extraction"
    for text, stored in read:
        assert stored == paragraphs(text, model), text[:60]


F = frozenset({"ferry"})
SHIPS = "Ships\n\nThe ferry leaves daily. It returns at noon."


def test_sentences_must_tile_the_paragraphs_exactly() -> None:
    ships = Paragraph("Ships", ("The ferry leaves daily.", "It returns at noon."), (F, F))
    heading_alone = [("Ships", F), ("The ferry leaves daily.", F), ("It returns at noon.", F)]
    assert from_sentences(SHIPS, heading_alone) == (ships,)
    assert from_sentences(SHIPS, heading_alone[1:]) == (ships,)
    glued = [("Ships The ferry leaves daily.", F), ("It returns at noon.", F)]
    assert from_sentences(SHIPS, glued) is None
    assert from_sentences(SHIPS, heading_alone[:2]) is None  # a sentence missing
    assert from_sentences(SHIPS, [*heading_alone, ("Later.", F)]) is None  # one too many
    crossing = "One paragraph ends here.\n\nAnother starts."
    assert from_sentences(crossing, [("One paragraph ends here. Another starts.", F)]) is None


def test_stored_paragraphs_read_back_as_written() -> None:
    model = Settings().spacy_model
    for text in TEXTS:
        paras = paragraphs(text, model)
        assert from_json(to_json(paras)) == paras
    for bad in ("{", '[["heading"]]', "3"):
        with pytest.raises(ValueError, match="stored paragraphs are malformed"):
            from_json(bad)
