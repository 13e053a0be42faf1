"""Deadlines on real sockets: loopback servers that drip, stall and never finish.

Each server records what it sent and whether the client hung up. The tests assert outcomes and those counts:
that the client read past the server's first pause (it did not give up early; the deadline's arithmetic is held
exactly with an injected clock in tests/runtime/test_bounded_outcomes.py), that it hung up, and that it hung up
long before the server was done (far fewer writes or bytes than it had to send). Each server gives up on its own
after a while: only a safety stop.
"""

from __future__ import annotations

import json
import time

import pytest

from pbcfg.runtime import AllAttemptsFailed, StreamInterrupted, load_runtime
from servers import OK_HEAD, SAFETY_STOP, Loopback, sse_forever

MESSAGES = [{"role": "user", "content": "hi"}]


def drip_body(send) -> None:
    send(OK_HEAD % (b"application/json", b"Content-Length: 100\r\n"))
    for _ in range(100):  # 50 s for the whole body
        time.sleep(0.5)
        send(b" ")


def slowloris_headers(send) -> None:
    send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(300):  # 60 s of one header that never ends
        time.sleep(0.2)
        send(b"a")


def keep_alive_only(send) -> None:
    send(OK_HEAD % (b"text/event-stream", b""))
    while True:
        send(b": keep-alive\n\n")
        time.sleep(0.1)


def one_long_line(send) -> None:
    send(OK_HEAD % (b"text/event-stream", b"") + b"data: ")
    piece = b"x" * 65536
    for _ in range(1600):  # 100 MiB without a newline
        send(piece)


def write_config(directory, url, timeout_ms=1000):
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {"box": {"apiKey": "sk-deadline-0123456789", "baseUrl": url}}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {"box": {"enabled": True, "protocol": "openai", "priority": 1}},
                "models": {
                    "m": {"displayName": "M", "endpoints": ["box"], "costPer1kTokens": {"input": 0, "output": 0}}
                },
                "tiers": {"simple": {"primary": "m", "fallback": []}},
                "defaults": {"maxRetries": 0, "timeout": timeout_ms},
            }
        )
    )
    return directory


def failed_call(tmp_path, script, *, stream: bool, settle: float):
    """Every attempt of a call that must fail against ``script``, and the server's record of the request."""
    with Loopback(script) as server:
        with load_runtime(write_config(tmp_path, server.url), env={}) as runtime:
            with pytest.raises(AllAttemptsFailed) as raised:
                runtime.complete(MESSAGES, model="m", stream=stream)
        time.sleep(settle)  # let the server notice the hang-up on its next write
    (entry,) = server.log
    return [(a.outcome, a.status, a.detail) for a in raised.value.attempts], entry


@pytest.mark.parametrize("script, planned", [(drip_body, 100), (slowloris_headers, 300)])
def test_a_dripping_server_is_cut_off_at_the_attempt_s_total_deadline(tmp_path, script, planned):
    attempts, entry = failed_call(tmp_path, script, stream=False, settle=0.6)
    assert attempts == [("failed", None, "timeout: no complete answer within 1 s")]
    assert entry["hung_up_at"] is not None and entry["writes"] >= 2  # the head, and a byte after the first pause
    assert entry["writes"] < 1 + planned // 4  # the head, then a quarter of what it meant to drip, at most


def test_an_endless_stream_is_cut_off_at_its_total_deadline(tmp_path):
    with Loopback(sse_forever) as server:
        runtime = load_runtime(write_config(tmp_path, server.url), env={}, stream_deadline=1.5)
        received = []
        with pytest.raises(StreamInterrupted) as raised:
            received.extend(runtime.complete(MESSAGES, model="m", stream=True))
        runtime.close()
        time.sleep(0.3)
    assert str(raised.value) == (
        "stream from box broke after its first chunk: timeout: the stream ran past its total deadline of 1.5 s"
    )
    (entry,) = server.log
    assert entry["hung_up_at"] is not None and entry["writes"] >= 2
    assert 1 <= len(received) < SAFETY_STOP / 0.05


def test_a_stream_of_keep_alive_comments_is_cut_off_before_its_first_event(tmp_path):
    attempts, entry = failed_call(tmp_path, keep_alive_only, stream=True, settle=0.3)
    assert attempts == [("failed", None, "timeout: no event within 1 s")]
    assert entry["hung_up_at"] is not None and entry["writes"] >= 2


def test_100_mb_of_event_stream_without_a_newline_is_refused_after_the_line_cap(tmp_path):
    attempts, entry = failed_call(tmp_path, one_long_line, stream=True, settle=0.3)
    assert attempts == [("bad-response", 200, "an event-stream line is over the 1,048,576-byte cap")]
    assert entry["hung_up_at"] is not None
    assert entry["sent"] < 20 * 1024 * 1024  # the cap plus what the sockets' buffers held, not 100 MiB


def test_status_ends_by_its_timeout_against_slowloris_headers(tmp_path):
    with Loopback(slowloris_headers) as server:
        runtime = load_runtime(write_config(tmp_path, server.url), env={})
        (box,) = [s for s in runtime.status(timeout=1.0) if s.endpoint == "box"]
        runtime.close()
    assert (box.state, box.detail) == ("unreachable", "no answer within 1s")


def test_the_commands_end_by_their_deadlines(run, tmp_path):
    with Loopback(keep_alive_only) as server:
        write_config(tmp_path, server.url)
        chat = run("chat", "--model", "m", "hi", "--stream", "--config-dir", tmp_path, "-v")
    assert chat.code == 1
    assert "attempt 1: m @ box -> failed: timeout: no event within 1 s" in chat.err
    with Loopback(drip_body) as server:
        write_config(tmp_path, server.url)
        status = run("status", "--config-dir", tmp_path, "--timeout", "1")
    assert status.code == 1
    assert "box                  unreachable" in status.out


def test_a_timeout_of_1e31_reaches_a_real_socket_without_overflow(tmp_path):
    answer = json.dumps({"choices": [{"message": {"content": "fine"}, "finish_reason": "stop"}]}).encode()

    def quick(send) -> None:
        send(OK_HEAD % (b"application/json", b"Content-Length: %d\r\n" % len(answer)) + answer)

    with Loopback(quick) as server:
        with load_runtime(write_config(tmp_path, server.url), env={}) as runtime:
            assert runtime.complete(MESSAGES, model="m", timeout=1e31).content == "fine"


def test_model_ids_with_lone_surrogates_and_control_characters_never_crash_status(run, tmp_path):
    listing = b'{"data": [{"id": "m"}, {"id": "\\ud800x"}, {"id": "\\u001b[2Jy"}]}'

    def models(send) -> None:
        send(OK_HEAD % (b"application/json", b"Content-Length: %d\r\n" % len(listing)) + listing)

    with Loopback(models) as server:
        write_config(tmp_path, server.url)
        text = run("status", "--config-dir", tmp_path)
        as_json = run("status", "--config-dir", tmp_path, "--format", "json")
    assert (text.code, as_json.code) == (0, 0)
    (box,) = [r for r in as_json.json["endpoints"] if r["endpoint"] == "box"]
    assert (box["state"], box["served"]) == ("ok", ["m", "\\ud800x", "\\x1b[2Jy"])
    assert "\x1b" not in text.out + as_json.out
