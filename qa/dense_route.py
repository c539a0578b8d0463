"""Dense route: passages for questions a triple cannot answer ("What happens when ...?").

The graph-augmented passage ranking (qa.passage_graph: the passages about what the question
names, plus one hop, and the nearest by vector) leads; vector top-k and full-text top-k
chunks it lacks follow, fused by reciprocal rank fusion. Every ranking is filtered by the
asker's groups in the store. The answer is the sentence of the best few chunks that is most
similar to the question, so the reply is a span of a cited passage: a static model
shortlists the candidate sentences, the chunk embedder decides among the shortlist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kg.extract.forms import word_forms_many
from kg.models import Paragraph, ScoredChunk
from kg.stores.base import GraphStore
from qa import background
from qa.linking import Link
from qa.passage_graph import DENSE_K, GraphPassageRetriever
from qa.question import QuestionInfo, leans_on_previous
from qa.rerank import Rerank

Embed = Callable[[list[str]], list[list[float]]]
# chunk text -> its paragraphs (section heading, sentences and their word forms)
Split = Callable[[str], tuple[Paragraph, ...]]

RRF_K = 60  # the usual constant from Cormack et al. 2009
SEARCH_K = 10
SENTENCE_CHUNKS = 3  # chunks whose sentences compete for the answer
CHUNK_PRIOR = 0.05  # a small preference for sentences from the best-fused chunk
LEXICAL_WEIGHT = 0.3  # share of the question's content words the sentence contains


@dataclass
class SentenceHit:
    sentence: str
    chunk: ScoredChunk
    score: float  # cosine to the question + lexical overlap + the chunk-rank prior
    span: str = ""  # the answer text: the sentence, with the one before when it leans on it
    parsed: Paragraph | None = None  # its paragraph, with the sentences' word forms
    index: int = 0  # the sentence's place in it

    @property
    def heading(self) -> str:
        """The section it is in (its words count as context)."""
        return self.parsed.heading if self.parsed else ""

    @property
    def paragraph(self) -> tuple[str, ...]:
        """The sentences around it."""
        return self.parsed.sentences if self.parsed else ()

    @property
    def leans(self) -> bool:
        """Whether the span starts with the sentence before (see leans_on_previous)."""
        return bool(self.index) and leans_on_previous(self.sentence)


@dataclass
class DenseResult:
    chunks: list[ScoredChunk] = field(default_factory=list)  # fused order, fused score
    sentences: list[SentenceHit] = field(default_factory=list)  # best first (see run)

    @property
    def best(self) -> SentenceHit | None:
        return self.sentences[0] if self.sentences else None


def reciprocal_rank_fusion(rankings: Sequence[Sequence[ScoredChunk]]) -> list[ScoredChunk]:
    """Chunks ordered by sum of 1/(RRF_K + rank) over the rankings they appear in."""
    fused: dict[str, float] = {}
    first: dict[str, ScoredChunk] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            fused[hit.chunk.id] = fused.get(hit.chunk.id, 0.0) + 1.0 / (RRF_K + rank)
            first.setdefault(hit.chunk.id, hit)
    order = sorted(fused, key=fused.__getitem__, reverse=True)
    return [
        ScoredChunk(first[c].chunk, fused[c], first[c].doc_path, first[c].doc_title)
        for c in order
    ]


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


class DenseRoute:
    def __init__(
        self, store: GraphStore, embed: Embed, split: Split, spacy_model: str,
        rerank: Rerank | None = None, embed_names: Embed | None = None,
        rough: Embed | None = None, finalists: int = 0,
    ):
        self.store = store
        self.rough = rough  # a cheap embedder that shortlists the sentences (see _shortlist)
        self.finalists = finalists
        self.rerank = rerank  # qa.rerank's cross-encoder stage, when configured
        self.embed = embed
        self.split = split
        self.spacy_model = spacy_model
        self.passages = GraphPassageRetriever(store, embed, spacy_model, embed_names)

    def retrieve(
        self,
        question: str,
        q_vec: list[float],
        groups: Sequence[str],
        k: int = SEARCH_K,
        info: QuestionInfo | None = None,
        links: list[Link] | None = None,
    ) -> list[ScoredChunk]:
        """Chunk ranking (retrieval alone, no sentence choice): the graph-augmented ranking
        leads, in its own order (it already weighs vector similarity, and re-fusing it would
        push out the second-hop passages no other ranking finds); the vector and full-text
        hits it lacks follow, fused."""
        # the two searches wait on the store while the graph ranking embeds on this thread;
        # one vector search serves both: the graph ranking's nearest DENSE_K and the top k
        vector = background.pool().submit(
            self.store.vector_search, q_vec, max(k, DENSE_K), groups
        )
        fulltext = background.pool().submit(self.store.fulltext_search, question, k, groups)
        graph = self.passages.run(question, groups, k=k, info=info, links=links, nearest=vector)
        lead = {h.chunk.id for h in graph}
        rest = reciprocal_rank_fusion([vector.result()[:k], fulltext.result()])
        ranked = [*graph, *(h for h in rest if h.chunk.id not in lead)]
        return self.rerank(question, ranked) if self.rerank else ranked

    def run(
        self,
        question: str,
        q_vec: list[float],
        groups: Sequence[str],
        cues: Sequence[frozenset[str]] = (),
        info: QuestionInfo | None = None,
        links: list[Link] | None = None,
    ) -> DenseResult:
        """Fused chunks, and their sentences ranked against the question."""
        chunks = self.retrieve(question, q_vec, groups, info=info, links=links)
        result = DenseResult(chunks=chunks)
        top = chunks[:SENTENCE_CHUNKS]
        # the sentences as ingestion split them; a chunk stored without is parsed here
        stored = self.store.chunk_paragraphs([h.chunk.id for h in top], groups)
        pool: list[SentenceHit] = []
        shared: dict[int, int] = {}  # id(hit) -> how many of the question's cues it has
        for rank, hit in enumerate(top):
            prior = CHUNK_PRIOR * (SENTENCE_CHUNKS - rank - 1)
            for para in stored.get(hit.chunk.id) or self.split(hit.chunk.text):
                heading = self._forms([para.heading])[0] if para.heading else frozenset()
                sents = para.sentences
                for i, sent in enumerate(sents):
                    h = SentenceHit(sent, hit, prior, sent, para, i)
                    if h.leans:
                        h.span = f"{sents[i - 1]} {sent}"
                    shared[id(h)] = sum(1 for c in cues if c & (para.forms[i] | heading))
                    pool.append(h)
        if not pool:
            return result
        for h in pool:
            h.score += LEXICAL_WEIGHT * (shared[id(h)] / len(cues) if cues else 0.0)
        # a sentence (with its heading) sharing no word with the question cannot answer it:
        # it ranks below every one that does, which are the candidates (all when none is)
        candidates = [h for h in pool if shared[id(h)] or not cues] or pool
        eligible = {id(h) for h in candidates}
        finalists = self._shortlist(question, candidates)
        vectors = self.embed([h.sentence for h in finalists])
        for h, v in zip(finalists, vectors, strict=True):
            h.score += _dot(q_vec, v)
        final = {id(h) for h in finalists}
        result.sentences = sorted(
            pool, key=lambda h: (id(h) in eligible, id(h) in final, h.score), reverse=True
        )
        self._complete(result.sentences[0], cues)
        return result

    def _shortlist(self, question: str, candidates: list[SentenceHit]) -> list[SentenceHit]:
        """The candidates worth the embedder: the best `finalists` by the static model's
        similarity plus their lexical and chunk scores (the rest keep that rough score and
        rank after them). The static model costs ~0 ms; the embedder ~7 ms a sentence."""
        if self.rough is None or not 0 < self.finalists < len(candidates):
            return candidates
        found = self.rough([question, *(h.sentence for h in candidates)])
        if len(found) != len(candidates) + 1:  # the rough model is unavailable
            return candidates
        q, *vectors = found
        rough = {id(h): _dot(q, v) for h, v in zip(candidates, vectors, strict=True)}
        ranked = sorted(candidates, key=lambda h: h.score + rough[id(h)], reverse=True)
        for h in ranked[self.finalists :]:
            h.score += rough[id(h)]
        return ranked[: self.finalists]

    def _forms(self, texts: list[str]) -> list[frozenset[str]]:
        return word_forms_many(texts, self.spacy_model)

    def _complete(self, best: SentenceHit, cues: Sequence[frozenset[str]]) -> None:
        """Add the paragraph's sentence that says what the best one leaves out of the question.

        "How does the orchestra rehearse in midwinter?": the best sentence says how it
        rehearses; the one about midwinter joins it.
        """
        para = best.parsed
        if para is None:
            return
        have = para.forms[best.index]
        if best.leans:
            have = have | para.forms[best.index - 1]
        missing = [c for c in cues if not c & have]
        if not missing:
            return
        gain = {s: sum(1 for c in missing if c & f)
                for s, f in zip(para.sentences, para.forms, strict=True)}
        extra = max(gain, key=gain.__getitem__, default="")
        if extra and gain[extra] and extra not in best.span:
            order = para.sentences.index(extra) < para.sentences.index(best.sentence)
            best.span = f"{extra} {best.span}" if order else f"{best.span} {extra}"
