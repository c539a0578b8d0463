"""The relation lexicon: what a predicate means, read by extraction, QA and training alike.

The data is `relations.toml` beside this module (its header says what each field means and
which Wikidata properties it was taken from). Everything here answers one question in a few
shapes: *which canonical relations does this phrase express, and does an edge `(s, p, o)`
state the relation a question asks for, in the direction it asks?*

An edge implies more than its own relation: `(A, father of, B)` says A is a parent of B
(sub-relation -> parent), B is a child of A (inverse) and nothing about B being A's father
(direction). A symmetric relation (spouse, sibling) is implied both ways. A question asking
for a gendered relation (son) accepts an edge of its ungendered parent (child), never one of
the other gender (daughter). Phrases the lexicon does not hold are left to the callers'
word and similarity scores.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("relations.toml")


@dataclass(frozen=True)
class Relation:
    id: str
    label: str
    wikidata: str
    inverse: str
    symmetric: bool
    parents: tuple[str, ...]
    gender: str  # "m", "f" or ""
    subject: str  # end types (keys of END_TYPES)
    object: str
    verbs: tuple[str, ...]  # stored predicate phrases: the subject does it to the object
    nouns: tuple[str, ...]  # "the <noun> of O" is the subject
    states: tuple[str, ...]  # participle phrases after "is": "born in", "owned by"
    single: bool = False  # one subject per object: "the mother of O", "a child of O"
    one_object: bool = False  # one object per subject: one birth date, one headquarters
    event: bool = False  # a one-off event, worded in the past: "was born in", "founded"
    creates: bool = False  # the subject makes the object: a date in its clause dates that

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every predicate phrase that states this relation, as extraction stores them."""
        return self.verbs + self.states + tuple(f"{n} of" for n in self.nouns)


class Fit(Enum):
    """How an edge relates to the relation a question asks for."""

    YES = "yes"  # states it in the asked direction
    OPPOSITE = "opposite"  # states it, but the other way round: never an answer
    OTHER = "other"  # a known relation, but another one
    # the asked relation between the same two, but the edge genders the answer the other
    # way ("Y is the father of X" for "Who is X's mother?"): Y is ruled out, not unknown
    OTHER_GENDER = "other_gender"
    UNKNOWN = "unknown"  # the edge's or the question's phrase is not in the lexicon


class Lexicon:
    """Relations by id, and the phrase/noun indexes every stage reads."""

    def __init__(
        self, relations: Iterable[Relation], stative: dict[str, str],
        zh: dict[str, dict[str, list[str]]] | None = None,
    ):
        self.relations = {r.id: r for r in relations}
        self.stative = stative
        self._by_phrase: dict[str, set[str]] = {}
        self._by_noun: dict[str, set[str]] = {}
        for r in self.relations.values():
            for p in r.phrases:
                self._by_phrase.setdefault(p, set()).add(r.id)
            for n in r.nouns:
                self._by_noun.setdefault(n, set()).add(r.id)
        # Chinese forms ([zh.verbs], [zh.nouns]): stored as extracted, so they are phrases too
        self._zh: dict[str, dict[str, set[str]]] = {"verbs": {}, "nouns": {}}
        for kind, table in (zh or {}).items():
            for rid, forms in table.items():
                if rid not in self.relations or kind not in self._zh:
                    raise ValueError(f"relations.toml [zh.{kind}]: unknown relation {rid!r}")
                for form in forms:
                    self._zh[kind].setdefault(form, set()).add(rid)
                    self._by_phrase.setdefault(form, set()).add(rid)
        self._implied: dict[str, frozenset[tuple[str, bool]]] = {}
        makers = [r for r in self.relations.values() if r.creates or r.object == "date"]
        self._creation_verbs = frozenset(v.split()[0] for r in makers for v in r.verbs)

    @classmethod
    def load(cls, path: Path = DATA) -> Lexicon:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        relations = [
            Relation(
                id=r["id"], label=r["label"], wikidata=r.get("wikidata", ""),
                inverse=r.get("inverse", r["id"] if r.get("symmetric") else ""),
                symmetric=bool(r.get("symmetric", False)),
                parents=tuple(r.get("parents", ())), gender=r.get("gender", ""),
                subject=r.get("subject", "thing"), object=r.get("object", "thing"),
                verbs=tuple(r.get("verbs", ())), nouns=tuple(r.get("nouns", ())),
                states=tuple(r.get("states", ())), single=bool(r.get("single", False)),
                event=bool(r.get("event", False)), creates=bool(r.get("creates", False)),
                one_object=bool(r.get("one_object", False)),
            )
            for r in data["relation"]
        ]  # fmt: skip
        return cls(relations, dict(data.get("stative", {})), data.get("zh", {}))

    # --- reading phrases ---------------------------------------------------------------
    def phrase_key(self, phrase: str) -> str:
        """The lexicon's spelling of a predicate phrase ("was born in", "bear in" -> "born
        in"), or the phrase normalised when the lexicon does not hold it."""
        p = " ".join(phrase.lower().replace("’", "'").split())
        candidates = [p, p[3:]] if p.startswith("be ") else [p]  # an LLM's "was born in"
        for c in list(candidates):
            first, _, rest = c.partition(" ")  # a stative passive's lemma: "bear in"
            candidates.append(" ".join(filter(None, (self.participle(first), rest))))
        return next((c for c in candidates if c in self._by_phrase), p)

    def of_phrase(self, phrase: str) -> frozenset[str]:
        """Relations a predicate phrase states ("father of", "acquire", "born in")."""
        return frozenset(self._by_phrase.get(self.phrase_key(phrase), ()))

    def relation_of(self, phrase: str) -> Relation | None:
        """The one relation a phrase states, or None when it states none or several."""
        found = self.of_phrase(phrase)
        return self.relations[next(iter(found))] if len(found) == 1 else None

    def noun_type(self, noun: str) -> str:
        """What a role noun names ("mother" -> person, "capital" -> place), or ""."""
        types = {self.relations[r].subject for r in self.of_noun(noun)}
        return types.pop() if len(types) == 1 else ""

    def end_nouns(self, phrase: str) -> tuple[frozenset[str], frozenset[str]]:
        """Role nouns an edge's phrase gives its subject and its object: "born to" makes the
        subject a child and the object a parent, so "the child" can refer back to them."""
        subj: set[str] = set()
        obj: set[str] = set()
        for rid in self.of_phrase(phrase):
            for r, flipped in self.implied(rid):
                (obj if flipped else subj).update(self.relations[r].nouns)
        return frozenset(subj), frozenset(obj)

    def noun_verbs(self, noun: str) -> frozenset[str]:
        """Verbs a role noun's relation is stated with, either way round: "author" -> write,
        "wife" -> marry, "birthplace" -> born (for matching a question's words to edges)."""
        out: set[str] = set()
        for rid in self.of_noun(noun):
            rel = self.relations[rid]
            for r in filter(None, (rel, self.inverse(rel), *map(self.relations.get, rel.parents))):
                out.update(p.split()[0] for p in r.verbs + r.states)
        return frozenset(out - {"be"})

    def creation_verbs(self) -> frozenset[str]:
        """Verb lemmas that bring their object into being ("found", "write", "build"), and
        those inception is stated with ("open in")."""
        return self._creation_verbs

    def one_answer(self, asked: Iterable[str], answer_is_subject: bool) -> bool:
        """Whether the asked relation has one answer in the asked direction: one mother per
        child, but many children per mother and many companies per city."""
        asked = list(asked)
        for rid in asked:
            rel = self.relations[rid]
            inv = self.inverse(rel)
            single = rel.single if answer_is_subject else rel.one_object or bool(
                inv and inv.single
            )
            if not single:
                return False
        return bool(asked)

    def inverse(self, rel: Relation) -> Relation | None:
        """The relation read the other way round (a symmetric one is its own)."""
        return self.relations.get(rel.inverse)

    def of_noun(self, noun: str) -> frozenset[str]:
        """Relations a role noun names ("mother", "employer", "capital")."""
        return frozenset(self._by_noun.get(" ".join(noun.lower().split()), ()))

    def zh_forms(self, kind: str) -> dict[str, frozenset[str]]:
        """Chinese verbs ("创立") or role nouns ("母亲") -> the relations they state, longest
        form first so "总部位于" is tried before "位于"."""
        table = self._zh[kind]
        return {f: frozenset(table[f]) for f in sorted(table, key=len, reverse=True)}

    def participle(self, lemma: str) -> str:
        """The participle extraction keeps for a stative passive ("bear" -> "born")."""
        return self.stative.get(lemma, lemma)

    # --- what an edge implies ----------------------------------------------------------
    def ancestors(self, rid: str) -> set[str]:
        """The relation and every broader one it implies (mother_of -> parent_of)."""
        out, stack = set(), [rid]
        while stack:
            r = stack.pop()
            if r in out or r not in self.relations:
                continue
            out.add(r)
            stack.extend(self.relations[r].parents)
        return out

    def implied(self, rid: str) -> frozenset[tuple[str, bool]]:
        """(relation, flipped) facts an edge (s, rid, o) states; flipped: (o, relation, s).

        Cached: the graph route asks for every path it scores."""
        if rid in self._implied:
            return self._implied[rid]
        out: set[tuple[str, bool]] = set()
        for a in self.ancestors(rid):
            out.add((a, False))
            rel = self.relations[a]
            if rel.symmetric:
                out.add((a, True))
            if rel.inverse:
                out |= {(b, True) for b in self.ancestors(rel.inverse)}
        self._implied[rid] = frozenset(out)
        return self._implied[rid]

    def _asked_forms(self, asked: str) -> set[str]:
        """An asked relation and what may stand for it: a gendered one's ungendered parent."""
        rel = self.relations[asked]
        forms = {asked}
        if rel.gender:
            forms |= {p for p in rel.parents if not self.relations[p].gender}
        return forms

    def fit(
        self, edge: Iterable[str], asked: Iterable[str], answer_is_subject_of_asked: bool,
        answer_is_edge_subject: bool,
    ) -> Fit:
        """Whether an edge answers a question (see `Fit`), given which end is the answer.

        `edge` and `asked` are relation ids (several when a phrase is ambiguous);
        `answer_is_subject_of_asked`: the question wants the subject of its relation ("Who
        founded X?"), not the object ("What did Y found?").
        """
        edge, asked = set(edge), set(asked)
        if not edge or not asked:
            return Fit.UNKNOWN
        facts = set().union(*(self.implied(e) for e in edge))
        wanted = set().union(*(self._asked_forms(a) for a in asked))
        # the edge read as (answer, rel, other) or (other, rel, answer)
        flipped_needed = answer_is_subject_of_asked != answer_is_edge_subject
        if any((r, flipped_needed) in facts for r in wanted):
            if answer_is_edge_subject and self._other_gender(edge, asked):
                return Fit.OTHER_GENDER  # "Y's sister?" is not "Z is the brother of Y"
            return Fit.YES
        if any((r, not flipped_needed) in facts for r in wanted):
            return Fit.OPPOSITE
        return Fit.OTHER

    def other_gender(self, edge: Iterable[str], asked: Iterable[str]) -> bool:
        """An edge whose subject is the answer genders it against every asked relation:
        "Y is the father of X" rules Y out of "Who is X's mother?", whatever else says Y is
        X's parent."""
        return self._other_gender(set(edge), set(asked))

    def same_gender(self, edge: Iterable[str], asked: Iterable[str]) -> bool:
        """An edge whose subject is the answer states the asked gender itself ("Y is the
        father of X" for "Who is X's father?"): no other edge overrules what it says."""
        said, want = self._genders(set(edge), set(asked))
        return bool(said & want)

    def _other_gender(self, edge: set[str], asked: set[str]) -> bool:
        """The edge genders its subject, and every asked relation wants the other gender."""
        said, want = self._genders(edge, asked)
        return bool(said and want and not said & want)

    def _genders(self, edge: set[str], asked: set[str]) -> tuple[set[str], set[str]]:
        """The genders the edge gives its subject, and those the asked relations want."""
        said = {self.relations[a].gender for e in edge for a in self.ancestors(e)} - {""}
        want = {self.relations[a].gender for a in asked} - {""}
        return said, want

@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The project's lexicon, loaded once per process."""
    return Lexicon.load()


def wikidata_properties(lex: Lexicon | None = None) -> Sequence[str]:
    """The Wikidata property ids the lexicon draws on (for the README and tests)."""
    lex = lex or lexicon()
    return sorted({r.wikidata for r in lex.relations.values() if r.wikidata},
                  key=lambda p: int(p[1:]))
