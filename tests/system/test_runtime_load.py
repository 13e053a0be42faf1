"""The runtime under load and faults, against llmock on 127.0.0.1: 32 threads, 2,000 completions.

The primary endpoint is limited to 60 requests per minute and fails 20% of the
time; a spare endpoint takes the rest. The limiter is checked from the time
stamp of every request it let through: no 60-second window, anywhere in the
run, holds more than the limit, however long the run takes. Bounded: a fixed
number of calls; the time limit on the whole run is only a safety stop.
"""

from __future__ import annotations

import json
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest

llmock_testing = pytest.importorskip("llmock.testing")
from llmock.chaos import ChaosSettings  # noqa: E402

from helpers import busiest_window  # noqa: E402
from pbcfg.runtime import RuntimeFailure, load_runtime  # noqa: E402
from pbcfg.runtime.limiter import MemoryWindow  # noqa: E402

CALLS, THREADS, LIMIT = 2000, 32, 60
FIGURES: dict = {}  # read by docs/RELIABILITY.md's author; printed at the end of the run


class RecordingWindow(MemoryWindow):
    """The limiter as the runtime uses it, recording the time stamp of each request it lets through."""

    def __init__(self) -> None:
        super().__init__(time.monotonic)
        self.admitted: list[float] = []
        self._recording = threading.Lock()

    def acquire(self, key: str, limit: int, cost: int = 1) -> float | None:
        with self._recording:  # one acquire at a time, so the newest event is this one's
            wait = super().acquire(key, limit, cost)
            if wait is None and key == "primary:requests":
                self.admitted.append(self._events[key][-1][0])
        return wait


def test_busiest_window_counts_a_sliding_window():
    assert busiest_window([0.0, 59.9, 60.0, 119.9]) == 2
    assert busiest_window([0.0, 30.0, 59.999, 60.0]) == 3
    assert busiest_window([]) == 0


def test_load_with_a_rate_limited_flaky_primary(tmp_path):
    with (
        llmock_testing.LLMockServer(chaos=ChaosSettings(error_rate_500=0.2)) as primary,
        llmock_testing.LLMockServer() as spare,
    ):
        (tmp_path / "credentials.json").write_text(
            json.dumps(
                {
                    "endpoints": {
                        "primary": {"apiKey": "EMPTY", "baseUrl": primary.base_url("openai")},
                        "spare": {"apiKey": "EMPTY", "baseUrl": spare.base_url("openai")},
                    }
                }
            )
        )
        (tmp_path / "llm-config.json").write_text(
            json.dumps(
                {
                    "endpoints": {
                        "primary": {
                            "enabled": True,
                            "protocol": "openai",
                            "priority": 1,
                            "rateLimit": {"requestsPerMinute": LIMIT},
                        },
                        "spare": {"enabled": True, "protocol": "openai", "priority": 2},
                    },
                    "models": {
                        "gpt-4o": {
                            "displayName": "g",
                            "endpoints": ["primary", "spare"],
                            "costPer1kTokens": {"input": 0, "output": 0},
                        }
                    },
                    "tiers": {"simple": {"primary": "gpt-4o", "fallback": []}},
                    "defaults": {"maxRetries": 1, "retryDelayMs": 0, "timeout": 10000},
                }
            )
        )
        window = RecordingWindow()
        runtime = load_runtime(tmp_path, env={}, cooldown=0.05, max_wait=0, window=window)
        messages = [{"role": "user", "content": "hi"}]
        outcomes: list = [None] * CALLS  # one small tag per call: results are checked, then let go
        violations: list = []
        lock = threading.Lock()
        calls_made = [0]

        def check(attempts) -> None:
            """Fallbacks happen exactly when the rules say."""
            if attempts[-1].outcome != "ok":
                violations.append(attempts)
            for attempt, following in zip(attempts, attempts[1:]):
                if attempt.endpoint == "primary" and attempt.outcome in ("rate-limited", "cooldown", "failed"):
                    if following.endpoint != "spare":
                        violations.append(attempts)
                if attempt.outcome == "retry" and (following.endpoint != attempt.endpoint or attempt.status != 500):
                    violations.append(attempts)
            if attempts[-1].endpoint == "spare" and (
                attempts[0].endpoint != "primary" or attempts[-2].outcome not in ("rate-limited", "cooldown", "failed")
            ):
                violations.append(attempts)

        def call(index: int):
            with lock:
                calls_made[0] += 1
            try:
                result = runtime.complete(messages, tier="simple")
                check(result.attempts)
                outcomes[index] = result.endpoint
            except RuntimeFailure:
                outcomes[index] = "error"

        for index in range(200):  # warm-up, outside the memory measurement
            call(index)
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(call, range(200, CALLS)))
        elapsed = time.monotonic() - started
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        primary_requests = len(primary.state.journal.records())

    # every call returned once or raised once: none lost, none duplicated
    assert calls_made[0] == CALLS and all(outcome is not None for outcome in outcomes)
    # no 60-second window of the primary ever held more than its limit, by the stamps of the requests let through;
    # and exactly those requests reached the server
    busiest = busiest_window(window.admitted)
    assert busiest <= LIMIT, busiest
    assert primary_requests == len(window.admitted)
    assert violations == []
    served = sum(outcome != "error" for outcome in outcomes)
    assert outcomes.count("primary") + outcomes.count("spare") == served
    # memory stays flat: what pbcfg's code still holds after 1,800 more calls
    growth = sum(
        stat.size_diff
        for stat in after.compare_to(before, "traceback")
        if any("/toolkit/" in frame.filename for frame in stat.traceback)
    )
    assert growth < 256 * 1024, growth  # a leak of 150 bytes a call would exceed it
    FIGURES.update(
        calls=CALLS,
        served=served,
        primary_requests=primary_requests,
        busiest_window=busiest,
        limit_violations=max(0, busiest - LIMIT),
        seconds=round(elapsed, 1),
        memory_growth_kib=round(growth / 1024, 1),
    )
    print("\nload figures:", FIGURES)
