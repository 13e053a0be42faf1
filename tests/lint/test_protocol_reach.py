"""Lint and `resolve --as ponybunny` say where PonyBunny's adapters cannot call an endpoint pbcfg's runtime can:
Bedrock unsigned, Vertex AI without a token, Gemini behind a base URL off Google's host."""

from __future__ import annotations

import json

import pytest

from servers import CREDENTIAL_VARIABLES

SECRET = "s3cret-AWS-value-0123456789"


@pytest.fixture(autouse=True)
def no_credential_variables(monkeypatch):
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def config(directory, credentials: dict, endpoints: dict | None = None):
    (directory / "credentials.json").write_text(json.dumps({"endpoints": credentials}, indent=1))
    (directory / "credentials.json").chmod(0o600)
    (directory / "llm-config.json").write_text(
        json.dumps({"endpoints": {"aws-bedrock": {"enabled": True}, "codex": {"enabled": False}, **(endpoints or {})}})
    )
    return directory


def findings(run, directory) -> list[tuple[str, int, int]]:
    result = run("lint", "--config-dir", directory, "--format", "json")
    data = result.json
    diagnostics = data["diagnostics"] if isinstance(data, dict) else data
    return [(d["rule"], d["line"], d["column"]) for d in diagnostics if d["rule"].startswith("ponybunny.")]


def test_bedrock_with_keys_is_flagged_where_its_entry_is(run, tmp_path):
    config(tmp_path, {"aws-bedrock": {"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": SECRET}})
    assert findings(run, tmp_path) == [("ponybunny.bedrock-unsigned", 3, 18)]
    shown = run("lint", "--config-dir", tmp_path)
    assert "pbcfg's runtime calls Bedrock's InvokeModel signed with SigV4" in shown.out
    assert SECRET not in shown.out + shown.err


def test_bedrock_without_keys_or_behind_a_gateway_is_not(run, tmp_path):
    config(
        tmp_path,
        {
            "aws-bedrock": {
                "accessKeyId": "AKIDEXAMPLE",
                "secretAccessKey": SECRET,
                "baseUrl": "https://llm-gateway.example.com/v1/messages",
            }
        },
    )
    assert findings(run, tmp_path) == []
    config(tmp_path, {})
    assert findings(run, tmp_path) == []


def test_vertex_is_flagged_for_its_missing_token(run, tmp_path):
    config(tmp_path, {"google-vertex-ai": {"projectId": "my-project"}}, {"google-vertex-ai": {"enabled": True}})
    assert findings(run, tmp_path) == [("ponybunny.vertex-no-auth", 3, 23)]


def test_gemini_off_googles_host_is_flagged_at_its_base_url(run, tmp_path):
    config(
        tmp_path,
        {"google-ai-studio": {"apiKey": "AIza-test-key-0123456789", "baseUrl": "http://127.0.0.1:4000/gemini/v1beta"}},
    )
    assert findings(run, tmp_path) == [("ponybunny.gemini-bare-url", 5, 15)]
    config(
        tmp_path,
        {
            "google-ai-studio": {
                "apiKey": "AIza-test-key-0123456789",
                "baseUrl": "https://generativelanguage.googleapis.com/v1beta",
            }
        },
    )
    assert findings(run, tmp_path) == []


def test_resolve_as_ponybunny_says_what_each_side_sends(run, tmp_path):
    config(tmp_path, {"aws-bedrock": {"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": SECRET, "region": "eu-west-1"}})
    result = run("resolve", "--as", "ponybunny", "--config-dir", tmp_path, "--tier", "simple", "--format", "json")
    [scenario] = result.json["scenarios"]
    [bedrock] = scenario["pbcfg"]["attempts"]
    assert bedrock["baseUrl"] == {
        "value": "https://bedrock-runtime.eu-west-1.amazonaws.com",
        "source": "derived from the region",
    }
    assert [d for d in scenario["differences"] if d.endswith("(ponybunny.bedrock-unsigned)")] == [
        "claude-haiku-4-5-20251001 @ aws-bedrock: PonyBunny cannot call aws-bedrock: no base URL is set: its "
        "work-item path posts to the literal https://bedrock-runtime.{region}.amazonaws.com and its conversation "
        "agent has no URL at all, with Anthropic's Messages body, no /model/…/invoke path and no SigV4 signature, so "
        "every call fails; pbcfg's runtime calls Bedrock's InvokeModel signed with SigV4 (ponybunny.bedrock-unsigned)"
    ]
    assert SECRET not in result.out


def test_vertex_behind_another_base_url_is_said_to_be_posted_to_as_it_is(run, tmp_path):
    config(
        tmp_path,
        {"google-vertex-ai": {"projectId": "my-project", "baseUrl": "http://127.0.0.1:4000/v1"}},
        {"google-vertex-ai": {"enabled": True}},
    )
    result = run("lint", "--config-dir", tmp_path, "--format", "json")
    [message] = [d["message"] for d in result.json["diagnostics"] if d["rule"] == "ponybunny.vertex-no-auth"]
    assert message == (
        "PonyBunny calls google-vertex-ai with no Authorization header (its Gemini adapter adds no token), so no call "
        "succeeds: it posts to the base URL as it is, naming no model; pbcfg's runtime sends a Bearer token from "
        "Application Default Credentials"
    )
