"""The runtime attacked as a hostile server and a hostile user would, each attack against a real local server
(llmock, moto, redis-server, or a loopback server of this file for shapes they cannot make).

Every failure must be a classified outcome with a hint, never a traceback or a hang past the documented deadlines;
no run of six characters of any secret may appear in any result, message, repr or log. Time is never measured
here: bounds come from what the servers recorded (bytes sent before the client hung up) or an injected clock.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import quote

import pytest

from helpers import reply
from pbcfg.runtime import AllAttemptsFailed, StreamInterrupted, load_runtime
from servers import (
    CREDENTIAL_VARIABLES,
    EventStreamServer,
    _Serving,
    anthropic_frames,
    redis_server,
    said,
    write_config,
)

KEY = "sk-ant-Xq7Rz2Lm9Tb4-0123456789abcdef"
GEMINI_KEY = "AIzaQ7XR2LM9TB4-0123456789ABCDEF"
AWS_ID = "AKIAQ7XR2LM9TB40WZ3P"
AWS_SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzq0123456789"
MODEL = "claude-haiku-4-5-20251001"
HI = [{"role": "user", "content": "hi"}]
RUN = 6  # no run this long of a secret may be shown


@pytest.fixture(autouse=True)
def no_credential_variables(monkeypatch):
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def leaked(text: str, *secrets: str) -> list[str]:
    """Every run of :data:`RUN` characters of a secret that ``text`` shows."""
    return sorted(
        {secret[i : i + RUN] for secret in secrets for i in range(len(secret) - RUN + 1) if secret[i : i + RUN] in text}
    )


class Loopback(_Serving):
    """An HTTP/1.1 server on 127.0.0.1 whose every request runs ``script(handler)``; :attr:`seen` records each
    request as (method, raw path, headers)."""

    def __init__(self, script) -> None:
        self.script = script
        self.seen: list[tuple[str, str, dict]] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                owner = self.server.owner  # type: ignore[attr-defined]
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.seen.append((self.command, self.path, dict(self.headers)))
                try:
                    owner.script(self)
                except OSError:
                    pass  # the client hung up

            do_GET = do_POST = _any

        super().__init__(Handler)


def anthropic_runtime(tmp_path, root: str, **options):
    write_config(
        tmp_path,
        {"anthropic-direct": ({"enabled": True, "priority": 1}, {"apiKey": KEY, "baseUrl": root + "/v1/messages"})},
        {MODEL: ["anthropic-direct"]},
        retries=0,
    )
    return load_runtime(tmp_path, env={}, sleep=lambda seconds: None, **options)


# -- a server that echoes the key -----------------------------------------------------------------------------


def echoes(handler) -> None:
    """Every form of the key a server could send back: as is, URL-encoded, base64, in a header and a Location."""
    key = handler.headers.get("x-api-key") or ""
    forms = [key, quote(key, safe=""), base64.b64encode(key.encode()).decode(), base64.b64encode(b"x:" + key.encode())]
    text = " ".join(str(form) for form in forms)
    if handler.command == "GET":
        return reply(handler, 302, b"", {"Location": f"http://evil.example/?k={key}&b={forms[2]}"})
    reply(
        handler,
        401,
        json.dumps({"error": {"type": "authentication_error", "message": f"bad key {text}"}}).encode(),
        {"x-echo": key},
    )


def test_a_server_echoing_the_key_in_every_form_shows_none_of_it(tmp_path, run):
    with Loopback(echoes) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        [attempt] = failed.value.attempts
        assert (attempt.outcome, attempt.status) == ("auth", 401)
        assert attempt.hint == "check apiKey: Anthropic refused it (it goes in the x-api-key header)"
        shown = said(failed.value, *failed.value.attempts)
        assert leaked(shown, KEY, base64.b64encode(KEY.encode()).decode()) == []
        status = run("status", "--config-dir", tmp_path, "--format", "json")
        assert leaked(status.out + status.err, KEY, base64.b64encode(KEY.encode()).decode()) == []
        runtime.close()


# -- Redis: an absurd shared cooldown, and garbage instead of answers ------------------------------------------

ANTHROPIC_OK = json.dumps(
    {
        "type": "message",
        "content": [{"type": "text", "text": "fine"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
).encode()


def two_anthropic_endpoints(tmp_path, root: str) -> None:
    """Custom endpoints ``first`` and ``second`` (priority in that order) serving ``MODEL`` at ``root``."""
    endpoint = {"enabled": True, "protocol": "anthropic"}
    write_config(
        tmp_path,
        {
            "first": ({**endpoint, "priority": 1}, {"apiKey": KEY, "baseUrl": root + "/v1/messages"}),
            "second": ({**endpoint, "priority": 2}, {"apiKey": KEY, "baseUrl": root + "/v1/messages"}),
        },
        {MODEL: ["first", "second"]},
        retries=0,
    )


def test_an_absurd_cooldown_shared_through_redis_is_cut_to_the_cap(tmp_path):
    import redis

    with Loopback(lambda handler: reply(handler, 200, ANTHROPIC_OK)) as server, redis_server() as (redis_url, _):
        redis_client = redis.from_url(redis_url)
        two_anthropic_endpoints(tmp_path, server.root)
        key = f"pbcfg:cooldown:5:first:{MODEL}"
        redis_client.set(key, b"1", px=10**12)  # another worker (or anyone) asked for 31 years
        with load_runtime(tmp_path, env={}, rate_limit_storage=redis_url, sleep=lambda s: None) as runtime:
            result = runtime.complete(HI, tier="simple")
        assert [(a.endpoint, a.outcome) for a in result.attempts] == [("first", "cooldown"), ("second", "ok")]
        assert 0 < redis_client.pttl(key) <= 60_000  # the runtime's longest cooldown: its Retry-After cap


class GarbageRedis:
    """A TCP server on 127.0.0.1 that reads RESP commands and answers each with ``+garbage``."""

    def __init__(self) -> None:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                buffer = b""
                while data := self.request.recv(65536):
                    buffer += data
                    commands, buffer = _commands(buffer)
                    self.request.sendall(b"+garbage\r\n" * commands)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"redis://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


def _commands(buffer: bytes) -> tuple[int, bytes]:
    """(complete RESP commands at the head of ``buffer``, what is left)."""
    count = 0
    while buffer.startswith(b"*") and b"\r\n" in buffer:
        head, rest = buffer.split(b"\r\n", 1)
        for _ in range(int(head[1:])):
            if b"\r\n" not in rest:
                return count, buffer
            size, rest = rest.split(b"\r\n", 1)
            if len(rest) < int(size[1:]) + 2:
                return count, buffer
            rest = rest[int(size[1:]) + 2 :]
        buffer, count = rest, count + 1
    return count, buffer


def test_garbage_from_redis_is_an_outage_and_the_call_is_answered(tmp_path, caplog):
    caplog.set_level("WARNING", "pbcfg.runtime")
    with Loopback(lambda handler: reply(handler, 200, ANTHROPIC_OK)) as server, GarbageRedis() as uri:
        two_anthropic_endpoints(tmp_path, server.root)
        config = json.loads((tmp_path / "llm-config.json").read_text())
        config["endpoints"]["first"]["rateLimit"] = {"requestsPerMinute": 5, "tokensPerMinute": 1000}
        (tmp_path / "llm-config.json").write_text(json.dumps(config))
        runtime = load_runtime(tmp_path, env={}, rate_limit_storage=uri, sleep=lambda s: None)
        result = runtime.complete(HI, tier="simple")
        assert [(a.endpoint, a.outcome) for a in result.attempts] == [("first", "ok")]
        asyncio.run(runtime.acomplete(HI, tier="simple"))
        runtime.close()
    assert runtime.window.local.used("first:requests") == 2  # counted in this process while Redis talks nonsense
    [message] = [record.getMessage() for record in caplog.records]
    assert message.startswith(f"pbcfg: Redis at {uri} did not answer")


# -- a hostile model id, project or region: encoded, never a new host or path -------------------------------------

ODD_MODELS = ["..", ".", "a/../../x", "x?y#z", "a b"]


def bedrock_config(tmp_path, base_url: str, models: list[str], region: str = "us-east-1") -> None:
    write_config(
        tmp_path,
        {
            "aws-bedrock": (
                {"enabled": True, "priority": 1},
                {"accessKeyId": AWS_ID, "secretAccessKey": AWS_SECRET, "region": region, "baseUrl": base_url},
            )
        },
        {model: ["aws-bedrock"] for model in models},
        retries=0,
    )


def test_odd_model_ids_stay_one_path_segment_on_bedrock(tmp_path):
    pytest.importorskip("botocore")
    message = json.loads(ANTHROPIC_OK)
    with EventStreamServer() as server:
        server.scripts = [message] * len(ODD_MODELS)
        bedrock_config(tmp_path, server.root, ODD_MODELS)
        with load_runtime(tmp_path, env={}, sleep=lambda s: None) as runtime:
            for model in ODD_MODELS:
                assert runtime.complete(HI, model=model).content == "fine"
    assert [path for path, _ in server.seen] == [
        "/model/%2E%2E/invoke",
        "/model/%2E/invoke",
        "/model/a%2F..%2F..%2Fx/invoke",
        "/model/x%3Fy%23z/invoke",
        "/model/a%20b/invoke",
    ]


def test_odd_model_ids_stay_one_path_segment_on_gemini(tmp_path):
    gemini_ok = json.dumps(
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "fine"}]}, "finishReason": "STOP"}]}
    ).encode()
    with Loopback(lambda handler: reply(handler, 200, gemini_ok)) as server:
        with gemini_runtime(tmp_path, server.root, ODD_MODELS) as runtime:
            for model in ODD_MODELS:
                assert runtime.complete(HI, model=model).content == "fine"
    assert [path for _, path, _ in server.seen] == [
        "/models/..:generateContent",
        "/models/.:generateContent",
        "/models/a%2F..%2F..%2Fx:generateContent",
        "/models/x%3Fy%23z:generateContent",
        "/models/a%20b:generateContent",
    ]


@pytest.mark.parametrize(
    ("protocol", "region"),
    [("aws-bedrock", "evil.example/x#"), ("aws-bedrock", "a.b"), ("google-vertex-ai", "evil.example/x#")],
)
def test_a_region_that_is_no_region_name_is_dropped_from_the_plan(tmp_path, protocol, region):
    credentials = (
        {"accessKeyId": AWS_ID, "secretAccessKey": AWS_SECRET, "region": region}
        if protocol == "aws-bedrock"
        else {"projectId": "p-1", "region": region}
    )
    write_config(tmp_path, {protocol: ({"enabled": True, "priority": 1}, credentials)}, {MODEL: [protocol]})
    runtime = load_runtime(tmp_path, env={}, sleep=lambda s: None)
    [dropped] = runtime.plan(tier="simple").dropped
    assert dropped.reason == (
        f"the region {region!r} is not a region name (lower-case letters, digits and hyphens): fix region"
    )


def test_a_vertex_project_id_is_one_path_segment(tmp_path):
    from pbcfg.runtime.protocols.base import ChatRequest
    from pbcfg.runtime.protocols.vertex import PROTOCOL

    write_config(
        tmp_path,
        {"google-vertex-ai": ({"enabled": True, "priority": 1}, {"projectId": "p/../../x?y#", "region": "global"})},
        {MODEL: ["google-vertex-ai"]},
    )
    runtime = load_runtime(tmp_path, env={}, sleep=lambda s: None)
    request = PROTOCOL.chat_request(runtime.endpoints["google-vertex-ai"], "m", ChatRequest(HI), stream=False)
    assert request.url == (
        "https://aiplatform.googleapis.com/v1/projects/p%2F..%2F..%2Fx%3Fy%23/locations/global/publishers/google/"
        "models/m:generateContent"
    )


# -- hostile streams ------------------------------------------------------------------------------------------


def sse(*events: dict) -> bytes:
    return b"".join(b"event: e\ndata: " + json.dumps(event).encode() + b"\n\n" for event in events)


def streams(*chunks: bytes):
    """A script answering 200 with an SSE body sent as ``chunks``, then closing."""

    def script(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Connection", "close")
        handler.end_headers()
        for chunk in chunks:
            handler.wfile.write(chunk)
            handler.wfile.flush()

    return script


START = {"type": "message_start", "message": {"usage": {"input_tokens": 3, "output_tokens": 0}}}
TOOL = {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t1", "name": "f"}}


def test_an_anthropic_event_with_an_odd_index_is_a_bad_response(tmp_path):
    odd = {"type": "content_block_delta", "index": [0], "delta": {"type": "input_json_delta", "partial_json": "{"}}
    with Loopback(streams(sse(odd))) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple", stream=True)
        runtime.close()
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.detail) == (
        "bad-response",
        'the stream\'s event names no block by its index: {"type": "content_block_delta", "index": [0], "delta": '
        '{"type": "input_json_delta", "partial_json": "{"}}',
    )
    assert attempt.hint == "is the base URL Anthropic's Messages API (https://api.anthropic.com/v1/messages)?"


def test_tool_arguments_that_never_end_are_cut_at_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr("pbcfg.runtime.protocols.anthropic.ARGUMENTS_CAP", 64 * 1024)
    piece = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": "[1," * 1000},
    }
    with Loopback(streams(sse(START, TOOL), *[sse(piece)] * 1000)) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        stream = runtime.complete(HI, tier="simple", stream=True)
        with pytest.raises(StreamInterrupted) as broke:
            list(stream)
        runtime.close()
    assert str(broke.value) == (
        "stream from anthropic-direct broke after its first chunk: a tool call's arguments are over the "
        "65,536-character cap"
    )


def test_a_tool_call_whose_json_never_closes_and_whose_stream_never_ends_is_interrupted(tmp_path):
    piece = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": '{"a": [1'},
    }
    with Loopback(streams(sse(START, TOOL, piece))) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        stream = runtime.complete(HI, tier="simple", stream=True)
        with pytest.raises(StreamInterrupted) as broke:
            list(stream)
        runtime.close()
    assert str(broke.value) == "stream from anthropic-direct ended without a finish reason or [DONE]"
    assert broke.value.attempts[-1].outcome == "failed"


# -- Vertex: a token endpoint that drips, and a call cancelled while it fetches ----------------------------------


class Dripped:
    """A script that answers 200 with ``body`` one byte every ``every`` seconds; :attr:`sent` counts the bytes
    the client took before it hung up, :attr:`hung_up` whether it did."""

    def __init__(self, body: bytes, every: float) -> None:
        self.body, self.every, self.sent, self.hung_up = body, every, 0, False

    def __call__(self, handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        for byte in self.body:
            time.sleep(self.every)
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                self.hung_up = True
                return
            self.sent += 1


def vertex_runtime(tmp_path, monkeypatch, token_uri: str, base_url: str = "http://127.0.0.1:9/v1"):
    from servers import service_account_file

    key_file = tmp_path / "service-account.json"
    private_key = service_account_file(key_file, token_uri)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    write_config(
        tmp_path,
        {
            "google-vertex-ai": (
                {"enabled": True, "priority": 1},
                {"projectId": "pbcfg-test", "region": "us-central1", "baseUrl": base_url},
            )
        },
        {"gemini-2.0-flash": ["google-vertex-ai"]},
        retries=0,
    )
    return load_runtime(tmp_path, env={}, sleep=lambda s: None), private_key


TOKEN = json.dumps({"access_token": "ya29.dripped-token-secret", "expires_in": 3600, "token_type": "Bearer"}).encode()


def test_a_token_endpoint_that_drips_is_cut_at_the_token_deadline(tmp_path, monkeypatch):
    pytest.importorskip("google.auth")
    from pbcfg.runtime.protocols import vertex

    monkeypatch.setattr(vertex, "TOKEN_TIMEOUT", 1.0)
    monkeypatch.setattr(vertex.PROTOCOL, "_tokens", vertex._Tokens())
    drip = Dripped(TOKEN, every=0.1)  # 8 s for the whole answer, each byte well within any read timeout
    with Loopback(drip) as tokens:
        runtime, private_key = vertex_runtime(tmp_path, monkeypatch, tokens.root + "/token")
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
        for _ in range(100):  # the server notices the hang-up at its next write
            if drip.hung_up:
                break
            time.sleep(0.1)
    [attempt] = failed.value.attempts
    assert attempt.outcome == "auth"
    assert attempt.detail.startswith(
        "no token from Application Default Credentials: the token endpoint could not be reached (ReadTimeout)"
    )
    assert attempt.hint == (
        "check Application Default Credentials (`gcloud auth application-default login`, or "
        "GOOGLE_APPLICATION_CREDENTIALS), and that the account may call Vertex AI in the project"
    )
    assert drip.hung_up and drip.sent < len(TOKEN) // 2
    assert leaked(said(failed.value, *failed.value.attempts), private_key.split("\n")[1]) == []


def test_a_call_cancelled_while_its_token_is_fetched_ends_and_the_next_call_gets_one(tmp_path, monkeypatch):
    pytest.importorskip("google.auth")
    from pbcfg.runtime.protocols import vertex

    monkeypatch.setattr(vertex.PROTOCOL, "_tokens", vertex._Tokens())
    drip = Dripped(TOKEN, every=0.01)
    with Loopback(drip) as tokens:
        runtime, _ = vertex_runtime(tmp_path, monkeypatch, tokens.root + "/token")

        async def cancelled_then_again():
            call = asyncio.create_task(runtime.acomplete(HI, tier="simple"))
            while not tokens.seen:  # the token request is on its way
                await asyncio.sleep(0.01)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            with pytest.raises(AllAttemptsFailed) as failed:  # nothing serves the model: only the token matters
                await runtime.acomplete(HI, tier="simple")
            return failed.value

        failed = asyncio.run(cancelled_then_again())
        runtime.close()
    [attempt] = failed.attempts
    assert (attempt.outcome, attempt.detail) == ("failed", "connection error: ConnectError")
    assert len(tokens.seen) == 1  # the cancelled call's token, fetched once, served the next call


# -- absurd Retry-After values: capped as a backoff and as a cooldown --------------------------------------------


@pytest.mark.parametrize(
    ("retry_after", "slept", "cooled"),
    [
        ("99999999", [60.0], 60.0),
        ("-5", [0.0], 10.0),  # nothing to honour: the runtime's own cooldown
        ("Fri, 31 Dec 9999 23:59:59 GMT", [60.0], 60.0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", [0.0], 10.0),
        ("nan", [0.0], 10.0),
        ("1e400", [0.0], 10.0),
    ],
)
def test_a_429_with_an_absurd_retry_after_is_capped(tmp_path, retry_after, slept, cooled):
    from helpers import Clock

    body = json.dumps({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}).encode()
    with Loopback(lambda handler: reply(handler, 429, body, {"retry-after": retry_after})) as server:
        two_anthropic_endpoints(tmp_path, server.root)
        config = json.loads((tmp_path / "llm-config.json").read_text())
        config["defaults"]["maxRetries"] = 1
        (tmp_path / "llm-config.json").write_text(json.dumps(config))
        clock = Clock()
        runtime = load_runtime(tmp_path, env={}, clock=clock, sleep=clock.sleep)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, model=MODEL)
        runtime.close()
    assert [(a.endpoint, a.outcome, a.status) for a in failed.value.attempts] == [
        ("first", "retry", 429),
        ("first", "failed", 429),
        ("second", "retry", 429),
        ("second", "failed", 429),
    ]
    assert clock.slept == slept * 2
    assert runtime.cooldowns.remaining("second", MODEL) == cooled  # set last: no time passed since


# -- answers that are too big, not JSON, not text, or empty --------------------------------------------------------


class Flood:
    """A script that answers 200 with ``total`` bytes of ``fill`` (no length: the body ends when the connection
    does); :attr:`sent` counts what the client took."""

    def __init__(self, total: int, head: bytes = b"", fill: bytes = b" ", content_type: str = "application/json"):
        self.total, self.head, self.fill, self.content_type, self.sent = total, head, fill, content_type, 0

    def __call__(self, handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(self.head)
        chunk = self.fill * (1024 * 1024 // len(self.fill))
        while self.sent < self.total:
            handler.wfile.write(chunk)
            self.sent += len(chunk)


def test_a_100_mb_answer_is_refused_at_the_cap(tmp_path):
    flood = Flood(100 * 1024 * 1024)
    with Loopback(flood) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.detail) == ("bad-response", "the answer is over the 16,777,216-byte cap")
    assert flood.sent < 40 * 1024 * 1024  # hung up long before the end


def test_a_declared_100_mb_answer_is_refused_before_a_byte_of_it(tmp_path):
    def declares(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(100 * 1024 * 1024))
        handler.end_headers()

    with Loopback(declares) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
    assert failed.value.attempts[0].detail == "the answer is 104,857,600 bytes, over the 16,777,216-byte cap"


def test_a_10_mb_sse_line_is_a_bad_response(tmp_path):
    flood = Flood(10 * 1024 * 1024, head=b"data: ", fill=b"x", content_type="text/event-stream")
    with Loopback(flood) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple", stream=True)
        runtime.close()
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.detail) == ("bad-response", "an event-stream line is over the 1,048,576-byte cap")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"<html>gateway</html>", "the answer is not an Anthropic message: <html>gateway</html>"),
        (b"\xff\xfe\x00{", "the answer is not an Anthropic message: \ufffd\ufffd\\x00{"),
        (b"", "the answer is not an Anthropic message: (empty)"),
    ],
)
def test_an_answer_that_is_not_a_message_is_a_bad_response(tmp_path, body, detail):
    with Loopback(lambda handler: reply(handler, 200, body)) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.detail) == ("bad-response", detail)


def gemini_runtime(tmp_path, root: str, models: list[str] | None = None):
    write_config(
        tmp_path,
        {"google-ai-studio": ({"enabled": True, "priority": 1}, {"apiKey": GEMINI_KEY, "baseUrl": root})},
        {model: ["google-ai-studio"] for model in models or ["gemini-2.0-flash"]},
        retries=0,
    )
    return load_runtime(tmp_path, env={}, sleep=lambda s: None)


def test_a_gemini_answer_with_no_candidates_is_a_bad_response(tmp_path):
    empty = json.dumps({"candidates": [], "usageMetadata": {"promptTokenCount": 2}}).encode()
    with Loopback(lambda handler: reply(handler, 200, empty)) as server:
        runtime = gemini_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.detail) == (
        "bad-response",
        'the answer has no candidates: {"candidates": [], "usageMetadata": {"promptTokenCount": 2}}',
    )


@pytest.mark.parametrize(
    ("frame", "detail"),
    [
        ("bad-crc", "the event stream is corrupt (ChecksumMismatch): (empty)"),
        ("2**31", "the event stream is corrupt (InvalidPayloadLength): (empty)"),
    ],
)
def test_a_corrupt_event_stream_frame_is_a_bad_response(tmp_path, frame, detail):
    pytest.importorskip("botocore")
    import binascii
    import struct

    [good] = anthropic_frames([START])
    if frame == "bad-crc":
        data = good[:-1] + bytes([good[-1] ^ 0xFF])
    else:
        prelude = struct.pack(">II", 2**31, 0)
        data = prelude + struct.pack(">I", binascii.crc32(prelude)) + b"x" * 64
    with EventStreamServer() as server:
        server.scripts = [[data]]
        bedrock_config(tmp_path, server.root, [MODEL])
        with load_runtime(tmp_path, env={}, sleep=lambda s: None) as runtime:
            with pytest.raises(AllAttemptsFailed) as failed:
                runtime.complete(HI, model=MODEL, stream=True)
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.detail) == ("bad-response", detail)


# -- a stream that never finishes: bytes keep coming, no event completes ------------------------------------------


class Trickle:
    """A script that sends ``first`` (whole events), then ``drip`` one byte every ``every`` seconds, for ever (up
    to 400 bytes); :attr:`sent` counts the dripped bytes the client took."""

    def __init__(self, first: bytes, drip: bytes, every: float, content_type: str = "text/event-stream") -> None:
        self.first, self.drip, self.every, self.content_type, self.sent = first, drip, every, content_type, 0

    def __call__(self, handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(self.first)
        handler.wfile.flush()
        for index in range(400):
            time.sleep(self.every)
            handler.wfile.write(self.drip[index % len(self.drip) : index % len(self.drip) + 1])
            handler.wfile.flush()
            self.sent += 1


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_a_stream_dripping_an_endless_event_ends_at_the_idle_deadline(tmp_path, driver):
    trickle = Trickle(sse(START), b"data: " + b"x" * 100, every=0.1)
    with Loopback(trickle) as server:
        runtime = anthropic_runtime(tmp_path, server.root, stream_deadline=8.0)
        with pytest.raises(StreamInterrupted) as broke:
            if driver == "sync":
                list(runtime.complete(HI, tier="simple", stream=True, timeout=1.0))
            else:

                async def read():
                    async with runtime.astream(HI, tier="simple", timeout=1.0) as stream:
                        return [delta async for delta in stream]

                asyncio.run(read())
        runtime.close()
    assert str(broke.value).startswith("stream from anthropic-direct broke after its first chunk: timeout")
    assert trickle.sent < 40  # about one second of drip (the idle deadline), not eight (the stream's)


def test_a_bedrock_stream_dripping_a_frame_ends_at_the_idle_deadline(tmp_path):
    pytest.importorskip("botocore")
    [first] = anthropic_frames([START])
    [endless] = anthropic_frames([{"type": "ping", "padding": "x" * 400}])
    trickle = Trickle(first, endless, every=0.1, content_type="application/vnd.amazon.eventstream")
    with Loopback(trickle) as server:
        bedrock_config(tmp_path, server.root, [MODEL])
        with load_runtime(tmp_path, env={}, sleep=lambda s: None, stream_deadline=8.0) as runtime:
            with pytest.raises(StreamInterrupted) as broke:
                list(runtime.complete(HI, model=MODEL, stream=True, timeout=1.0))
    assert str(broke.value).startswith("stream from aws-bedrock broke after its first chunk: timeout")
    assert trickle.sent < 40


# -- a thousand endpoints ------------------------------------------------------------------------------------------


def test_a_thousand_failing_endpoints_end_in_one_line_naming_the_first_ten(tmp_path):
    body = json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}).encode()
    with Loopback(lambda handler: reply(handler, 529, body)) as server:
        endpoints = {
            f"e{index}": (
                {"enabled": True, "protocol": "anthropic", "priority": 1},
                {"apiKey": KEY, "baseUrl": server.root + "/v1/messages"},
            )
            for index in range(1000)
        }
        write_config(tmp_path, endpoints, {MODEL: list(endpoints)}, retries=0)
        runtime = load_runtime(tmp_path, env={}, sleep=lambda s: None)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
    assert len(server.seen) == 1000
    assert [a.endpoint for a in failed.value.attempts] == list(endpoints)
    message = str(failed.value)
    assert "\n" not in message
    assert message == (
        f"every attempt failed; first: {MODEL}@e0 failed (overloaded_error: busy). Attempts: "
        + "; ".join(f"{MODEL}@e{index}: failed (overloaded_error: busy)" for index in range(10))
        + "; and 990 more"
    )


# -- echoes of AWS's and Google's credentials --------------------------------------------------------------------


def echoes_credentials(handler) -> None:
    """A 403 whose body, header and redirect-free text repeat every credential header the request carried."""
    sent = {
        name: value for name, value in handler.headers.items() if name.lower().startswith(("authorization", "x-amz"))
    }
    text = " ".join(f"{name}={value} {base64.b64encode(value.encode()).decode()}" for name, value in sent.items())
    reply(
        handler,
        403,
        json.dumps({"message": f"AccessDenied: you sent {text}", "error": {"message": text}}).encode(),
        {"x-amzn-ErrorType": "AccessDeniedException", "x-echo": text[:2000]},
    )


def test_bedrock_credentials_echoed_back_show_none_of_them(tmp_path, monkeypatch):
    pytest.importorskip("botocore")
    token = "FwoGZXIvYXdzEHostileSessionToken0123456789"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AWS_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    with Loopback(echoes_credentials) as server:
        write_config(
            tmp_path,
            {"aws-bedrock": ({"enabled": True, "priority": 1}, {"region": "us-east-1", "baseUrl": server.root})},
            {MODEL: ["aws-bedrock"]},
            retries=0,
        )
        import os

        with load_runtime(tmp_path, env=dict(os.environ), sleep=lambda s: None) as runtime:
            with pytest.raises(AllAttemptsFailed) as failed:
                runtime.complete(HI, model=MODEL)
    [(_, _, headers)] = server.seen
    assert headers["X-Amz-Security-Token"] == token  # the request carried it: the echo is real
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.status) == ("auth", 403)
    shown = said(failed.value, *failed.value.attempts)
    assert leaked(shown, AWS_ID, AWS_SECRET, token, base64.b64encode(token.encode()).decode()) == []


def test_a_vertex_bearer_token_echoed_back_shows_none_of_it(tmp_path, monkeypatch):
    pytest.importorskip("google.auth")
    from pbcfg.runtime.protocols import vertex
    from servers import TokenServer

    monkeypatch.setattr(vertex.PROTOCOL, "_tokens", vertex._Tokens())
    with TokenServer() as tokens, Loopback(echoes_credentials) as server:
        runtime, private_key = vertex_runtime(tmp_path, monkeypatch, tokens.root + "/token", server.root + "/v1")
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
    [token] = tokens.issued
    assert [headers["Authorization"] for _, _, headers in server.seen] == [f"Bearer {token}"]
    shown = said(failed.value, *failed.value.attempts)
    assert leaked(shown, token, private_key.split("\n")[1]) == [], shown


def test_a_gemini_error_whose_details_are_not_a_list_is_classified(tmp_path):
    body = json.dumps({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota", "details": 5}})
    with Loopback(lambda handler: reply(handler, 429, body.encode())) as server:
        runtime = gemini_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        runtime.close()
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.status, attempt.detail) == ("failed", 429, "RESOURCE_EXHAUSTED: quota")


def test_gemini_token_counts_that_are_not_numbers_are_no_usage(tmp_path):
    odd = {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "fine"}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": [2]},
    }
    with Loopback(lambda handler: reply(handler, 200, json.dumps(odd).encode())) as server:
        runtime = gemini_runtime(tmp_path, server.root)
        result = runtime.complete(HI, tier="simple")
        runtime.close()
    assert (result.content, result.usage, result.cost) == ("fine", {}, None)


# -- cancellation --------------------------------------------------------------------------------------------------


class Stall:
    """A script that answers nothing and records when the client closed the connection."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def __call__(self, handler) -> None:
        handler.connection.settimeout(30)
        if handler.rfile.read(1) == b"":
            self.closed.set()


def test_a_bedrock_call_cancelled_in_flight_keeps_its_slot_and_drops_its_connection(tmp_path):
    pytest.importorskip("botocore")
    stall = Stall()
    with Loopback(stall) as server:
        bedrock_config(tmp_path, server.root, [MODEL])
        config = json.loads((tmp_path / "llm-config.json").read_text())
        config["endpoints"]["aws-bedrock"]["rateLimit"] = {"requestsPerMinute": 2}
        (tmp_path / "llm-config.json").write_text(json.dumps(config))
        runtime = load_runtime(tmp_path, env={}, sleep=lambda s: None)

        async def cancel_in_flight():
            call = asyncio.create_task(runtime.acomplete(HI, model=MODEL))
            while not server.seen:
                await asyncio.sleep(0.01)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            waiting = asyncio.create_task(runtime.acomplete(HI, model=MODEL, max_wait=120))
            while not server.seen[1:]:
                await asyncio.sleep(0.01)
            third = asyncio.create_task(runtime.acomplete(HI, model=MODEL, max_wait=120))  # waits for a slot
            await asyncio.sleep(0.2)
            third.cancel()
            waiting.cancel()
            await asyncio.gather(waiting, third, return_exceptions=True)

        asyncio.run(cancel_in_flight())
        assert stall.closed.wait(10)
        assert runtime.window.used("aws-bedrock:requests") == 2  # both sent; the one that waited took none
        assert len(server.seen) == 2
        runtime.close()


# -- the command line, against the same hostile servers -------------------------------------------------------------


def test_chat_against_a_hostile_stream_is_one_classified_line(tmp_path, run):
    odd = {"type": "content_block_delta", "index": {"a": 1}, "delta": {"type": "text_delta", "text": KEY}}
    with Loopback(streams(sse(START, odd))) as server:
        anthropic_runtime(tmp_path, server.root).close()
        result = run("chat", "--config-dir", tmp_path, "--tier", "simple", "--stream", "-v", "hi")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert leaked(result.out + result.err, KEY) == []
    shown = (
        '{"type": "content_block_delta", "index": {"a": 1}, "delta": {"type": "text_delta", "text": "'
        + "*" * len(KEY)
        + '"}}'
    )
    detail = f"the stream's event names no block by its index: {shown}"
    hint = "is the base URL Anthropic's Messages API (https://api.anthropic.com/v1/messages)?"
    assert result.err.splitlines() == [
        f"config: {tmp_path} (--config-dir)",
        f"attempt 1: {MODEL} @ anthropic-direct -> bad-response 200: {detail}",
        f"  hint: {hint}",
        f"pbcfg: error: every attempt failed; first: {MODEL}@anthropic-direct bad-response ({detail}); {hint} "
        f"Attempts: {MODEL}@anthropic-direct: bad-response ({detail})",
    ]


@pytest.mark.parametrize("endpoint_id", ["google-ai-studio", "aws-bedrock", "anthropic-direct"])
def test_a_base_url_with_a_fragment_is_dropped_from_the_plan(tmp_path, endpoint_id):
    credentials = {
        "google-ai-studio": {"apiKey": GEMINI_KEY},
        "aws-bedrock": {"accessKeyId": AWS_ID, "secretAccessKey": AWS_SECRET},
        "anthropic-direct": {"apiKey": KEY},
    }[endpoint_id]
    credentials["baseUrl"] = "http://127.0.0.1:9/v1#/models"
    write_config(tmp_path, {endpoint_id: ({"enabled": True, "priority": 1}, credentials)}, {MODEL: [endpoint_id]})
    runtime = load_runtime(tmp_path, env={}, sleep=lambda s: None)
    [dropped] = runtime.plan(tier="simple").dropped
    assert dropped.reason == (
        f"the baseUrl (credentials.json /endpoints/{endpoint_id}/baseUrl) is not usable: it has a #fragment, which "
        "is never sent and would swallow the path a request adds to it"
    )


@pytest.mark.parametrize("access_key_id", ["AKIAQ7XR2LM9TB40WZ3P\nX-Evil: 1", "AKIAQ7XR2LM9TB40WZ3\u00e9"])
def test_an_access_key_id_no_header_can_carry_is_dropped_from_the_plan(tmp_path, access_key_id):
    credentials = {"accessKeyId": access_key_id, "secretAccessKey": AWS_SECRET, "baseUrl": "http://127.0.0.1:9"}
    write_config(tmp_path, {"aws-bedrock": ({"enabled": True, "priority": 1}, credentials)}, {MODEL: ["aws-bedrock"]})
    runtime = load_runtime(tmp_path, env={}, sleep=lambda s: None)
    [dropped] = runtime.plan(tier="simple").dropped
    assert dropped.reason == (
        "the accessKeyId (credentials.json /endpoints/aws-bedrock/accessKeyId) holds a line break, a control "
        "character, a non-ASCII character or surrounding spaces, which an HTTP header cannot carry: check it for a "
        "stray newline"
    )
