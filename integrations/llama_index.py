"""kgqa inside llama-index: a retriever and a query engine over QAService's routed retrieval.

A llama-index app keeps its own code and swaps its engine for `KGQAQueryEngine`: answers are
kgqa's (graph or passage, refusals included), every store call carries the asker's groups,
and each source node says which document, chunk, triple, route and reason it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import ConfigDict

from qa.models import Answer, RouteChoice
from qa.service import QAService


def answer_nodes(answer: Answer) -> list[NodeWithScore]:
    """One node per piece of evidence, with kgqa's provenance in its metadata."""
    nodes = []
    for ev in answer.evidence:
        metadata = {
            "doc": ev.doc, "chunk": ev.chunk, "triple": ev.triple,
            "route": answer.route, "reason": answer.reason,
        }  # fmt: skip
        node = TextNode(text=ev.text, metadata=metadata,
                        excluded_llm_metadata_keys=["reason", "route"])  # fmt: skip
        nodes.append(NodeWithScore(node=node, score=ev.score))
    return nodes


class KGQARetriever(BaseRetriever):
    """llama-index retriever: kgqa routes the question and returns the evidence it answers
    from (no nodes when it refuses), as an asker holding `groups`."""

    def __init__(
        self,
        service: QAService,
        groups: Sequence[str] = (),
        route: RouteChoice = "auto",
        adapter: str | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        self.service = service
        self.groups = tuple(groups)
        self.route: RouteChoice = route
        self.adapter = adapter
        super().__init__(callback_manager=callback_manager)

    def answer(self, question: str) -> Answer:
        return self.service.ask(question, self.groups, self.route, adapter=self.adapter)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return answer_nodes(self.answer(query_bundle.query_str))


class KGQAQueryEngine(CustomQueryEngine):
    """llama-index query engine answering with kgqa's answer, refusal included; the
    Response's metadata carries `refused`, `route`, `reason` and `cypher`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: KGQARetriever

    @classmethod
    def from_service(cls, service: QAService, groups: Sequence[str] = (), **kw: Any):
        return cls(retriever=KGQARetriever(service, groups, **kw))

    def custom_query(self, query_str: str) -> Response:
        answer = self.retriever.answer(query_str)
        metadata = {"refused": answer.refused, "route": answer.route,
                    "reason": answer.reason, "cypher": answer.cypher}  # fmt: skip
        return Response(answer.answer, source_nodes=answer_nodes(answer), metadata=metadata)
