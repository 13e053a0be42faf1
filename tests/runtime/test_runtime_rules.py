"""The runtime's rules, with exact attempt sequences: an in-process transport makes every fault exact."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from helpers import Clock
from pbcfg.runtime import AllAttemptsFailed, NoRoute, RateLimited, RequestRejected, StreamInterrupted, load_runtime
from pbcfg.runtime.limiter import MemoryWindow
from pbcfg.runtime.responses import classify, retry_after_seconds
from pbcfg.runtime.stream import SSEDecoder

MESSAGES = [{"role": "user", "content": "hi"}]


def model(endpoints, context=8192):
    return {
        "displayName": "M",
        "endpoints": endpoints,
        "costPer1kTokens": {"input": 1.0, "output": 2.0},
        "maxContextTokens": context,
    }


def endpoint(priority, rpm=None):
    entry = {"enabled": True, "protocol": "openai", "priority": priority}
    if rpm:
        entry["rateLimit"] = {"requestsPerMinute": rpm}
    return entry


class Server:
    """A scripted OpenAI-compatible server per host: each request pops the next scripted answer."""

    def __init__(self, scripts: dict[str, list], served=("m1", "m2")) -> None:
        self.scripts, self.served = scripts, served
        self.seen: list[tuple[str, str, str]] = []  # (host, model, authorization)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":  # GET /models: free, and not part of the script
            return httpx.Response(200, json={"data": [{"id": model_id} for model_id in self.served]})
        body = json.loads(request.content) if request.content else {}
        self.seen.append((request.url.host, body.get("model"), request.headers.get("authorization", "")))
        script = self.scripts.get(request.url.host, [])
        answer = script.pop(0) if script else 200
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        if answer == 200:
            return httpx.Response(
                200,
                json={
                    "choices": [{"message": {"content": f"from {request.url.host}"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500},
                },
            )
        status, payload, headers = answer
        return httpx.Response(status, json=payload, headers=headers)


@pytest.fixture
def runtime_for(tmp_path):
    def make(llm, credentials, scripts, env=None, served=("m1", "m2"), **options):
        (tmp_path / "llm-config.json").write_text(json.dumps(llm))
        (tmp_path / "credentials.json").write_text(json.dumps(credentials))
        clock = Clock()
        server = Server(scripts, served)
        options.setdefault("transport", httpx.MockTransport(server))
        runtime = load_runtime(tmp_path, env=env or {}, clock=clock, sleep=clock.sleep, rng=random.Random(0), **options)
        return runtime, server, clock

    return make


TWO_SERVERS = {
    "endpoints": {"a": endpoint(1), "b": endpoint(2)},
    "models": {"m1": model(["b", "a"]), "m2": model(["b"], context=32000)},
    "tiers": {"t": {"primary": "m1", "fallback": ["m2", "m1"]}},
    "defaults": {"maxRetries": 2, "retryDelayMs": 1000},
}
CREDS = {
    "endpoints": {
        "a": {"apiKey": "key-a", "baseUrl": "http://a/v1/"},
        "b": {"apiKey": "key-b", "baseUrl": "http://b/v1"},
    }
}


def outcomes(attempts):
    return [(a.model, a.endpoint, a.outcome, a.status) for a in attempts]


def test_plan_orders_by_priority_then_list_order_and_drops_with_reasons(runtime_for):
    llm = {
        **TWO_SERVERS,
        "endpoints": {**TWO_SERVERS["endpoints"], "c": endpoint(1), "off": {**endpoint(1), "enabled": False}},
        "models": {"m1": model(["b", "c", "a", "off", "anthropic-direct"]), "m2": model(["b"])},
    }
    runtime, _, _ = runtime_for(
        llm, {"endpoints": {**CREDS["endpoints"], "c": {"apiKey": "k", "baseUrl": "http://c/v1"}}}, {}
    )
    plan = runtime.plan(tier="t")
    assert plan.chain == ["m1", "m2"]
    assert [(c.model, c.endpoint.id) for c in plan.attempts] == [("m1", "c"), ("m1", "a"), ("m1", "b"), ("m2", "b")]
    assert [(d.model, d.endpoint, d.reason) for d in plan.dropped] == [
        ("m1", "off", "disabled in llm-config.json"),
        ("m1", "anthropic-direct", "missing credential apiKey (set it in credentials.json or $ANTHROPIC_API_KEY)"),
    ]


def test_dropped_reasons_cover_credentials_protocol_and_base_url(runtime_for):
    llm = {
        "endpoints": {"openai-compatible": {"enabled": True}, "x": {**endpoint(1), "protocol": "anthropic"}},
        "models": {"m": model(["openai-direct", "openai-compatible", "x", "google-ai-studio", "codex"])},
    }
    creds = {"endpoints": {"openai-direct": {"enabled": False}, "openai-compatible": {"apiKey": "k"}}}
    runtime, _, _ = runtime_for(llm, creds, {}, env={})
    assert [(d.endpoint, d.reason) for d in runtime.plan(model="m").dropped] == [
        ("openai-direct", "disabled in credentials.json"),
        ("x", "no base URL (set baseUrl in credentials.json)"),
        ("google-ai-studio", "missing credential apiKey (set it in credentials.json or $GEMINI_API_KEY)"),
        ("codex", "needs PonyBunny's login; pbcfg cannot call it"),
        ("openai-compatible", "no base URL (set baseUrl in credentials.json or $OPENAI_COMPATIBLE_BASE_URL)"),
    ]
    with pytest.raises(NoRoute):
        runtime.complete(MESSAGES, model="m")


def test_request_shape(runtime_for):
    runtime, server, _ = runtime_for(TWO_SERVERS, CREDS, {})
    result = runtime.complete(MESSAGES, model="m1", temperature=0.1)
    assert server.seen == [("a", "m1", "Bearer key-a")]
    assert (result.content, result.model, result.endpoint) == ("from a", "m1", "a")
    assert result.usage == {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}
    assert result.cost == 2.0  # 1000/1000 * 1.0 + 500/1000 * 2.0


def test_500_then_success_retries_on_the_same_endpoint_with_backoff(runtime_for):
    runtime, _, clock = runtime_for(TWO_SERVERS, CREDS, {"a": [(500, {"error": {"message": "boom"}}, {}), 200]})
    result = runtime.complete(MESSAGES, model="m1")
    assert outcomes(result.attempts) == [("m1", "a", "retry", 500), ("m1", "a", "ok", 200)]
    assert clock.slept == [round(1.0 * (1 + random.Random(0).uniform(0, 0.25)), 3)]


def test_retries_are_bounded_then_the_next_endpoint(runtime_for):
    boom = (503, {"detail": "overloaded"}, {})
    runtime, _, clock = runtime_for(TWO_SERVERS, CREDS, {"a": [boom, boom, boom]})
    result = runtime.complete(MESSAGES, model="m1")
    assert outcomes(result.attempts) == [
        ("m1", "a", "retry", 503),
        ("m1", "a", "retry", 503),
        ("m1", "a", "failed", 503),
        ("m1", "b", "ok", 200),
    ]
    assert len(clock.slept) == 2 and 2.0 <= clock.slept[1] <= 2.5


def test_429_honours_retry_after_up_to_the_cap(runtime_for):
    runtime, _, clock = runtime_for(
        TWO_SERVERS, CREDS, {"a": [(429, {}, {"Retry-After": "7"}), (429, {}, {"retry-after-ms": "90000000"}), 200]}
    )
    result = runtime.complete(MESSAGES, model="m1")
    assert outcomes(result.attempts) == [("m1", "a", "retry", 429), ("m1", "a", "retry", 429), ("m1", "a", "ok", 200)]
    assert clock.slept == [7.0, 60.0]


def test_connection_refused_and_timeout_are_retried_then_fall_back(runtime_for):
    refused = httpx.ConnectError("refused")
    runtime, _, _ = runtime_for(TWO_SERVERS, CREDS, {"a": [refused, httpx.ReadTimeout("slow"), refused]})
    result = runtime.complete(MESSAGES, model="m1")
    assert [(a.endpoint, a.outcome, a.detail) for a in result.attempts] == [
        ("a", "retry", "connection error: ConnectError"),
        ("a", "retry", "timeout: no complete answer within 120 s"),
        ("a", "failed", "connection error: ConnectError"),
        ("b", "ok", ""),
    ]


def test_401_moves_on_at_once_and_a_missing_model_too_naming_what_the_server_serves(runtime_for):
    scripts = {
        "a": [(401, {"error": {"message": "bad key", "code": "invalid_api_key"}}, {})],
        "b": [(404, {"error": {"message": "model m1 not found"}}, {})],
    }
    runtime, _, clock = runtime_for(TWO_SERVERS, CREDS, scripts, served=("m2", "M1"))
    result = runtime.complete(MESSAGES, tier="t")
    assert outcomes(result.attempts) == [
        ("m1", "a", "auth", 401),
        ("m1", "b", "model-absent", 404),
        ("m2", "b", "ok", 200),
    ]
    assert [a.hint for a in result.attempts] == [
        "check the key; a server without auth still needs some key string: not-needed, EMPTY, ollama, lm-studio, "
        "sk-no-key-required",
        "it serves: m2, M1; did you mean 'M1'?",
        None,
    ]
    assert clock.slept == []


def test_a_plain_404_asks_models_to_tell_a_wrong_path_from_a_missing_model(runtime_for):
    def handler(request):
        return httpx.Response(404, json={"detail": "Not Found"})

    llm = {**TWO_SERVERS, "models": {"m1": model(["a"])}, "tiers": {}}
    runtime, _, _ = runtime_for(llm, CREDS, {}, transport=httpx.MockTransport(handler))
    with pytest.raises(AllAttemptsFailed) as raised:
        runtime.complete(MESSAGES, model="m1")
    (attempt,) = raised.value.attempts
    assert (attempt.outcome, attempt.detail, attempt.hint) == (
        "not-found",
        "Not Found",
        "GET /models answers 404 too: the base URL probably lacks /v1: try http://a/v1/v1",
    )


@pytest.mark.parametrize(
    "status, body",
    [
        (
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens",
                    "code": "context_length_exceeded",
                }
            },
        ),
        (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "the request exceeds the available context size",
                    "type": "exceed_context_size_error",
                }
            },
        ),
        (400, {"object": "error", "message": "too long", "code": 40303}),
    ],
)
def test_context_length_moves_to_a_larger_model(runtime_for, status, body):
    llm = {
        **TWO_SERVERS,
        "models": {"m1": model(["a"]), "small": model(["b"], 4096), "m2": model(["b"], 32000)},
        "tiers": {"t": {"primary": "m1", "fallback": ["small", "m2"]}},
    }
    runtime, server, _ = runtime_for(llm, CREDS, {"a": [(status, body, {})]})
    result = runtime.complete(MESSAGES, tier="t")
    assert outcomes(result.attempts) == [("m1", "a", "context-length", 400), ("m2", "b", "ok", 200)]
    assert [model for _, model, _ in server.seen] == ["m1", "m2"]


def test_any_other_400_stops_the_chain(runtime_for):
    runtime, server, _ = runtime_for(TWO_SERVERS, CREDS, {"a": [(422, {"detail": [{"msg": "bad role"}]}, {})]})
    with pytest.raises(RequestRejected) as raised:
        runtime.complete(MESSAGES, tier="t")
    assert outcomes(raised.value.attempts) == [("m1", "a", "rejected", 422)]
    assert len(server.seen) == 1


def test_everything_failing_raises_with_the_first_error_and_every_attempt(runtime_for):
    auth = (401, {"error": {"message": "nope"}}, {})
    runtime, _, _ = runtime_for(TWO_SERVERS, CREDS, {"a": [auth], "b": [auth, auth]})
    with pytest.raises(AllAttemptsFailed) as raised:
        runtime.complete(MESSAGES, tier="t")
    assert raised.value.first == "auth: nope"
    assert outcomes(raised.value.attempts) == [
        ("m1", "a", "auth", 401),
        ("m1", "b", "auth", 401),
        ("m2", "b", "auth", 401),
    ]


def test_a_failed_endpoint_cools_down_unless_it_is_the_last_option(runtime_for):
    auth = (401, {"error": {"message": "nope"}}, {})
    runtime, server, clock = runtime_for(TWO_SERVERS, CREDS, {"a": [auth]}, cooldown=10)
    runtime.complete(MESSAGES, model="m1")
    result = runtime.complete(MESSAGES, model="m1")
    assert outcomes(result.attempts) == [("m1", "a", "cooldown", None), ("m1", "b", "ok", 200)]
    clock.now += 11
    assert outcomes(runtime.complete(MESSAGES, model="m1").attempts) == [("m1", "a", "ok", 200)]
    runtime, server, clock = runtime_for(
        {**TWO_SERVERS, "models": {"m1": model(["a"])}, "tiers": {}}, CREDS, {"a": [auth]}
    )
    with pytest.raises(AllAttemptsFailed):
        runtime.complete(MESSAGES, model="m1")
    assert outcomes(runtime.complete(MESSAGES, model="m1").attempts) == [("m1", "a", "ok", 200)]


def test_rate_limit_skips_the_endpoint_then_waits_for_the_earliest_slot(runtime_for):
    llm = {**TWO_SERVERS, "endpoints": {"a": endpoint(1, rpm=2), "b": endpoint(2, rpm=1)}}
    runtime, server, clock = runtime_for(llm, CREDS, {})
    assert [runtime.complete(MESSAGES, model="m1").endpoint for _ in range(3)] == ["a", "a", "b"]
    clock.now += 10
    fourth = runtime.complete(MESSAGES, model="m1", max_wait=60)
    assert outcomes(fourth.attempts) == [
        ("m1", "a", "rate-limited", None),
        ("m1", "b", "rate-limited", None),
        ("m1", "a", "ok", 200),
    ]
    assert clock.slept == [50.0]
    assert [runtime.complete(MESSAGES, model="m1").endpoint for _ in range(2)] == ["a", "b"]
    with pytest.raises(RateLimited) as raised:
        runtime.complete(MESSAGES, model="m1", max_wait=5)
    assert raised.value.retry_after == 60.0
    assert str(raised.value) == "every endpoint is over its rate limit; retry in 60.0s"
    assert len(server.seen) == 6


def test_the_window_slides_exactly():
    clock = Clock()
    window = MemoryWindow(clock)
    assert [window.acquire("k", 3) for _ in range(3)] == [None, None, None]
    clock.now += 59.9
    assert window.acquire("k", 3) == pytest.approx(0.1)
    clock.now += 0.1
    assert [window.acquire("k", 3) for _ in range(3)] == [None, None, None]
    assert window.acquire("k", 3) == pytest.approx(60.0)
    clock.now += 30
    assert window.acquire("k", 2) == pytest.approx(30.0)


def test_tokens_per_minute(runtime_for):
    llm = {**TWO_SERVERS, "endpoints": {"a": {**endpoint(1), "rateLimit": {"tokensPerMinute": 2000}}, "b": endpoint(2)}}
    runtime, _, _ = runtime_for(llm, CREDS, {})
    assert [runtime.complete(MESSAGES, model="m1").endpoint for _ in range(3)] == ["a", "a", "b"]


# -- streams ----------------------------------------------------------------------------------------


def sse(*events, done=True):
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + ("data: [DONE]\n\n" if done else "")
    return text.encode()


def chunk(content, finish=None):
    return {"choices": [{"delta": {"content": content}, "finish_reason": finish}]}


class Chunked(httpx.SyncByteStream):
    def __init__(self, data: bytes, size: int, fail_after: int | None = None) -> None:
        self.data, self.size, self.fail_after = data, size, fail_after

    def __iter__(self):
        for index, start in enumerate(range(0, len(self.data), self.size)):
            if self.fail_after is not None and index >= self.fail_after:
                raise httpx.ReadError("connection lost")
            yield self.data[start : start + self.size]


def streaming(data, size=3, fail_after=None):
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunked(data, size, fail_after))


def test_stream_reassembles_lines_split_across_chunks(runtime_for):
    body = sse(chunk("Hel"), chunk("lo"), chunk("", "stop"))
    runtime, _, _ = runtime_for(TWO_SERVERS, CREDS, {"a": [streaming(body, size=3)]})
    stream = runtime.complete(MESSAGES, model="m1", stream=True)
    assert list(stream) == ["Hel", "lo"]
    assert (stream.content, stream.finish_reason, stream.endpoint) == ("Hello", "stop", "a")


def test_a_stream_that_dies_before_its_first_chunk_falls_back(runtime_for):
    runtime, _, _ = runtime_for(
        {**TWO_SERVERS, "defaults": {"maxRetries": 0}},
        CREDS,
        {"a": [streaming(sse(chunk("x")), size=4, fail_after=0)], "b": [streaming(sse(chunk("ok", "stop")))]},
    )
    stream = runtime.complete(MESSAGES, model="m1", stream=True)
    assert list(stream) == ["ok"]
    assert outcomes(stream.attempts) == [("m1", "a", "failed", None), ("m1", "b", "ok", 200)]


def test_a_truncated_stream_is_an_error_not_an_answer(runtime_for):
    runtime, _, _ = runtime_for(TWO_SERVERS, CREDS, {"a": [streaming(sse(chunk("partial"), done=False))]})
    stream = runtime.complete(MESSAGES, model="m1", stream=True)
    with pytest.raises(StreamInterrupted) as raised:
        list(stream)
    assert str(raised.value) == "stream from a ended without a finish reason or [DONE]"


def test_no_fallback_once_the_first_chunk_reached_the_caller(runtime_for):
    body = sse(chunk("one "), chunk("two "), chunk("three", "stop"))
    first_event = len(sse(chunk("one "), done=False))
    runtime, server, _ = runtime_for(TWO_SERVERS, CREDS, {"a": [streaming(body, size=first_event, fail_after=1)]})
    stream = runtime.complete(MESSAGES, model="m1", stream=True)
    received = []
    with pytest.raises(StreamInterrupted):
        for delta in stream:
            received.append(delta)
    assert received == ["one "] and len(server.seen) == 1


def test_sse_decoder_joins_multiline_data_and_ignores_comments():
    decoder = SSEDecoder()
    assert decoder.feed(b": keep-alive\r\ndata: a\r\nda") == []
    assert decoder.feed(b"ta: b\r\n\r\ndata: c") == ["a\nb"]
    assert decoder.close() == ["c"]


# -- classification ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, body, kind",
    [
        (500, "oops", "retry"),
        (408, "", "retry"),
        (409, "", "retry"),
        (429, "{}", "retry"),
        (401, '{"error": {"message": "bad"}}', "auth"),
        (403, "", "auth"),
        (404, '{"detail": "Not Found"}', "not-found"),
        (400, '{"error": {"code": "context_length_exceeded", "message": "x"}}', "context-length"),
        (400, '{"object": "error", "code": 40303, "message": "x"}', "context-length"),
        (400, '{"error": {"code": 400, "type": "exceed_context_size_error", "message": "x"}}', "context-length"),
        (400, '{"error": {"message": "messages must not be empty", "code": "invalid_value"}}', "rejected"),
        (422, '{"detail": [{"loc": ["body"], "msg": "field required"}]}', "rejected"),
    ],
)
def test_error_shapes_are_classified_in_one_place(status, body, kind):
    assert classify(status, body).kind == kind


def test_retry_after_forms():
    assert retry_after_seconds({"retry-after-ms": "1500"}, 60) == 1.5
    assert retry_after_seconds({"retry-after": "3"}, 60) == 3.0
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 60) == 0.0
    assert retry_after_seconds({}, 60) is None


# -- precedence: environment over file -----------------------------------------------------------------------------


def test_env_beats_file_per_field_and_empty_env_counts_as_unset(runtime_for):
    llm = {"endpoints": {"openai-compatible": {"enabled": True}}, "models": {"m": model(["openai-compatible"])}}
    creds = {"endpoints": {"openai-compatible": {"apiKey": "file-key", "baseUrl": "http://file/v1"}}}
    env = {"OPENAI_COMPATIBLE_API_KEY": "env-key", "OPENAI_COMPATIBLE_BASE_URL": ""}
    runtime, server, _ = runtime_for(llm, creds, {}, env=env)
    (candidate,) = runtime.plan(model="m").attempts
    key = candidate.endpoint.fields["apiKey"]
    assert (key.value.reveal(), key.source) == ("env-key", "env OPENAI_COMPATIBLE_API_KEY")
    assert candidate.endpoint.base_url == ("http://file/v1", "credentials.json /endpoints/openai-compatible/baseUrl")
    runtime.complete(MESSAGES, model="m")
    assert server.seen == [("file", "m", "Bearer env-key")]


def test_both_base_url_variables_and_llm_config_fallback(runtime_for):
    llm = {
        "endpoints": {"openai-compatible": {"enabled": True, "baseUrl": "http://llm/v1"}},
        "models": {"m": model(["openai-compatible"])},
    }
    runtime, _, _ = runtime_for(
        llm,
        {"endpoints": {"openai-compatible": {"apiKey": "k"}}},
        {},
        env={"OPENAI_COMPATIBLE_BASE_URL": "http://env/v1"},
    )
    assert runtime.plan(model="m").attempts[0].endpoint.base_url == ("http://env/v1", "env OPENAI_COMPATIBLE_BASE_URL")
    runtime, _, _ = runtime_for(llm, {"endpoints": {"openai-compatible": {"apiKey": "k"}}}, {})
    assert runtime.plan(model="m").attempts[0].endpoint.base_url == (
        "http://llm/v1",
        "llm-config.json /endpoints/openai-compatible/baseUrl",
    )


def test_enabled_false_beats_env(runtime_for):
    llm = {"models": {"m": model(["openai-direct"])}}
    runtime, _, _ = runtime_for(
        llm, {"endpoints": {"openai-direct": {"enabled": False}}}, {}, env={"OPENAI_API_KEY": "sk-env"}
    )
    assert [(d.endpoint, d.reason) for d in runtime.plan(model="m").dropped] == [
        ("openai-direct", "disabled in credentials.json")
    ]
    runtime, _, _ = runtime_for(llm, {}, {}, env={"OPENAI_API_KEY": "sk-env"})
    assert [c.endpoint.id for c in runtime.plan(model="m").attempts] == ["openai-direct"]


def test_azure_uses_its_deployment_url_and_api_key_header(runtime_for):
    llm = {"endpoints": {"azure-openai": {"enabled": True}}, "models": {"dep": model(["azure-openai"])}}
    creds = {"endpoints": {"azure-openai": {"apiKey": "az-key", "endpoint": "https://res.openai.azure.com/"}}}
    seen = []

    def handler(request):
        seen.append((str(request.url), request.headers.get("api-key")))
        return httpx.Response(200, json={"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]})

    runtime, _, _ = runtime_for(llm, creds, {}, transport=httpx.MockTransport(handler))
    runtime.complete(MESSAGES, model="dep")
    assert seen == [
        ("https://res.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21", "az-key")
    ]


def test_a_server_that_echoes_the_key_never_leaks_it(runtime_for):
    llm = {**TWO_SERVERS, "models": {"m1": model(["a"])}, "tiers": {}}
    creds = {"endpoints": {"a": {"apiKey": "sk-canary-0123456789", "baseUrl": "http://a/v1"}}}
    echo = (401, {"error": {"message": "invalid key sk-canary-0123456789"}}, {})
    runtime, _, _ = runtime_for(llm, creds, {"a": [echo]})
    with pytest.raises(AllAttemptsFailed) as raised:
        runtime.complete(MESSAGES, model="m1")
    assert "invalid key ********************" in str(raised.value) and "sk-can" not in str(raised.value)


def test_the_merged_config_is_available_as_the_generated_model(runtime_for):
    from pbcfg.generated import LlmConfig

    runtime, _, _ = runtime_for(TWO_SERVERS, CREDS, {})
    typed = runtime.llm_config
    assert isinstance(typed, LlmConfig)
    assert typed.models.model_extra["m1"].maxContextTokens == 8192
    assert typed.endpoints.anthropic_direct.priority == 1  # PonyBunny's default, merged in


def test_openai_stream_joins_tool_call_arguments_per_index_and_hands_them_over_whole():
    from pbcfg.runtime.protocols.base import Delta
    from pbcfg.runtime.protocols.openai import PROTOCOL
    from pbcfg.runtime.results import ToolCall

    def chunk(delta, finish=None, usage=None):
        body = {"choices": [{"delta": delta, "finish_reason": finish}], **({"usage": usage} if usage else {})}
        return f"data: {json.dumps(body)}\n\n".encode()

    def call(index, **fields):
        return {"tool_calls": [{"index": index, **fields}]}

    decoder = PROTOCOL.stream_decoder()
    wire = b"".join(
        [
            chunk(call(0, id="c0", function={"name": "get_weather", "arguments": '{"ci'})),
            chunk(call(1, id="c1", function={"name": "get_time", "arguments": ""})),
            chunk(call(0, function={"arguments": 'ty": "Paris"}'})),
            chunk(call(1, function={"arguments": "{}"})),
            chunk({}, "tool_calls"),
            chunk({}, usage={"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}),
            b"data: [DONE]\n\n",
        ]
    )
    events = [event for piece in (wire[:37], wire[37:200], wire[200:]) for event in decoder.feed(piece)]
    assert events[:4] == [Delta(), Delta(), Delta(), Delta()]
    assert events[4:] == [
        Delta(
            "", None, "tool_calls", (ToolCall("c0", "get_weather", {"city": "Paris"}), ToolCall("c1", "get_time", {}))
        ),
        Delta("", {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}),
        None,
    ]
    assert decoder.close() == []


def test_openai_answer_normalizes_tool_calls_and_the_legacy_finish_reason():
    from pbcfg.runtime.protocols.openai import PROTOCOL
    from pbcfg.runtime.results import ToolCall

    answer = {
        "choices": [
            {
                "finish_reason": "function_call",
                "message": {
                    "content": None,
                    "tool_calls": [
                        {"id": "c9", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
                        {"id": "c10", "type": "function", "function": {"name": "g", "arguments": "not json"}},
                    ],
                },
            }
        ]
    }
    reply = PROTOCOL.read_reply(json.dumps(answer).encode(), 200)
    assert reply == ("", {}, "tool_calls", (ToolCall("c9", "f", {"a": 1}), ToolCall("c10", "g", "not json")))
