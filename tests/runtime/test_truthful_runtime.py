"""A runtime that tells the truth, against llmock 0.2.2 on 127.0.0.1 and scripted loopback
servers for what llmock does not play: a LiteLLM proxy without a database, llama.cpp's server, a server that
reports no usage or refuses stream_options."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("llmock.testing")
from llmock.scenarios import Fail, Match, StreamFault  # noqa: E402

from helpers import KEY, Scripted, closed_port, configure  # noqa: E402
from pbcfg.presets.render import Parameters, render  # noqa: E402
from pbcfg.presets.service_presets import get_preset  # noqa: E402
from pbcfg.runtime import AllAttemptsFailed, RequestRejected, load_runtime  # noqa: E402

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

MESSAGES = [{"role": "user", "content": "hello"}]
LLMOCK_MODELS = (
    "gpt-4o, gpt-4o-mini, gpt-4-turbo, gpt-3.5-turbo, gpt-image-1, text-embedding-3-small, text-embedding-3-large"
)


@pytest.fixture(autouse=True)
def fresh(llmock):
    llmock.state.reset()


def sse(*events) -> bytes:
    return b"".join(f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n".encode() for e in events)


def delta(text, finish=None):
    return {"choices": [{"delta": {"content": text}, "finish_reason": finish}]}


# -- 11: streams report their usage, and the token limit holds for them ------------------------------------


def test_a_stream_asks_for_its_usage_and_counts_it(llmock, tmp_path):
    configure(tmp_path, {"proxy": llmock.base_url()}, {"gpt-4o": ["proxy"]})
    with load_runtime(tmp_path, env={}) as runtime:
        stream = runtime.complete(MESSAGES, model="gpt-4o", stream=True)
        text = "".join(stream)
    records = llmock.state.journal.records()
    for _ in range(100):  # a stream is journaled once the server has finished it: wait for that, 5 s at most
        if records:
            break
        time.sleep(0.05)
        records = llmock.state.journal.records()
    (record,) = records
    assert record.body["stream_options"] == {"include_usage": True}
    assert text == "Simulated answer from gpt-4o for 'hello'."
    assert stream.usage["total_tokens"] == stream.usage["prompt_tokens"] + stream.usage["completion_tokens"] > 0
    assert stream.cost == (stream.usage["prompt_tokens"] * 1 + stream.usage["completion_tokens"] * 2) / 1000


def test_tokens_per_minute_holds_for_streams(llmock, tmp_path):
    configure(
        tmp_path,
        {"proxy": llmock.base_url(), "spare": llmock.base_url()},
        {"gpt-4o": ["proxy", "spare"]},
        rate_limits={"proxy": {"tokensPerMinute": 5}},
    )
    with load_runtime(tmp_path, env={}) as runtime:
        "".join(runtime.complete(MESSAGES, model="gpt-4o", stream=True))
        second = runtime.complete(MESSAGES, model="gpt-4o", stream=True)
        "".join(second)
    assert [(a.endpoint, a.outcome) for a in second.attempts] == [("proxy", "rate-limited"), ("spare", "ok")]


def test_without_usage_cost_is_unknown_and_the_limit_counts_an_estimate(run, tmp_path):
    answer = sse(delta("four score and seven"), delta("", "stop"), "[DONE]")
    table = {("POST", "/chat/completions"): (200, answer, {"Content-Type": "text/event-stream"})}
    with Scripted(table) as server:
        configure(tmp_path, {"box": server.url}, {"m": ["box"]}, rate_limits={"box": {"tokensPerMinute": 1000}})
        with load_runtime(tmp_path, env={}) as runtime:
            stream = runtime.complete([{"role": "user", "content": "x" * 400}], model="m", stream=True)
            assert "".join(stream) == "four score and seven"
            assert (stream.usage, stream.cost) == ({}, None)
            prompt = len(json.dumps([{"role": "user", "content": "x" * 400}]))
            assert runtime.window.used("box:tokens") == -(-(prompt + len("four score and seven")) // 4)
        chat = run("chat", "--model", "m", "hi", "--stream", "--config-dir", tmp_path)
    assert chat.code == 0 and chat.out == "four score and seven\n"
    assert (
        chat.err
        == f"config: {tmp_path} (--config-dir)\n— m @ box, tokens and cost unknown (the server reported no usage)\n"
    )


def test_a_server_that_refuses_stream_options_is_asked_again_without_them_and_never_again(tmp_path):
    refusal = (
        400,
        {
            "error": {
                "message": "Unrecognized request argument supplied: stream_options",
                "type": "invalid_request_error",
            }
        },
        {},
    )
    good = (200, sse(delta("ok", "stop"), "[DONE]"), {"Content-Type": "text/event-stream"})
    table = {("POST", "/chat/completions"): lambda body: refusal if "stream_options" in body else good}
    with Scripted(table) as server:
        configure(tmp_path, {"box": server.url}, {"m": ["box"]})
        with load_runtime(tmp_path, env={}) as runtime:
            first = runtime.complete(MESSAGES, model="m", stream=True)
            assert list(first) == ["ok"]
            second = runtime.complete(MESSAGES, model="m", stream=True)
            assert list(second) == ["ok"]
    assert [(a.outcome, a.status, a.detail) for a in first.attempts] == [
        ("retry", 400, "Unrecognized request argument supplied: stream_options (sent again without stream_options)"),
        ("ok", 200, ""),
    ]
    assert [a.outcome for a in second.attempts] == ["ok"]
    assert ["stream_options" in body for body in server.bodies] == [True, False, False]


def test_stream_options_the_caller_chose_are_never_dropped(tmp_path):
    refusal = (400, {"error": {"message": "stream_options: extra fields not permitted"}}, {})
    with Scripted({("POST", "/chat/completions"): refusal}) as server:
        configure(tmp_path, {"box": server.url}, {"m": ["box"]})
        with load_runtime(tmp_path, env={}) as runtime, pytest.raises(RequestRejected) as raised:
            runtime.complete(MESSAGES, model="m", stream=True, stream_options={"include_usage": False})
    assert [(a.outcome, a.status) for a in raised.value.attempts] == [("rejected", 400)]
    assert len(server.bodies) == 1


# -- 12: chat says what status says; a broken stream ends its line -------------------------------------------


def test_chat_on_a_missing_model_names_what_the_server_serves(run, llmock, tmp_path):
    llmock.state.scenarios.add(
        Fail(
            404,
            message="The model `gpt-4o-mni` does not exist",
            code="model_not_found",
            match=Match(model="gpt-4o-mni"),
            times=None,
        )
    )
    configure(tmp_path, {"proxy": llmock.base_url()}, {"gpt-4o-mni": ["proxy"]})
    chat = run("chat", "--model", "gpt-4o-mni", "hi", "--config-dir", tmp_path, "-v")
    hint = f"it serves: {LLMOCK_MODELS}; did you mean 'gpt-4o-mini'?"
    assert chat.code == 1
    assert chat.err.splitlines()[:3] == [
        f"config: {tmp_path} (--config-dir)",
        "attempt 1: gpt-4o-mni @ proxy -> model-absent 404: The model `gpt-4o-mni` does not exist",
        f"  hint: {hint}",
    ]
    assert chat.err.splitlines()[3] == (
        "pbcfg: error: every attempt failed; first: gpt-4o-mni@proxy model-absent (The model `gpt-4o-mni` does not "
        f"exist); {hint} Attempts: gpt-4o-mni@proxy: model-absent (The model `gpt-4o-mni` does not exist)"
    )
    status = run("status", "--config-dir", tmp_path, "--format", "json")
    (proxy,) = [r for r in status.json["endpoints"] if r["endpoint"] == "proxy"]
    assert (proxy["state"], proxy["hint"]) == ("model-absent", hint)


def test_a_stream_that_breaks_after_partial_output_ends_its_line_and_lists_the_attempts(run, llmock, tmp_path):
    llmock.state.scenarios.add(StreamFault("disconnect", after_chunks=3))
    configure(tmp_path, {"proxy": llmock.base_url()}, {"gpt-4o": ["proxy"]})
    chat = run("chat", "--model", "gpt-4o", "hello", "--stream", "--config-dir", tmp_path, "-v")
    assert chat.code == 1
    assert (
        chat.out.endswith("\n") and chat.out.strip() and "Simulated answer from gpt-4o for 'hello'." != chat.out.strip()
    )
    lines = chat.err.splitlines()
    assert lines[0] == f"config: {tmp_path} (--config-dir)"
    assert lines[1].startswith("attempt 1: gpt-4o @ proxy -> failed 200: the stream broke after its first chunk: ")
    assert lines[-1].startswith("pbcfg: error: stream from proxy broke after its first chunk: ")
    assert lines[-1].endswith(". Hint: run it again; -v shows every attempt")


# -- 13: the answers users meet from proxies, classified -----------------------------------------------------

NO_DB = (400, {"error": {"message": "No connected db.", "type": "no_db_connection", "param": None, "code": "400"}}, {})
PROXY_HINT = (
    "a LiteLLM proxy without a database accepts only its master key: set apiKey to the proxy's master key "
    "(LITELLM_MASTER_KEY), or give the proxy a database for virtual keys"
)


def test_a_litellm_proxy_without_a_database_is_a_proxy_auth_error_in_status_and_chat(run, tmp_path):
    with Scripted({("GET", "/models"): NO_DB, ("POST", "/chat/completions"): NO_DB}) as server:
        configure(tmp_path, {"litellm": server.url}, {"gpt-4o": ["litellm"]})
        status = run("status", "--config-dir", tmp_path, "--format", "json")
        text = run("status", "--config-dir", tmp_path)
        chat = run("chat", "--model", "gpt-4o", "hi", "--config-dir", tmp_path, "-v")
    (litellm,) = [r for r in status.json["endpoints"] if r["endpoint"] == "litellm"]
    assert (status.code, litellm["state"], litellm["detail"], litellm["hint"]) == (
        1,
        "proxy-auth",
        "HTTP 400: No connected db.",
        PROXY_HINT,
    )
    assert "litellm              proxy-auth" in text.out and f"hint: {PROXY_HINT}" in text.out
    assert chat.code == 1
    assert chat.err.splitlines()[1:3] == [
        "attempt 1: gpt-4o @ litellm -> proxy-auth 400: No connected db.",
        f"  hint: {PROXY_HINT}",
    ]


def test_an_unclassified_answer_shows_its_status_and_a_masked_excerpt(run, tmp_path):
    odd = (418, {"error": {"message": "I'm a teapot, key sk-workflow-0123456789 refused"}}, {})
    with Scripted({("GET", "/models"): odd}) as server:
        configure(tmp_path, {"box": server.url}, {"m": ["box"]})
        status = run("status", "--config-dir", tmp_path, "--format", "json")
    (box,) = [r for r in status.json["endpoints"] if r["endpoint"] == "box"]
    assert (box["state"], box["detail"]) == ("error", f"HTTP 418: I'm a teapot, key {'*' * len(KEY)} refused")


def test_a_proxy_whose_own_upstream_key_is_refused_is_a_proxy_config_error(tmp_path):
    upstream = (
        401,
        {
            "error": {
                "message": "litellm.AuthenticationError: AuthenticationError: OpenAIException - "
                "Incorrect API key provided",
                "type": "auth_error",
                "code": "401",
            }
        },
        {},
    )
    with Scripted({("POST", "/chat/completions"): upstream}) as server:
        configure(tmp_path, {"litellm": server.url}, {"gpt-4o": ["litellm"]})
        with load_runtime(tmp_path, env={}) as runtime, pytest.raises(AllAttemptsFailed) as raised:
            runtime.complete(MESSAGES, model="gpt-4o")
    (attempt,) = raised.value.attempts
    assert (attempt.outcome, attempt.status) == ("proxy-config", 401)
    assert attempt.hint.startswith("the proxy's own configuration failed")


# -- 14: presets the runtime must not contradict ------------------------------------------------------------

LLAMA_MODELS = (
    200,
    {
        "object": "list",
        "data": [
            {
                "id": "/models/Llama-3.2-1B-Instruct-Q4_K_M.gguf",
                "object": "model",
                "created": 1735000000,
                "owned_by": "llamacpp",
                "meta": {"n_ctx_train": 131072, "n_vocab": 128256},
            }
        ],
    },
    {},
)


def test_the_llama_cpp_preset_s_model_id_is_fine_with_llama_cpp_s_server(run, tmp_path):
    with Scripted({("GET", "/models"): LLAMA_MODELS}) as server:
        directory = tmp_path / "config"
        made = run("init", "llama-cpp", "--config-dir", directory, "--base-url", server.url)
        assert made.code == 0, made.err
        status = run("status", "--config-dir", directory, "--format", "json")
    (box,) = [r for r in status.json["endpoints"] if r["endpoint"] == "openai-compatible"]
    assert (status.code, box["state"], box["detail"]) == (
        0,
        "ok",
        "llama.cpp's server: it answers every request with the one model it loaded "
        "(/models/Llama-3.2-1B-Instruct-Q4_K_M.gguf), whatever model id the request names",
    )


def test_two_models_on_llama_cpp_s_router_are_checked_by_id(run, tmp_path):
    router = (200, {"data": [{"id": "a.gguf", "owned_by": "llamacpp"}, {"id": "b.gguf", "owned_by": "llamacpp"}]}, {})
    with Scripted({("GET", "/models"): router}) as server:
        configure(tmp_path, {"box": server.url}, {"local-model": ["box"]})
        status = run("status", "--config-dir", tmp_path, "--format", "json")
    assert [r["state"] for r in status.json["endpoints"] if r["endpoint"] == "box"] == ["model-absent"]


@pytest.mark.parametrize(
    "url, warned",
    [
        ("http://127.0.0.1:4000/v1", False),
        ("http://10.1.2.3:4000/v1", False),
        ("http://litellm:4000/v1", False),
        ("http://gpu.lan:4000/v1", False),
        ("https://proxy.example.com/v1", False),
        ("http://proxy.example.com/v1", True),
    ],
)
def test_the_openai_proxy_preset_takes_plain_http_near_and_warns_far(url, warned):
    rendered = render(get_preset("openai-proxy"), Parameters(base_url=url, api_key="sk-master-0123456789"))
    assert rendered.data["credentials.json"]["endpoints"]["openai-compatible"]["baseUrl"] == url
    warning = (
        "Warning: --base-url is plain http to proxy.example.com, so the key crosses the network readable by "
        "anyone on the way: use https:// unless you trust every network in between."
    )
    assert (rendered.notes[0] == warning) is warned


# -- 15: who cools down after what ----------------------------------------------------------------------------

SPARE = {
    ("POST", "/chat/completions"): (200, {"choices": [{"message": {"content": "spare"}, "finish_reason": "stop"}]}, {})
}


def test_a_429_from_one_model_behind_a_proxy_cools_only_that_model(llmock, tmp_path):
    llmock.state.scenarios.add(Fail(429, match=Match(model="gpt-4o"), times=None))
    with Scripted(SPARE) as spare:
        configure(
            tmp_path,
            {"proxy": llmock.base_url(), "spare": spare.url},
            {"gpt-4o": ["proxy", "spare"], "gpt-4o-mini": ["proxy"]},
        )
        with load_runtime(tmp_path, env={}, sleep=lambda seconds: None, cooldown=60) as runtime:
            first = runtime.complete(MESSAGES, model="gpt-4o")
            other_model = runtime.complete(MESSAGES, model="gpt-4o-mini")
            again = runtime.complete(MESSAGES, model="gpt-4o")
    assert [(a.endpoint, a.outcome, a.status) for a in first.attempts] == [
        ("proxy", "failed", 429),
        ("spare", "ok", 200),
    ]
    assert [(a.endpoint, a.outcome) for a in other_model.attempts] == [("proxy", "ok")]
    assert [(a.endpoint, a.outcome) for a in again.attempts] == [("proxy", "cooldown"), ("spare", "ok")]


def test_a_connection_failure_cools_the_whole_endpoint(llmock, tmp_path):
    configure(
        tmp_path,
        {"dead": f"http://127.0.0.1:{closed_port()}/v1", "spare": llmock.base_url()},
        {"gpt-4o": ["dead", "spare"], "gpt-4o-mini": ["dead", "spare"]},
    )
    with load_runtime(tmp_path, env={}, cooldown=60) as runtime:
        first = runtime.complete(MESSAGES, model="gpt-4o")
        other_model = runtime.complete(MESSAGES, model="gpt-4o-mini")
    assert [(a.endpoint, a.outcome) for a in first.attempts] == [("dead", "failed"), ("spare", "ok")]
    assert [(a.endpoint, a.outcome) for a in other_model.attempts] == [("dead", "cooldown"), ("spare", "ok")]


# -- 16: doctor ----------------------------------------------------------------------------------------------


def test_doctor_gives_one_verdict_per_tier_and_agent_and_the_first_thing_to_fix(run, llmock, tmp_path, monkeypatch):
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    tiers = {
        "simple": {"primary": "gpt-4o", "fallback": []},
        "medium": {"primary": "gpt-4o-mni", "fallback": ["gpt-4o-mini"]},
        "complex": {"primary": "gone", "fallback": []},
    }
    port = closed_port()
    configure(
        tmp_path,
        {"proxy": llmock.base_url(), "dead": f"http://127.0.0.1:{port}/v1"},
        {"gpt-4o": ["proxy"], "gpt-4o-mni": ["proxy"], "gpt-4o-mini": ["proxy"], "gone": ["dead"]},
        tiers=tiers,
    )
    doctor = run("doctor", "--config-dir", tmp_path)
    notes = [line for line in doctor.out.splitlines() if line.startswith("note: ")]
    assert notes and all("lack credentials in this environment" in note for note in notes)
    lines = [line for line in doctor.out.splitlines() if line not in notes]
    assert doctor.code == 1
    assert lines.pop(0) == f"config: {tmp_path} (--config-dir)"
    assert lines[0].startswith("lint: 0 errors, ")
    assert lines[1] == "status: proxy model-absent; dead unreachable"
    assert lines[2:5] == [
        "simple → gpt-4o @ proxy: ok",
        "medium → gpt-4o-mini @ proxy: falls-back (first fix: cause 1)",
        "complex: cannot run; fix first: cause 2",
    ]
    # PonyBunny's execution agent keeps its own primary, which has no usable endpoint here: it runs on the fallback
    assert (
        "agent execution (PonyBunny's default) → gpt-4o-mini @ proxy: falls-back (first fix: "
        "claude-sonnet-4-5-20250929 @ anthropic-direct: missing credential apiKey (set it in credentials.json or "
        "$ANTHROPIC_API_KEY))" in lines
    )
    # a cause that several verdicts share is said once, under "causes:"
    assert lines.count("agent planning (PonyBunny's default): cannot run; fix first: cause 2") == 1
    assert lines[lines.index("causes:") :] == [
        "causes:",
        "  1. gpt-4o-mni @ proxy: model-absent: the server does not serve 'gpt-4o-mni' (did you mean "
        f"'gpt-4o-mini'?) (it serves: {LLMOCK_MODELS})",
        f"  2. gone @ dead: unreachable: connection refused or host not found (is the server running on port {port}?)",
    ]
    assert sum("gone @ dead" in line for line in doctor.out.splitlines()) == 1


def test_doctor_exits_0_when_every_configured_tier_runs_and_1_on_a_config_error(run, llmock, tmp_path):
    configure(tmp_path, {"proxy": llmock.base_url()}, {"gpt-4o": ["proxy"]})
    assert run("doctor", "--config-dir", tmp_path).code == 0
    (tmp_path / "llm-config.json").write_text('{"tiers": {"simple": {"primary": 1}}}')
    broken = run("doctor", "--config-dir", tmp_path)
    assert broken.code == 1
    assert broken.out.splitlines()[0] == f"config: {tmp_path} (--config-dir)"
    assert broken.out.splitlines()[2] == (
        f"cannot plan: the config has errors (above); fix them first (`pbcfg lint {tmp_path}` lists each one)"
    )
