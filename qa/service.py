"""QAService: the one entry point the CLI, the HTTP API and the Gradio app call."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from kg.extract.forms import word_forms
from kg.extract.normalize import entity_key
from kg.extract.paragraphs import paragraphs
from kg.models import Paragraph, StoredTriple, normalise_groups
from kg.relations import lexicon
from kg.settings import Settings
from kg.stores.base import GraphStore
from qa import answer as compose
from qa import background
from qa.dense_route import DenseResult, DenseRoute
from qa.generate import Generator, make_generator, phrase_answer
from qa.graph_route import GraphResult, GraphRoute
from qa.linking import Link, link_entities, unknown_names, unlinked_names
from qa.models import Answer, RouteChoice
from qa.question import QuestionInfo, analyse, names_in
from qa.rerank import make_reranker
from qa.router import RouteDecision, decide, needs_graph

VECTOR_CACHE = 50_000  # texts whose embeddings are kept (~80 MB at 384 dimensions)


class VectorCache:
    """Embeddings kept by text: chunks' sentences and triples recur across questions.

    Safe across threads: the question is embedded on one while it is parsed and linked on
    another, and a text another thread is encoding is waited for, never encoded twice.
    Encoding runs outside the lock."""

    def __init__(self, encode: Callable[[Sequence[str]], list[list[float]]]):
        self.encode = encode
        self._vectors: dict[str, list[float]] = {}
        self._pending: dict[str, Future[dict[str, list[float]]]] = {}
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            have = {t: self._vectors[t] for t in texts if t in self._vectors}
            waits = {t: self._pending[t] for t in texts if t not in have and t in self._pending}
            todo = [t for t in dict.fromkeys(texts) if t not in have and t not in waits]
            mine: Future[dict[str, list[float]]] = Future()
            self._pending.update((t, mine) for t in todo)
        if todo:
            try:
                vectors = dict(zip(todo, self.encode(todo), strict=True))
            except BaseException as exc:
                self._settle(todo, {})
                mine.set_exception(exc)  # the threads waiting for these texts get it too
                raise
            self._settle(todo, vectors)
            mine.set_result(vectors)
            have.update(vectors)
        for t, other in waits.items():
            have[t] = other.result()[t]
        return [have[t] for t in texts]

    def _settle(self, todo: list[str], vectors: dict[str, list[float]]) -> None:
        with self._lock:
            for t in todo:
                self._pending.pop(t, None)
            if len(self._vectors) + len(vectors) > VECTOR_CACHE:
                self._vectors.clear()
            self._vectors.update(vectors)


@dataclass
class Retrieval:
    """Everything retrieved for one question, before an answer is composed."""

    info: QuestionInfo
    links: list[Link]
    decision: RouteDecision
    graph: GraphResult | None
    dense: DenseResult | None


class QAService:
    """Routes a question, retrieves evidence the asker may see, and answers or refuses.

    Models (embedder, spaCy, generator) are loaded once per service and reused.
    """

    def __init__(self, settings: Settings, store: GraphStore, embedder: Any | None = None):
        self.settings = settings
        self.store = store
        self._embedder = embedder
        self._generators: dict[str, Generator] = {}
        self.embed = VectorCache(self._encode)
        self._names: VectorCache | None = None
        self._static: Callable[[Sequence[str]], list[list[float]]] | None = None
        self.graph_route = GraphRoute(store, self.embed, settings.spacy_model)
        self.dense_route = DenseRoute(
            store, self.embed, self.split, settings.spacy_model,
            rerank=make_reranker(settings), embed_names=self.embed_names,
            rough=self.embed_static, finalists=settings.sentence_finalists,
        )

    # --- shared model helpers ----------------------------------------------------------
    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        if self._embedder is None:
            from kg.embed import Embedder

            self._embedder = Embedder(self.settings)
        return self._embedder.encode(texts, workers=self.settings.query_embed_workers)

    def embed_names(self, names: list[str]) -> list[list[float]]:
        """A question's names in the entity names' space (the store's name embedder)."""
        if self._names is None:
            from kg.name_embed import name_encoder

            settings = self.settings.with_overrides(name_embedder=self.store.name_embedder or None)
            if settings.name_embedder == "same":
                return self.embed(names)
            self._names = VectorCache(name_encoder(settings, lambda: self._encode))
        return self._names(names)

    def embed_static(self, texts: list[str]) -> list[list[float]]:
        """The static model distilled from the chunk embedder (kg.name_embed): a rough,
        nearly free similarity, to shortlist what the chunk embedder then compares."""
        if self._static is None:
            from kg.name_embed import StaticNames

            try:
                self._static = StaticNames(self.settings).encode
            except (RuntimeError, OSError) as exc:  # no model2vec: every candidate is compared
                print(f"kgqa: answer sentences are not shortlisted: {exc}", file=sys.stderr)
                self._static = lambda texts: []
        return self._static(texts)

    def _embed_ahead(self, text: str) -> Future[list[list[float]]]:
        """Start embedding the question: both routes need its vector, and the embedder's
        arithmetic (no GIL held) overlaps parsing, linking and the graph fetch."""
        return background.pool().submit(self.embed, [text])

    def split(self, text: str) -> tuple[Paragraph, ...]:
        return paragraphs(text, self.settings.spacy_model)

    def forms(self, text: str) -> frozenset[str]:
        return word_forms(text, self.settings.spacy_model)

    def generator(self, adapter: str | None) -> Generator:
        key = adapter or self.settings.adapter or ""
        if key not in self._generators:
            self._generators[key] = make_generator(self.settings, adapter=adapter)
        return self._generators[key]

    # --- retrieval ---------------------------------------------------------------------
    def retrieve(
        self, question: str, groups: Sequence[str] = (), route: RouteChoice = "auto"
    ) -> Retrieval:
        """Link, route and fetch evidence; every store call carries `groups`."""
        groups = normalise_groups(groups)
        ahead = self._embed_ahead(question.strip())  # the text analyse() gives as info.text
        info = analyse(question, self.settings.spacy_model)
        links = link_entities(info, self.store, groups, self.embed_names)
        graph = None
        if route in ("graph", "hybrid") or (route == "auto" and needs_graph(info, links)):
            graph = self.graph_route.run(info, links, groups)
        ahead.result()  # cached now: the routes below read it; an encoding error surfaces
        if route == "auto":
            decision = decide(info, links, graph)
        else:
            decision = RouteDecision(route, f"route forced to {route}")
        dense = None
        if decision.route in ("dense", "hybrid"):
            q_vec = self.embed([info.text])[0]
            # names the graph does not know are plain words for passage matching
            cues = info.cues + [self.forms(n) for n in unlinked_names(info, links)]
            dense = self.dense_route.run(
                info.text, q_vec, groups, [c for c in cues if c], info=info, links=links
            )
        background.settle_heap()  # the models are loaded now
        return Retrieval(info, links, decision, graph, dense)

    # --- answering ---------------------------------------------------------------------
    def ask(
        self,
        question: str,
        groups: Sequence[str] = (),
        route: RouteChoice = "auto",
        adapter: str | None = None,
    ) -> Answer:
        """Answer `question` as an asker holding `groups`; `route` forces a route."""
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        r = self.retrieve(question, groups, route)
        answer = self._compose(question, r)
        use_llm = self.settings.answer_mode == "llm" or bool(adapter)
        if use_llm and not answer.refused and answer.evidence and answer.evidence[0].triple:
            answer = self._phrase(answer, adapter)
        return answer

    def _compose(self, question: str, r: Retrieval) -> Answer:
        route, reason = r.decision.route, r.decision.reason
        cand = r.graph.best if r.graph else None
        cypher = r.graph.cypher if r.graph else None
        unlinked = unlinked_names(r.info, r.links)
        unknown = unknown_names(r.info, r.links)
        why_not: list[str] = []
        if cand is not None and unknown:
            # "the capital of <a province the store lacks>" is not another province's capital
            why_not.append(f"the graph holds nothing named {', '.join(unknown)}")
            cand = None
        if cand is not None and cand.score >= compose.GRAPH_MIN and route != "dense":
            asked = r.info.asked  # several answers unless the relation has only one
            many = asked is not None and (asked.plural or not lexicon().one_answer(
                asked.relations, asked.answer_is_subject))
            return compose.graph_answer(question, route, reason, cand, cypher,
                                        r.graph.candidates if many and r.graph else ())
        if cand is not None:
            why_not.append(f"best relation path scores {cand.score:.2f}")
        opposite = r.graph.opposite if r.graph else []
        if opposite:
            why_not.append("the graph states the asked relation only the other way round ("
                           + "; ".join(f"{t.subject} {t.predicate} {t.object}"
                                       for t in opposite[:3]) + ")")
            return Answer.refusal(question, route, f"{reason}; refused: {'; '.join(why_not)}",
                                  cypher)
        if r.graph is not None and cand is None:
            why_not.append("no relation path fits")
        hit = r.dense.best if r.dense else None
        if hit is not None:
            problem = compose.dense_supported(
                hit, r.info, unlinked, r.links, self.forms(f"{hit.heading}. {hit.span}"),
                names_in(hit.span, self.settings.spacy_model),
                tuple(r.graph.ruled_out.values()) if r.graph else (),
            )
            if problem is None:
                return compose.dense_answer(question, route, reason, hit, r.dense)
            why_not.append(problem)
        elif r.dense is not None:
            why_not.append("no visible passage matches")
        detail = "; ".join(why_not) or "nothing retrieved"
        return Answer.refusal(question, route, f"{reason}; refused: {detail}", cypher)

    def _phrase(self, answer: Answer, adapter: str | None) -> Answer:
        """Let the generator phrase the answer; keep it only if it still names the entity."""
        facts = [ev.text for ev in answer.evidence]
        phrased = phrase_answer(self.generator(adapter), answer.question, answer.answer, facts)
        if phrased is None:
            note = "; generator phrasing dropped the answer's entity, extractive answer kept"
            return answer.model_copy(update={"reason": answer.reason + note})
        return answer.model_copy(
            update={"answer": phrased, "reason": answer.reason + "; phrased by the generator"}
        )

    def subgraph(self, answer: Answer) -> list[StoredTriple]:
        """The evidence's edges (for drawing): one StoredTriple per triple evidence."""
        out: list[StoredTriple] = []
        for ev in answer.evidence:
            if ev.triple:
                s, p, o = ev.triple
                out.append(StoredTriple(s, p, o, entity_key(s), entity_key(o), ev.doc, ev.chunk,
                                        ev.text))
        return out
