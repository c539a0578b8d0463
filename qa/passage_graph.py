"""Graph-augmented passage retrieval: the passages about what a question names, plus one hop.

Documents are about entities (a document's title names its subject), chunks mention
entities, and questions name entities. A multi-hop question ("Where was the director of
film X born?") names only the first entity; the passage that answers the second hop never
resembles the question enough for dense search, but the first passage mentions its subject.
So: link the question's names to documents' titles and to graph entities, take the
passages about them, add the passages about the entities those passages mention (one hop),
score every candidate by personalized PageRank over the question's chunk–entity subgraph
(networkx, seeded on the linked entities, as HippoRAG does) fused with the MiniLM similarity
to the question, and put each named subject's passage first, then each one's best
neighbour. Dense vector hits join the pool, so an unlinked question degrades to dense search.
Every store call carries the asker's groups. The title index is built once per group set and
kept until the store's revision changes (any write through it).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import networkx as nx

from kg.extract.normalize import entity_key, key_starts, key_words
from kg.models import ScoredChunk, dot, normalise_groups, with_similarities
from kg.settings import Settings
from kg.stores.base import GraphStore
from qa import background
from qa.linking import Link, link_entities
from qa.question import QuestionInfo, analyse

PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")  # "Title (1938 film)" is about "Title"
SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s).*$")  # "Karsk: a short guide" is about "Karsk"
# "Frederick I, Holy Roman Emperor" is also called "Frederick I"
APPOSITION = re.compile(r",\s.*$")
WORD = re.compile(r"\w[\w'’.\-]*")
MAX_TITLE_WORDS = 16
MENTION_K = 5  # passages per linked name that no title matches (full-text, must mention it)
DENSE_K = 20  # dense hits that join the candidate pool
MAX_HOP_DOCS = 60  # documents reached in one hop (bounds the work per question)
PPR_ALPHA = 0.85
GRAPH_WEIGHT = 0.3  # weight of the normalised PageRank score beside cosine similarity
LINKED_BONUS = 0.3  # a passage about an entity the question names
EDGE_WEIGHT = 1.5  # weight of how well the words leading to a hop match the question
RELATION_WEIGHT = 1.0  # weight of the passage's similarity to the question minus its names
EDGE_WORDS = 6  # words before a mention that say how the passage relates to it
TITLE_INDEXES = 16  # group sets whose title index is kept

Embed = Callable[[list[str]], list[list[float]]]


@dataclass
class Candidate:
    hit: ScoredChunk
    similarity: float
    subject: str = ""  # key of the entity the passage's document is about
    anchor: str = ""  # the linked entity this passage is about or mentions
    parent: str = ""  # the anchor of the passage that led here (one hop)
    graph: float = 0.0
    edge: float = 0.0  # similarity of the question to the words that led here
    relation: float = 0.0  # similarity of the passage to the question without its names

    @property
    def score(self) -> float:
        bonus = LINKED_BONUS if self.anchor else 0.0
        return (
            self.similarity
            + GRAPH_WEIGHT * self.graph
            + EDGE_WEIGHT * self.edge
            + RELATION_WEIGHT * self.relation
            + bonus
        )


@dataclass
class TitleIndex:
    """Document ids by the entity key of their title (and of the title without "(...)")."""

    by_key: dict[str, list[str]] = field(default_factory=dict)
    key_of: dict[str, str] = field(default_factory=dict)  # doc id -> its subject's key
    # every key's word prefixes ("university", "university of", ...): a run of words no
    # key starts with ends the search for titles in it
    prefixes: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, store: GraphStore, groups: Sequence[str]) -> TitleIndex:
        index = cls()
        for doc in store.list_documents(groups):
            index.add(doc.title, doc.id)
        return index

    def add(self, title: str, doc_id: str) -> None:
        """Index a document under the keys of its title's readings ("Title (1938 film)" is
        also "Title")."""
        bare = PARENTHETICAL.sub("", title)
        forms = [bare, SUBTITLE.sub("", bare), title]
        head = APPOSITION.sub("", bare)
        if len(head.split()) > 1:  # "John, Count of Brienne" is not all the Johns
            forms.append(head)
        keys = dict.fromkeys(k for k in map(entity_key, forms) if k)
        for k in keys:
            self.by_key.setdefault(k, []).append(doc_id)
            words = k.split(" ")
            self.prefixes.update(" ".join(words[:n]) for n in range(1, len(words) + 1))
        if keys:
            self.key_of[doc_id] = next(iter(keys))

    def mentions(self, text: str, skip_opening_stopword: bool = False) -> dict[str, str]:
        """Title key -> surface text, for every capitalised run of `text` (up to
        MAX_TITLE_WORDS words, first and last capitalised) that is some document's title;
        longest first, never overlapping. A gazetteer of what the store has documents about,
        so a mention counts even where the extractor missed or mis-cut the name."""
        from spacy.lang.en.stop_words import STOP_WORDS

        words = list(WORD.finditer(text))
        capital = [w.group()[0].isupper() or w.group()[0].isdigit() for w in words]
        if skip_opening_stopword and words and words[0].group().lower() in STOP_WORDS:
            capital[0] = False
        pieces = [key_words(w.group()) for w in words]
        spans: list[tuple[int, int, str]] = []
        for i, first in enumerate(words):
            if not capital[i]:
                continue
            run: list[str] = []
            for j in range(i, min(len(words), i + MAX_TITLE_WORDS)):
                if capital[j]:
                    surface = text[first.start() : words[j].end()]
                    if (key := entity_key(surface)) in self.by_key:
                        spans.append((first.start(), words[j].end(), key))
                run += pieces[j]
                if not any(not s or s in self.prefixes for s in key_starts(run)):
                    break  # no title's key begins with these words
        taken: list[tuple[int, int, str]] = []
        for span in sorted(spans, key=lambda s: s[1] - s[0], reverse=True):
            if all(span[1] <= t[0] or t[1] <= span[0] for t in taken):
                taken.append(span)
        return {key: text[a:b] for a, b, key in sorted(taken)}

    def docs(self, keys: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(d for k in keys for d in self.by_key.get(k, [])))


def lead_words(text: str, key: str) -> str:
    """The mention of entity `key` in `text` with the EDGE_WORDS words before it."""
    words = key.split()
    if not words:
        return ""
    pattern = r"\b" + r"\W+".join(map(re.escape, words)) + r"\b"
    found = re.search(pattern, text, re.IGNORECASE)
    if found is None:
        return ""
    before = text[: found.start()].split()[-EDGE_WORDS:]
    return " ".join([*before, found.group()])


def relation_text(question: str, names: Iterable[str]) -> str:
    """The question without the names it links ("Where was the composer of film born?"):
    what is left asks for a relation, which is what the words leading to a hop express."""
    for name in sorted(names, key=len, reverse=True):
        question = question.replace(name, " ")
    return " ".join(question.split())


class GraphPassageRetriever:
    """Chunks for a question, ranked with the help of the chunk–entity graph."""

    def __init__(
        self,
        store: GraphStore,
        embed: Embed,
        spacy_model: str | None = None,
        embed_names: Embed | None = None,
    ) -> None:
        self.store = store
        self.embed = embed  # texts -> normalised vectors (an Embedder's encode, or a cache)
        self.spacy_model = spacy_model or Settings().spacy_model
        # a question's names for linking, in the store's name space (kg.name_embed)
        self._embed_names = embed_names
        self._titles: OrderedDict[tuple[str, ...], tuple[int, TitleIndex]] = OrderedDict()

    def embed_names(self, names: list[str]) -> list[list[float]]:
        if self._embed_names is None:
            from kg.name_embed import name_encoder

            settings = Settings().with_overrides(name_embedder=self.store.name_embedder or None)
            self._embed_names = name_encoder(settings, lambda: self.embed)
        return self._embed_names(names)

    def titles(self, groups: Sequence[str]) -> TitleIndex:
        """The title index of the documents `groups` may see, rebuilt after a store write."""
        key = tuple(sorted(normalise_groups(groups)))
        kept = self._titles.get(key)
        if kept is None or kept[0] != self.store.revision:
            revision = self.store.revision  # read first: a write during the build re-dates it
            kept = (revision, TitleIndex.build(self.store, key))
            self._titles[key] = kept
        self._titles.move_to_end(key)
        while len(self._titles) > TITLE_INDEXES:
            self._titles.popitem(last=False)
        return kept[1]

    # --- linking -------------------------------------------------------------------------
    def link(
        self, info: QuestionInfo, links: list[Link], titles: TitleIndex
    ) -> dict[str, str]:
        """Entity key -> the question text naming it: the names that are a document's title
        (longest first), plus the names qa.linking linked to graph entities that no title
        match covers ("God" inside "God's Gift to Women" is not a second subject)."""
        out = titles.mentions(info.text, skip_opening_stopword=True)
        covered = " ".join(out.values()).lower()
        for link in links:
            if link.proper and link.mention.lower() not in covered:
                out.setdefault(link.key, link.mention)
        return out

    # --- retrieval -----------------------------------------------------------------------
    def run(
        self,
        question: str,
        groups: Sequence[str],
        k: int = 8,
        info: QuestionInfo | None = None,
        links: list[Link] | None = None,
        nearest: Future[list[ScoredChunk]] | None = None,
    ) -> list[ScoredChunk]:
        """The top k chunks the asker may see, best first, score = the fused score.

        A caller that has already analysed and linked the question passes `info`/`links`,
        and one that searches the question's nearest chunks itself (at least DENSE_K, by
        the question's vector) passes that search as `nearest`.
        """
        info = info or analyse(question, self.spacy_model)
        if links is None:
            links = link_entities(info, self.store, groups, self.embed_names)
        titles = self.titles(groups)
        named = self.link(info, links, titles)
        # the question, and the relation it asks for (its words minus the names): every
        # passage is compared with both, by the store for stored passages
        against = self.embed([question, relation_text(question, named.values())])
        pool: dict[str, Candidate] = {}

        def add(hits: list[ScoredChunk], anchor: str = "", parent: str = "") -> None:
            for hit in hits:
                if hit.chunk.id in pool:  # a dense hit the graph reaches too
                    old = pool[hit.chunk.id]
                    old.anchor, old.parent = old.anchor or anchor, old.parent or parent
                    continue
                subject = titles.key_of.get(hit.chunk.doc_id, "")
                pool[hit.chunk.id] = Candidate(hit, hit.score, subject, anchor or "", parent)

        # the nearest passages are fetched while the named ones are (store calls both)
        if nearest is None:
            nearest = background.pool().submit(
                self.store.vector_search, against[0], DENSE_K, groups
            )
        for hit in self.store.document_chunks(titles.docs(list(named)), groups, against):
            add([hit], anchor=titles.key_of.get(hit.chunk.doc_id, ""))
        mentions = self._mentioning(named, titles, groups, add, against)
        add(nearest.result()[:DENSE_K])
        mentions.update(self.store.chunk_entities([c for c in pool if c not in mentions], groups))
        hops: dict[str, tuple[str, str]] = {}  # doc id -> (chunk that led here, its key)
        for cid in pool:
            mentions[cid] = [*titles.mentions(pool[cid].hit.chunk.text), *mentions.get(cid, [])]
        aliases = self._titled_aliases(
            {k for c in pool if pool[c].anchor for k in mentions[c] if k not in titles.by_key},
            titles,
            groups,
        )
        for cid in sorted(pool, key=lambda c: -pool[c].score):
            for key in mentions[cid]:
                for doc in titles.docs([key, *aliases.get(key, [])]):
                    if len(hops) < MAX_HOP_DOCS:
                        hops.setdefault(doc, (cid, key))
        hop_hits = self.store.document_chunks(list(hops), groups, against)
        for hit in hop_hits:
            add([hit], parent=pool[hops[hit.chunk.doc_id][0]].anchor)
        self._edges(pool, hops, against[1])
        mentions.update(self.store.chunk_entities([h.chunk.id for h in hop_hits], groups))
        self._pagerank(pool, mentions, named)
        return [
            ScoredChunk(c.hit.chunk, c.score, c.hit.doc_path, c.hit.doc_title)
            for c in self._order(pool, named)[:k]
        ]

    def _titled_aliases(
        self, keys: set[str], titles: TitleIndex, groups: Sequence[str]
    ) -> dict[str, list[str]]:
        """Mentioned entities no title names but whose aliases one does: "Frederick
        Barbarossa" (alias "Frederick I") leads to "Frederick I, Holy Roman Emperor"."""
        out: dict[str, list[str]] = {}
        for e in self.store.find_entities(sorted(keys), groups) if keys else []:
            titled = [k for k in map(entity_key, e.aliases) if k in titles.by_key]
            if e.key in keys and titled:
                out[e.key] = titled
        return out

    def _edges(
        self,
        pool: dict[str, Candidate],
        hops: dict[str, tuple[str, str]],
        r_vec: Sequence[float],
    ) -> None:
        """Score each hop by the words that lead to it ("... film directed by <name>"):
        the relation a passage stands in to its parent decides which neighbour the
        question wants, and the neighbour's own text rarely says it."""
        leads: dict[str, str] = {}  # chunk id -> the words leading to it
        for cand in pool.values():
            via = hops.get(cand.hit.chunk.doc_id)
            if via and via[0] in pool and pool[via[0]].anchor and not cand.anchor:
                lead = lead_words(pool[via[0]].hit.chunk.text, via[1])
                if lead:
                    leads[cand.hit.chunk.id] = lead
        texts = sorted(set(leads.values()))
        vectors = self.embed(texts) if texts else []
        sims = {t: dot(r_vec, v) for t, v in zip(texts, vectors, strict=True)}
        for cid, lead in leads.items():
            pool[cid].edge = sims[lead]
            if len(pool[cid].hit.similarities) > 1:  # a passage the retriever compared
                pool[cid].relation = pool[cid].hit.similarities[1]

    def _mentioning(
        self,
        links: dict[str, str],
        titles: TitleIndex,
        groups: Sequence[str],
        add: Callable[..., None],
        against: Sequence[Sequence[float]],
    ) -> dict[str, list[str]]:
        """Passages that mention a linked name no document is titled by (full-text on the
        name, kept only when the chunk's extracted entities include it)."""
        found: list[tuple[str, ScoredChunk]] = []
        for key, name in links.items():
            if key not in titles.by_key:
                found += [(key, h) for h in self.store.fulltext_search(name, MENTION_K, groups)]
        mentions = self.store.chunk_entities([h.chunk.id for _, h in found], groups)
        kept = [(key, h) for key, h in found if key in mentions.get(h.chunk.id, [])]
        # full-text scores are not similarities: embed these few as ingestion did
        texts = [f"{h.doc_title}\n{h.chunk.text}" for _, h in kept]
        for (key, hit), vec in zip(kept, self.embed(texts) if texts else [], strict=True):
            hit.chunk.embedding = vec
            add([with_similarities(hit, against)], anchor=key)
        return mentions

    @staticmethod
    def _pagerank(
        pool: dict[str, Candidate], mentions: dict[str, list[str]], links: dict[str, str]
    ) -> None:
        """Personalized PageRank from the linked entities over chunk–entity edges
        (a chunk is tied to what it mentions and to the entity its document is about)."""
        graph = nx.Graph()
        for cid, cand in pool.items():
            for key in mentions.get(cid, []):
                graph.add_edge(("c", cid), ("e", key), weight=1.0)
            if cand.subject:
                graph.add_edge(("c", cid), ("e", cand.subject), weight=2.0)
        seeds = {("e", key): 1.0 for key in links if ("e", key) in graph}
        if not seeds:
            return
        ranks = nx.pagerank(graph, alpha=PPR_ALPHA, personalization=seeds, weight="weight")
        top = max((ranks.get(("c", cid), 0.0) for cid in pool), default=0.0) or 1.0
        for cid, cand in pool.items():
            cand.graph = ranks.get(("c", cid), 0.0) / top

    @staticmethod
    def _order(pool: dict[str, Candidate], links: dict[str, str]) -> list[Candidate]:
        """Each named subject's best passage first, then each one's best neighbour passage
        (round robin over subjects), then everything else by fused score."""
        ranked = sorted(pool.values(), key=lambda c: -c.score)
        out: list[Candidate] = []
        seen: set[str] = set()

        def take(c: Candidate) -> None:
            if c.hit.chunk.id not in seen:
                seen.add(c.hit.chunk.id)
                out.append(c)

        subjects: list[str] = []
        for c in ranked:
            if c.anchor and c.anchor not in subjects:
                subjects.append(c.anchor)
                take(c)
        for subject in subjects:
            child = next(
                (c for c in ranked if c.parent == subject and not c.anchor and c.hit.chunk.id
                 not in seen),
                None,
            )
            if child is not None:
                take(child)
        for c in ranked:
            take(c)
        return out
