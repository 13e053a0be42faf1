"""Two processes share one rate limit through a real redis-server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("llmock.testing")
from llmock.testing import LLMockServer  # noqa: E402

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


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_processes_share_one_limit(redis_url, tmp_path):
    with LLMockServer() as server:
        (tmp_path / "credentials.json").write_text(json.dumps(
            {"endpoints": {"openai-compatible": {"apiKey": "EMPTY", "baseUrl": server.base_url("openai")}}}))
        (tmp_path / "llm-config.json").write_text(json.dumps({
            "endpoints": {"openai-compatible": {"enabled": True, "rateLimit": {"requestsPerMinute": 5}}},
            "models": {"gpt-4o": {"displayName": "g", "endpoints": ["openai-compatible"],
                                  "costPer1kTokens": {"input": 0, "output": 0}}},
            "tiers": {"simple": {"primary": "gpt-4o", "fallback": []}}}))
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), redis_url], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [worker.communicate(timeout=60) for worker in workers]
        served = len(server.state.journal.records())
    lines = [line for out, _ in outputs for line in out.split()]
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in outputs]
    assert (lines.count("ok"), lines.count("limited")) == (5, 3)
    assert served == 5
