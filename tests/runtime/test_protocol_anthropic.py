"""Anthropic's Messages API against llmock's ``/anthropic/v1/messages``: text, streams, tool calls and faults."""

from __future__ import annotations

import pytest

from pbcfg.runtime import AllAttemptsFailed, StreamInterrupted, ToolCall
from servers import WEATHER_TOOLS, journal, llmock_server, one_endpoint_runtime, reset, said, scenario

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

KEY = "sk-ant-test-0123456789abcdef"
MODEL = "claude-haiku-4-5-20251001"
ANSWER = f"Simulated answer from {MODEL} for 'hello'."


@pytest.fixture(scope="module")
def server():
    with llmock_server() as running:
        yield running


@pytest.fixture
def rt(server, tmp_path):
    reset(server)
    runtime = one_endpoint_runtime(
        tmp_path, "anthropic-direct", {"apiKey": KEY, "baseUrl": server.url + "/anthropic/v1/messages"}, MODEL
    )
    yield runtime
    runtime.close()


def test_text_with_the_system_prompt_hoisted_and_max_tokens_set(rt, server):
    result = rt.complete(
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}], tier="simple"
    )
    assert (result.content, result.finish_reason) == (ANSWER, "stop")
    assert [(a.outcome, a.status) for a in result.attempts] == [("ok", 200)]
    assert result.usage == {"prompt_tokens": 3, "completion_tokens": 15, "total_tokens": 18}
    assert result.cost == pytest.approx((3 * 1.0 + 15 * 2.0) / 1000)
    [request] = journal(server)
    assert request["path"] == "/anthropic/v1/messages"
    assert request["body"] == {
        "model": MODEL,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hello"}]}],
        "max_tokens": 4096,
        "system": "be brief",
        "temperature": 0.7,
    }
    assert KEY not in said(result)


def test_tool_results_go_back_as_tool_result_blocks(rt, server):
    scenario(server, {"type": "reply", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]})
    first = rt.complete(
        [{"role": "user", "content": "weather?"}], tier="simple", tools=WEATHER_TOOLS, tool_choice="auto"
    )
    [call] = first.tool_calls
    assert (call.name, call.arguments, first.finish_reason) == ("get_weather", {"city": "Paris"}, "tool_calls")
    assert call.id.startswith("toolu_")
    journal(server)
    rt.complete(
        [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
        ],
        tier="simple",
        tools=WEATHER_TOOLS,
    )
    [request] = journal(server)
    assert request["body"]["messages"][1:] == [
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": call.id, "name": "get_weather", "input": {"city": "Paris"}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "sunny"}]},
    ]
    assert request["body"]["tools"] == [
        {
            "name": "get_weather",
            "description": "the weather in a city",
            "input_schema": WEATHER_TOOLS[0]["function"]["parameters"],
        }
    ]


def test_a_stream_of_text(rt):
    with rt.complete([{"role": "user", "content": "hello"}], tier="simple", stream=True) as stream:
        pieces = list(stream)
    assert "".join(pieces) == ANSWER
    assert len(pieces) > 1
    assert stream.finish_reason == "stop"
    # input from message_start (which also says 1 output token), the output from message_delta's cumulative count
    assert stream.usage == {"prompt_tokens": 1, "completion_tokens": 15, "total_tokens": 16}
    assert [(a.outcome, a.status) for a in stream.attempts] == [("ok", 200)]


def test_a_streamed_tool_call_is_joined_from_its_pieces(rt, server):
    scenario(server, {"type": "reply", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]})
    with rt.complete(
        [{"role": "user", "content": "weather?"}], tier="simple", stream=True, tools=WEATHER_TOOLS
    ) as stream:
        pieces = list(stream)
    assert [p for p in pieces if isinstance(p, ToolCall)] == stream.tool_calls
    [call] = stream.tool_calls
    assert (call.name, call.arguments, stream.finish_reason) == ("get_weather", {"city": "Paris"}, "tool_calls")


def test_429_waits_for_retry_after_then_succeeds(rt, server):
    scenario(server, {"type": "fail", "status": 429, "retry_after": 2})
    result = rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert [(a.outcome, a.status) for a in result.attempts] == [("retry", 429), ("ok", 200)]
    assert rt.slept == [2.0]
    assert "rate_limit_error" in result.attempts[0].detail


@pytest.mark.parametrize(("status", "kind"), [(529, "overloaded_error"), (500, "api_error")])
def test_overloaded_and_server_errors_are_retried(rt, server, status, kind):
    scenario(server, {"type": "fail", "status": status, "times": 3})
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert [(a.outcome, a.status) for a in failed.value.attempts] == [("retry", status)] * 2 + [("failed", status)]
    assert kind in failed.value.attempts[0].detail
    assert KEY not in said(failed.value, *failed.value.attempts)


@pytest.mark.parametrize(("status", "kind"), [(401, "authentication_error"), (403, "permission_error")])
def test_a_refused_key_moves_on_with_its_message(rt, server, status, kind):
    scenario(server, {"type": "fail", "status": status})
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    [attempt] = failed.value.attempts
    assert (attempt.outcome, attempt.status) == ("auth", status)
    assert attempt.detail.startswith(kind)
    assert KEY not in said(failed.value, attempt)


@pytest.mark.parametrize("fault", ["truncate", "disconnect"])
def test_a_stream_broken_after_its_first_chunk_is_an_interruption(rt, server, fault):
    scenario(server, {"type": "stream_fault", "kind": fault, "after_chunks": 3})
    with pytest.raises(StreamInterrupted) as broke:
        with rt.complete([{"role": "user", "content": "hello"}], tier="simple", stream=True) as stream:
            list(stream)
    assert [a.outcome for a in broke.value.attempts] == ["failed"]


def test_a_corrupt_event_is_a_bad_response(rt, server):
    scenario(server, {"type": "stream_fault", "kind": "malformed", "after_chunks": 0})
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hello"}], tier="simple", stream=True)
    assert [(a.outcome, a.status) for a in failed.value.attempts] == [("bad-response", 200)]


def test_status_lists_the_models_for_free(rt, server):
    [status] = [s for s in rt.status() if s.endpoint == "anthropic-direct"]
    # PonyBunny's defaults put its Sonnet and Opus ids on anthropic-direct too; this server serves neither
    assert (status.state, status.absent) == ("model-absent", ("claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101"))
    assert MODEL in status.served
    [request] = journal(server)
    assert (request["method"], request["path"]) == ("GET", "/anthropic/v1/models")
    assert KEY not in said(status)
