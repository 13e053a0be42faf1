"""Gemini (Google AI Studio) against llmock's ``/gemini/v1beta/models/…``: the URL and key header, text, streams,
function calls and faults."""

from __future__ import annotations

import pytest

from pbcfg.runtime import AllAttemptsFailed, StreamInterrupted, ToolCall
from pbcfg.runtime.protocols.base import ChatRequest
from pbcfg.runtime.protocols.gemini import PROTOCOL, read_generated
from pbcfg.runtime.responses import Failure
from servers import WEATHER_TOOLS, journal, llmock_server, one_endpoint_runtime, reset, said, scenario

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

KEY = "AIzaSy-test-0123456789abcdef"
MODEL = "gemini-2.0-flash"
ANSWER = f"Hello! LLMock handled this request for {MODEL}."  # llmock's answer to "be brief" and "hello"
STREAMED = f"Simulated success from {MODEL}."  # and to "hello" alone, streamed


@pytest.fixture(scope="module")
def server():
    with llmock_server() as running:
        yield running


@pytest.fixture
def rt(server, tmp_path):
    reset(server)
    runtime = one_endpoint_runtime(
        tmp_path, "google-ai-studio", {"apiKey": KEY, "baseUrl": server.url + "/gemini/v1beta"}, MODEL
    )
    yield runtime
    runtime.close()


def test_the_url_names_the_model_and_the_key_rides_in_a_header(rt):
    endpoint = rt.endpoints["google-ai-studio"]
    request = PROTOCOL.chat_request(endpoint, MODEL, ChatRequest([{"role": "user", "content": "hi"}]), stream=True)
    assert request.url.endswith(f"/gemini/v1beta/models/{MODEL}:streamGenerateContent?alt=sse")
    assert request.headers["x-goog-api-key"] == KEY
    assert "key=" not in request.url


def test_text_with_the_system_instruction(rt, server):
    result = rt.complete(
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}], tier="simple"
    )
    assert (result.content, result.finish_reason) == (ANSWER, "stop")
    assert [(a.outcome, a.status) for a in result.attempts] == [("ok", 200)]
    assert result.usage == {"prompt_tokens": 3, "completion_tokens": 14, "total_tokens": 17}
    [request] = journal(server)
    assert request["path"] == f"/gemini/v1beta/models/{MODEL}:generateContent"
    assert request["body"] == {
        "contents": [{"role": "user", "parts": [{"text": "hello"}]}],
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {"maxOutputTokens": 4096, "temperature": 0.7},
    }
    assert KEY not in said(result)


def test_function_calls_and_their_results(rt, server):
    scenario(server, {"type": "reply", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]})
    first = rt.complete(
        [{"role": "user", "content": "weather?"}], tier="simple", tools=WEATHER_TOOLS, tool_choice="required"
    )
    assert first.tool_calls == (ToolCall("call_0", "get_weather", {"city": "Paris"}),)
    assert first.finish_reason == "tool_calls"
    [request] = journal(server)
    assert request["body"]["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "the weather in a city",
                    "parameters": WEATHER_TOOLS[0]["function"]["parameters"],
                }
            ]
        }
    ]
    assert request["body"]["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    rt.complete(
        [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "call_0",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_0", "content": "sunny"},
        ],
        tier="simple",
    )
    [request] = journal(server)
    assert request["body"]["contents"][1:] == [
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"result": "sunny"}}}]},
    ]


def test_a_stream_of_text(rt, server):
    with rt.complete([{"role": "user", "content": "hello"}], tier="simple", stream=True) as stream:
        pieces = list(stream)
    assert "".join(pieces) == STREAMED
    assert len(pieces) > 1
    assert (stream.finish_reason, stream.usage["completion_tokens"]) == ("stop", 10)
    [request] = journal(server)
    assert request["path"] == f"/gemini/v1beta/models/{MODEL}:streamGenerateContent"


def test_a_streamed_function_call(rt, server):
    scenario(server, {"type": "reply", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]})
    with rt.complete(
        [{"role": "user", "content": "weather?"}], tier="simple", stream=True, tools=WEATHER_TOOLS
    ) as stream:
        pieces = list(stream)
    assert pieces == [ToolCall("call_0", "get_weather", {"city": "Paris"})]
    assert stream.finish_reason == "tool_calls"


def test_resource_exhausted_is_rate_limited_and_retried(rt, server):
    scenario(server, {"type": "fail", "status": 429, "retry_after": 4})
    result = rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert [(a.outcome, a.status) for a in result.attempts] == [("retry", 429), ("ok", 200)]
    assert rt.slept == [4.0]
    assert result.attempts[0].detail.startswith("RESOURCE_EXHAUSTED")


def test_unauthenticated_moves_on(rt, server):
    scenario(server, {"type": "fail", "status": 401})
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert [(a.outcome, a.status) for a in failed.value.attempts] == [("auth", 401)]
    assert failed.value.attempts[0].detail.startswith("UNAUTHENTICATED")
    assert KEY not in said(failed.value, *failed.value.attempts)


def test_500_is_retried(rt, server):
    scenario(server, {"type": "fail", "status": 500})
    result = rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert [(a.outcome, a.status) for a in result.attempts] == [("retry", 500), ("ok", 200)]


def test_a_blocked_prompt_is_a_refusal_that_stops_the_chain():
    with pytest.raises(Failure) as refused:
        read_generated(b'{"promptFeedback": {"blockReason": "SAFETY"}}', 200)
    assert (refused.value.kind, refused.value.status) == ("rejected", 200)
    assert "blockReason SAFETY" in refused.value.detail


def test_a_truncated_stream_is_an_interruption(rt, server):
    scenario(server, {"type": "stream_fault", "kind": "truncate", "after_chunks": 2})
    with pytest.raises(StreamInterrupted) as broke:
        with rt.complete([{"role": "user", "content": "hello"}], tier="simple", stream=True) as stream:
            list(stream)
    assert "ended without a finish reason" in str(broke.value)


def test_a_corrupt_event_is_a_bad_response(rt, server):
    scenario(server, {"type": "stream_fault", "kind": "malformed", "after_chunks": 0})
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hello"}], tier="simple", stream=True)
    assert [(a.outcome, a.status) for a in failed.value.attempts] == [("bad-response", 200)]


def test_status_lists_the_models_with_the_key_in_a_header(rt, server):
    [status] = [s for s in rt.status() if s.endpoint == "google-ai-studio"]
    assert (status.state, status.absent) == ("model-absent", ("gemini-2.0-pro",))  # PonyBunny's default model
    assert MODEL in status.served
    [request] = journal(server)
    assert (request["method"], request["path"]) == ("GET", "/gemini/v1beta/models")
    assert KEY not in said(status)
