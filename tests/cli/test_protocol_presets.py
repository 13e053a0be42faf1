"""`pbcfg init PRESET` for Anthropic, Google AI Studio, Bedrock and Vertex pointed at local servers, then
`status`, `doctor`, `chat` and `chat --stream`; and one tier falling back across three protocols."""

from __future__ import annotations

import asyncio

import pytest

from pbcfg.runtime import load_runtime
from servers import (
    CREDENTIAL_VARIABLES,
    EventStreamServer,
    TokenServer,
    VertexFront,
    anthropic_frames,
    llmock_server,
    reset,
    said,
    scenario,
    service_account_file,
    write_config,
)

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

KEY = "sk-test-cli-0123456789abcdef"


@pytest.fixture(scope="module")
def llmock():
    with llmock_server() as running:
        yield running


@pytest.fixture(autouse=True)
def clean(llmock, monkeypatch):
    reset(llmock)
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def session(run, directory, preset: str, base_url: str, *init):
    """init ``preset`` at ``base_url``, then status, doctor, chat and chat --stream: their results."""
    made = run("init", preset, "--config-dir", directory, "--base-url", base_url, *init)
    assert made.code == 0, made.err
    return {
        command: run(*command.split(), "--config-dir", directory, *(["hello"] if "chat" in command else []))
        for command in ("status", "doctor", "chat --tier simple", "chat --tier simple --stream")
    }


def test_anthropic(run, llmock, tmp_path):
    results = session(run, tmp_path / "pb", "anthropic", llmock.url + "/anthropic/v1/messages", "--api-key", KEY)
    answer = "Simulated answer from claude-haiku-4-5-20251001 for 'hello'.\n"
    assert results["chat --tier simple"].out == results["chat --tier simple --stream"].out == answer
    assert "anthropic-direct     model-absent" in results["status"].out  # PonyBunny's Sonnet and Opus ids
    assert "simple (PonyBunny's default) → claude-haiku-4-5-20251001 @ anthropic-direct: ok" in results["doctor"].out
    assert KEY not in said(*(r.out + r.err for r in results.values()))


def test_google_ai_studio(run, llmock, tmp_path):
    results = session(
        run, tmp_path / "pb", "google-ai-studio", llmock.url + "/gemini/v1beta", "--api-key", KEY, "--tier", "simple"
    )
    assert [results[c].code for c in results] == [1, 0, 0, 0]  # status: gemini-2.0-pro is not served there
    assert results["chat --tier simple"].out == "Simulated success from gemini-2.0-flash.\n"
    assert results["chat --tier simple --stream"].out == "Simulated success from gemini-2.0-flash.\n"
    assert "key=" not in said(*(r.out + r.err for r in results.values()))
    assert KEY not in said(*(r.out + r.err for r in results.values()))


MESSAGE = {
    "type": "message",
    "role": "assistant",
    "content": [{"type": "text", "text": "Hi from Bedrock."}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 3, "output_tokens": 4},
}
EVENTS = [
    {"type": "message_start", "message": {"usage": {"input_tokens": 3}}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi from Bedrock."}},
    {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 4}},
    {"type": "message_stop"},
]


def test_aws_bedrock(run, tmp_path):
    secret = "wJalrXUtnFEMI-cli-secret-0123456789"
    with EventStreamServer() as bedrock:
        bedrock.scripts += [MESSAGE, anthropic_frames(EVENTS)]
        results = session(
            run,
            tmp_path / "pb",
            "aws-bedrock",
            bedrock.root,
            "--api-key",
            secret,
            "--set",
            "accessKeyId=AKIDEXAMPLE",
            "--set",
            "region=us-east-1",
            "--tier",
            "simple",
        )
    assert "untested: bedrock-runtime has no free call" in results["status"].out
    assert results["chat --tier simple"].out == results["chat --tier simple --stream"].out == "Hi from Bedrock.\n"
    assert [path for path, _ in bedrock.seen] == [
        "/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke",
        "/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream",
    ]
    assert "simple → claude-haiku-4-5-20251001 @ aws-bedrock: untested\n" in results["doctor"].out
    assert "fix" not in results["doctor"].out
    assert secret not in said(*(r.out + r.err for r in results.values()), bedrock.seen)


def test_google_vertex_ai(run, llmock, tmp_path, monkeypatch):
    with TokenServer() as tokens, VertexFront(tokens, llmock) as front:
        key_file = tmp_path / "service-account.json"
        private_key = service_account_file(key_file, tokens.root + "/token")
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
        results = session(
            run,
            tmp_path / "pb",
            "google-vertex-ai",
            front.root + "/v1",
            "--set",
            "projectId=pbcfg-test",
            "--set",
            "region=us-central1",
            "--tier",
            "simple",
        )
    assert "untested: Vertex AI lists no Google models for free" in results["status"].out
    assert (
        results["chat --tier simple"].out
        == results["chat --tier simple --stream"].out
        == "Simulated success from gemini-2.0-flash.\n"
    )
    shown = said(*(r.out + r.err for r in results.values()))
    assert private_key not in shown and "ya29." not in shown


def three_protocols(llmock, directory) -> None:
    """Anthropic answers 529 and Gemini 401 to every call; the OpenAI-compatible endpoint serves."""
    scenario(
        llmock,
        {"type": "fail", "status": 529, "times": None, "match": {"provider": "anthropic"}},
        {"type": "fail", "status": 401, "times": None, "match": {"provider": "gemini"}},
    )
    write_config(
        directory,
        {
            "anthropic-direct": (
                {"enabled": True, "priority": 1},
                {"apiKey": "sk-ant-" + KEY, "baseUrl": llmock.url + "/anthropic/v1/messages"},
            ),
            "google-ai-studio": (
                {"enabled": True, "priority": 1},
                {"apiKey": "AIza-" + KEY, "baseUrl": llmock.url + "/gemini/v1beta"},
            ),
            "openai-compatible": (
                {"enabled": True, "priority": 1},
                {"apiKey": "sk-oa-" + KEY, "baseUrl": llmock.url + "/v1"},
            ),
        },
        {
            "claude-haiku-4-5-20251001": ["anthropic-direct"],
            "gemini-2.0-flash": ["google-ai-studio"],
            "gpt-4o": ["openai-compatible"],
        },
    )


FALLBACK = [
    ("anthropic-direct", "retry", 529),
    ("anthropic-direct", "retry", 529),
    ("anthropic-direct", "failed", 529),
    ("google-ai-studio", "auth", 401),
    ("openai-compatible", "ok", 200),
]


def test_a_tier_falls_back_across_protocols(llmock, tmp_path):
    three_protocols(llmock, tmp_path)
    with load_runtime(tmp_path, env={}, sleep=lambda seconds: None) as rt:
        result = rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert [(a.endpoint, a.outcome, a.status) for a in result.attempts] == FALLBACK
    assert (result.model, result.content) == ("gpt-4o", "Simulated answer from gpt-4o for 'hello'.")
    assert KEY not in said(result)


def test_the_async_api_falls_back_the_same_way(llmock, tmp_path):
    three_protocols(llmock, tmp_path)

    async def call():
        async with load_runtime(tmp_path, env={}, sleep=lambda seconds: None) as rt:
            return await rt.acomplete([{"role": "user", "content": "hello"}], tier="simple")

    result = asyncio.run(call())
    assert [(a.endpoint, a.outcome, a.status) for a in result.attempts] == FALLBACK
    assert KEY not in said(result)


def test_codex_is_untested_not_a_fix(run, tmp_path):
    (tmp_path / "credentials.json").write_text('{"endpoints": {}}')
    (tmp_path / "credentials.json").chmod(0o600)
    (tmp_path / "llm-config.json").write_text('{"tiers": {"simple": {"primary": "gpt-5.2-codex", "fallback": []}}}')
    status, doctor = run("status", "--config-dir", tmp_path), run("doctor", "--config-dir", tmp_path)
    assert "codex                skipped              -  needs PonyBunny's login; pbcfg cannot call it\n" in status.out
    assert "simple → gpt-5.2-codex @ codex: untested\n" in doctor.out
    assert "fix" not in doctor.out.split("simple → ", 1)[1].split("\n", 1)[0]
