"""Rate limits per endpoint: sliding windows of 60 s, exact.

In memory by default, with an injectable clock so tests are exact and never
sleep (the ``limits`` library's memory storage reads the wall clock and runs
an expiry thread, so it cannot be driven by a test clock). Shared across
processes and hosts through ``limits`` and Redis: ``redis://host:6379``.
"""

from __future__ import annotations

import threading
import time
from collections import deque

__all__ = ["LimitsWindow", "MemoryWindow", "window_from_uri"]

WINDOW = 60.0


class MemoryWindow:
    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._events: dict[str, deque] = {}
        self._totals: dict[str, int] = {}  # running sum of each window, so a check is O(expired)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
            self._totals[key] = 0
        while events and events[0][0] <= now - WINDOW:
            self._totals[key] -= events.popleft()[1]
        return events

    def acquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        """Take ``cost`` units now: None if done, else the seconds until enough units are free."""
        with self._lock:
            now = self.clock()
            events = self._trim(key, now)
            used = self._totals[key]
            if used + cost <= limit:
                events.append((now, cost))
                self._totals[key] = used + cost
                return None
            freed = used + cost - limit
            for stamp, amount in events:
                freed -= amount
                if freed <= 0:
                    return max(stamp + WINDOW - now, 0.0)
            return WINDOW

    def used(self, key: str) -> int:
        with self._lock:
            self._trim(key, self.clock())
            return self._totals[key]

    def record(self, key: str, amount: int) -> None:
        """Count units spent without asking first (tokens, known only after the call)."""
        with self._lock:
            now = self.clock()
            self._trim(key, now).append((now, amount))
            self._totals[key] += amount


class LimitsWindow:
    """The same contract on a ``limits`` storage (Redis), as a moving window."""

    def __init__(self, uri: str) -> None:
        try:
            from limits import RateLimitItemPerMinute
            from limits.storage import storage_from_string
            from limits.strategies import MovingWindowRateLimiter
        except ImportError:
            from pbcfg.errors import MissingDependency

            raise MissingDependency("limits", "redis") from None
        self._item = RateLimitItemPerMinute
        self._limiter = MovingWindowRateLimiter(storage_from_string(uri))

    def acquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        item = self._item(limit)
        if self._limiter.hit(item, "pbcfg", key, cost=cost):
            return None
        stats = self._limiter.get_window_stats(item, "pbcfg", key)
        return max(stats.reset_time - time.time(), 0.0)

    def used(self, key: str) -> int:
        item = self._item(1_000_000_000)
        return 1_000_000_000 - self._limiter.get_window_stats(item, "pbcfg", key).remaining

    def record(self, key: str, amount: int) -> None:
        self._limiter.hit(self._item(1_000_000_000), "pbcfg", key, cost=amount)


def window_from_uri(uri: str | None, clock=time.monotonic):
    if not uri or uri == "memory://":
        return MemoryWindow(clock)
    return LimitsWindow(uri)
