"""A sliding-window rate limit per client, in memory (an IP address is never written to disk).

Bounded: at most ``max_clients`` are tracked; past that the ones idle longest are forgotten first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimit:
    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.max_clients, self.clock = limit, window, max_clients, clock
        self.hits: OrderedDict[str, deque[float]] = OrderedDict()
        self.lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one request of ``client``; False once it made ``limit`` in the last ``window`` seconds."""
        now = self.clock()
        with self.lock:
            hits = self.hits.pop(client, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(now)
            self.hits[client] = hits  # most recently seen last
            while len(self.hits) > self.max_clients:
                self.hits.popitem(last=False)
            return allowed

    def retry_after(self, client: str) -> int:
        with self.lock:
            hits = self.hits.get(client)
            if not hits:
                return 0
            return max(1, int(hits[0] + self.window - self.clock()) + 1)
