"""A fleet of four worker processes sharing a real redis-server on 127.0.0.1, against llmock; and 1,000 async calls
at once in one process, its limits in memory or in Redis.

Everything is checked from what was recorded: each llmock server's journal (the time stamp of every request it
received, on the machine's monotonic clock, which every process shares) and each call's attempts. No assertion is on
how long anything took.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

llmock_testing = pytest.importorskip("llmock.testing")
from llmock.scenarios import Fail  # noqa: E402

from helpers import busiest_window  # noqa: E402
from pbcfg.runtime import RuntimeFailure, load_runtime  # noqa: E402

WORKERS = 4
RETRY_AFTER = 4  # seconds, as the failing server asks; the workers' own cooldown is 60 s

WORKER = r"""
import json, sys, threading, time
from pbcfg.runtime import RuntimeFailure, load_runtime

config, storage, mode = sys.argv[1:4]
runtime = load_runtime(config, env={}, rate_limit_storage=storage, cooldown=60)


def call():
    try:
        answer = runtime.complete([{"role": "user", "content": "hi"}], tier="simple", max_wait=0)
        ending, attempts = answer.endpoint, answer.attempts
    except RuntimeFailure as failure:
        ending, attempts = type(failure).__name__, failure.attempts
    return [ending, [[attempt.endpoint, str(attempt.outcome)] for attempt in attempts]]


print("ready", flush=True)
sys.stdin.readline()
results = []
if mode == "burst":  # 6 threads of 5 calls each
    def run():
        for _ in range(5):
            results.append(call())
    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
elif mode == "once":
    results.append(call())
else:  # until the flaky endpoint answers again (a bound on calls, not on time)
    for _ in range(5000):
        results.append(call())
        if results[-1][0] == "flaky":
            break
        time.sleep(0.01)
print(json.dumps(results), flush=True)
"""


def write_config(directory, servers: dict, limits: dict, max_retries: int = 0) -> None:
    (directory / "credentials.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    name: {"apiKey": "EMPTY", "baseUrl": server.base_url("openai")} for name, server in servers.items()
                }
            }
        )
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    name: {
                        "enabled": True,
                        "protocol": "openai",
                        "priority": index + 1,
                        **({"rateLimit": {"requestsPerMinute": limits[name]}} if name in limits else {}),
                    }
                    for index, name in enumerate(servers)
                },
                "models": {
                    "gpt-4o": {
                        "displayName": "g",
                        "endpoints": list(servers),
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
                "tiers": {"simple": {"primary": "gpt-4o", "fallback": []}},
                "defaults": {"maxRetries": max_retries, "retryDelayMs": 0, "timeout": 10000},
            }
        )
    )


def start(directory, storage: str, mode: str) -> subprocess.Popen:
    """A worker process, loaded and waiting for a line on its stdin to start."""
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(directory), storage, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline() == "ready\n", worker.stderr.read()
    return worker


def go(workers: list) -> None:
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()


def results(worker: subprocess.Popen) -> list:
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    assert err == ""  # no warning: Redis answered throughout
    return json.loads(out)


def test_four_processes_never_exceed_any_endpoint_limit(tmp_path, redis_url, redis_client):  # noqa: F811
    limits = {"a": 3, "b": 4, "c": 5}
    with llmock_testing.LLMockServer() as a, llmock_testing.LLMockServer() as b, llmock_testing.LLMockServer() as c:
        servers = {"a": a, "b": b, "c": c}
        write_config(tmp_path, servers, limits)
        workers = [start(tmp_path, redis_url, "burst") for _ in range(WORKERS)]
        go(workers)
        calls = [call for worker in workers for call in results(worker)]
        stamps = {
            name: [record.started_at for record in server.state.journal.records()] for name, server in servers.items()
        }
    endings = [ending for ending, _ in calls]
    # every call ended: 120 calls, answered or rate limited (each a classified failure); each endpoint served exactly
    # its limit, and no sliding 60 s window of the requests it received holds more
    assert len(calls) == WORKERS * 6 * 5
    assert {name: endings.count(name) for name in limits} == limits
    assert endings.count("RateLimited") == len(calls) - sum(limits.values())
    assert {name: len(stamps[name]) for name in limits} == limits
    assert {name: busiest_window(stamps[name]) for name in limits} == limits
    # a limited call tried each endpoint once, in order, and sent nothing
    assert all(
        attempts == [["a", "rate-limited"], ["b", "rate-limited"], ["c", "rate-limited"]]
        for ending, attempts in calls
        if ending == "RateLimited"
    )


def test_after_one_workers_500_the_fleet_skips_the_endpoint_until_it_cools(tmp_path, redis_url, redis_client):  # noqa: F811
    with llmock_testing.LLMockServer() as flaky, llmock_testing.LLMockServer() as spare:
        write_config(tmp_path, {"flaky": flaky, "spare": spare}, {})
        first = start(tmp_path, redis_url, "once")
        others = [start(tmp_path, redis_url, "until-back") for _ in range(WORKERS - 1)]
        flaky.state.scenarios.add(Fail(500, retry_after=RETRY_AFTER))
        go([first])
        (failed_call,) = results(first)
        cooldown_ms = redis_client.pttl(redis_client.keys("pbcfg:cooldown:*")[0])
        go(others)
        calls = [call for worker in others for call in results(worker)]
        flaky_records = flaky.state.journal.records()
    # the first worker's call: a 500 from flaky, then served by spare; the cooldown it wrote is the Retry-After
    assert failed_call == ["spare", [["flaky", "failed"], ["spare", "ok"]]]
    assert 0 < cooldown_ms <= RETRY_AFTER * 1000
    assert [record.status for record in flaky_records] == [500] + [200] * (WORKERS - 1)
    # the other workers skipped flaky (nothing sent) until the cooldown ended, then each went back to it
    assert all(attempts in ([["flaky", "cooldown"], ["spare", "ok"]], [["flaky", "ok"]]) for _, attempts in calls)
    assert [ending for ending, _ in calls].count("flaky") == WORKERS - 1
    assert any(attempts[0] == ["flaky", "cooldown"] for _, attempts in calls)
    # by flaky's own clock: its next request came no sooner than the Retry-After after the 500
    assert flaky_records[1].started_at - flaky_records[0].started_at >= RETRY_AFTER


ASYNC_CALLS, ASYNC_LIMITS = 1000, {"a": 50, "b": 100, "c": 150}


async def thousand_calls(runtime) -> list:
    """1,000 calls at once; each ends as the endpoint that answered or the name of its classified failure."""

    async def one():
        try:
            return (await runtime.acomplete([{"role": "user", "content": "hi"}], tier="simple", max_wait=0)).endpoint
        except RuntimeFailure as failure:
            return type(failure).__name__

    async with runtime:
        return await asyncio.gather(*(one() for _ in range(ASYNC_CALLS)))


@pytest.mark.parametrize("shared", [False, True], ids=["in-memory", "redis"])
def test_a_thousand_concurrent_async_calls_keep_every_endpoint_limit(tmp_path, request, shared):
    storage = request.getfixturevalue("redis_url") if shared else None
    if shared:
        request.getfixturevalue("redis_client")  # an empty Redis
    with llmock_testing.LLMockServer() as a, llmock_testing.LLMockServer() as b, llmock_testing.LLMockServer() as c:
        servers = {"a": a, "b": b, "c": c}
        write_config(tmp_path, servers, ASYNC_LIMITS)
        endings = asyncio.run(thousand_calls(load_runtime(tmp_path, env={}, rate_limit_storage=storage)))
        stamps = {
            name: [record.started_at for record in server.state.journal.records()] for name, server in servers.items()
        }
    # every call ended once: answered by an endpoint, or rate limited once every endpoint was full
    assert len(endings) == ASYNC_CALLS
    assert {name: endings.count(name) for name in servers} == ASYNC_LIMITS
    assert endings.count("RateLimited") == ASYNC_CALLS - sum(ASYNC_LIMITS.values())
    # each server received exactly its limit, and no sliding 60 s window of its requests holds more
    assert {name: busiest_window(stamps[name]) for name in servers} == ASYNC_LIMITS
    assert {name: len(stamps[name]) for name in servers} == ASYNC_LIMITS
