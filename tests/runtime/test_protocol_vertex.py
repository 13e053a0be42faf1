"""Vertex AI: Gemini's body at Vertex's URL, a Bearer token fetched by google-auth from a service-account file
whose ``token_uri`` is a loopback token server; cached, and fetched anew once on a 401. The calls go to a loopback
front that checks the token and relays to llmock's Gemini route (nothing local serves Vertex itself)."""

from __future__ import annotations

import asyncio

import pytest

from pbcfg.ponybunny.effective import EffectiveEndpoint, Value
from pbcfg.runtime import AllAttemptsFailed, load_runtime
from pbcfg.runtime.protocols.base import ChatRequest
from pbcfg.runtime.protocols.vertex import PROTOCOL
from servers import TokenServer, VertexFront, llmock_server, said, service_account_file, write_config

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

MODEL = "gemini-2.0-flash"
PATH = f"/v1/projects/pbcfg-test/locations/us-central1/publishers/google/models/{MODEL}"


@pytest.fixture(scope="module")
def llmock():
    with llmock_server() as running:
        yield running


@pytest.fixture
def vertex(llmock, tmp_path, monkeypatch):
    """(a runtime, the token server, the front, the service account's private key)."""
    with TokenServer() as tokens, VertexFront(tokens, llmock) as front:
        key_file = tmp_path / "service-account.json"
        private_key = service_account_file(key_file, tokens.root + "/token")
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
        config = tmp_path / "config"
        config.mkdir()
        write_config(
            config,
            {
                "google-vertex-ai": (
                    {"enabled": True, "priority": 1},
                    {"projectId": "pbcfg-test", "region": "us-central1", "baseUrl": front.root + "/v1"},
                )
            },
            {MODEL: ["google-vertex-ai"]},
        )
        runtime = load_runtime(config, env={}, sleep=lambda seconds: None)
        yield runtime, tokens, front, private_key
        runtime.close()


def endpoint(region: str | None) -> EffectiveEndpoint:
    fields = {"projectId": Value("p-1", "env GOOGLE_CLOUD_PROJECT")}
    if region:
        fields["region"] = Value(region, "env GOOGLE_CLOUD_REGION")
    return EffectiveEndpoint("google-vertex-ai", "gemini", 2, True, None, fields, [], None)


@pytest.mark.parametrize(
    ("region", "url"),
    [
        (
            None,
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p-1/locations/us-central1/publishers/google/"
            "models/gemini-2.0-flash:generateContent",
        ),
        (
            "global",
            "https://aiplatform.googleapis.com/v1/projects/p-1/locations/global/publishers/google/"
            "models/gemini-2.0-flash:generateContent",
        ),
    ],
)
def test_the_url_by_region(region, url):
    request = PROTOCOL.chat_request(
        endpoint(region), MODEL, ChatRequest([{"role": "user", "content": "hi"}]), stream=False
    )
    assert request.url == url
    assert "x-goog-api-key" not in request.headers


def test_the_token_is_fetched_once_and_cached(vertex):
    rt, tokens, front, private_key = vertex
    first = rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    second = rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert first.content == second.content == f"Simulated success from {MODEL}."
    assert tokens.issued == ["ya29.test-1-secret"]
    assert front.seen == [(f"{PATH}:generateContent", "Bearer ya29.test-1-secret")] * 2
    assert [(a.outcome, a.status) for a in first.attempts + second.attempts] == [("ok", 200)] * 2
    shown = said(first, second)
    assert "ya29.test-1-secret" not in shown and private_key not in shown


def test_a_401_fetches_a_new_token_once(vertex):
    rt, tokens, front, _ = vertex
    rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    front.refuse = 1
    result = rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert tokens.issued == ["ya29.test-1-secret", "ya29.test-2-secret"]
    assert [auth for _, auth in front.seen] == [
        "Bearer ya29.test-1-secret",
        "Bearer ya29.test-1-secret",
        "Bearer ya29.test-2-secret",
    ]
    assert result.content == f"Simulated success from {MODEL}."
    assert "ya29.test-" not in said(result)


def test_a_token_still_refused_after_a_new_one_moves_on(vertex):
    rt, tokens, front, _ = vertex
    rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    front.refuse = 5
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    assert len(tokens.issued) == 2  # one new token, not one per refusal
    assert [(a.outcome, a.status) for a in failed.value.attempts][-1] == ("auth", 401)
    assert failed.value.attempts[-1].detail.startswith("UNAUTHENTICATED")
    assert "ya29.test-" not in said(failed.value, *failed.value.attempts)


def test_a_token_about_to_expire_is_not_reused(llmock, tmp_path, monkeypatch):
    with TokenServer(expires_in=60) as tokens, VertexFront(tokens, llmock) as front:
        key_file = tmp_path / "sa.json"
        service_account_file(key_file, tokens.root + "/token")
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
        write_config(
            tmp_path,
            {
                "google-vertex-ai": (
                    {"enabled": True, "priority": 1},
                    {"projectId": "pbcfg-test", "baseUrl": front.root + "/v1"},
                )
            },
            {MODEL: ["google-vertex-ai"]},
        )
        with load_runtime(tmp_path, env={}) as rt:
            rt.complete([{"role": "user", "content": "hello"}], tier="simple")
            rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    # 60 s is inside google-auth's refresh threshold: each call gets a fresh token
    assert tokens.issued == ["ya29.test-1-secret", "ya29.test-2-secret"]


def test_a_stream(vertex):
    rt, tokens, front, _ = vertex
    with rt.complete([{"role": "user", "content": "hello"}], tier="simple", stream=True) as stream:
        text = "".join(stream)
    assert (text, stream.finish_reason) == (f"Simulated success from {MODEL}.", "stop")
    assert front.seen == [(f"{PATH}:streamGenerateContent?alt=sse", "Bearer ya29.test-1-secret")]


def test_no_credentials_file_is_a_refused_key_with_what_to_do(vertex, tmp_path, monkeypatch):
    rt, *_ = vertex
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "absent.json"))
    with pytest.raises(AllAttemptsFailed) as failed:
        rt.complete([{"role": "user", "content": "hello"}], tier="simple")
    [attempt] = failed.value.attempts
    assert attempt.outcome == "auth"
    assert "no token from Application Default Credentials" in attempt.detail
    assert "gcloud auth application-default login" in attempt.detail


def test_status_says_untested_and_why(vertex):
    rt, tokens, *_ = vertex
    [status] = [s for s in rt.status() if s.endpoint == "google-vertex-ai"]
    assert status.detail.startswith("untested: Vertex AI lists no Google models for free")
    assert tokens.issued == []


def test_the_credentials_path_is_no_secret_but_inline_credentials_are():
    from pbcfg.secrets import known as known_secrets
    from pbcfg.secrets.boundary import redact

    known_secrets.register_environment(
        {
            "GOOGLE_APPLICATION_CREDENTIALS": "~/.config/gcloud/application_default_credentials.json",
            "CLOUDSDK_CREDENTIALS": '{"private_key": "pk-inline-0123456789"}',
        }
    )
    assert (
        redact("the config default credentials in ~/.config/gcloud/application_default_credentials.json")
        == "the config default credentials in ~/.config/gcloud/application_default_credentials.json"
    )
    assert "pk-inline-0123456789" not in redact('{"private_key": "pk-inline-0123456789"}')


def test_the_async_api_fetches_the_token_off_the_loop_and_refreshes_it_on_a_401(vertex):
    rt, tokens, front, _ = vertex
    front.refuse = 1

    async def call():
        return await rt.acomplete([{"role": "user", "content": "hello"}], tier="simple")

    result = asyncio.run(call())
    assert result.content == f"Simulated success from {MODEL}."
    assert tokens.issued == ["ya29.test-1-secret", "ya29.test-2-secret"]
    assert [auth for _, auth in front.seen] == ["Bearer ya29.test-1-secret", "Bearer ya29.test-2-secret"]
