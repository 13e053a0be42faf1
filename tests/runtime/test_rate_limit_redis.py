"""Rate limits and cooldowns shared through a real redis-server on 127.0.0.1, and what happens when it goes away."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("llmock.testing")
from llmock.testing import LLMockServer  # noqa: E402

from helpers import closed_port  # noqa: E402
from pbcfg.runtime import load_runtime  # noqa: E402
from pbcfg.runtime.limiter import shared_state  # noqa: E402
from servers import redis_server  # noqa: E402

pytestmark = pytest.mark.slow  # against a real redis-server and llmock on 127.0.0.1

WORKER = """
import sys
from pbcfg.runtime import RateLimited, load_runtime
runtime = load_runtime(sys.argv[1], env={}, rate_limit_storage=sys.argv[2])
for _ in range(4):
    try:
        runtime.complete([{"role": "user", "content": "hi"}], tier="simple", max_wait=0)
        print("ok", flush=True)
    except RateLimited:
        print("limited", flush=True)
"""
HI = [{"role": "user", "content": "hi"}]


def write_config(directory, base_url: str, requests_per_minute: int = 5) -> None:
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {"openai-compatible": {"apiKey": "EMPTY", "baseUrl": base_url}}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    "openai-compatible": {"enabled": True, "rateLimit": {"requestsPerMinute": requests_per_minute}}
                },
                "models": {
                    "gpt-4o": {
                        "displayName": "g",
                        "endpoints": ["openai-compatible"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
                "tiers": {"simple": {"primary": "gpt-4o", "fallback": []}},
            }
        )
    )


def test_two_processes_share_one_limit(redis_url, redis_client, tmp_path):
    with LLMockServer() as server:
        write_config(tmp_path, server.base_url("openai"))
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, str(tmp_path), redis_url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [worker.communicate(timeout=60) for worker in workers]
        served = len(server.state.journal.records())
    lines = [line for out, _ in outputs for line in out.split()]
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in outputs]
    assert (lines.count("ok"), lines.count("limited")) == (5, 3)
    assert served == 5


def test_cooldowns_are_keyed_per_endpoint_and_per_model(redis_url, redis_client):
    _, cooldowns = shared_state(redis_url)
    cooldowns.cool("proxy", "gpt-4o", 30)
    cooldowns.cool("a", "b:c", 30)
    assert 0 < cooldowns.remaining("proxy", "gpt-4o") <= 30
    assert cooldowns.remaining("proxy", "gpt-4o-mini") == 0  # a proxy's other models stay in play
    assert cooldowns.remaining("other", "gpt-4o") == 0
    assert cooldowns.remaining("a:b", "c") == 0  # the key keeps the endpoint and the model apart
    cooldowns.cool("proxy", None, 5)  # the whole endpoint
    assert 0 < cooldowns.remaining("proxy", "gpt-4o-mini") <= 5
    assert 5 < cooldowns.remaining("proxy", "gpt-4o") <= 30  # the longer of the two


def test_a_cooldown_lasts_what_redis_holds_not_a_local_clock(redis_url, redis_client):
    _, cooldowns = shared_state(redis_url, clock=lambda: 0.0)  # a stopped local clock changes nothing
    cooldowns.cool("e", "m", 2.5)
    (key,) = redis_client.keys("pbcfg:cooldown:*")
    assert key == b"pbcfg:cooldown:1:e:m"
    assert 0 < redis_client.pttl(key) <= 2500
    redis_client.pexpire(key, 1)  # as if the time had passed
    deadline = time.monotonic() + 10
    while redis_client.exists(key) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cooldowns.remaining("e", "m") == 0


def test_sync_and_async_workers_share_windows_and_cooldowns(redis_url, redis_client):
    window, cooldowns = shared_state(redis_url)

    async def run():
        assert await window.aacquire("e:requests", 3) is None
        assert window.acquire("e:requests", 3) is None
        assert await window.aacquire("e:requests", 3) is None
        wait = await window.aacquire("e:requests", 3)  # the fourth in a minute
        window.record("e:tokens", 120)
        await window.arecord("e:tokens", 80)
        tokens = await window.aused("e:tokens")
        cooldowns.cool("e", "m", 30)
        remaining = await cooldowns.aremaining("e", "m")
        await cooldowns.acool("f", None, 30)
        return wait, tokens, remaining

    other_window, other_cooldowns = shared_state(redis_url)  # another worker
    wait, tokens, remaining = asyncio.run(run())
    assert 0 < wait <= 60
    assert other_window.acquire("e:requests", 3) > 0
    assert (tokens, other_window.used("e:tokens")) == (200, 200)
    assert 0 < remaining <= 30
    assert 0 < other_cooldowns.remaining("f", "any") <= 30


def test_redis_refused_falls_back_to_this_process_and_says_so_once(caplog):
    caplog.set_level(logging.WARNING, "pbcfg.runtime")
    port = closed_port()  # nothing listens there
    window, cooldowns = shared_state(f"redis://:hunter2-secret@127.0.0.1:{port}/0")
    assert [window.acquire("e:requests", 2) for _ in range(2)] == [None, None]
    assert window.acquire("e:requests", 2) > 0  # the local window holds the limit
    cooldowns.cool("e", "m", 30)
    assert 0 < cooldowns.remaining("e", "m") <= 30
    assert [record.getMessage() for record in caplog.records] == [
        f"pbcfg: Redis at redis://127.0.0.1:{port}/0 did not answer (ConnectionError); rate limits and cooldowns "
        "are kept in this process until it does"
    ]
    assert "hunter2" not in caplog.text


def test_redis_refused_in_async_falls_back_too(caplog):
    caplog.set_level(logging.WARNING, "pbcfg.runtime")
    window, cooldowns = shared_state(f"redis://127.0.0.1:{closed_port()}")

    async def run():
        admitted = [await window.aacquire("e:requests", 2) for _ in range(3)]
        await cooldowns.acool("e", None, 30)
        return admitted, await cooldowns.aremaining("e", "m")

    admitted, remaining = asyncio.run(run())
    assert admitted[:2] == [None, None] and admitted[2] > 0
    assert 0 < remaining <= 30
    assert len(caplog.records) == 1 and "did not answer (ConnectionError)" in caplog.records[0].getMessage()


def test_a_paused_redis_times_out_and_the_call_is_answered(tmp_path, caplog):
    caplog.set_level(logging.WARNING, "pbcfg.runtime")
    with redis_server() as (url, process), LLMockServer() as server:
        write_config(tmp_path, server.base_url("openai"), requests_per_minute=100)
        runtime = load_runtime(tmp_path, env={}, rate_limit_storage=url + "/0?socket_timeout=0.2")
        assert runtime.complete(HI, tier="simple").endpoint == "openai-compatible"
        os.kill(process.pid, signal.SIGSTOP)
        answers = [runtime.complete(HI, tier="simple").endpoint for _ in range(3)]
        os.kill(process.pid, signal.SIGCONT)
    assert answers == ["openai-compatible"] * 3
    assert [record.getMessage().split(" (")[1][:13] for record in caplog.records] == ["TimeoutError)"]


def test_redis_killed_mid_run_every_call_is_still_answered(tmp_path, caplog):
    caplog.set_level(logging.WARNING, "pbcfg.runtime")
    with redis_server() as (url, process), LLMockServer() as server:
        write_config(tmp_path, server.base_url("openai"), requests_per_minute=6)
        runtime = load_runtime(tmp_path, env={}, rate_limit_storage=url)
        before = [runtime.complete(HI, tier="simple").endpoint for _ in range(4)]  # 4 slots taken in Redis
        process.kill()
        process.wait(timeout=10)
        after = []
        for _ in range(8):
            try:
                after.append(runtime.complete(HI, tier="simple", max_wait=0).endpoint)
            except Exception as failure:  # noqa: BLE001 - a classified failure is the other allowed ending
                after.append(type(failure).__name__)
        served = len(server.state.journal.records())
    assert before == ["openai-compatible"] * 4
    # this process's own window takes over, holding the 4 slots it took in Redis: 2 more, then the limit holds
    assert after == ["openai-compatible"] * 2 + ["RateLimited"] * 6
    assert served == 6
    assert len(caplog.records) == 1 and "did not answer (ConnectionError)" in caplog.records[0].getMessage()
