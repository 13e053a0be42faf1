"""The runtime's seams: context managers that close what is open, enums for outcomes, public methods only
between its modules, the auth header built in one place, one module per job."""

from __future__ import annotations

import ast
import json

import httpx
import pytest

from conftest import REPO
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
from pbcfg.runtime.protocols.openai import auth_headers
from pbcfg.runtime.responses import Kind, classify

RUNTIME = REPO / "toolkit" / "runtime"
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


def test_closing_the_runtime_closes_a_stream_never_iterated_and_every_client(config):
    with load_runtime(config, env={}, transport=httpx.MockTransport(handler)) as runtime:
        assert isinstance(runtime, Runtime)
        runtime.complete(MESSAGES, model="m", stream=True)
        client = runtime.http.client(runtime.endpoints["box"])
        assert [body.closed for body in Tracked.opened] == [False]
    assert [body.closed for body in Tracked.opened] == [True]
    assert client.is_closed


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


def test_the_auth_header_is_built_in_one_place(config):
    runtime = load_runtime(config, env={}, transport=httpx.MockTransport(handler))
    assert auth_headers(runtime.endpoints["box"]) == {"Authorization": "Bearer sk-seam-0123456789"}
    holders = sorted(
        str(path.relative_to(RUNTIME))
        for path in RUNTIME.rglob("*.py")
        if "Bearer" in path.read_text() or '"api-key"' in path.read_text()
    )
    assert [h for h in holders if not h.startswith("protocols/")] == [] and "protocols/openai.py" in holders


def test_no_runtime_module_reaches_into_another_s_private_names():
    """``status``, ``stream`` and the commands talk to a Runtime through its public methods."""
    offenders = []
    for path in list(RUNTIME.glob("*.py")) + list((REPO / "toolkit" / "cli" / "commands").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                name = (
                    owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
                )
                if name in ("runtime", "_runtime"):
                    offenders.append(f"{path.name}:{node.lineno} {name}.{node.attr}")
    assert offenders == []


def test_one_module_one_job():
    modules = {path.stem: path.read_text() for path in RUNTIME.glob("*.py")}
    assert "core" not in modules and {"engine", "transport", "stream"} <= set(modules)
    assert [name for name, text in modules.items() if ast.get_docstring(ast.parse(text)) is None] == []
    # the loop knows no HTTP and no SSE; HTTP knows no loop
    engine, http = (RUNTIME / "engine.py").read_text(), (RUNTIME / "transport.py").read_text()
    assert "import httpx" not in engine and "SSEDecoder" not in engine and "pbcfg.runtime.engine" not in http


def test_a_plan_and_a_call_import_only_the_protocols_they_use(config):
    """An OpenAI-only config loads no other protocol module, and so none of their optional extras."""
    import subprocess
    import sys

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
