"""The runtime and `status`/`chat` against a real third-party OpenAI-compatible server: llmock on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llmock.testing")
from llmock.scenarios import Delay, Fail, StreamFault  # noqa: E402

from helpers import closed_port, fingerprint  # noqa: E402
from pbcfg.runtime import AllAttemptsFailed, StreamInterrupted, load_runtime  # noqa: E402

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

MESSAGES = [{"role": "user", "content": "hello"}]


@pytest.fixture(scope="module")
def server(llmock):
    return llmock


@pytest.fixture(autouse=True)
def fresh(server):
    server.state.reset()


def write_config(directory, base_url, *, fallback_url=None, retries=2, models=("gpt-4o",)):
    endpoints = {"openai-compatible": {"enabled": True, "priority": 1}}
    credentials = {"openai-compatible": {"apiKey": "EMPTY", "baseUrl": base_url}}
    model_endpoints = ["openai-compatible"]
    if fallback_url:
        endpoints["spare"] = {"enabled": True, "protocol": "openai", "priority": 2}
        credentials["spare"] = {"apiKey": "EMPTY", "baseUrl": fallback_url}
        model_endpoints.append("spare")
    (directory / "credentials.json").write_text(json.dumps({"endpoints": credentials}))
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": endpoints,
                "models": {
                    m: {
                        "displayName": m,
                        "endpoints": model_endpoints,
                        "costPer1kTokens": {"input": 0.5, "output": 1.5},
                    }
                    for m in models
                },
                "tiers": {"simple": {"primary": models[0], "fallback": list(models[1:])}},
                "defaults": {"maxRetries": retries, "retryDelayMs": 0, "timeout": 2000},
            }
        )
    )
    return directory


def runtime(directory, **options):
    slept = []
    options.setdefault("sleep", slept.append)
    return load_runtime(directory, env={}, **options), slept


def test_chat_through_a_real_server(server, tmp_path):
    rt, _ = runtime(write_config(tmp_path, server.base_url("openai")))
    result = rt.complete(MESSAGES, tier="simple")
    assert result.content == "Simulated answer from gpt-4o for 'hello'."
    assert (result.model, result.endpoint, [a.outcome for a in result.attempts]) == (
        "gpt-4o",
        "openai-compatible",
        ["ok"],
    )
    assert result.cost == pytest.approx(
        result.usage["completion_tokens"] * 1.5 / 1000 + result.usage["prompt_tokens"] * 0.5 / 1000
    )


def test_streaming_through_a_real_server(server, tmp_path):
    rt, _ = runtime(write_config(tmp_path, server.base_url("openai")))
    stream = rt.complete(MESSAGES, tier="simple", stream=True)
    assert "".join(stream) == "Simulated answer from gpt-4o for 'hello'."
    assert stream.finish_reason == "stop"


def test_429_with_retry_after_then_success(server, tmp_path):
    server.state.scenarios.add(Fail(429, retry_after=3))
    rt, slept = runtime(write_config(tmp_path, server.base_url("openai")))
    result = rt.complete(MESSAGES, tier="simple")
    assert [(a.outcome, a.status) for a in result.attempts] == [("retry", 429), ("ok", 200)]
    assert slept == [3.0]


def test_500s_exhaust_retries_then_the_spare_endpoint_serves(server, tmp_path):
    server.state.scenarios.add(Fail(500, times=3))
    rt, slept = runtime(write_config(tmp_path, server.base_url("openai"), fallback_url=server.base_url("openai")))
    result = rt.complete(MESSAGES, tier="simple")
    assert [(a.endpoint, a.outcome, a.status) for a in result.attempts] == [
        ("openai-compatible", "retry", 500),
        ("openai-compatible", "retry", 500),
        ("openai-compatible", "failed", 500),
        ("spare", "ok", 200),
    ]
    assert len(slept) == 2


def test_a_truncated_stream_is_an_error(server, tmp_path):
    server.state.scenarios.add(StreamFault("truncate", after_chunks=2))
    rt, _ = runtime(write_config(tmp_path, server.base_url("openai")))
    stream = rt.complete(MESSAGES, tier="simple", stream=True)
    with pytest.raises(StreamInterrupted) as raised:
        "".join(stream)
    assert str(raised.value) == "stream from openai-compatible ended without a finish reason or [DONE]"


def test_a_delay_past_the_timeout_is_retried(server, tmp_path):
    server.state.scenarios.add(Delay(3.0))
    rt, _ = runtime(write_config(tmp_path, server.base_url("openai")))
    result = rt.complete(MESSAGES, tier="simple", timeout=0.5)
    assert [(a.outcome, a.detail) for a in result.attempts] == [
        ("retry", "timeout: no complete answer within 0.5 s"),
        ("ok", ""),
    ]


def test_connection_refused_falls_back_to_the_next_model_s_endpoint(server, tmp_path):
    rt, _ = runtime(
        write_config(
            tmp_path, f"http://127.0.0.1:{closed_port()}/v1", retries=0, fallback_url=server.base_url("openai")
        )
    )
    result = rt.complete(MESSAGES, tier="simple")
    assert [(a.endpoint, a.outcome) for a in result.attempts] == [("openai-compatible", "failed"), ("spare", "ok")]


def test_every_attempt_failing_lists_them_all(server, tmp_path):
    server.state.scenarios.add(Fail(401, times=None))
    rt, _ = runtime(write_config(tmp_path, server.base_url("openai"), models=("gpt-4o", "gpt-4o-mini")))
    with pytest.raises(AllAttemptsFailed) as raised:
        rt.complete(MESSAGES, tier="simple")
    assert [(a.model, a.outcome) for a in raised.value.attempts] == [("gpt-4o", "auth"), ("gpt-4o-mini", "auth")]


# -- status and chat commands ---------------------------------------------------------------------------


def test_status_classes(run, server, tmp_path):
    write_config(
        tmp_path,
        server.base_url("openai"),
        models=("gpt-4o", "gpt-4o-mni"),
        fallback_url=f"http://127.0.0.1:{closed_port()}/v1",
    )
    result = run("status", "--config-dir", tmp_path, "--format", "json")
    assert result.code == 1
    by_endpoint = {r["endpoint"]: r for r in result.json["endpoints"] if r["state"] != "skipped"}
    assert by_endpoint["openai-compatible"]["state"] == "model-absent"
    assert (
        by_endpoint["openai-compatible"]["detail"]
        == "the server does not serve 'gpt-4o-mni' (did you mean 'gpt-4o-mini'?)"
    )
    assert by_endpoint["spare"]["state"] == "unreachable"
    assert by_endpoint["spare"]["hint"].startswith("is the server running on port ")


def test_status_ok_wrong_path_and_auth(run, server, tmp_path):
    write_config(tmp_path, server.base_url("openai"))
    ok = run("status", "--config-dir", tmp_path, "--format", "json")
    assert [(r["endpoint"], r["state"]) for r in ok.json["endpoints"] if r["state"] != "skipped"] == [
        ("openai-compatible", "ok")
    ]
    assert ok.code == 0
    write_config(tmp_path, server.url)  # no /v1
    wrong = run("status", "--config-dir", tmp_path, "--format", "json")
    assert [(r["state"], r["hint"]) for r in wrong.json["endpoints"] if r["state"] != "skipped"] == [
        ("wrong-path", f"the base URL probably lacks /v1: try {server.url}/v1")
    ]
    write_config(tmp_path, server.base_url("openai"))
    server.state.scenarios.add(Fail(401))
    auth = run("status", "--config-dir", tmp_path, "--format", "json")
    assert [r["state"] for r in auth.json["endpoints"] if r["state"] != "skipped"] == ["auth-failed"]


def test_chat_command_prints_the_answer_and_who_served(run, server, tmp_path):
    write_config(tmp_path, server.base_url("openai"))
    result = run("chat", "--tier", "simple", "hello", "--config-dir", tmp_path)
    assert result.code == 0
    assert result.out == "Simulated answer from gpt-4o for 'hello'.\n"
    assert result.err.split("\n", 1)[1].startswith("— gpt-4o @ openai-compatible, ")
    streamed = run("chat", "--tier", "simple", "hello", "--stream", "--config-dir", tmp_path)
    assert streamed.out == "Simulated answer from gpt-4o for 'hello'.\n"


def test_resolve_masks_secrets_and_names_sources(run, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "sk-env-secret-123456")
    write_config(tmp_path, "http://127.0.0.1:9/v1")
    result = run("resolve", "--tier", "simple", "--config-dir", tmp_path, "--format", "json")
    assert "secret" not in result.out
    (attempt,) = result.json["plan"]["attempts"]
    assert attempt["credentials"]["apiKey"] == {
        "value": f"sk-…{fingerprint('sk-env-secret-123456')}",
        "source": "env OPENAI_COMPATIBLE_API_KEY",
    }
    assert attempt["baseUrl"] == {
        "value": "http://127.0.0.1:9/v1",
        "source": "credentials.json /endpoints/openai-compatible/baseUrl",
    }
