"""Graph route: answer from the triples around the question's entities.

1. Fetch the linked entities' 1-hop neighbourhood and that neighbourhood's own 1-hop
   neighbourhood (so 2 hops), both edge directions, with one parameterised Cypher template
   run through the store's read-only, group-filtered `cypher()`; the text is recorded.
2. Score every triple's verbalisation against the question: embedding similarity, plus a
   bonus when the predicate's words/lemmas are the question's relation cues.
3. Explicit path search (networkx `all_simple_edge_paths`, cutoff 2) from each linked entity
   over the undirected question subgraph. A path's answer is its far end; every hop must be
   relevant, and the path is scored by its hops, how many relation cues it covers, and
   whether the far end has the type the wh-word asks for. A triple is usable from either
   end, so "Who founded X?" and "What did Y found?" read the same edge.
4. A question that only asks what a named thing is ("What is Keith Silverton?", "Who is a
   master sommelier?") is answered by that thing's copular edge ("is", "is a"), from
   either end: the description is an entity of the graph like any name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from kg.extract.forms import word_forms, word_forms_many
from kg.extract.normalize import PREPOSITIONS, squash
from kg.models import StoredTriple
from kg.relations import Fit, lexicon
from kg.stores.base import GraphStore
from kg.stores.cypher_statements import TRIPLE, stored_triple
from qa.linking import Link
from qa.question import QuestionInfo

Embed = Callable[[list[str]], list[list[float]]]

# One template, run for the linked keys and again for their neighbours (hop 2), at most
# $per_key relations of each key: a hub met on the way ("daughter", 407 relations in the
# 2Wiki graph) would otherwise fill the whole $limit and crowd out the other neighbours
NEIGHBOURS_CYPHER = (
    "UNWIND $keys AS k MATCH (e:Entity {key: k})-[r:REL]-(:Entity) "
    "WITH k, collect(DISTINCT r)[..$per_key] AS rs UNWIND rs AS r "
    "WITH DISTINCT r "
    f"RETURN {TRIPLE.format(r='r')}, startNode(r).type, endNode(r).type "
    "LIMIT $limit"
)
NEIGHBOUR_LIMIT = 400
HOP_LIMITS = (NEIGHBOUR_LIMIT, 40)  # relations per key at hop 1 (the linked) and hop 2
MAX_HOPS = len(HOP_LIMITS)

CUE_BONUS = 0.35  # predicate names a relation word of the question
SIM_AS_CUE = 0.8  # a verbalisation this close to the question counts as naming its relation
HOP_MIN_SIM = 0.55  # a hop with no cue must be at least this similar to be part of a path
COVER_WEIGHT = 0.5  # share of the question's relation words the path covers
HOP_PENALTY = 0.12  # per extra hop: prefer the shorter reading when equally good
EXTRA_WORD_PENALTY = 0.05  # per predicate word the question lacks ("cook with" for "cook")
TYPE_BONUS = 0.1
TYPE_PENALTY = 0.3
CONSTRAINT_BONUS = 0.3  # the answer also touches another entity the question names
PREPOSITION_PENALTY = 0.3  # the answer's edge has another preposition than the question
BE_FORMS = {"is", "are", "was", "were", "be", "been"}
ARTICLES = {"a", "an", "the"}
IDENTITY_WH = ("who", "whom", "what", "which")


@dataclass
class Hop:
    triple: StoredTriple
    sim: float
    cue_hit: bool

    @property
    def relevance(self) -> float:
        return self.sim + (CUE_BONUS if self.cue_hit else 0.0)


@dataclass
class GraphCandidate:
    answer_key: str
    answer_name: str
    hops: list[Hop]
    score: float
    covered: int = 0  # relation words of the question the path accounts for
    fits: bool = False  # the lexicon says the answer's edge states the asked relation

    @property
    def rank(self) -> tuple[int, float]:
        """A reading that accounts for more of the question's relations wins, then score."""
        return (self.covered, self.score)


@dataclass
class GraphResult:
    candidates: list[GraphCandidate] = field(default_factory=list)
    cypher: str | None = None
    triples_seen: int = 0
    triples_embedded: int = 0  # verbalisations scored against the question
    # edges that state the asked relation the other way round: never an answer, and a
    # passage saying the same is no answer either
    opposite: list[StoredTriple] = field(default_factory=list)
    # entities the graph rules out as the answer (key -> name): the asked relation's
    # neighbour gendered the other way ("Y is X's father" for "Who is X's mother?"); a
    # passage naming one of them answers the wrong question
    ruled_out: dict[str, str] = field(default_factory=dict)

    @property
    def best(self) -> GraphCandidate | None:
        return self.candidates[0] if self.candidates else None


def verbalise(t: StoredTriple) -> str:
    return f"{t.subject} {t.predicate} {t.object}"


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def is_copula(predicate: str) -> bool:
    """"is", "is a", "be the": the edge says what its subject is, nothing more."""
    words = predicate.lower().split()
    return bool(words) and words[0] in BE_FORMS and set(words[1:]) <= ARTICLES


def asks_identity(info: QuestionInfo, links: Sequence[Link], spacy_model: str) -> bool:
    """"Who is a master sommelier?", "What is Keith Silverton?": a wh-word, "is" and linked
    things, with no relation word of its own (every content word is inside a linked mention)."""
    if not (info.copular and info.wh in IDENTITY_WH and not info.main_verb and links):
        return False
    if len(_outermost({squash(link.mention) for link in links})) > 1:
        return False  # two separate things ("the ferry company in Karsk"): a relation, not "is"
    named: set[str] = set().union(*(word_forms(link.mention, spacy_model) for link in links))
    return all(c & named for c in info.cues)


def _outermost(mentions: set[str]) -> set[str]:
    """Mentions not inside another one ("A Journey Through Time" inside a whole description)."""
    return {m for m in mentions if not any(m != o and f" {m} " in f" {o} " for o in mentions)}


def _same_preposition(info: QuestionInfo, predicate: str) -> bool:
    """Whether an edge read towards its object keeps the question's preposition.

    "What did Mira Tal teach at?" wants (teach at), "What did Mira Tal teach?" wants
    (teach); "where"/"when" questions name no preposition, so any edge fits them.
    """
    last = predicate.split()[-1] if predicate.split() else ""
    if info.answer_preposition:
        return last == info.answer_preposition
    return info.wh not in ("what", "whom", "which") or last not in PREPOSITIONS


def _type_fit(info: QuestionInfo, answer_type: str) -> float:
    """Bonus when the answer has a type the wh-word asks for, penalty when another."""
    if not (info.answer_types and answer_type):
        return 0.0
    return TYPE_BONUS if answer_type in info.answer_types else -TYPE_PENALTY


class GraphRoute:
    """Neighbourhood fetch + triple scoring + path search, for one store and embedder."""

    prune = True  # embed only the triples of paths that can pass (False: every path's)

    def __init__(self, store: GraphStore, embed: Embed, spacy_model: str):
        self.store = store
        self.embed = embed
        self.spacy_model = spacy_model

    def _fetch(
        self, keys: list[str], groups: Sequence[str], leads_on: frozenset[str] | None
    ) -> tuple[list[StoredTriple], dict[str, str]]:
        """Triples (deduplicated) and entity types within MAX_HOPS of `keys`. A further hop
        leaves only from the entities reached by an edge whose predicate has one of the
        words `leads_on` (the question's relation words; None: one hop only): a path's
        hops before its last must each name one (_score_path), so a hub's hundreds of
        other neighbours ("film": 389 in the 2Wiki graph) cannot begin a path."""
        seen: dict[tuple[str, str, str, str], StoredTriple] = {}
        types: dict[str, str] = {}
        frontier, visited = list(keys), set(keys)
        for per_key in HOP_LIMITS[: 1 if leads_on is None else MAX_HOPS]:
            if not frontier:
                break
            params = {"keys": frontier, "limit": NEIGHBOUR_LIMIT, "per_key": per_key}
            _, rows = self.store.cypher(NEIGHBOURS_CYPHER, params, groups)
            hop: list[StoredTriple] = []
            for row, st, ot in rows:
                t = stored_triple(row)
                sk, ok = t.subject_key, t.object_key
                seen.setdefault((sk, t.predicate, ok, t.chunk), t)
                types[sk], types[ok] = st or "", ot or ""
                hop.append(t)
            nxt: list[str] = []
            for t, forms in zip(hop, _predicate_forms(hop, self.spacy_model), strict=True):
                for k in (t.subject_key, t.object_key):
                    if k not in visited and leads_on and forms & leads_on:
                        visited.add(k)
                        nxt.append(k)
            frontier = nxt
        return list(seen.values()), types

    def _similarities(
        self, question: str, triples: list[StoredTriple], wanted: set[int]
    ) -> dict[int, float]:
        """Question-to-verbalisation similarity of the triples at `wanted` (one batch)."""
        order = sorted(wanted)
        if not order:
            return {}
        q, *vectors = self.embed([question, *(verbalise(triples[i]) for i in order)])
        return {i: _dot(q, v) for i, v in zip(order, vectors, strict=True)}

    def run(self, info: QuestionInfo, links: list[Link], groups: Sequence[str]) -> GraphResult:
        sources = [link.key for link in links if link.proper] or [link.key for link in links]
        if not sources:
            return GraphResult()
        identity = asks_identity(info, links, self.spacy_model)  # its edges touch `sources`
        cue_forms: frozenset[str] = frozenset().union(*info.cues)
        triples, types = self._fetch(sources, groups, None if identity else cue_forms)
        result = GraphResult(cypher=NEIGHBOURS_CYPHER, triples_seen=len(triples))
        if not triples:
            return result
        if identity:
            touching = set(sources)
            copular = {i for i, t in enumerate(triples) if is_copula(t.predicate)
                       and {t.subject_key, t.object_key} & touching}
            sims = self._similarities(info.text, triples, copular)
            result.triples_embedded = len(sims)
            result.candidates = _identity_candidates(info, triples, sims, touching, types)
            return result
        forms = _predicate_forms(triples, self.spacy_model)
        # relation words of the question that some fetched predicate could express
        all_forms: set[str] = set().union(*forms)
        relational = [c for c in info.cues if c & all_forms]
        graph = nx.MultiGraph()
        for i, t in enumerate(triples):
            graph.add_edge(t.subject_key, t.object_key, key=i)
        named = {link.key for link in links}
        context = _PathContext(info, relational, types, named, graph, result, triples, forms,
                               cue_forms, tuple(link.mention for link in links))
        # Pass 1 scores every path as if each hop were as similar as can be: every test of
        # a path passes more easily with a higher similarity, so only the paths kept here can
        # be kept at all, and only their triples need embedding (a few of hundreds).
        optimistic = [Hop(t, 1.0, cue_hit=True) for t in triples]
        paths: list[list[tuple[str, str, int]]] = []
        for source in sources:
            if source not in graph:
                continue
            targets = [n for n in graph.nodes if n not in named]
            for path in nx.all_simple_edge_paths(graph, source, targets, cutoff=MAX_HOPS):
                if not self.prune or self._score_path(
                    context, [optimistic[k] for _, _, k in path], path
                ):
                    paths.append(path)
        sims = self._similarities(info.text, triples, {k for p in paths for _, _, k in p})
        result.triples_embedded = len(sims)
        hops = {k: Hop(triples[k], sim, bool(forms[k] & cue_forms) or sim >= SIM_AS_CUE)
                for k, sim in sims.items()}
        best: dict[str, GraphCandidate] = {}
        for path in paths:
            cand = self._score_path(context, [hops[k] for _, _, k in path], path)
            if cand is None:
                continue
            kept = best.get(cand.answer_key)
            if kept is None or cand.rank > kept.rank:
                best[cand.answer_key] = cand
        result.candidates = sorted(best.values(), key=lambda c: c.rank, reverse=True)
        return result

    def _score_path(
        self, ctx: _PathContext, path_hops: list[Hop], path: list[tuple[str, str, int]]
    ) -> GraphCandidate | None:
        """A candidate for the path's far end, or None when the path cannot be the answer."""
        info = ctx.info
        answer_key = path[-1][1]
        last = path_hops[-1].triple
        fit = _lexicon_fit(info, last, answer_key)
        if fit is Fit.OPPOSITE:
            if len(path_hops) == 1 and last not in ctx.result.opposite:
                ctx.result.opposite.append(last)
            return None  # "Which company did X acquire?" is not "Y acquired X"
        answer_name = last.object if last.object_key == answer_key else last.subject
        if fit is Fit.YES and _gendered_otherwise(ctx, path[-1]):
            fit = Fit.OTHER_GENDER  # "born to Y" says parent; "Y is X's father" says not mother
        if fit is Fit.OTHER_GENDER:
            if len(path_hops) == 1:
                ctx.result.ruled_out.setdefault(answer_key, answer_name)
            return None
        if fit is Fit.OTHER:
            return None  # the edge states another relation than the one asked
        if fit is Fit.YES:
            path_hops = [*path_hops[:-1], Hop(last, path_hops[-1].sim, cue_hit=True)]
        if any(not h.cue_hit and h.sim < HOP_MIN_SIM for h in path_hops):
            return None
        if len(path_hops) > 1 and not all(h.cue_hit for h in path_hops):
            return None  # every hop of a chain must be asked for by some word
        if any(not ctx.forms[k] & ctx.cue_forms for _, _, k in path[:-1]):
            return None  # by a word, not only by similarity: _fetch follows no other edge
        if _names_in(answer_name, info.text, ctx.mentions):
            return None  # the question already names it: it is a constraint, not the answer
        pred_forms: set[str] = set().union(*(ctx.forms[k] for _, _, k in path))
        high_sim = any(h.sim >= SIM_AS_CUE for h in path_hops) or fit is Fit.YES
        if info.main_verb and not info.main_verb & pred_forms and not high_sim:
            return None  # "Who will succeed X?" is not answered by "X is chief of Y"
        covered = sum(1 for c in ctx.relational if c & pred_forms)
        if fit is Fit.YES and len(path_hops) == 1:
            covered = max(covered, 1)  # "child" is covered by "father of", read backwards
        if info.cues and not covered and not high_sim:
            return None  # no word of the question's relation is on the path
        if covered < len(path_hops):
            return None  # a hop that adds no relation word of its own is a detour
        if fit is not Fit.YES and info.head and not info.head & ctx.forms[path[-1][2]]:
            return None  # the answer's own edge must be the relation asked about
        score = sum(h.relevance for h in path_hops) / len(path_hops)
        score += COVER_WEIGHT * covered / max(1, len(ctx.relational))
        score -= HOP_PENALTY * (len(path_hops) - 1)
        extra = {w for h in path_hops for w in h.triple.predicate.split()} - info.words
        score -= EXTRA_WORD_PENALTY * len(extra)
        score += _type_fit(info, ctx.types.get(answer_key, ""))
        if last.object_key == answer_key and not _same_preposition(info, last.predicate):
            score -= PREPOSITION_PENALTY
        on_path = {u for u, _, _ in path} | {v for _, v, _ in path}
        others = ctx.named - on_path
        if others and any(n in others for n in ctx.graph.neighbors(answer_key)):
            score += CONSTRAINT_BONUS  # also tied to another thing the question names
        return GraphCandidate(answer_key, answer_name, path_hops, score, covered,
                              fits=fit is Fit.YES)


def _predicate_forms(triples: list[StoredTriple], model: str) -> list[frozenset[str]]:
    """Each triple's predicate forms: stored with the edge at ingestion, parsed here for
    edges of stores written before that (one batch, cached)."""
    parsed = iter(word_forms_many([t.predicate for t in triples if t.forms is None], model))
    return [next(parsed) if t.forms is None else frozenset(t.forms) for t in triples]


def _lexicon_fit(info: QuestionInfo, edge: StoredTriple, answer_key: str) -> Fit:
    """Whether the answer's edge states the asked relation towards the answer (kg.relations).

    Unknown to the lexicon (either phrase): the same predicate words as the question's
    relation still have a direction ("What did Vales gather on?" reads (Vales, gather on, ?)
    forwards); anything else is left to the word and similarity scores.
    """
    asked = info.asked
    if asked is None:
        return Fit.UNKNOWN
    answer_is_edge_subject = edge.subject_key == answer_key
    lex = lexicon()
    edge_relations = _relations_of(edge)
    fit = lex.fit(edge_relations, asked.relations, asked.answer_is_subject,
                  answer_is_edge_subject)
    predicate = edge.predicate.lower()
    if fit is Fit.UNKNOWN and predicate == asked.phrase:
        same_way = asked.answer_is_subject == answer_is_edge_subject
        return Fit.YES if same_way else Fit.OPPOSITE
    if fit is Fit.UNKNOWN and asked.relations and predicate.startswith(asked.phrase + " "):
        return Fit.OTHER  # (X, acquire in, 2019) says when, not whom: another relation
    return fit


def _relations_of(edge: StoredTriple) -> frozenset[str]:
    """The edge's stored lexicon relations, or its phrase's for stores written before them."""
    return frozenset(edge.relations) or lexicon().of_phrase(edge.predicate)


def _gendered_otherwise(ctx: _PathContext, edge: tuple[str, str, int]) -> bool:
    """Another edge between the same two entities gives the answer the other gender."""
    asked = ctx.info.asked
    if asked is None or not asked.relations:
        return False
    other, answer, key = edge  # a path's last edge runs towards its answer
    lex = lexicon()
    own = ctx.triples[key]
    if own.subject_key == answer and lex.same_gender(_relations_of(own), asked.relations):
        return False  # it says "father" itself; a contradicting edge is the text's own conflict
    for k in ctx.graph.get_edge_data(other, answer, default={}):
        t = ctx.triples[k]
        if t.subject_key == answer and lex.other_gender(_relations_of(t), asked.relations):
            return True
    return False


def _identity_candidates(
    info: QuestionInfo,
    triples: list[StoredTriple],
    sims: dict[int, float],
    sources: set[str],
    types: dict[str, str],
) -> list[GraphCandidate]:
    """The other ends of the sources' copular edges (`sims` holds those), best first.

    "What is Keith Silverton?" reads (Keith Silverton, is a, master sommelier) forwards,
    "Who is a master sommelier?" reads it backwards; the copula is the relation asked about.
    """
    best: dict[str, GraphCandidate] = {}
    for i, sim in sims.items():
        t = triples[i]
        for here, there, name in ((t.subject_key, t.object_key, t.object),
                                  (t.object_key, t.subject_key, t.subject)):  # fmt: skip
            if here not in sources or there in sources or _names_in(name, info.text):
                continue
            hop = Hop(t, sim, cue_hit=True)
            score = hop.relevance + COVER_WEIGHT + _type_fit(info, types.get(there, ""))
            kept = best.get(there)
            if kept is None or score > kept.score:
                best[there] = GraphCandidate(there, name, [hop], score, covered=1)
    return sorted(best.values(), key=lambda c: c.rank, reverse=True)


@dataclass
class _PathContext:
    info: QuestionInfo
    relational: list[frozenset[str]]
    types: dict[str, str]
    named: set[str]
    graph: nx.MultiGraph
    result: GraphResult
    triples: list[StoredTriple]
    forms: list[frozenset[str]]  # each triple's predicate forms
    cue_forms: frozenset[str]  # the forms of the question's relation words
    mentions: tuple[str, ...] = ()  # the question's text of each linked name


def _names_in(name: str, text: str, mentions: Sequence[str] = ()) -> bool:
    """Whether `text` names `name` other than inside a longer linked name: "Give me a child
    of Paul Dano Sr." does not name Paul Dano."""
    wanted, text = f" {squash(name)} ", f" {squash(text)} "
    for mention in mentions:
        longer = f" {squash(mention)} "
        if wanted != longer and wanted in longer:
            text = text.replace(longer, " ")
    return wanted in text

