"""The `kgqa` command line. Only argument parsing lives here; each command's work is in
ui/commands/, imported when the command runs so `kgqa --help` stays fast."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kg.models import ADMIN
from kg.settings import Settings

# command -> (module in ui.commands, function)
HANDLERS: dict[str, tuple[str, str]] = {
    "ingest": ("store_cmds", "run_ingest"),
    "delete": ("store_cmds", "run_delete"),
    "stats": ("store_cmds", "run_stats"),
    "triples": ("store_cmds", "run_triples"),
    "cypher": ("store_cmds", "run_cypher"),
    "ask": ("ask_cmd", "run_ask"),
    "export": ("train_cmds", "run_export"),
    "train": ("train_cmds", "run_train"),
    "eval": ("train_cmds", "run_eval"),
    "serve": ("serve_cmd", "run_serve"),
    "ui": ("serve_cmd", "run_serve"),
}


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _store_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("store")
    g.add_argument("--store", help="store folder (env KGQA_STORE, default ./kgqa-store)")
    g.add_argument(
        "--store-start-timeout", type=float, metavar="SECONDS",
        help="wait this long for the store's server to load (env KGQA_STORE_START_TIMEOUT_S, "
        "default 300)",
    )
    g.add_argument(
        "--embedding-precision", choices=["auto", "fp32", "bf16"],
        help="chunk and question embedder's arithmetic (env KGQA_EMBEDDING_PRECISION, default "
        "auto: bf16 on CPUs with AVX512-BF16 or AMX, ~1.7x faster, else fp32); a store "
        "built with one precision reads with the other",
    )
    g.add_argument(
        "--embedding-backend", choices=["auto", "torch", "onnx"],
        help="what runs the embedder (env KGQA_EMBEDDING_BACKEND, default auto: onnxruntime "
        "in fp32, the same vectors as torch and a third to two thirds of the time on short "
        "texts); stores read alike with either",
    )
    g.add_argument("--neo4j-uri", help="use Neo4j at this bolt:// or neo4j:// URI")
    g.add_argument("--neo4j-user")
    g.add_argument("--neo4j-password")
    g.add_argument("--neo4j-database")
    return p


INGEST = (
    "Ingest files and folders (recursively; hidden files skipped). A folder holding a "
    ".kgqa-groups file (one group per line, # comments) gives every document in it or below "
    "it exactly those groups, whatever --groups says; the nearest such file wins. One bad "
    "file never stops the others: it gets an error entry with the reason."
)
INGEST_EXIT = (
    "Exit codes: 0 every file ingested or unchanged; 1 some files failed (each named on "
    "stderr; every other file is committed first) or the embedding model would not load; "
    "3 the store would not open or holds embeddings of another size (nothing written)."
)
ASKER = (
    "Who asks: the public (sees only documents without access groups) unless --groups or "
    "--admin is given; the same default for every command that reads the store."
)


def _asker_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_mutually_exclusive_group()  # the command's description says the default
    g.add_argument("--groups", type=_csv, default=[], metavar="G1,G2",
                   help="ask as a member of these access groups (comma-separated)")
    g.add_argument("--admin", action="store_true",
                   help="ask as the operator, who sees every document")
    return p


def asker(args: argparse.Namespace) -> list[str]:
    """The asker's groups from --groups / --admin: public ([]) when neither is given."""
    return [ADMIN] if getattr(args, "admin", False) else list(args.groups)


def build_parser() -> argparse.ArgumentParser:
    common = _store_options()
    reader = [common, _asker_options()]
    parser = argparse.ArgumentParser(
        prog="kgqa", description="Knowledge-graph question answering, offline by default."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common], help="ingest files and folders",
                       description=INGEST, epilog=INGEST_EXIT)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--groups", type=_csv, default=[],
                   help="access groups (comma-separated) of the documents no .kgqa-groups "
                        "file covers (default: none, i.e. public)")
    p.add_argument("--chunk-size", type=int)
    p.add_argument("--extractor", choices=["spacy", "llm"])
    p.add_argument("--extract-process", choices=["auto", "on", "off"],
                   help="extract triples in a child process (env KGQA_EXTRACT_PROCESS; "
                        "auto: when there is more than one batch of chunks)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("delete", parents=[common], help="remove a document and what it derived")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("stats", parents=reader, description=ASKER,
                       help="count documents, chunks, entities, triples the asker may see")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("triples", parents=reader, description=ASKER,
                       help="list the stored triples the asker may see")
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("cypher", parents=reader, description=ASKER,
                       help="run a read-only Cypher query on what the asker may see")
    p.add_argument("query")
    p.add_argument("--params", default="{}", help="query parameters as a JSON object")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("ask", parents=reader, description=ASKER,
                       help="answer a question from what the asker may see")
    p.add_argument("question", nargs="?")
    p.add_argument("--file", help="JSONL of {q, groups?}: one answer line per question "
                                  "(a line's groups replace the asker's)")
    p.add_argument("--route", choices=["auto", "graph", "dense", "hybrid"], default="auto")
    p.add_argument("--mode", choices=["extractive", "llm"], help="answer phrasing")
    p.add_argument("--adapter", help="LoRA adapter folder for the generator")
    p.add_argument("--model", help="generator: GGUF path, HF name or folder")
    p.add_argument("--endpoint", help="OpenAI-compatible endpoint for the generator")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", parents=reader, description=ASKER,
                       help="export QA pairs from what the asker may see")
    p.add_argument("--format", choices=["chat", "alpaca", "sharegpt", "hf"], default="chat")
    p.add_argument("--out", required=True,
                   help="a folder (one file per split), or FILE.jsonl / FILE.json (one file, "
                        "every record tagged with its split)")
    p.add_argument("--split-only", choices=["train", "validation", "test", "reverse_holdout"],
                   help="write only this split")
    p.add_argument("--no-reverse", action="store_true")
    p.add_argument("--hops", type=int, choices=[1, 2], default=1)
    p.add_argument("--paraphrases", type=int, default=1)
    p.add_argument("--split", default="0.8,0.1,0.1", help="train,validation,test fractions")
    p.add_argument("--holdout-reverse", type=float, default=0.0,
                   help="share of facts whose reverse pairs are held out of training")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("train", help="LoRA fine-tune the generator on chat-format data")
    p.add_argument("--data", required=True,
                   help="chat JSONL/JSON file (its train split if records carry one) "
                        "or an export folder holding train.jsonl")
    p.add_argument("--out", required=True)
    p.add_argument("--base", help="base model (default: the offline SmolLM2-135M-Instruct)")
    p.add_argument("--epochs", type=float, default=3.0)
    p.add_argument("--max-steps", type=int, default=-1)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--save-steps", type=int, default=50)
    p.add_argument("--merge", action="store_true", help="also save a merged model")
    p.add_argument("--threads", type=int, help="CPU threads (default: all cores but one)")

    p = sub.add_parser("eval", parents=[common], help="evaluations")
    p.add_argument("which", choices=["reversal"])
    p.add_argument("--facts", help="facts file (default: the reversal-curse p2d facts)")
    p.add_argument("--corpus", help="a document folder (e.g. samples) instead of the p2d facts")
    p.add_argument("--groups", type=_csv, default=[],
                   help="corpus mode: ingest its subfolders too, for these groups")
    p.add_argument("--limit", type=int,
                   help="p2d: the first N people; corpus: N facts drawn with the seed")
    p.add_argument("--epochs", type=float, help="training epochs per condition (default 25)")
    p.add_argument("--rank", type=int, help="LoRA rank (default 16)")
    p.add_argument("--threads", type=int, help="CPU threads (default: all cores but one)")
    p.add_argument("--conditions", type=_csv,
                   help="comma-separated subset of forward_only,both,holdout_half")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write the JSON results here")

    for name in ("serve", "ui"):
        p = sub.add_parser(name, parents=[common], help="serve the HTTP API and the Gradio app")
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=7860)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Env vars first, then the flags the user gave."""
    return Settings().with_overrides(
        store=getattr(args, "store", None),
        store_start_timeout_s=getattr(args, "store_start_timeout", None),
        embedding_precision=getattr(args, "embedding_precision", None),
        embedding_backend=getattr(args, "embedding_backend", None),
        neo4j_uri=getattr(args, "neo4j_uri", None),
        neo4j_user=getattr(args, "neo4j_user", None),
        neo4j_password=getattr(args, "neo4j_password", None),
        neo4j_database=getattr(args, "neo4j_database", None),
        chunk_size=getattr(args, "chunk_size", None),
        extractor=getattr(args, "extractor", None),
        extract_process=getattr(args, "extract_process", None),
        answer_mode=getattr(args, "mode", None),
        adapter=getattr(args, "adapter", None),
        generator_model=getattr(args, "model", None),
        generator_endpoint=getattr(args, "endpoint", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module_name, func_name = HANDLERS[args.command]
    module = importlib.import_module(f"ui.commands.{module_name}")
    try:
        return int(getattr(module, func_name)(args, settings_from_args(args)) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
