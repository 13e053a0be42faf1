"""Bounded: every answer that is not a completion is a classified outcome, and every attempt ends by its
deadline. In process, with an injected clock that the transport advances, so each deadline is exact."""

from __future__ import annotations

import itertools
import json
import os
import random

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import Clock
from pbcfg.runtime import AllAttemptsFailed, Runtime, StreamInterrupted, load_runtime
from pbcfg.runtime.responses import retry_after_seconds
from pbcfg.runtime.stream import LINE_CAP, SSEDecoder
from pbcfg.runtime.transport import BODY_CAP

MESSAGES = [{"role": "user", "content": "hi"}]
COMPLETION = {
    "choices": [{"message": {"content": "fine"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


class Body(httpx.SyncByteStream):
    """A body sent in pieces; each piece first moves the injected clock on by ``step`` seconds."""

    def __init__(self, pieces, clock: Clock | None = None, step: float = 0.0) -> None:
        self.pieces, self.clock, self.step, self.sent = pieces, clock, step, 0

    def __iter__(self):
        for piece in self.pieces:
            if self.clock is not None:
                self.clock.now += self.step
            self.sent += 1
            yield piece


@pytest.fixture
def setup(tmp_path):
    """``setup({"a": [answers], "b": [...]}, **options)`` -> (runtime, clock); endpoint a first, then b."""

    def make(scripts, defaults=None, **options):
        (tmp_path / "credentials.json").write_text(
            json.dumps(
                {
                    "endpoints": {
                        "a": {"apiKey": "sk-bounds-a-0123456789", "baseUrl": "http://a/v1"},
                        "b": {"apiKey": "sk-bounds-b-0123456789", "baseUrl": "http://b/v1"},
                    }
                }
            )
        )
        (tmp_path / "llm-config.json").write_text(
            json.dumps(
                {
                    "endpoints": {
                        "a": {"enabled": True, "protocol": "openai", "priority": 1},
                        "b": {"enabled": True, "protocol": "openai", "priority": 2},
                    },
                    "models": {
                        "m": {"displayName": "M", "endpoints": ["a", "b"], "costPer1kTokens": {"input": 0, "output": 0}}
                    },
                    "defaults": {"maxRetries": 0, "retryDelayMs": 1000, "timeout": 2000, **(defaults or {})},
                }
            )
        )
        clock = Clock()

        def handler(request: httpx.Request) -> httpx.Response:
            script = scripts.get(request.url.host) or []
            answer = script.pop(0) if script else httpx.Response(200, json=COMPLETION)
            return answer(clock) if callable(answer) else answer

        runtime = load_runtime(
            tmp_path,
            env={},
            clock=clock,
            sleep=clock.sleep,
            rng=random.Random(0),
            transport=httpx.MockTransport(handler),
            **options,
        )
        return runtime, clock

    return make


def outcomes(attempts):
    return [(a.endpoint, a.outcome, a.status) for a in attempts]


# -- answers that are not completions ------------------------------------------------------------------

NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "body, detail",
    [
        (b"[]", "the answer is not a JSON object: []"),
        (b"null", "the answer is not a JSON object: null"),
        (b'"text"', 'the answer is not a JSON object: "text"'),
        (b'{"choices": "x"}', 'the answer\'s choices are not a list of objects: {"choices": "x"}'),
        (b'{"choices": [null]}', 'the answer\'s choices are not a list of objects: {"choices": [null]}'),
        (
            b'{"choices": [{"message": "hi"}]}',
            'the answer\'s message is not an object: {"choices": [{"message": "hi"}]}',
        ),
        (
            b'{"choices": [{"message": {"content": 5}}]}',
            'the answer\'s content or finish_reason is not text: {"choices": [{"message": {"content": 5}}]}',
        ),
        (b'{"choices": []}', 'the answer has no choices: {"choices": []}'),
        (
            b'{"choices": [{"message": {"content": "x"}}], "usage": "lots"}',
            'the answer\'s usage is not token counts: {"choices": [{"message": {"content": "x"}}], "usage": "lots"}',
        ),
        (
            b'{"choices": [{"message": {"content": "x"}}], "usage": {"total_tokens": "abc"}}',
            'the answer\'s usage is not token counts: {"choices": [{"message": {"content": "x"}}], '
            '"usage": {"total_tokens": "abc"}}',
        ),
        (
            b'{"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": true}}',
            'the answer\'s usage is not token counts: {"choices": [{"message": {"content": "x"}}], '
            '"usage": {"prompt_tokens": true}}',
        ),
        (
            b"<html><body>\n<h1>502 Bad Gateway</h1></body></html>",
            "the answer is not a JSON object: <html><body> <h1>502 Bad Gateway</h1></body></html>",
        ),
        (b"", "the answer is not a JSON object: (empty)"),
        (NESTED, "the answer is not a JSON object: " + "[" * 199 + "…"),
    ],
)
def test_an_answer_that_is_not_a_completion_moves_on_as_bad_response(setup, body, detail):
    runtime, _ = setup({"a": [httpx.Response(200, content=body)]})
    result = runtime.complete(MESSAGES, model="m")
    assert outcomes(result.attempts) == [("a", "bad-response", 200), ("b", "ok", 200)]
    assert result.attempts[0].detail == detail
    assert result.content == "fine"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_never_followed_even_with_a_completion_for_body(setup, status):
    redirect = httpx.Response(status, json=COMPLETION, headers={"Location": "http://elsewhere/v1/chat/completions"})
    runtime, _ = setup({"a": [redirect]})
    result = runtime.complete(MESSAGES, model="m")
    assert outcomes(result.attempts) == [("a", "redirect", status), ("b", "ok", 200)]
    assert result.attempts[0].detail == (
        f"HTTP {status} redirect to http://elsewhere/v1/chat/completions; pbcfg does "
        "not follow redirects (that would resend the key): set the base URL to where "
        "it points"
    )


def test_when_every_endpoint_redirects_the_call_fails_instead_of_answering_empty(setup):
    moved = httpx.Response(301, headers={"Location": "https://x/"})
    runtime, _ = setup({"a": [moved], "b": [httpx.Response(301)]})
    with pytest.raises(AllAttemptsFailed) as raised:
        runtime.complete(MESSAGES, model="m")
    assert outcomes(raised.value.attempts) == [("a", "redirect", 301), ("b", "redirect", 301)]
    assert "(no Location)" in raised.value.attempts[1].detail


def test_a_body_over_the_cap_is_refused_unread_when_its_length_says_so(setup):
    big = Body([b"{"] * 3)
    declared = httpx.Response(200, headers={"content-length": str(BODY_CAP + 1)}, stream=big)
    runtime, _ = setup({"a": [declared]})
    result = runtime.complete(MESSAGES, model="m")
    assert outcomes(result.attempts) == [("a", "bad-response", 200), ("b", "ok", 200)]
    assert result.attempts[0].detail == f"the answer is {BODY_CAP + 1:,} bytes, over the {BODY_CAP:,}-byte cap"
    assert big.sent == 0


def test_a_body_over_the_cap_is_refused_after_the_cap_when_its_length_is_not_said(setup):
    mib = b" " * (1024 * 1024)
    endless = Body([mib] * 100)  # 100 MiB, never all read
    runtime, _ = setup({"a": [httpx.Response(200, stream=endless)]})
    result = runtime.complete(MESSAGES, model="m")
    assert outcomes(result.attempts) == [("a", "bad-response", 200), ("b", "ok", 200)]
    assert result.attempts[0].detail == f"the answer is over the {BODY_CAP:,}-byte cap"
    assert endless.sent == BODY_CAP // len(mib) + 1


# -- Retry-After -----------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["soon", "nan", "inf-ish", "", "Wed, 99 Foo 2015 07:28:00 GMT", "1e999999"])
def test_an_unreadable_retry_after_falls_back_to_the_backoff(setup, header):
    runtime, clock = setup(
        {"a": [httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200, json=COMPLETION)]},
        defaults={"maxRetries": 1},
    )
    result = runtime.complete(MESSAGES, model="m")
    assert outcomes(result.attempts) == [("a", "retry", 429), ("a", "ok", 200)]
    assert clock.slept == [round(1.0 * (1 + random.Random(0).uniform(0, 0.25)), 3)]


def test_retry_after_values_read_or_refused():
    assert retry_after_seconds({"retry-after": "soon"}, 60) is None
    assert retry_after_seconds({"retry-after": "nan"}, 60) is None
    assert retry_after_seconds({"retry-after": "-5"}, 60) == 0.0
    assert retry_after_seconds({"retry-after": "1e999"}, 60) is None
    assert retry_after_seconds({"retry-after-ms": "soon", "retry-after": "2"}, 60) == 2.0
    assert retry_after_seconds({"retry-after": "99999"}, 60) == 60


# -- deadlines, exact on an injected clock ------------------------------------------------------------


def test_a_dripped_body_ends_at_the_attempt_s_total_deadline(setup):
    drip = Body([b'{"choices": '] + [b" "] * 1000, step=0.5)

    def dripping(clock):
        drip.clock = clock
        return httpx.Response(200, stream=drip)

    runtime, clock = setup({"a": [dripping]})
    started = clock.now
    result = runtime.complete(MESSAGES, model="m")
    assert outcomes(result.attempts) == [("a", "failed", None), ("b", "ok", 200)]
    assert result.attempts[0].detail == "timeout: no complete answer within 2 s"
    assert (drip.sent, clock.now - started) == (5, 2.5)  # the piece that crossed the deadline was the last read


def sse(*events) -> list[bytes]:
    return [f"data: {json.dumps(e) if not isinstance(e, str) else e}\n\n".encode() for e in events]


def delta(text, finish=None):
    return {"choices": [{"delta": {"content": text}, "finish_reason": finish}]}


def streaming(pieces, step):
    body = Body(pieces, step=step)

    def answer(clock):
        body.clock = clock
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)

    return answer, body


def test_a_stream_of_keep_alive_comments_only_ends_at_the_first_event_deadline_and_falls_back(setup):
    answer, body = streaming([b": keep-alive\n\n"] * 1000, step=0.5)
    runtime, clock = setup({"a": [answer], "b": [good_stream()]})
    started = clock.now
    stream = runtime.complete(MESSAGES, model="m", stream=True)
    assert list(stream) == ["ok"]
    assert outcomes(stream.attempts) == [("a", "failed", None), ("b", "ok", 200)]
    assert stream.attempts[0].detail == "timeout: no event within 2 s"
    assert (body.sent, clock.now - started) == (5, 2.5)


def test_keep_alive_comments_after_the_first_event_do_not_hold_the_idle_deadline_off(setup):
    answer, body = streaming(sse(delta("one ")) + [b": keep-alive\n\n"] * 1000, step=0.5)
    runtime, clock = setup({"a": [answer]})
    received = []
    stream = runtime.complete(MESSAGES, model="m", stream=True)
    with pytest.raises(StreamInterrupted) as raised:
        received.extend(stream)
    assert received == ["one "]
    assert (
        str(raised.value) == "stream from a broke after its first chunk: timeout: no event for 2 s (the idle deadline)"
    )
    assert body.sent == 6  # the event at 0.5 s, then comments until 3.0 s: 2.5 s after the last event


def test_an_endless_stream_ends_at_its_total_deadline(setup):
    answer, body = streaming(itertools.repeat(sse(delta("x"))[0], 100_000), step=0.25)
    runtime, clock = setup({"a": [answer]}, stream_deadline=5.0)
    started = clock.now
    stream = runtime.complete(MESSAGES, model="m", stream=True)
    received = []
    with pytest.raises(StreamInterrupted) as raised:
        received.extend(stream)
    assert (
        str(raised.value) == "stream from a broke after its first chunk: timeout: the stream ran past its total "
        "deadline of 5 s"
    )
    # the stream's clock starts at its first event (0.25 s): 5 s later, the 21st event is past it
    assert (len(received), body.sent, clock.now - started) == (20, 21, 5.25)


def test_an_event_stream_line_over_the_cap_is_a_bad_response_read_only_to_the_cap(setup):
    chunk = b"x" * 65536
    answer, body = streaming([b"data: "] + [chunk] * 1600, step=0.0)  # 100 MiB, no newline
    runtime, _ = setup({"a": [answer], "b": [good_stream()]})
    stream = runtime.complete(MESSAGES, model="m", stream=True)
    assert list(stream) == ["ok"]
    assert outcomes(stream.attempts) == [("a", "bad-response", 200), ("b", "ok", 200)]
    assert stream.attempts[0].detail == f"an event-stream line is over the {LINE_CAP:,}-byte cap"
    assert body.sent == 1 + LINE_CAP // len(chunk)  # "data: " and 16 pieces of 64 KiB: 6 bytes over


def test_the_sse_decoder_is_linear_and_caps_an_event_made_of_many_lines():
    decoder = SSEDecoder(line_cap=100)
    assert decoder.feed(b"data: " + b"a" * 50 + b"\n") == []
    with pytest.raises(Exception) as raised:
        decoder.feed(b"data: " + b"b" * 60 + b"\n")
    assert str(raised.value) == "an event-stream event is over the 100-byte cap"
    decoder = SSEDecoder(line_cap=100)
    for _ in range(99):
        assert decoder.feed(b"y") == []
    with pytest.raises(Exception):
        decoder.feed(b"yy")


def good_stream() -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=b"".join(sse(delta("ok", "stop"), "[DONE]"))
    )


def test_an_answer_to_a_stream_request_that_is_not_an_event_stream(setup):
    runtime, _ = setup({"a": [httpx.Response(200, content=b'{"choices": []}')], "b": [good_stream()]})
    stream = runtime.complete(MESSAGES, model="m", stream=True)
    assert list(stream) == ["ok"]
    assert outcomes(stream.attempts) == [("a", "bad-response", 200), ("b", "ok", 200)]
    assert stream.attempts[0].detail == 'the answer is not an event stream: {"choices": []}'


@pytest.mark.parametrize(
    "event, detail",
    [
        ("[1, 2]", "the answer is not a JSON object: [1, 2]"),
        ('{"choices": [{"delta": "x"}]}', 'the answer\'s delta is not an object: {"choices": [{"delta": "x"}]}'),
        (
            '{"choices": [{"delta": {"content": "x"}}], "usage": {"total_tokens": "abc"}}',
            'the answer\'s usage is not token counts: {"choices": [{"delta": {"content": "x"}}], "usage": {"total_tokens": "abc"}}',
        ),
        ('{"error": {"message": "overloaded"}}', "the server sent an error in the stream: overloaded"),
    ],
)
def test_a_bad_first_event_falls_back(setup, event, detail):
    bad = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b"".join(sse(event)))
    runtime, _ = setup({"a": [bad], "b": [good_stream()]})
    stream = runtime.complete(MESSAGES, model="m", stream=True)
    assert list(stream) == ["ok"]
    assert stream.attempts[0].detail == detail
    outcome = "failed" if "error" in event else "bad-response"
    assert outcomes(stream.attempts) == [("a", outcome, None if outcome == "failed" else 200), ("b", "ok", 200)]


# -- numbers past what a socket takes ------------------------------------------------------------------


def test_a_timeout_of_1e31_is_read_as_one_day(setup):
    runtime, _ = setup({})
    assert runtime.complete(MESSAGES, model="m", timeout=1e31).content == "fine"
    huge = Runtime(
        {**runtime.config, "defaults": {**runtime.config["defaults"], "timeout": 1e31}},
        runtime.endpoints,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=COMPLETION)),
    )
    assert huge.complete(MESSAGES, model="m").content == "fine"


# -- any JSON at all ---------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "choices",
                    "message",
                    "delta",
                    "content",
                    "usage",
                    "total_tokens",
                    "finish_reason",
                    "error",
                    "data",
                    "id",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("PBCFG_FUZZ_EXAMPLES", "100")), deadline=None, derandomize=True, database=None
)
@given(answer=JSON, stream=st.booleans())
def test_any_json_answer_is_a_completion_or_a_classified_outcome(tmp_path_factory, answer, stream):
    directory = tmp_path_factory.mktemp("any")
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {"a": {"apiKey": "k", "baseUrl": "http://a/v1"}}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {"a": {"enabled": True, "protocol": "openai", "priority": 1}},
                "models": {"m": {"displayName": "M", "endpoints": ["a"], "costPer1kTokens": {"input": 0, "output": 0}}},
                "defaults": {"maxRetries": 0},
            }
        )
    )
    text = json.dumps(answer).encode()
    content = b"data: " + text + b"\n\ndata: [DONE]\n\n" if stream else text
    runtime = load_runtime(
        directory, env={}, transport=httpx.MockTransport(lambda request: httpx.Response(200, content=content))
    )
    try:
        result = runtime.complete(MESSAGES, model="m", stream=stream)
        if stream:
            "".join(result)
        assert isinstance(result.content, str)
    except AllAttemptsFailed as failure:
        assert [a.outcome for a in failure.attempts] in (["bad-response"], ["failed"])


# -- configuration no request could carry ----------------------------------------------------------------


def compat_config(directory, key="sk-file-0123456789", base_url="http://127.0.0.1:9/v1"):
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {"openai-compatible": {"apiKey": key, "baseUrl": base_url}}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {"openai-compatible": {"enabled": True}},
                "models": {
                    "m": {
                        "displayName": "M",
                        "endpoints": ["openai-compatible"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
                "tiers": {"simple": {"primary": "m", "fallback": []}},
            }
        )
    )
    return directory


@pytest.mark.parametrize(
    "env, reason",
    [
        (
            {"OPENAI_COMPATIBLE_API_KEY": "sk-\udcff\udcfeabcdefgh"},
            "the apiKey (env OPENAI_COMPATIBLE_API_KEY) holds a line break, a control character, a non-ASCII character or "
            "surrounding spaces, which an HTTP header cannot carry: check it for a stray newline",
        ),
        (
            {"OPENAI_COMPATIBLE_API_KEY": "sk-canary-7f3a9c1e\n"},
            "the apiKey (env OPENAI_COMPATIBLE_API_KEY) holds a line break, a control character, a non-ASCII character or "
            "surrounding spaces, which an HTTP header cannot carry: check it for a stray newline",
        ),
        (
            {"OPENAI_COMPATIBLE_BASE_URL": "http://127.0.0.1:sk-canary-7f3a9c1e/v1"},
            "the baseUrl (env OPENAI_COMPATIBLE_BASE_URL) is not usable: its host or port is malformed (a port must be a "
            "number from 0 to 65535)",
        ),
        (
            {"OPENAI_COMPATIBLE_BASE_URL": "http://h\udcff/v1"},
            "the baseUrl (env OPENAI_COMPATIBLE_BASE_URL) is not usable: it holds spaces, control characters or bytes that "
            "are not text",
        ),
        (
            {"OPENAI_COMPATIBLE_BASE_URL": "ftp://box/v1"},
            "the baseUrl (env OPENAI_COMPATIBLE_BASE_URL) is not usable: it is not an http:// or https:// URL",
        ),
        (
            {"OPENAI_COMPATIBLE_BASE_URL": "http://[::1/v1"},
            "the baseUrl (env OPENAI_COMPATIBLE_BASE_URL) is not usable: its host or port is malformed (a port must be a "
            "number from 0 to 65535)",
        ),
    ],
)
def test_a_key_or_url_no_request_could_carry_drops_the_candidate_naming_where_it_came_from(tmp_path, env, reason):
    runtime = load_runtime(compat_config(tmp_path), env=env)
    plan = runtime.plan(tier="simple")
    assert (plan.attempts, [(d.endpoint, d.reason) for d in plan.dropped]) == ([], [("openai-compatible", reason)])
    with pytest.raises(Exception) as raised:
        runtime.complete(MESSAGES, tier="simple")
    assert str(raised.value) == f"no usable endpoint for 'simple': m@openai-compatible: {reason}"
    assert "canary" not in str(raised.value)


@pytest.mark.slow
def test_undecodable_and_non_ascii_environment_never_crashes_a_command(tmp_path):
    import subprocess
    import sys

    compat_config(tmp_path)
    env = {
        b"PATH": os.environb.get(b"PATH", b"/usr/bin"),
        b"HOME": str(tmp_path).encode(),
        "ÄPI_KEY".encode(): b"1",
        b"X\xff": b"\xfe",
        b"OPENAI_API_KEY": b"sk-\xff\xfe0123456789",
        b"OPENAI_COMPATIBLE_API_KEY": b"sk-abc\xffdefgh",
        b"OPENAI_COMPATIBLE_BASE_URL": b"http://h\xff:1/v1",
    }
    directory = ["--config-dir", str(tmp_path)]
    for args in (
        ["chat", "--tier", "simple", "hi", *directory],
        ["resolve", "--tier", "simple", *directory],
        ["status", *directory],
        ["lint", str(tmp_path)],
    ):
        done = subprocess.run([sys.executable, "-m", "pbcfg", *args], env=env, capture_output=True, timeout=60)
        assert done.returncode in (0, 1), (args, done.stderr)
        assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr, (args, done.stderr)
