"""Keep one folder's FalkorDB server running for as long as its store is open.

The supervisor thread starts the server, and every restart, itself: the parent-death
signal (setpriv, see ServerLimits.launcher) follows the thread that forked, so the server
must be forked by a thread that lives as long as the store. Every POLL_S it checks that
the server still runs and that no user query is past its time limit plus GRACE_S: the
database checks its time limit between records, not inside one expression (a `reduce`
over a `range` runs on), so such a query is ended by restarting the server on the same
folder. Requests meanwhile get StoreUnavailable (HTTP 503).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

POLL_S = 0.1
GRACE_S = 5.0  # past a user query's own limit before the server is restarted
MAX_BACKOFF_S = 30.0
OVERDUE = "a query ran past its time limit and the database did not stop it"


class Watch:
    """One watched query; `overdue` tells its caller why the connection broke."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.overdue = False  # this query is why the server is restarted
        self.bystander = False  # another query was: this one's connection ends with it


class Supervisor:
    """Runs `spawn` (start the server and wait until it answers) in its own thread, then
    restarts through `kill` + `spawn` when `alive()` turns false or a watch is overdue."""

    def __init__(
        self,
        name: str,
        spawn: Callable[[threading.Event], None],
        kill: Callable[[], None],
        alive: Callable[[], bool],
    ) -> None:
        self.name = name
        self._spawn, self._kill, self._alive = spawn, kill, alive
        self.state = "stopped"  # starting | ok | restarting | failed | stopped
        self.generation = 0  # bumped by every (re)start: clients reconnect when it moves
        self.restarts = 0
        self.last_reason = ""
        self._watches: dict[int, Watch] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._released = threading.Event()
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"supervise {name}", daemon=True)

    # ---- owner side ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the server from the supervisor thread; return once it answers."""
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            self.release()
            raise self._error

    def pause(self) -> None:
        """No more restarts (the owner is about to stop the server)."""
        self._stopping.set()

    def release(self) -> None:
        """The server is stopped: let the thread (its parent) end."""
        self._stopping.set()
        self._released.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)
        self.state = "stopped"

    @contextmanager
    def watch(self, seconds: float) -> Iterator[Watch]:
        """Around one user query that the database should stop after `seconds`."""
        key, watch = next(self._ids), Watch(time.monotonic() + seconds + GRACE_S)
        with self._lock:
            self._watches[key] = watch
        try:
            yield watch
        finally:
            with self._lock:
                self._watches.pop(key, None)

    def info(self) -> dict[str, object]:
        return {
            "state": self.state,
            "restarts": self.restarts,
            "last_restart_reason": self.last_reason,
        }

    # ---- the thread ---------------------------------------------------------------------
    def _run(self) -> None:
        self.state = "starting"
        try:
            self._spawn(self._stopping)
        except BaseException as e:  # reported to start()'s caller
            self._error, self.state = e, "failed"
            self._started.set()
            return
        self.state, self.generation = "ok", 1
        self._started.set()
        while not self._stopping.wait(POLL_S):
            reason = self._problem()
            if reason:
                self._restart(reason)
        self._released.wait()  # the server must not get its parent-death signal early

    def _problem(self) -> str:
        if self._stopping.is_set():  # the owner is stopping the server itself
            return ""
        if not self._alive():
            return "the server process ended"
        now = time.monotonic()
        with self._lock:
            overdue = [w for w in self._watches.values() if now > w.deadline]
            for watch in overdue:
                watch.overdue = True
        if overdue:
            return OVERDUE
        return ""

    def _restart(self, reason: str) -> None:
        overdue_restart = reason == OVERDUE
        log.warning("FalkorDB for %s: %s; restarting it on the same folder", self.name, reason)
        self.state, self.last_reason = "restarting", reason
        with self._lock:
            for watch in self._watches.values():  # their connections end with the server
                watch.bystander = overdue_restart and not watch.overdue
            self._watches.clear()
        delay = 0.5
        while not self._stopping.is_set():
            try:
                self._kill()
                self._spawn(self._stopping)
            except Exception as e:  # keep trying: the folder may be busy for a moment
                if self._stopping.is_set():
                    return
                self.state, self.last_reason = "failed", f"{reason}; restart failed: {e}"
                log.error("FalkorDB for %s: restart failed: %s", self.name, e)
                self._stopping.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
                continue
            self.restarts += 1
            self.generation += 1
            self.state = "ok"
            return
