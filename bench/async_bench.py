"""Async calls per second and CPU per call against llmock: pbcfg's ``acomplete`` (through aiohttp, and through
httpx's own transport) beside LiteLLM's ``Router.acompletion`` on the same server, and four pbcfg processes sharing
their limits through Redis.

llmock runs in a process of its own, so each client's CPU time (``time.process_time``, every thread of its process)
is its own. Each row runs in a fresh process: CALLS calls, CONCURRENCY at a time, after a warm-up. The fleet row
starts its four workers at one agreed moment and counts from then to the last worker's end; it also reports what
redis-server spent. Budget: pbcfg's CPU per call at most BUDGET × LiteLLM's. Writes bench/ASYNC.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CALLS, CONCURRENCY, WARM_UP, FLEET = 2000, 50, 100, 4
BUDGET = 0.1
LITELLM = "1.110.2"  # the version the Makefile installs
MESSAGES = [{"role": "user", "content": "hi"}]


def write_config(directory: Path, base_url: str) -> None:
    endpoint = {"enabled": True, "rateLimit": {"requestsPerMinute": 1_000_000}}  # the schema's most: never binding
    model = {"displayName": "g", "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
    credentials = {"endpoints": {"openai-compatible": {"apiKey": "EMPTY", "baseUrl": base_url}}}
    config = {
        "endpoints": {"openai-compatible": endpoint},
        "models": {"gpt-4o": model},
        "tiers": {"simple": {"primary": "gpt-4o", "fallback": []}},
    }
    (directory / "credentials.json").write_text(json.dumps(credentials))
    (directory / "llm-config.json").write_text(json.dumps(config))


async def gather(call, calls: int, concurrency: int) -> int:
    """Run ``calls`` awaits of ``call()``, ``concurrency`` at a time: how many answered."""
    slots = asyncio.Semaphore(concurrency)

    async def one() -> bool:
        async with slots:
            try:
                await call()
            except Exception:  # noqa: BLE001 - a failed call is counted, not fatal to the measurement
                return False
            return True

    return sum(await asyncio.gather(*(one() for _ in range(calls))))


async def measure(client: str, base_url: str, calls: int, concurrency: int, storage: str | None, start_at: float):
    """One row's figures, measured in this process."""
    if client == "litellm":
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        litellm.suppress_debug_info = True
        router = litellm.Router(
            model_list=[
                {
                    "model_name": "m",
                    "litellm_params": {"model": "openai/gpt-4o", "api_key": "EMPTY", "api_base": base_url},
                }
            ]
        )

        def call():
            return router.acompletion(model="m", messages=MESSAGES)

        closing = None
    elif client in ("httpx", "aiohttp"):  # the transport pbcfg sends through, alone: the rest of its row is its own
        import httpx

        from pbcfg.runtime.aiohttp_transport import AiohttpTransport

        session = AiohttpTransport() if client == "aiohttp" else httpx.AsyncHTTPTransport()
        body = json.dumps({"model": "gpt-4o", "messages": MESSAGES, "max_tokens": 4096, "temperature": 0.7}).encode()
        headers = {"authorization": "Bearer EMPTY", "content-type": "application/json"}
        url = f"{base_url}/chat/completions"

        async def call():
            response = await session.handle_async_request(httpx.Request("POST", url, content=body, headers=headers))
            try:
                return json.loads(b"".join([chunk async for chunk in response.aiter_bytes()]))
            finally:
                await response.aclose()

        closing = session
    else:
        from pbcfg.runtime import load_runtime

        directory = Path(tempfile.mkdtemp())
        write_config(directory, base_url)
        http = "httpx" if client == "pbcfg-httpx" else "aiohttp"
        runtime = load_runtime(directory, env={}, rate_limit_storage=storage, async_http=http)

        def call():
            return runtime.acomplete(MESSAGES, tier="simple")

        closing = runtime
    await gather(call, WARM_UP, concurrency)
    while time.time() < start_at:
        await asyncio.sleep(min(start_at - time.time(), 0.05))
    started, cpu = time.time(), time.process_time()
    answered = await gather(call, calls, concurrency)
    ended, cpu = time.time(), time.process_time() - cpu
    if closing is not None:
        await closing.aclose()
    return {"calls": calls, "answered": answered, "started": started, "ended": ended, "cpu": cpu}


def child(argv: list[str]) -> None:
    client, base_url, calls, concurrency, storage, start_at = argv
    figures = asyncio.run(measure(client, base_url, int(calls), int(concurrency), storage or None, float(start_at)))
    print(json.dumps(figures), flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_llmock() -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from llmock.testing import LLMockServer; s = LLMockServer().start(); "
            "print(s.base_url('openai'), flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return server, server.stdout.readline().strip()


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return server, f"redis://127.0.0.1:{port}"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(client: str, base_url: str, workers: int = 1, storage: str = "") -> dict:
    """Start ``workers`` processes that begin together; their figures added up."""
    start_at = time.time() + 8 * workers  # past every worker's start-up and warm-up
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "child",
                client,
                base_url,
                str(CALLS // workers),
                str(CONCURRENCY // workers),
                storage,
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    rows = [json.loads(process.communicate()[0].strip().splitlines()[-1]) for process in processes]
    calls = sum(row["calls"] for row in rows)
    wall = max(row["ended"] for row in rows) - min(row["started"] for row in rows)
    return {
        "calls": calls,
        "answered": sum(row["answered"] for row in rows),
        "per_second": calls / wall,
        "cpu_us": sum(row["cpu"] for row in rows) / calls * 1e6,
    }


def main() -> int:
    llmock, base_url = start_llmock()
    redis, redis_url = start_redis()
    try:
        ours = run("pbcfg", base_url)
        bare = run("aiohttp", base_url)
        ours_httpcore = run("pbcfg-httpx", base_url)
        bare_httpcore = run("httpx", base_url)
        theirs = run("litellm", base_url)
        before = cpu_seconds(redis.pid)
        fleet = run("pbcfg", base_url, FLEET, redis_url)
        redis_us = (cpu_seconds(redis.pid) - before) / fleet["calls"] * 1e6
    finally:
        llmock.communicate("")
        redis.terminate()
        redis.wait()
    ratio = ours["cpu_us"] / theirs["cpu_us"]
    header = f"{'client':<58} {'calls/s':>8} {'CPU µs/call':>12} {'answered':>9}"
    lines = [header, "-" * len(header)]
    for name, row in (
        (f"pbcfg acomplete (aiohttp), {CONCURRENCY} at a time", ours),
        (f"pbcfg's aiohttp transport alone, {CONCURRENCY} at a time", bare),
        (f"pbcfg acomplete (httpx's own transport), {CONCURRENCY} at a time", ours_httpcore),
        (f"httpx's own transport alone, {CONCURRENCY} at a time", bare_httpcore),
        (f"LiteLLM {LITELLM} Router.acompletion, {CONCURRENCY} at a time", theirs),
        (f"pbcfg, {FLEET} processes sharing Redis, {CONCURRENCY // FLEET} at a time each", fleet),
    ):
        lines.append(f"{name:<58} {row['per_second']:>8.0f} {row['cpu_us']:>12.0f} {row['answered']:>4}/{row['calls']}")
    lines += [
        f"pbcfg's own CPU per call (its row less its transport's): {ours['cpu_us'] - bare['cpu_us']:.0f} µs through aiohttp, "
        f"{ours_httpcore['cpu_us'] - bare_httpcore['cpu_us']:.0f} µs through httpx's own transport",
        f"redis-server's CPU in the fleet row: {redis_us:.0f} µs per call",
        f"pbcfg's CPU per call: {ratio:.3f}x LiteLLM's (budget {BUDGET}x)",
    ]
    print("\n".join(lines))
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    (Path(__file__).parent / "ASYNC.md").write_text(
        "# Async calls against llmock\n\nWritten by `make bench` (bench/async_bench.py) on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load}, Python {platform.python_version()}: "
        f"{CALLS} calls per row after {WARM_UP} to warm up, against llmock 0.2.2 in its own process on 127.0.0.1. "
        "CPU is each client process's own (every thread); calls per second are bounded by llmock, which serves "
        "every row alike. pbcfg's rows count each call against a requests-per-minute limit (in memory, or in "
        "Redis with its cooldowns); LiteLLM's has no limit. pbcfg sends through aiohttp when `pbcfg[aiohttp]` is "
        "installed (as here, and as LiteLLM does by default), else through httpx's own transport (httpcore); the "
        "budget is on the first.\n\n```\n"
        + "\n".join(lines)
        + "\n```\n"
        + (
            ""
            if ratio <= BUDGET
            else f"\nThe budget is missed: the aiohttp transport alone, which pbcfg drives, costs "
            f"{bare['cpu_us'] / theirs['cpu_us']:.2f}x LiteLLM's call here.\n"
        )
    )
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        sys.exit(main())
