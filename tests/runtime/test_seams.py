"""The runtime's seams: context managers that close what is open, enums for outcomes, public methods only
between its modules, the auth header built in one place, one module per job."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import time

import httpx
import pytest

from helpers import REPO
from pbcfg.runtime import (
    AllAttemptsFailed,
    Attempt,
    Completion,
    EndpointStatus,
    NoRoute,
    Outcome,
    RateLimited,
    RequestRejected,
    Runtime,
    RuntimeFailure,
    State,
    Stream,
    StreamInterrupted,
    load_runtime,
)
from pbcfg.runtime.protocols import openai
from pbcfg.runtime.protocols.openai import auth_headers
from pbcfg.runtime.responses import Kind, classify

MESSAGES = [{"role": "user", "content": "hi"}]


class Tracked(httpx.SyncByteStream):
    """An SSE body that records whether anyone closed it."""

    opened: list = []

    def __init__(self) -> None:
        self.closed = False
        Tracked.opened.append(self)

    def __iter__(self):
        yield b'data: {"choices": [{"delta": {"content": "a"}, "finish_reason": null}]}\n\n'
        yield b'data: {"choices": [{"delta": {"content": "b"}, "finish_reason": "stop"}]}\n\ndata: [DONE]\n\n'

    def close(self) -> None:
        self.closed = True


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/models"):
        return httpx.Response(200, json={"data": [{"id": "m"}]})
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Tracked())


@pytest.fixture
def config(tmp_path):
    (tmp_path / "credentials.json").write_text(
        json.dumps({"endpoints": {"box": {"apiKey": "sk-seam-0123456789", "baseUrl": "http://box/v1"}}})
    )
    (tmp_path / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {"box": {"enabled": True, "protocol": "openai", "priority": 1}},
                "models": {
                    "m": {"displayName": "M", "endpoints": ["box"], "costPer1kTokens": {"input": 0, "output": 0}}
                },
            }
        )
    )
    Tracked.opened = []
    return tmp_path


def test_a_stream_left_without_iterating_is_closed_by_its_with_block(config):
    runtime = load_runtime(config, env={}, transport=httpx.MockTransport(handler))
    with runtime.complete(MESSAGES, model="m", stream=True) as stream:
        assert isinstance(stream, Stream)
        assert [body.closed for body in Tracked.opened] == [False]
    assert [body.closed for body in Tracked.opened] == [True]


class Closing(httpx.MockTransport):
    closed = 0

    def close(self) -> None:
        self.closed += 1


def test_closing_the_runtime_closes_a_stream_never_iterated_and_every_transport_once(config):
    transport = Closing(handler)
    with load_runtime(config, env={}, transport=transport) as runtime:
        assert isinstance(runtime, Runtime)
        runtime.complete(MESSAGES, model="m", stream=True)
        assert [body.closed for body in Tracked.opened] == [False]
    assert [body.closed for body in Tracked.opened] == [True]
    assert transport.closed == 1


def test_a_request_sends_each_header_once_its_own_winning_over_the_defaults():
    """httpx's client merges headers by name, whatever their case; sending to the transport must too (Bedrock signs
    its own ``Accept``: a second one beside it breaks the signature)."""
    from pbcfg.runtime.protocols.base import HttpRequest
    from pbcfg.runtime.transport import Http

    request = HttpRequest("POST", "http://box/model/m/invoke", {"Accept": "application/json"}, b"{}")
    sent = Http(None, 60.0, time.monotonic)._request(request, 5.0)
    assert [(name.lower(), value) for name, value in sent.headers.multi_items()] == [
        ("host", "box"),
        ("accept-encoding", "gzip, deflate"),
        ("user-agent", f"python-httpx/{httpx.__version__}"),
        ("accept", "application/json"),
        ("content-length", "2"),
    ]


def test_a_stream_read_to_the_end_is_closed_and_closing_twice_is_harmless(config):
    with load_runtime(config, env={}, transport=httpx.MockTransport(handler)) as runtime:
        stream = runtime.complete(MESSAGES, model="m", stream=True)
        assert list(stream) == ["a", "b"]
        assert [body.closed for body in Tracked.opened] == [True]
        stream.close()


def test_outcomes_states_and_verdicts_are_enums_that_print_their_old_words(config):
    runtime = load_runtime(
        config,
        env={},
        transport=httpx.MockTransport(
            lambda request: (
                httpx.Response(200, json={"data": [{"id": "m"}]})
                if request.method == "GET"
                else httpx.Response(200, json={"choices": [{"message": {"content": "x"}, "finish_reason": "stop"}]})
            )
        ),
    )
    (attempt,) = runtime.complete(MESSAGES, model="m").attempts
    assert attempt.outcome is Outcome.OK and json.dumps(attempt._asdict()) == (
        '{"model": "m", "endpoint": "box", "outcome": "ok", "detail": "", "status": 200, "hint": null}'
    )
    (box,) = [s for s in runtime.status() if s.endpoint == "box"]
    assert box.state is State.OK and f"{box.state}" == "ok"
    assert classify(401, "").kind is Kind.AUTH and f"{Kind.CONTEXT_LENGTH}" == "context-length"
    assert [o.value for o in Outcome][:4] == ["ok", "retry", "failed", "auth"]


def test_the_public_names_still_import():
    assert {
        AllAttemptsFailed,
        Attempt,
        Completion,
        EndpointStatus,
        NoRoute,
        RateLimited,
        RequestRejected,
        RuntimeFailure,
        StreamInterrupted,
    } <= {
        getattr(__import__("pbcfg.runtime", fromlist=["x"]), n)
        for n in __import__("pbcfg.runtime", fromlist=["x"]).__all__
    }


def test_the_auth_header_is_built_in_one_place(config, monkeypatch):
    """Every OpenAI-protocol request, a completion and a model listing, carries what ``auth_headers`` returns."""
    runtime = load_runtime(config, env={}, transport=httpx.MockTransport(handler))
    assert auth_headers(runtime.endpoints["box"]) == {"Authorization": "Bearer sk-seam-0123456789"}
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, request.headers.get("authorization")))
        if request.method == "GET":
            return httpx.Response(200, json={"data": [{"id": "m"}]})
        return httpx.Response(200, json={"choices": [{"message": {"content": "x"}, "finish_reason": "stop"}]})

    monkeypatch.setattr(openai, "auth_headers", lambda endpoint: {"Authorization": "Bearer from-the-one-place"})
    with load_runtime(config, env={}, transport=httpx.MockTransport(answer)) as runtime:
        runtime.complete(MESSAGES, model="m")
        runtime.status()
    assert seen == [
        ("POST", "/v1/chat/completions", "Bearer from-the-one-place"),
        ("GET", "/v1/models", "Bearer from-the-one-place"),
    ]


def test_no_runtime_module_reaches_into_another_s_private_names():
    """``status``, ``stream`` and the commands talk to a Runtime through its public methods (ruff's SLF001;
    transport.py is left out: it reads httpx's own private attributes to reuse its connection pool)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "SLF001",
            "--output-format",
            "concise",
            "--extend-exclude",
            "toolkit/runtime/transport.py",
            "toolkit/runtime",
            "toolkit/cli/commands",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_one_module_one_job():
    """The rooms exist, each says why in its docstring; what the loop and HTTP may import is held by the import
    contracts in pyproject.toml (tests/test_layout.py runs them)."""
    import pbcfg.runtime

    modules = {
        info.name: importlib.import_module(f"pbcfg.runtime.{info.name}")
        for info in pkgutil.iter_modules(pbcfg.runtime.__path__)
        if not info.ispkg
    }
    assert "core" not in modules and {"engine", "transport", "stream"} <= set(modules)
    assert [name for name, module in modules.items() if not module.__doc__] == []


def test_a_plan_and_a_call_import_only_the_protocols_they_use(config):
    """An OpenAI-only config loads no other protocol module, and so none of their optional extras."""
    script = (
        "import sys, httpx\n"
        "from pbcfg.runtime import load_runtime\n"
        f"runtime = load_runtime({str(config)!r}, env={{}}, transport=httpx.MockTransport(lambda r: httpx.Response("
        "200, json={'choices': [{'message': {'content': 'x'}, 'finish_reason': 'stop'}]})))\n"
        "runtime.plan(model='m'); runtime.complete([{'role': 'user', 'content': 'hi'}], model='m')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pbcfg.runtime.protocols.', 'botocore', 'google.auth'))))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['pbcfg.runtime.protocols.base', 'pbcfg.runtime.protocols.openai']"
