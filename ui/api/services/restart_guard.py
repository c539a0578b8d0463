"""Who may not send Cypher for a while: an asker whose query made the graph database restart.

A query that runs past its limit without the database stopping it is ended by restarting the
server, and one that exhausts the server's memory kills it (the supervisor restarts it); the
store answers 503 to everyone meanwhile. So the asker whose query was running when that
happened (kg.stores.base.RestartedByQuery) is refused further Cypher for
Settings.cypher_restart_cooldown_s with 429 and Retry-After; answers, listings and other
askers are not affected. An asker is an API key; every caller without one is the one
asker `public`, so the public as a whole can force at most one restart per cool-down.
"""

from __future__ import annotations

import math
import threading
import time

from ui.api.auth import Principal
from ui.api.errors import TooManyRequests


class RestartGuard:
    def __init__(self, cooldown_s: float) -> None:
        self.cooldown_s = max(0.0, cooldown_s)
        self._until: dict[str, tuple[float, str]] = {}  # asker -> (monotonic end, why)
        self._lock = threading.Lock()

    def check(self, principal: Principal) -> None:
        """Refuse (429) an asker still cooling down."""
        with self._lock:
            until, why = self._until.get(principal.name, (0.0, ""))
            left = until - time.monotonic()
            if left <= 0:
                self._until.pop(principal.name, None)
                return
        wait = math.ceil(left)
        raise TooManyRequests(
            f"your last Cypher query made the graph database restart ({why}); Cypher is "
            f"refused for {principal.name!r} for {wait} s more (answers through /api/ask "
            "still work)",
            retry_after=wait,
        )

    def blame(self, principal: Principal, why: str) -> None:
        if self.cooldown_s > 0:
            with self._lock:
                self._until[principal.name] = (time.monotonic() + self.cooldown_s, why)
