"""Canary secrets in credentials.json and in every env var of SPEC §3: no command, format or error path shows one.

The only places allowed to hold a canary are the files whose job is to hold it:
credentials.json and its backups.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

CANARIES = {
    "file-openai": "sk-canaryFILE0000000001",
    "file-compat": "sk-canaryFILE0000000002",
    "file-custom": "canaryFILEcustom0000003",
    "file-bedrock": "canaryFILEbedrock000004",
}
ENV = {
    "ANTHROPIC_API_KEY": "sk-ant-canaryENV0000000001", "OPENAI_API_KEY": "sk-canaryENV0000000002",
    "AZURE_OPENAI_API_KEY": "canaryENVazure000000003", "GEMINI_API_KEY": "canaryENVgemini00000004",
    "AWS_ACCESS_KEY_ID": "AKIACANARYENV00000005", "AWS_SECRET_ACCESS_KEY": "canaryENVawsSecret00006",
    "OPENAI_COMPATIBLE_API_KEY": "sk-canaryENV0000000007",
}
SECRETS = list(CANARIES.values()) + list(ENV.values())


class Echo(BaseHTTPRequestHandler):
    """A hostile server: every answer is an error that echoes the request, headers included."""

    def _echo(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        payload = json.dumps({"error": {"message": f"bad request: {dict(self.headers)} {body}"}}).encode()
        self.send_response(401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _echo

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def echo_server():
    server = HTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture
def config(tmp_path, echo_server, monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    directory = tmp_path / "config"
    directory.mkdir(mode=0o700)
    credentials = {"$schema": "./credentials.schema.json", "endpoints": {
        "openai-direct": {"apiKey": CANARIES["file-openai"], "baseUrl": echo_server + "/"},
        "openai-compatible": {"apiKey": CANARIES["file-compat"], "baseUrl": echo_server},
        "my-box": {"apiKey": CANARIES["file-custom"], "baseUrl": echo_server, "region": "x"},
        "aws-bedrock": {"enabled": False, "accessKeyId": "AKIAFILE", "secretAccessKey": CANARIES["file-bedrock"]},
    }}
    (directory / "credentials.json").write_text(json.dumps(credentials, indent=2))
    (directory / "credentials.json").chmod(0o644)
    (directory / "llm-config.json").write_text(json.dumps({
        "endpoints": {"openai-compatible": {"enabled": True}, "my-box": {"enabled": True, "protocol": "openai",
                                                                          "priority": 2}},
        "models": {"m": {"displayName": "M", "endpoints": ["openai-compatible", "my-box", "openai-direct"],
                         "costPer1kTokens": {"input": 0, "output": 0}}},
        "tiers": {"simple": {"primary": "m", "fallback": ["gpt-5.2"]}}}, indent=2))
    return directory


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS + ["sk-canaryLLMCONFIG8"] if secret in text or secret[4:-4] in text]


def commands(config, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "credentials.json").write_text('{"endpoints": {"openai-direct": {"apiKey": "%s", "api_key": 1,}}}'
                                             % CANARIES["file-openai"])
    (broken / "llm-config.json").write_text(json.dumps({"endpoints": {"my-box": {
        "enabled": True, "protocol": "openai", "priority": 2, "apiKey": "sk-canaryLLMCONFIG8"}},
        "tiers": {"simple": {"primary": "gpt-5.2", "fallback": "x"}}}, indent=2))
    yield ["validate", config]
    yield ["validate", broken]
    for fmt in ("text", "json", "sarif", "junit", "github"):
        yield ["lint", config, "--format", fmt]
        yield ["lint", broken, "--format", fmt]
    yield ["lint", config, "--diff"]
    yield ["lint", config, "--explain", "secrets.placeholder-key"]
    yield ["migrate", config, "--diff"]
    yield ["migrate", config, "--check"]
    yield ["migrate", broken, "--diff"]
    yield ["resolve", "--tier", "simple", "--config-dir", config]
    yield ["resolve", "--tier", "simple", "--config-dir", config, "--format", "json"]
    yield ["status", "--config-dir", config]
    yield ["status", "--config-dir", config, "--format", "json"]
    yield ["chat", "--model", "m", "hi", "--config-dir", config]
    yield ["chat", "--model", "m", "hi", "--config-dir", config, "--verbose"]
    yield ["render", "openai-proxy", "--base-url", "https://p.example/v1", "--api-key", CANARIES["file-compat"]]
    yield ["render", "openai-proxy", "--base-url", "https://p.example/v1", "--api-key", CANARIES["file-compat"],
           "--source", "yaml"]
    yield ["init", "--preset", "openai-proxy", "--dir", tmp_path / "new", "--base-url", "https://p.example/v1",
           "--api-key", CANARIES["file-compat"], "--source", "yaml"]
    yield ["build", tmp_path / "new", "--out", tmp_path / "built", "--check"]
    yield ["build", tmp_path / "new", "--out", tmp_path / "built"]
    yield ["add", "vllm", "--config-dir", config, "--endpoint-id", "gpu", "--api-key", CANARIES["file-custom"],
           "--base-url", "http://gpu:8000/v1"]
    yield ["rename", "endpoint", "gpu", "gpu-2", "--config-dir", config, "--diff"]
    yield ["rename", "endpoint", "gpu", "gpu-2", "--config-dir", config]
    yield ["remove", "endpoint", "gpu-2", "--config-dir", config, "--cascade", "--diff"]
    yield ["lint", config, "--fix", "--format", "sarif", "--output", tmp_path / "report.sarif"]
    yield ["validate", config, "--format", "junit", "--output", tmp_path / "report.xml"]
    yield ["migrate", config]


def test_no_canary_in_any_output_or_report(run, config, tmp_path):
    seen = []
    for args in commands(config, tmp_path):
        result = run(*args)
        seen.append((args[0], result.code))
        assert "internal error" not in result.err, (args, result.err)
        assert leaks(result.out + result.err) == [], (args, result.out + result.err)
    for report in (tmp_path / "report.sarif", tmp_path / "report.xml"):
        assert leaks(report.read_text()) == [], report
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.name.startswith("credentials.") and path.parent.name != "broken":
            assert leaks(path.read_text(errors="replace")) == [], path
    assert ("chat", 1) in seen and ("status", 1) in seen  # the hostile server really was asked
    verbose = run("chat", "--model", "m", "hi", "--config-dir", config, "--verbose")
    assert "attempt 1: m @ openai-direct -> auth 401: bad request: " in verbose.err
