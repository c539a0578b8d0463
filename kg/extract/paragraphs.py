"""A chunk's paragraphs: section headings, sentences and each sentence's word forms.

The dense route ranks a chunk's sentences against the question, so it needs them split and
read. Parsing three chunks per question cost ~60 ms on 2 cores, so ingestion reads them off
the extraction parse, which splits and lemmatises the same text anyway
(`from_sentences`), and the store keeps them with the chunk. `paragraphs` parses a chunk at
question time only where the store holds none: a store written before, another extractor,
a chunk whose extraction sentences do not tile its paragraphs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache

from kg import zh
from kg.extract.forms import FORM_PIPES_OFF, content_forms, nlp
from kg.models import Paragraph

HEADING_MAX_WORDS = 8
SENTENCE_END = (".", "!", "?", ":", ";", ",", '"', "”", "'",
                "。", "！", "？", "；", "：", "，", "」")  # fmt: skip


def blocks(text: str) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs of a chunk; heading lines are not paragraph text.

    A heading is a short line without closing punctuation that follows a finished sentence
    (or a blank line); kept, spaCy would glue it to the next sentence ("Weather Winters ...").
    """
    out: list[list[str]] = [[]]
    headings = [""]
    heading_now = ""
    previous_done = True
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            out.append([])
            headings.append(heading_now)
            previous_done = True
            continue
        heading = (
            previous_done
            and not line.endswith(SENTENCE_END)
            and len(line.split()) <= HEADING_MAX_WORDS
        )
        if heading:
            heading_now = line
            out.append([])
            headings.append(heading_now)
        else:
            out[-1].append(line)
            previous_done = line.endswith(SENTENCE_END)
    return [(h, " ".join(b)) for h, b in zip(headings, out, strict=True) if b]


@lru_cache(maxsize=2048)
def paragraphs(text: str, spacy_model: str) -> tuple[Paragraph, ...]:
    """A chunk's paragraphs, parsed here (spaCy's parser splits the sentences, its tagger
    and lemmatizer give their forms; Chinese paragraphs are cut at 。！？ by kg.zh, which
    the English parser does not know)."""
    parts = blocks(text)
    if zh.is_chinese(text):
        out = [(h, tuple((s, zh.content_words(s)) for s in zh.sentences(b))) for h, b in parts]
    else:
        docs = nlp(spacy_model).pipe((b for _, b in parts), disable=list(FORM_PIPES_OFF))
        out = [
            (heading, tuple((sent, content_forms(s)) for s in doc.sents
                            if len(sent := " ".join(s.text.split())) > 1))
            for (heading, _), doc in zip(parts, docs, strict=True)
        ]
    return _assemble(out)


def from_sentences(
    text: str, sentences: Sequence[tuple[str, Iterable[str]]]
) -> tuple[Paragraph, ...] | None:
    """A chunk's paragraphs from another parse of it: `sentences` are that parse's
    sentences in order (whitespace-normalised text, word forms), e.g. extraction's, which
    read the whole chunk at once. None unless they tile every paragraph exactly, apart from
    heading lines standing as sentences of their own: a sentence crossing a paragraph's
    edge (a heading glued to its first line) leaves the split to `paragraphs`."""
    parts = blocks(text)
    headings = {" ".join(h.split()) for h, _ in parts if h}
    queue = list(sentences)
    at = 0
    out: list[tuple[str, tuple[tuple[str, frozenset[str]], ...]]] = []
    for heading, body in parts:
        whole = " ".join(body.split())
        rest = whole  # what of the paragraph no sentence has covered yet
        got: list[tuple[str, frozenset[str]]] = []
        while rest:
            if at == len(queue):
                return None
            sent, forms = queue[at]
            at += 1
            if not sent or (rest == whole and sent in headings):
                continue  # the blank line between paragraphs, or a heading line
            if rest != sent and not rest.startswith(sent + " "):
                return None
            rest = rest[len(sent) + 1:]
            if len(sent) > 1:
                got.append((sent, frozenset(forms)))
        out.append((heading, tuple(got)))
    if any(sent and sent not in headings for sent, _ in queue[at:]):
        return None
    return _assemble(out)


def _assemble(
    out: Iterable[tuple[str, tuple[tuple[str, frozenset[str]], ...]]],
) -> tuple[Paragraph, ...]:
    return tuple(
        Paragraph(h, tuple(s for s, _ in sents), tuple(f for _, f in sents))
        for h, sents in out
        if sents
    )


def to_json(paras: Sequence[Paragraph]) -> str:
    """The stored form: [[heading, [[sentence, [form, ...]], ...]], ...]."""
    return json.dumps(
        [[p.heading, [[s, sorted(f)] for s, f in zip(p.sentences, p.forms, strict=True)]]
         for p in paras],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def from_json(stored: str) -> tuple[Paragraph, ...]:
    """`to_json`'s inverse; a malformed value raises ValueError."""
    try:
        rows = json.loads(stored)
        return tuple(
            Paragraph(str(h), tuple(str(s) for s, _ in sents),
                      tuple(frozenset(map(str, f)) for _, f in sents))
            for h, sents in rows
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"stored paragraphs are malformed: {exc}") from exc
