"""Optional dependencies: botocore and google-auth are imported only for Bedrock and Vertex endpoints, and a
missing one is a reason in the plan naming the install line, not a crash; aiohttp sends the async calls once
installed, unless asked not to."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from pbcfg.errors import MissingDependency, UsageError
from pbcfg.runtime import load_runtime
from servers import write_config

pytestmark = pytest.mark.slow  # subprocesses that import the package afresh

PROBE = """
import sys
from pbcfg.runtime import load_runtime
runtime = load_runtime(sys.argv[1], env={})
runtime.plan(tier="simple")
runtime.plan(tier="medium")
print(sorted(m for m in ("botocore", "google.auth") if m in sys.modules))
"""


def config(directory, *endpoint_ids: str) -> None:
    endpoints = {
        "anthropic-direct": (
            {"enabled": True, "priority": 1},
            {"apiKey": "sk-ant-x", "baseUrl": "http://127.0.0.1:9/v1/messages"},
        ),
        "google-ai-studio": (
            {"enabled": True, "priority": 1},
            {"apiKey": "AIza-x", "baseUrl": "http://127.0.0.1:9/v1beta"},
        ),
        "aws-bedrock": (
            {"enabled": True, "priority": 2},
            {"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "s3cret-x"},
        ),
        "google-vertex-ai": ({"enabled": True, "priority": 2}, {"projectId": "p-1"}),
    }
    write_config(
        directory,
        {e: endpoints[e] for e in endpoint_ids},
        {
            "claude-haiku-4-5-20251001": [e for e in endpoint_ids if e in ("anthropic-direct", "aws-bedrock")],
            "gemini-2.0-flash": [e for e in endpoint_ids if e in ("google-ai-studio", "google-vertex-ai")],
        },
    )


def imported(directory) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(directory)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.replace("'", '"'))


def test_anthropic_and_gemini_plans_import_neither_botocore_nor_google_auth(tmp_path):
    config(tmp_path, "anthropic-direct", "google-ai-studio")
    assert imported(tmp_path) == []


def test_bedrock_and_vertex_plans_import_them_only_to_sign_or_fetch_a_token(tmp_path):
    config(tmp_path, "anthropic-direct", "aws-bedrock", "google-vertex-ai")
    assert imported(tmp_path) == []  # planned, not yet called


def test_a_missing_extra_is_a_reason_with_the_install_line(tmp_path, monkeypatch):
    config(tmp_path, "aws-bedrock", "google-vertex-ai")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name in ("botocore", "google.auth") else real(name, *rest),
    )
    runtime = load_runtime(tmp_path, env={})
    reasons = {(d.model, d.endpoint): d.reason for d in runtime.plan(tier="simple").dropped}
    assert reasons[("claude-haiku-4-5-20251001", "aws-bedrock")] == (
        "Bedrock needs botocore to sign requests (SigV4); install it: pip install 'pbcfg[aws]'"
    )
    assert runtime.plan(model="gemini-2.0-flash").dropped[0].reason == (
        "Vertex AI needs google-auth for its token (Application Default Credentials); install it: "
        "pip install 'pbcfg[gcp]'"
    )


def async_transport(runtime) -> str:
    endpoint = runtime.endpoints["anthropic-direct"]
    return type(runtime.ahttp.sender(endpoint, "http://127.0.0.1:9/v1/messages")).__name__


@pytest.mark.parametrize(
    "argument, env, expected",
    [
        (None, {}, "AiohttpTransport"),  # pbcfg[aiohttp] is installed with the tests' extras
        ("httpx", {}, "AsyncHTTPTransport"),
        (None, {"PBCFG_ASYNC_HTTP": "httpx"}, "AsyncHTTPTransport"),
        ("aiohttp", {"PBCFG_ASYNC_HTTP": "httpx"}, "AiohttpTransport"),  # the argument wins over the variable
    ],
)
def test_async_calls_go_through_aiohttp_once_installed_unless_asked_not_to(tmp_path, argument, env, expected):
    config(tmp_path, "anthropic-direct", "google-ai-studio")
    assert async_transport(load_runtime(tmp_path, env=env, async_http=argument)) == expected


def test_asking_for_aiohttp_without_it_names_the_install_line_and_auto_falls_back(tmp_path, monkeypatch):
    config(tmp_path, "anthropic-direct", "google-ai-studio")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *rest: None if name == "aiohttp" else real(name, *rest)
    )
    with pytest.raises(MissingDependency) as raised:
        load_runtime(tmp_path, env={}, async_http="aiohttp")
    assert str(raised.value) == "this needs aiohttp, which is not installed: pip install 'pbcfg[aiohttp]'"
    assert async_transport(load_runtime(tmp_path, env={})) == "AsyncHTTPTransport"


def test_an_unknown_async_http_says_the_choices(tmp_path):
    config(tmp_path, "anthropic-direct", "google-ai-studio")
    with pytest.raises(UsageError) as raised:
        load_runtime(tmp_path, env={"PBCFG_ASYNC_HTTP": "curl"})
    assert str(raised.value) == "async_http (or $PBCFG_ASYNC_HTTP) is 'curl': use one of auto, aiohttp, httpx"


def test_no_google_package_at_all_is_the_same_reason(tmp_path, monkeypatch):
    config(tmp_path, "anthropic-direct", "google-vertex-ai")
    real = importlib.util.find_spec

    def find_spec(name, *rest):
        if name == "google.auth":  # as Python answers when no package named google is installed
            raise ModuleNotFoundError("No module named 'google'", name="google")
        return real(name, *rest)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    runtime = load_runtime(tmp_path, env={})
    assert runtime.plan(model="gemini-2.0-flash").dropped[0].reason == (
        "Vertex AI needs google-auth for its token (Application Default Credentials); install it: "
        "pip install 'pbcfg[gcp]'"
    )
