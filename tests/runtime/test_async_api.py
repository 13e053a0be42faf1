"""The async API against real servers: the same rules as the sync one (it runs the same engine), and cancellation
that closes what a call held, counts what it sent and takes no slot it waited for. Every test runs twice: sent
through aiohttp (``pbcfg[aiohttp]`` installed) and through httpx's own transport."""

from __future__ import annotations

import asyncio
import json
import random
import socketserver
import threading

import httpx
import pytest

pytest.importorskip("llmock.testing")
from llmock.scenarios import Delay, Fail, StreamFault  # noqa: E402

from helpers import Clock, Running, closed_port  # noqa: E402
from pbcfg.runtime import (  # noqa: E402
    AllAttemptsFailed,
    AsyncStream,
    RateLimited,
    StreamInterrupted,
    ToolCall,
    load_runtime,
)
from pbcfg.runtime.limiter import MemoryWindow  # noqa: E402
from servers import WEATHER_TOOLS  # noqa: E402

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

HELLO = [{"role": "user", "content": "hello"}]
WEATHER = [{"role": "user", "content": "weather in Paris?"}]
KEY = "sk-async-secret-0123456789abcdef"
ANSWER = "Simulated answer from gpt-4o for 'hello'."


@pytest.fixture(autouse=True)
def fresh(llmock):
    llmock.state.reset()


@pytest.fixture(autouse=True, params=["aiohttp", "httpx"])
def sent_through(request, monkeypatch):
    """Which transport the runtime's async clients send through."""
    from pbcfg.runtime import drivers

    monkeypatch.setattr(drivers, "through_aiohttp", lambda choice: request.param == "aiohttp")
    return request.param


def open_connections(runtime, endpoint_id: str) -> list:
    """The connections the endpoint's async client still holds open, pooled or in use."""
    from pbcfg.runtime.aiohttp_transport import AiohttpTransport

    transport = runtime.ahttp.sender(runtime.endpoints[endpoint_id], "")  # made by the call already
    if isinstance(transport, AiohttpTransport):
        connector = transport.session.connector
        pooled = [protocol for held in connector._conns.values() for protocol, _ in held]
        return [protocol for protocol in [*connector._acquired, *pooled] if protocol.is_connected()]
    return [connection for connection in transport._pool.connections if not connection.is_closed()]


def configure(directory, *urls, retries=2, timeout_ms=2000, rpm=None):
    """One model served by endpoints e0, e1, … (in that priority order) at ``urls``."""
    ids = [f"e{index}" for index in range(len(urls))]
    limit = {"rateLimit": {"requestsPerMinute": rpm}} if rpm else {}
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {i: {"apiKey": KEY, "baseUrl": url} for i, url in zip(ids, urls)}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    i: {"enabled": True, "protocol": "openai", "priority": n + 1, **limit} for n, i in enumerate(ids)
                },
                "models": {
                    "gpt-4o": {
                        "displayName": "gpt-4o",
                        "endpoints": ids,
                        "costPer1kTokens": {"input": 0.5, "output": 1.5},
                    }
                },
                "tiers": {"simple": {"primary": "gpt-4o", "fallback": []}},
                "defaults": {"maxRetries": retries, "retryDelayMs": 0, "timeout": timeout_ms},
            }
        )
    )
    return directory


def run(coroutine):
    return asyncio.run(coroutine)


async def complete(directory, slept=None, **options):
    async with load_runtime(directory, env={}, sleep=(slept if slept is not None else []).append) as runtime:
        return await runtime.acomplete(HELLO, tier="simple", **options)


def outcomes(attempts):
    return [(a.endpoint, a.outcome, a.status) for a in attempts]


# -- the same rules as the sync API -------------------------------------------------------------------------


def test_an_answer_is_the_same_sync_and_async(llmock, tmp_path):
    directory = configure(tmp_path, llmock.base_url("openai"))
    answer = run(complete(directory))
    with load_runtime(directory, env={}) as runtime:
        same = runtime.complete(HELLO, tier="simple")
    assert (answer.content, answer.finish_reason, outcomes(answer.attempts)) == (ANSWER, "stop", [("e0", "ok", 200)])
    assert (
        (answer.usage, answer.cost)
        == (same.usage, same.cost)
        == ({"prompt_tokens": 1, "completion_tokens": 10, "total_tokens": 11}, 0.0155)
    )


def test_a_429_is_retried_after_the_time_the_server_asked(llmock, tmp_path):
    llmock.state.scenarios.add(Fail(429, retry_after=3))
    slept = []
    answer = run(complete(configure(tmp_path, llmock.base_url("openai")), slept))
    assert outcomes(answer.attempts) == [("e0", "retry", 429), ("e0", "ok", 200)]
    assert slept == [3.0]


def test_500s_exhaust_the_retries_then_the_next_endpoint_serves(llmock, tmp_path):
    llmock.state.scenarios.add(Fail(500, times=3))
    slept = []
    answer = run(complete(configure(tmp_path, llmock.base_url("openai"), llmock.base_url("openai")), slept))
    assert outcomes(answer.attempts) == [
        ("e0", "retry", 500),
        ("e0", "retry", 500),
        ("e0", "failed", 500),
        ("e1", "ok", 200),
    ]
    assert slept == [0.0, 0.0]


def test_a_refused_connection_falls_back(llmock, tmp_path):
    directory = configure(tmp_path, f"http://127.0.0.1:{closed_port()}/v1", llmock.base_url("openai"), retries=0)
    answer = run(complete(directory))
    assert [(a.endpoint, a.outcome, a.detail) for a in answer.attempts] == [
        ("e0", "failed", "connection error: ConnectError"),
        ("e1", "ok", ""),
    ]


class Answering(socketserver.TCPServer):
    """Reads a request and sends ``raw`` back as it is, whatever HTTP says of it."""

    allow_reuse_address = True

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            self.request.sendall(self.server.raw)  # type: ignore[attr-defined]


CUT_SHORT = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"c'  # 3 of 100 bytes
FINE = json.dumps({"choices": [{"message": {"content": "fine"}, "finish_reason": "stop"}]}).encode()
LONG_HEADER = (  # a header line of 9,000 bytes: httpx takes a head of up to 16 KiB
    f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(FINE)}\r\nx-long: ".encode()
    + b"a" * 9000
    + b"\r\nconnection: close\r\n\r\n"
    + FINE
)


def test_broken_connections_are_classified_alike_on_both_transports(llmock, tmp_path):
    with Running(Answering(CUT_SHORT)) as server:
        port = server.server.server_address[1]
        urls = [f"https://127.0.0.1:{port}/v1", server.url, llmock.base_url("openai")]  # TLS to a plain server
        answer = run(complete(configure(tmp_path, *urls, retries=0)))
    assert [(a.endpoint, a.outcome, a.detail) for a in answer.attempts] == [
        ("e0", "failed", "TLS handshake failed"),
        ("e1", "failed", "connection error: RemoteProtocolError"),  # the answer cut short
        ("e2", "ok", ""),
    ]


def test_a_long_header_line_is_taken_on_both_transports(tmp_path):
    with Running(Answering(LONG_HEADER)) as server:
        answer = run(complete(configure(tmp_path, server.url, retries=0)))
    assert (answer.content, outcomes(answer.attempts)) == ("fine", [("e0", "ok", 200)])


def test_an_answer_later_than_the_timeout_is_retried(llmock, tmp_path):
    llmock.state.scenarios.add(Delay(3.0))
    answer = run(complete(configure(tmp_path, llmock.base_url("openai")), timeout=0.5))
    assert [(a.outcome, a.detail) for a in answer.attempts] == [
        ("retry", "timeout: no complete answer within 0.5 s"),
        ("ok", ""),
    ]


def test_every_attempt_failing_is_listed_and_the_key_never_shown(llmock, tmp_path):
    llmock.state.scenarios.add(Fail(401, message=f"Incorrect API key provided: {KEY}", times=None))
    with pytest.raises(AllAttemptsFailed) as raised:
        run(complete(configure(tmp_path, llmock.base_url("openai"), llmock.base_url("openai"))))
    assert outcomes(raised.value.attempts) == [("e0", "auth", 401), ("e1", "auth", 401)]
    shown = str(raised.value) + repr(raised.value.attempts)
    assert KEY not in shown and KEY[-12:] not in shown and "Incorrect API key provided:" in shown


def test_an_endpoint_over_its_rate_limit_raises_rate_limited_with_the_wait(llmock, tmp_path):
    clock = Clock()
    directory = configure(tmp_path, llmock.base_url("openai"), rpm=1)

    async def twice():
        async with load_runtime(directory, env={}, clock=clock, sleep=clock.sleep) as runtime:
            first = await runtime.acomplete(HELLO, tier="simple")
            clock.now += 15
            with pytest.raises(RateLimited) as raised:
                await runtime.acomplete(HELLO, tier="simple", max_wait=0)
            return first, raised.value

    first, limited = run(twice())
    assert outcomes(first.attempts) == [("e0", "ok", 200)]
    assert (limited.retry_after, outcomes(limited.attempts)) == (45.0, [("e0", "rate-limited", None)])
    assert str(limited) == "every endpoint is over its rate limit; retry in 45.0s"


def test_a_wait_for_the_limiter_within_max_wait_is_slept_then_sent(llmock, tmp_path):
    clock = Clock()
    directory = configure(tmp_path, llmock.base_url("openai"), rpm=1)

    async def twice():
        async with load_runtime(directory, env={}, clock=clock, sleep=clock.sleep) as runtime:
            await runtime.acomplete(HELLO, tier="simple")
            return await runtime.acomplete(HELLO, tier="simple", max_wait=60)

    second = run(twice())
    assert outcomes(second.attempts) == [("e0", "rate-limited", None), ("e0", "ok", 200)]
    assert clock.slept == [60.0]


def test_the_same_faults_give_the_same_attempts_and_sleeps_sync_and_async(tmp_path):
    """One engine: a scripted 503, 429 and 401 on one endpoint, then an answer from the next, give identical attempt
    sequences and backoffs (an injected clock and seeded jitter)."""
    directory = configure(tmp_path, "http://a/v1", "http://b/v1", retries=2)
    (tmp_path / "llm-config.json").write_text(
        (tmp_path / "llm-config.json").read_text().replace('"retryDelayMs": 0', '"retryDelayMs": 1000')
    )

    def server():
        script = iter(
            [
                httpx.Response(503, json={"error": {"message": "busy"}}),
                httpx.Response(429, headers={"retry-after": "7"}, json={"error": {"message": "slow"}}),
                httpx.Response(401, json={"error": {"message": "no"}}),
            ]
        )
        return httpx.MockTransport(
            lambda request: (
                next(script)
                if request.url.host == "a"
                else httpx.Response(200, json={"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]})
            )
        )

    def made():
        clock = Clock()
        return load_runtime(
            directory, env={}, clock=clock, sleep=clock.sleep, rng=random.Random(0), transport=server()
        ), clock

    runtime, sync_clock = made()
    sync = runtime.complete(HELLO, tier="simple")
    runtime, async_clock = made()
    awaited = run(runtime.acomplete(HELLO, tier="simple"))
    assert (
        outcomes(sync.attempts)
        == outcomes(awaited.attempts)
        == [("e0", "retry", 503), ("e0", "retry", 429), ("e0", "auth", 401), ("e1", "ok", 200)]
    )
    assert sync_clock.slept == async_clock.slept == [round(1 + random.Random(0).uniform(0, 0.25), 3), 7.0]


# -- streams --------------------------------------------------------------------------------------------------


async def streamed(directory, messages=HELLO, **options):
    async with load_runtime(directory, env={}) as runtime, runtime.astream(messages, tier="simple", **options) as s:
        assert isinstance(s, AsyncStream)
        return [delta async for delta in s], s


def test_a_stream_yields_text_deltas_then_its_usage_and_cost(llmock, tmp_path):
    deltas, stream = run(streamed(configure(tmp_path, llmock.base_url("openai"))))
    assert "".join(deltas) == ANSWER and len(deltas) > 1
    assert (stream.finish_reason, stream.usage, stream.cost) == (
        "stop",
        {"prompt_tokens": 1, "completion_tokens": 10, "total_tokens": 11},
        0.0155,
    )


def test_tool_calls_arrive_whole_with_parsed_arguments_streamed_or_not(llmock, tmp_path):
    directory = configure(tmp_path, llmock.base_url("openai"))

    async def ask():
        async with load_runtime(directory, env={}) as runtime:
            return await runtime.acomplete(WEATHER, tier="simple", tools=WEATHER_TOOLS, tool_choice="auto")

    answer = run(ask())
    deltas, stream = run(streamed(directory, WEATHER, tools=WEATHER_TOOLS))
    with load_runtime(directory, env={}) as runtime:
        sync = runtime.complete(WEATHER, tier="simple", tools=WEATHER_TOOLS, tool_choice="auto")
    assert [(c.name, c.arguments) for c in sync.tool_calls] == [("get_weather", {"city": "mock-city"})]
    (call,) = answer.tool_calls
    (streamed_call,) = deltas
    assert (answer.content, answer.finish_reason) == ("", "tool_calls")
    assert (call.name, call.arguments, call.id.startswith("call_")) == ("get_weather", {"city": "mock-city"}, True)
    assert isinstance(streamed_call, ToolCall) and stream.tool_calls == [streamed_call]
    assert (streamed_call.name, streamed_call.arguments, stream.finish_reason) == (
        "get_weather",
        {"city": "mock-city"},
        "tool_calls",
    )


def test_a_truncated_stream_is_interrupted(llmock, tmp_path):
    llmock.state.scenarios.add(StreamFault("truncate", after_chunks=2))
    with pytest.raises(StreamInterrupted) as raised:
        run(streamed(configure(tmp_path, llmock.base_url("openai"))))
    assert str(raised.value) == "stream from e0 ended without a finish reason or [DONE]"


def test_a_stalled_stream_ends_at_its_idle_deadline(llmock, tmp_path):
    llmock.state.scenarios.add(StreamFault("stall", after_chunks=1, stall_seconds=30))
    with pytest.raises(StreamInterrupted) as raised:
        run(streamed(configure(tmp_path, llmock.base_url("openai"), timeout_ms=1000)))
    assert str(raised.value) == (
        "stream from e0 broke after its first chunk: timeout: no event for 1 s (the idle deadline)"
    )


def test_a_stream_that_fails_before_its_first_event_falls_back(llmock, tmp_path):
    llmock.state.scenarios.add(Fail(503, times=1))
    deltas, stream = run(streamed(configure(tmp_path, llmock.base_url("openai"), llmock.base_url("openai"), retries=0)))
    assert "".join(deltas) == ANSWER
    assert outcomes(stream.attempts) == [("e0", "failed", 503), ("e1", "ok", 200)]


def test_astatus_says_what_status_says(llmock, tmp_path):
    directory = configure(tmp_path, llmock.base_url("openai"), f"http://127.0.0.1:{closed_port()}/v1")

    async def both():
        async with load_runtime(directory, env={}) as runtime:
            return await runtime.astatus(), runtime.status()

    awaited, sync = run(both())
    assert [(s.endpoint, s.state, s.detail) for s in awaited] == [(s.endpoint, s.state, s.detail) for s in sync]
    assert {s.endpoint: s.state for s in awaited if s.endpoint in ("e0", "e1")} == {"e0": "ok", "e1": "unreachable"}


# -- cancellation ---------------------------------------------------------------------------------------------


class Dripping(Running):
    """A TCP server that answers every request with one SSE event, then nothing, and records per connection when
    the client hung up (set on the event ``hung_up``)."""

    def __init__(self) -> None:
        self.requests = 0
        self.hung_up = threading.Event()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                while self.rfile.readline() not in (b"\r\n", b""):  # the request's head; its body is not read
                    pass
                outer.requests += 1
                event = b'data: {"choices": [{"delta": {"content": "x"}, "finish_reason": null}]}\n\n'
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked"
                    b"\r\n\r\n%x\r\n%s\r\n" % (len(event), event)
                )
                self.connection.settimeout(30)  # a safety stop, never reached when the client hangs up
                try:
                    while self.connection.recv(65536):
                        pass
                except OSError:
                    return
                outer.hung_up.set()

        super().__init__(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler))


@pytest.mark.parametrize("between_reads", [False, True])
def test_cancelling_mid_stream_closes_the_connection_and_the_sent_request_keeps_its_slot(tmp_path, between_reads):
    clock = Clock()
    window = MemoryWindow(clock)
    with Dripping() as server:
        directory = configure(tmp_path, server.url, rpm=5)

        async def cancelled():
            async with load_runtime(directory, env={}, clock=clock, window=window) as runtime:
                started = asyncio.Event()

                async def read(between_reads: bool):
                    async with runtime.astream(HELLO, tier="simple") as stream:
                        async for _ in stream:
                            started.set()
                            if between_reads:  # cancelled in the caller's own code, not in a read
                                await asyncio.Event().wait()

                task = asyncio.create_task(read(between_reads))
                await started.wait()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                # before the runtime closes its clients: the cancelled call itself let go of the connection
                return open_connections(runtime, "e0"), await asyncio.to_thread(server.hung_up.wait, 10)

        assert run(cancelled()) == ([], True)
    assert (server.requests, window.used("e0:requests")) == (1, 1)


def test_a_call_cancelled_while_it_waits_for_the_limiter_takes_no_slot(llmock, tmp_path):
    clock = Clock()
    window = MemoryWindow(clock)
    directory = configure(tmp_path, llmock.base_url("openai"), rpm=1)

    async def cancelled():
        waiting = asyncio.Event()

        async def asleep(seconds):
            waiting.set()
            await asyncio.Event().wait()  # until cancelled

        async with load_runtime(directory, env={}, clock=clock, window=window, asleep=asleep) as runtime:
            await runtime.acomplete(HELLO, tier="simple")
            task = asyncio.create_task(runtime.acomplete(HELLO, tier="simple", max_wait=60))
            await waiting.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    run(cancelled())
    assert window.used("e0:requests") == 1
    assert [record.path for record in llmock.state.journal.records()] == ["/v1/chat/completions"]


def test_cancelling_a_call_while_the_server_thinks_drops_its_connection_and_keeps_its_slot(llmock, tmp_path):
    llmock.state.scenarios.add(Delay(4.0))
    clock = Clock()
    window = MemoryWindow(clock)
    directory = configure(tmp_path, llmock.base_url("openai"), rpm=5, timeout_ms=30000)

    async def cancelled():
        async with load_runtime(directory, env={}, clock=clock, window=window) as runtime:
            task = asyncio.create_task(runtime.acomplete(HELLO, tier="simple"))
            while llmock.state.journal.in_flight == 0:  # until the server has the request
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return open_connections(runtime, "e0")

    assert run(cancelled()) == []
    assert window.used("e0:requests") == 1
