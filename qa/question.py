"""What a question looks like, read once with spaCy: wh-word, candidate names, relation cues.

Everything downstream (linking, triple scoring, routing) uses these features, so no route
needs an LLM to understand the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kg import zh
from kg.extract.forms import nlp
from kg.relations import lexicon
from qa.asked import REQUEST_VERBS, AskedRelation, read_asked

WH_WORDS = ("who", "whom", "whose", "what", "which", "where", "when", "how", "why")
# openers that ask for a description or process, which a passage answers better than a triple
PASSAGE_CUES = re.compile(
    r"^(how (do|does|did|is|are|was|were|can|should)\b|why\b|what happens\b|describe\b|"
    r"explain\b|what (do|does|did) .+ do\b|what is done\b)",
    re.IGNORECASE,
)
# "how many/much/old/long" ask for a value, not a process
VALUE_HOW = re.compile(r"^how (many|much|old|long|far|big|tall)\b", re.IGNORECASE)
# "Name the founder of X." asks what "Which is the founder of X?" asks
NAME_REQUEST = re.compile(r"^name\s+((?:the|a|an)\s+.+?)[.!]?$", re.IGNORECASE)
KIND_NOUNS = {"kind", "sort", "type"}  # "what kind of person or thing is X": all type words
QUOTED = re.compile(r"[\"“”']([^\"“”']{2,80})[\"“”']")
MAX_MENTION_TOKENS = 8
LIGHT_VERBS = {"be", "have", "do", "happen", "get"}
# NER labels that name things (dates and numbers are values, not names)
NAME_LABELS = {
    "PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "NORP", "PRODUCT", "EVENT", "LAW",
}
# answer types a wh-word or a "which <noun>" asks for, as spaCy NER labels
WH_TYPES = {
    "who": {"PERSON", "ORG", "NORP"},
    "whom": {"PERSON", "ORG", "NORP"},
    "where": {"GPE", "LOC", "FAC", "ORG"},
    "when": {"DATE", "TIME"},
}
NOUN_TYPES = {
    "city": {"GPE"}, "town": {"GPE"}, "village": {"GPE"}, "country": {"GPE"},
    "place": {"GPE", "LOC", "FAC"}, "river": {"LOC", "GPE"}, "sea": {"LOC"},
    "company": {"ORG"}, "university": {"ORG"}, "organisation": {"ORG"},
    "organization": {"ORG"}, "person": {"PERSON"}, "year": {"DATE"},
    "song": {"WORK_OF_ART"}, "novel": {"WORK_OF_ART"}, "book": {"WORK_OF_ART"},
    "painting": {"WORK_OF_ART"},
}


@dataclass
class Mention:
    """A stretch of the question that may name an entity."""

    text: str
    start: int  # token offsets, end exclusive
    end: int
    proper: bool  # contains a proper noun or was quoted: a name, not a common word


@dataclass
class QuestionInfo:
    text: str
    wh: str  # the first wh-word, "" when none
    passage_cue: bool  # asks for a description/process ("how does", "why", "what happens")
    cues: list[frozenset[str]]  # relation words outside the names, each as {word, lemma}
    answer_types: set[str]  # NER labels the answer should carry ("" types always pass)
    main_verb: frozenset[str] = frozenset()  # the root verb's {word, lemma} unless be/have/do
    # the relation the answer stands in: the main verb, or for "Who is the mother of X?"
    # the copula's noun ("mother"); the answer's own edge must express it
    head: frozenset[str] = frozenset()
    mentions: list[Mention] = field(default_factory=list)  # every candidate span
    names: list[str] = field(default_factory=list)  # the proper-noun / quoted spans
    tokens: list[str] = field(default_factory=list)
    words: frozenset[str] = frozenset()  # every token's lower-case form and lemma
    copular: bool = False  # the root is "be": "Who is a master sommelier?", "What is X?"
    # the preposition the question puts on its answer: "What did Mira Tal teach at?",
    # "In which city is X headquartered?" -> "at", "in"; "" when none
    answer_preposition: str = ""
    # the relation asked about, read through kg.relations, and which end is the answer
    asked: AskedRelation | None = None


def _agentive(forms: set[str]) -> set[str]:
    """Add the verb an agent noun comes from: founder -> found, painter -> paint."""
    out = set(forms)
    for w in forms:
        if len(w) > 5 and w.endswith(("er", "or")):
            out |= {w[:-2], w[:-1]}
        out |= lexicon().noun_verbs(w)  # author -> write, wife -> marry
    return out


def _relation_words(doc: Any, skip: set[int]) -> tuple[frozenset[str], frozenset[str]]:
    """(main verb, head relation) of a question, each as {word, lemma} or empty.

    The head is the relation the answer itself stands in: the main verb ("Who founded X?"),
    else a clause-final participle ("Where was the song ... first performed?"), else the
    copula's noun ("Who is the mother of X's brother?").
    """
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return frozenset(), frozenset()
    verb_like = root.pos_ == "VERB" or any(
        c.dep_ == "aux" and c.lemma_.lower() == "do" for c in root.children
    )
    if verb_like and root.lemma_.lower() not in LIGHT_VERBS and root.i not in skip:
        main = frozenset({root.lower_, root.lemma_.lower()})
        return main, main
    content = [t for t in doc if not t.is_punct]
    while content and content[-1].pos_ in ("ADP", "PART"):
        content.pop()
    if content and content[-1].pos_ == "VERB" and content[-1].lemma_.lower() not in LIGHT_VERBS:
        last = content[-1]
        return frozenset(), frozenset({last.lower_, last.lemma_.lower()})
    if root.lemma_.lower() == "be":
        for child in root.children:
            if child.dep_ in ("attr", "nsubj") and child.pos_ == "NOUN" and child.i not in skip:
                return frozenset(), frozenset(_agentive({child.lower_, child.lemma_.lower()}))
    return frozenset(), frozenset()


def _name_spans(doc: Any, text: str) -> list[tuple[int, int]]:
    """Token spans that are proper-noun runs, NER entities or quoted titles."""
    def opener(tok: Any) -> bool:  # "Whom", or the request verb of "Name X's wife."
        return tok.lower_ in WH_WORDS or (tok.i == 0 and tok.lower_ in REQUEST_VERBS)

    spans: list[tuple[int, int]] = [
        (e.start + opener(e[0]), e.end)  # the tagger's "Whom Henrik Dahl", "Name Nils Ebbe"
        for e in doc.ents
        if e.label_ in NAME_LABELS and not (len(e) == 1 and opener(e[0]))
    ]
    i = 0
    while i < len(doc):
        if doc[i].pos_ == "PROPN" and not opener(doc[i]):
            j = i
            # "University of Lenhold": PROPN (of|and|the PROPN)*
            while j + 1 < len(doc) and (
                doc[j + 1].pos_ == "PROPN"
                or (
                    doc[j + 1].lower_ in ("of", "and", "the", "on")
                    and j + 2 < len(doc)
                    and doc[j + 2].pos_ == "PROPN"
                )
            ):
                j += 1
            spans.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    for m in QUOTED.finditer(text):
        span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if span is not None:
            spans.append((span.start, span.end))
    return spans


def _without_qualifiers(doc: Any, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The name spans without a parenthesis right after a name: "Inherent Vice (Film)",
    "Dark River (2017 Film)". The parenthesis says which thing the name means; it names
    nothing the question asks about ("Film" is no entity of the question). A span the
    tagger ran into the parenthesis ("B Boy (Song") ends before it."""
    named = {i for s, e in spans for i in range(s, e)}
    opens: dict[int, int] = {}  # "(" after a name -> its ")"
    for t in doc:
        if t.text == "(" and t.i - 1 in named:
            close = next((u.i for u in doc[t.i + 1 :] if u.text in "()"), None)
            if close is not None and doc[close].text == ")":
                opens[t.i] = close
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if any(p < s < close for p, close in opens.items()):
            continue
        e = next((p for p in sorted(opens) if s < p < e), e)
        if e > s:
            out.append((s, e))
    return out


def analyse(question: str, spacy_model: str) -> QuestionInfo:
    """Parse `question` into the features linking, scoring and routing use."""
    if zh.is_chinese(question):
        from qa.asked_zh import analyse_zh

        return analyse_zh(question)
    request = NAME_REQUEST.match(question.strip())
    text = f"Which is {request.group(1)}?" if request else question.strip()
    doc = nlp(spacy_model)(text)
    lower = text.lower()
    wh = next((t.lower_ for t in doc if t.lower_ in WH_WORDS), "")
    passage = bool(PASSAGE_CUES.match(lower)) and not VALUE_HOW.match(lower)

    name_spans = _name_spans(doc, text)
    proper_tokens = {i for s, e in name_spans for i in range(s, e)}  # never relation cues
    name_spans = _without_qualifiers(doc, name_spans)
    name_tokens = {i for s, e in name_spans for i in range(s, e)}
    mentions: list[Mention] = []
    for start in range(len(doc)):
        for end in range(start + 1, min(len(doc), start + MAX_MENTION_TOKENS) + 1):
            span = doc[start:end]
            if all(t.is_stop or t.is_punct or t.lower_ in WH_WORDS for t in span):
                continue
            if span[0].is_punct or span[-1].is_punct:
                continue
            proper = any(i in name_tokens for i in range(start, end))
            mentions.append(Mention(span.text, start, end, proper))
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    copular = root is not None and root.lemma_.lower() == "be"
    if copular:
        mentions.extend(_complement(doc, root.i, proper_tokens))

    answer_types = set(WH_TYPES.get(wh, set()))
    type_nouns: set[int] = set()  # "which city": the answer's type, not a relation
    for t in doc[:-1]:
        if t.lower_ in ("which", "what"):
            noun = doc[t.i + 1]
            if noun.pos_ != "NOUN":
                continue
            kinds = [noun]
            if noun.lemma_.lower() in KIND_NOUNS:
                kinds += [k for k in noun.subtree if k.pos_ == "NOUN" and k.i != noun.i]
            for k in kinds:
                answer_types |= NOUN_TYPES.get(k.lemma_.lower(), set())
                type_nouns.add(k.i)
    if not answer_types and wh in ("which", "who", "whom", "whose"):
        answer_types = set(NAME_LABELS)  # "Which shipyard ...?" wants a name, not "1987"
    cues: list[frozenset[str]] = []
    for i, t in enumerate(doc):
        if i in proper_tokens or i in type_nouns or t.is_stop or t.is_punct:
            continue
        if t.lower_ in WH_WORDS:
            continue
        if t.pos_ in ("VERB", "NOUN", "ADJ", "PROPN", "ADV", "NUM"):
            cues.append(frozenset(_agentive({t.lower_, t.lemma_.lower()})))
    main_verb, head = _relation_words(doc, proper_tokens | type_nouns)
    names = sorted({doc[s:e].text for s, e in name_spans}, key=len, reverse=True)
    return QuestionInfo(
        text=question.strip(),
        wh=wh,
        passage_cue=passage,
        cues=cues,
        answer_types=answer_types,
        main_verb=main_verb,
        head=head,
        mentions=mentions,
        names=names,
        tokens=[t.text for t in doc],
        words=frozenset({t.lower_ for t in doc} | {t.lemma_.lower() for t in doc}),
        copular=copular,
        answer_preposition=_answer_preposition(doc),
        asked=read_asked(doc, proper_tokens),
    )


def _answer_preposition(doc: Any) -> str:
    """The preposition before the wh-word ("In which ...") or at the end ("... teach at?")."""
    words = [t for t in doc if not t.is_punct]
    if len(words) > 1 and words[0].pos_ == "ADP" and words[1].lower_ in WH_WORDS:
        return words[0].lower_
    return words[-1].lower_ if words and words[-1].pos_ == "ADP" else ""


def _complement(doc: Any, copula: int, proper_tokens: set[int]) -> list[Mention]:
    """What follows "is", as one mention when it is longer than the span limit.

    "Who is the acclaimed director of the virtual reality masterpiece, 'A Journey Through
    Time'?" names its answer by a whole description, which can be one entity of the graph.
    """
    end = len(doc)
    while end > copula + 1 and doc[end - 1].is_punct:
        end -= 1
    if end - (copula + 1) <= MAX_MENTION_TOKENS:
        return []
    proper = any(i in proper_tokens for i in range(copula + 1, end))
    return [Mention(doc[copula + 1 : end].text, copula + 1, end, proper)]


ANAPHORS = {"it", "he", "she", "they", "this", "these", "its", "his", "her", "their", "there"}


def leans_on_previous(sentence: str) -> bool:
    """True when a sentence opens with a pronoun or "The <noun>" that a previous one names."""
    words = sentence.split()
    if not words:
        return False
    first = words[0].lower().strip("\"'“”")
    if first in ANAPHORS:
        return True
    return first == "the" and len(words) > 1 and words[1][:1].islower()


@lru_cache(maxsize=4096)
def names_in(text: str, spacy_model: str) -> tuple[str, ...]:
    """The names (NER: people, places, organisations, works ...) a sentence mentions."""
    if zh.is_chinese(text):
        from qa.asked_zh import names_zh

        return tuple(names_zh(text))
    return tuple(e.text for e in nlp(spacy_model)(text).ents if e.label_ in NAME_LABELS)
