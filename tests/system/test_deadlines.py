"""Deadlines on real sockets: loopback servers that drip, stall and never finish.

Each server records what it sent and when the client hung up, in seconds since
the request arrived. The tests assert outcomes and those recorded figures: that
the client waited its deadline (a lower bound, whatever the machine's speed; less
0.1 s, as the server's clock starts when the request has arrived) and
hung up long before the server was done (far fewer bytes than it had to send).
Each server gives up on its own after a while: only a safety stop.
"""

from __future__ import annotations

import json
import socket
import socketserver
import time

import pytest

from conftest import Running
from pbcfg.runtime import AllAttemptsFailed, StreamInterrupted, load_runtime

MESSAGES = [{"role": "user", "content": "hi"}]
SAFETY_STOP = 30.0  # no script runs longer than this, whatever the client does
EVENT = b'data: {"choices": [{"delta": {"content": "x"}, "finish_reason": null}]}\n\n'
OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\n%s\r\n"


class HungUp(Exception):
    pass


class Loopback(Running):
    """A TCP server on 127.0.0.1 running ``script(send)`` for each request; ``log`` records, per request, the
    writes and bytes sent and when (seconds since the request arrived) the client hung up, if it did."""

    def __init__(self, script) -> None:
        self.script = script
        self.log: list[dict] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                connection: socket.socket = self.request
                head = b""
                while b"\r\n\r\n" not in head:
                    data = connection.recv(65536)
                    if not data:
                        return
                    head += data
                started = time.monotonic()
                entry = {"path": head.split(b" ", 2)[1].decode(), "writes": 0, "sent": 0, "hung_up_at": None}
                outer.log.append(entry)

                def send(data: bytes) -> None:
                    if time.monotonic() - started > SAFETY_STOP:
                        raise HungUp
                    try:
                        connection.sendall(data)
                    except OSError:
                        entry["hung_up_at"] = time.monotonic() - started
                        raise HungUp from None
                    entry["writes"] += 1
                    entry["sent"] += len(data)

                try:
                    outer.script(send)
                except HungUp:
                    pass

        super().__init__(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler))


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


def sse_forever(send) -> None:
    send(OK_HEAD % (b"text/event-stream", b""))
    while True:
        send(EVENT)
        time.sleep(0.05)


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
    (directory / "credentials.json").write_text(json.dumps({"endpoints": {
        "box": {"apiKey": "sk-deadline-0123456789", "baseUrl": url}}}))
    (directory / "llm-config.json").write_text(json.dumps({
        "endpoints": {"box": {"enabled": True, "protocol": "openai", "priority": 1}},
        "models": {"m": {"displayName": "M", "endpoints": ["box"], "costPer1kTokens": {"input": 0, "output": 0}}},
        "tiers": {"simple": {"primary": "m", "fallback": []}},
        "defaults": {"maxRetries": 0, "timeout": timeout_ms}}))
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
    assert entry["hung_up_at"] is not None and entry["hung_up_at"] >= 0.9
    assert entry["writes"] < 1 + planned // 4  # the head, then a quarter of what it meant to drip, at most


def test_an_endless_stream_is_cut_off_at_its_total_deadline(tmp_path):
    with Loopback(sse_forever) as server:
        runtime = load_runtime(write_config(tmp_path, server.url), env={}, stream_deadline=1.5)
        received = []
        with pytest.raises(StreamInterrupted) as raised:
            received.extend(runtime.complete(MESSAGES, model="m", stream=True))
        runtime.close()
        time.sleep(0.3)
    assert str(raised.value) == ("stream from box broke after its first chunk: timeout: the stream ran past its total "
                                 "deadline of 1.5 s")
    (entry,) = server.log
    assert entry["hung_up_at"] is not None and entry["hung_up_at"] >= 1.4
    assert 1 <= len(received) < SAFETY_STOP / 0.05


def test_a_stream_of_keep_alive_comments_is_cut_off_before_its_first_event(tmp_path):
    attempts, entry = failed_call(tmp_path, keep_alive_only, stream=True, settle=0.3)
    assert attempts == [("failed", None, "timeout: no event within 1 s")]
    assert entry["hung_up_at"] is not None and entry["hung_up_at"] >= 0.9


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
