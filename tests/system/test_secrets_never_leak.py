"""Canary secrets in every credential field, every env var and every place a key can hide in a URL: no command,
format or error path shows one, whole or as any 6-character piece.

Canaries sit in credentials.json (every secret field of the built-in
endpoints and a custom one), in old-format files (a number, a list, two
spellings, a duplicate key, a comment beside the key), in a YAML source with
the key written twice (the parser's message quotes it), next to a syntax
error (the snippet shows the key's line), in every env var PonyBunny reads, in URL
userinfo and query strings (a file's baseUrl, `--base-url`, `--set
endpoint=`, the URL env vars) and in `--api-key`. A server that echoes the
request, headers included, answers `status` and `chat`.

The only files allowed to hold a canary are those whose job is to hold it:
credentials files and their backups.
"""

from __future__ import annotations

import json
import random
import string
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

_RANDOM = random.Random(20261127)


def canary(prefix: str = "") -> str:
    """A value no output holds by chance: 24 random letters and digits."""
    return prefix + "".join(_RANDOM.choice(string.ascii_letters + string.digits) for _ in range(24))


FILE = {
    field: canary("sk-" if field.endswith("apiKey") else "")
    for field in (
        "openai-direct.apiKey",
        "openai-compatible.apiKey",
        "my-box.apiKey",
        "aws-bedrock.accessKeyId",
        "aws-bedrock.secretAccessKey",
        "azure-openai.apiKey",
        "anthropic-direct.apiKey",
        "google-ai-studio.apiKey",
    )
}
ENV = {
    name: canary()
    for name in (
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "GEMINI_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "OPENAI_COMPATIBLE_API_KEY",
        "MY_SERVICE_TOKEN",
    )
}
URL_ENV_SECRETS = {"OPENAI_COMPATIBLE_BASE_URL": canary(), "AZURE_OPENAI_ENDPOINT": canary()}
URL_ENV = {
    "OPENAI_COMPATIBLE_BASE_URL": f"http://pb:{URL_ENV_SECRETS['OPENAI_COMPATIBLE_BASE_URL']}@127.0.0.1:9/v1",
    "AZURE_OPENAI_ENDPOINT": f"http://127.0.0.1:9/?api-key={URL_ENV_SECRETS['AZURE_OPENAI_ENDPOINT']}",
}
OLD = {
    "number": "80723619455123876347",
    "list": canary(),
    "duplicate-first": canary("sk-"),
    "duplicate-last": canary("sk-"),
    "spelling": canary("sk-"),
    "userinfo": canary(),
    "query": canary(),
}
YAML = {"first": canary("sk-"), "second": canary("sk-"), "number": "51234987612349876123"}
BROKEN = canary("sk-")
PARAMETERS = {
    "api-key": canary("sk-"),
    "base-url-userinfo": canary(),
    "base-url-query": canary(),
    "set-endpoint": canary(),
    "proxy-userinfo": canary(),
}
LLM_CONFIG_CANARY = canary("sk-")  # a key where it does not belong: llm-config.json
SECRETS = [
    *FILE.values(),
    *ENV.values(),
    *URL_ENV_SECRETS.values(),
    *OLD.values(),
    *YAML.values(),
    BROKEN,
    *PARAMETERS.values(),
    LLM_CONFIG_CANARY,
]


def leaks(text: str) -> list[str]:
    """Every canary that shows, whole or as any run of 6 of its characters."""
    return [secret for secret in SECRETS if any(secret[i : i + 6] in text for i in range(len(secret) - 5))]


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


def _write(path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(text)
    path.chmod(mode)


@pytest.fixture
def dirs(tmp_path, echo_server, monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    live = tmp_path / "live"
    endpoints: dict = {}
    for field, value in FILE.items():
        endpoint, key = field.split(".")
        endpoints.setdefault(endpoint, {})[key] = value
    endpoints["openai-direct"]["baseUrl"] = echo_server + "/"
    endpoints["openai-compatible"]["baseUrl"] = echo_server
    endpoints["my-box"].update(baseUrl=echo_server, region="x")
    endpoints["aws-bedrock"]["enabled"] = False
    endpoints["azure-openai"].update(enabled=False, endpoint="https://res.example.com")
    _write(
        live / "credentials.json",
        json.dumps({"$schema": "./credentials.schema.json", "endpoints": endpoints}, indent=2),
        0o644,
    )
    _write(
        live / "llm-config.json",
        json.dumps(
            {
                "defaults": {"maxRetries": 0},
                "endpoints": {
                    "openai-compatible": {"enabled": True},
                    "my-box": {"enabled": True, "protocol": "openai", "priority": 2},
                },
                "models": {
                    "m": {
                        "displayName": "M",
                        "endpoints": ["openai-compatible", "my-box", "openai-direct"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
                "tiers": {"simple": {"primary": "m", "fallback": ["gpt-5.2"]}},
            },
            indent=2,
        ),
        0o644,
    )

    old = tmp_path / "old"  # every era's spelling of a key, and a comment beside one
    _write(
        old / "credentials.json",
        "{\n"
        '  "endpoints": {\n'
        '    "openai-direct": {"apiKey": %s, "baseURL": "http://u:%s@api.example.com/v1"},\n'
        "    // the list below is what an old script wrote\n"
        '    "openai-compatible": {"api_key": ["%s"], "baseUrl": "http://h.example/v1?api_key=%s"},\n'
        '    "my-box": {"apiKey": "%s", "apiKey": "%s", "key": "%s"},\n'
        "  }\n}\n"
        % (
            OLD["number"],
            OLD["userinfo"],
            OLD["list"],
            OLD["query"],
            OLD["duplicate-first"],
            OLD["duplicate-last"],
            OLD["spelling"],
        ),
    )
    _write(
        old / "llm-config.json",
        '{"endpoints": {"my-box": {"enabled": true, "protocol": "openai", "priority": 2}}}\n',
        0o644,
    )

    yaml_dir = tmp_path / "yaml"  # the parser's own message quotes a duplicate key's value
    _write(
        yaml_dir / "credentials.yaml",
        f"endpoints:\n  openai-direct:\n    apiKey: {YAML['first']}\n    apiKey: {YAML['second']}\n",
    )
    _write(yaml_dir / "llm-config.yaml", "tiers:\n  simple:\n    primary: gpt-5.2\n", 0o644)
    numeric = tmp_path / "numeric-yaml"
    _write(numeric / "credentials.yaml", f"endpoints:\n  openai-direct:\n    apiKey: {YAML['number']}\n")

    broken = tmp_path / "broken"  # a syntax error on the key's line, and a key in llm-config.json
    _write(broken / "credentials.json", '{"endpoints": {"openai-direct": {"apiKey": "%s" "baseUrl": 1}}}\n' % BROKEN)
    _write(
        broken / "llm-config.json",
        json.dumps(
            {
                "endpoints": {
                    "my-box": {"enabled": True, "protocol": "openai", "priority": 2, "apiKey": LLM_CONFIG_CANARY}
                },
                "tiers": {"simple": {"primary": "gpt-5.2", "fallback": "x"}},
            },
            indent=2,
        ),
        0o644,
    )
    return {"live": live, "old": old, "yaml": yaml_dir, "numeric": numeric, "broken": broken, "tmp": tmp_path}


FORMATS = ("text", "json", "sarif", "junit", "github")


def offline_commands(d):
    """Commands that read the env's URLs without sending a request to them."""
    tmp = d["tmp"]
    for name in ("live", "old", "yaml", "numeric", "broken"):
        yield ["validate", d[name]]
        for fmt in FORMATS:
            yield ["lint", d[name], "--format", fmt]
            yield ["validate", d[name], "--format", fmt, "--output", tmp / "reports" / f"{name}-validate.{fmt}"]
        yield ["lint", d[name], "--diff"]
        yield ["migrate", d[name], "--diff"]
        yield ["migrate", d[name], "--check", "--format", "json"]
    yield ["lint", d["live"], "--explain", "secrets.placeholder-key"]
    yield ["resolve", "--tier", "simple", "--config-dir", d["live"]]
    yield ["resolve", "--tier", "simple", "--config-dir", d["live"], "--format", "json"]
    for target in (["--tier", "simple"], ["--agent", "conversation"]):
        for name in ("live", "broken"):
            yield ["resolve", *target, "--as", "ponybunny", "--config-dir", d[name]]
            yield ["resolve", *target, "--as", "ponybunny", "--config-dir", d[name], "--format", "json"]
    yield ["build", d["yaml"], "--config-dir", tmp / "from-yaml"]
    yield ["build", d["numeric"], "--config-dir", tmp / "from-numeric", "--format", "sarif"]
    key = PARAMETERS["api-key"]
    for source in ("json", "yaml"):
        yield ["render", "openai-proxy", "--base-url", "https://p.example/v1", "--api-key", key, "--source", source]
    yield [
        "render",
        "openai-proxy",
        "--base-url",
        f"ftp://u:{PARAMETERS['proxy-userinfo']}@p.example/v1",
        "--api-key",
        key,
    ]  # refused: not http(s), and the message quotes the URL
    yield [
        "render",
        "openai-proxy",
        "--base-url",
        f"http://u:{PARAMETERS['proxy-userinfo']}@p.example/v1",
        "--api-key",
        key,
    ]  # plain http to another host: rendered, with a warning naming the host
    yield ["render", "vllm", "--base-url", f"http://pb:{PARAMETERS['base-url-userinfo']}@gpu:8000/v1"]
    yield ["render", "vllm", "--base-url", f"http://gpu:8000/v1?api_key={PARAMETERS['base-url-query']}"]
    yield [
        "render",
        "azure-openai",
        "--api-key",
        key,
        "--model",
        "dep",
        "--set",
        f"endpoint=https://res.example.com/?api-key={PARAMETERS['set-endpoint']}",
    ]
    yield [
        "init",
        "openai-proxy",
        "--config-dir",
        tmp / "new",
        "--base-url",
        "https://p.example/v1",
        "--api-key",
        key,
        "--source",
        "yaml",
    ]
    yield ["build", tmp / "new", "--config-dir", tmp / "built", "--check"]
    yield ["build", tmp / "new", "--config-dir", tmp / "built"]
    yield [
        "build",
        tmp / "new",
        "--config-dir",
        tmp / "built",
        "--check",
        "--format",
        "junit",
        "--output",
        tmp / "reports" / "build.xml",
    ]
    yield [
        "add",
        "vllm",
        "--config-dir",
        d["live"],
        "--endpoint-id",
        "gpu",
        "--api-key",
        key,
        "--base-url",
        f"http://gpu:8000/v1?token={PARAMETERS['base-url-query']}",
    ]
    yield [
        "add",
        "vllm",
        "--config-dir",
        d["live"],
        "--endpoint-id",
        "gpu",
        "--api-key",
        key,
        "--base-url",
        "http://gpu:9000/v1",
    ]  # a conflict
    yield ["rename", "endpoint", "gpu", "gpu-2", "--config-dir", d["live"], "--diff"]
    yield ["rename", "endpoint", "gpu", "gpu-2", "--config-dir", d["live"]]
    yield ["remove", "endpoint", "gpu-2", "--config-dir", d["live"], "--cascade", "--diff"]
    yield ["lint", d["live"], "--fix", "--format", "sarif", "--output", tmp / "reports" / "fix.sarif"]
    yield ["migrate", d["live"]]
    yield ["migrate", d["old"], "--format", "json", "--output", tmp / "reports" / "migrate-old.json"]


def network_commands(d):
    """Commands that send requests: to the echoing server only."""
    for fmt in ("text", "json"):
        yield ["status", "--config-dir", d["live"], "--format", fmt]
    yield ["chat", "--model", "m", "hi", "--config-dir", d["live"]]
    yield ["chat", "--model", "m", "hi", "--config-dir", d["live"], "--verbose"]


def test_no_canary_in_any_output_report_or_written_file(run, dirs, monkeypatch, capsys):
    (dirs["tmp"] / "reports").mkdir()
    runs, scanned = [], 0
    for group, env in ((offline_commands, URL_ENV), (network_commands, {})):
        with monkeypatch.context() as scoped:
            for name, value in env.items():
                scoped.setenv(name, value)
            for args in group(dirs):
                result = run(*args)
                runs.append((args[0], result.code))
                assert "internal error" not in result.err and "Traceback" not in result.err, (args, result.err)
                assert leaks(result.out + result.err) == [], (args, result.out + result.err)
                scanned += len(result.out) + len(result.err)
    written = [
        path
        for path in dirs["tmp"].rglob("*")
        if path.is_file() and not path.name.startswith("credentials.") and path.parent != dirs["broken"]
    ]
    assert len([p for p in written if p.parent.name == "reports"]) == 5 * 5 + 3
    for path in written:
        text = path.read_text(errors="replace")
        assert leaks(text) == [], path
        scanned += len(text)
    codes = dict(runs)
    assert (codes["status"], codes["chat"]) == (1, 1)  # the hostile server really was asked
    assert ("render", 2) in runs and ("add", 1) in runs  # the refusals that quote their input ran too
    with capsys.disabled():
        print(
            f"\n{len(SECRETS)} canaries, {len(runs)} command runs, {len(written)} files written, "
            f"{scanned:,} characters scanned: 0 leaks"
        )


def test_each_planted_canary_reaches_the_output_masked(run, dirs, monkeypatch):
    """The canaries were where the output looks: each message that shows a key's line shows it masked."""
    old = run("validate", dirs["old"])
    assert (
        '        "openai-direct": {"apiKey": ********************, "baseURL": "http://'
        + "*" * 26
        + '@api.example.com/v1"},'
        in old.out.splitlines()
    )
    assert (
        '        "openai-compatible": {"api_key": ["'
        + "*" * 24
        + '"], "baseUrl": "http://h.example/v1?api_key='
        + "*" * 24
        + '"},'
    ) in old.out.splitlines()
    assert (
        f'        "my-box": {{"apiKey": "sk-{"*" * 24}", "apiKey": "sk-{"*" * 24}", "key": "sk-{"*" * 24}"}},'
    ) in old.out.splitlines()
    duplicate = run("validate", dirs["yaml"], "--format", "json").json["diagnostics"][0]
    assert duplicate["rule"] == "yaml.duplicate-key"
    assert (
        duplicate["message"] == f'found duplicate key "apiKey" with value "{"*" * len(YAML["second"])}" '
        f'(original value: "{"*" * len(YAML["first"])}")'
    )
    broken = run("validate", dirs["broken"])
    assert (
        f'    {{"endpoints": {{"openai-direct": {{"apiKey": "sk-{"*" * 24}" "baseUrl": 1}}}}}}'
        in broken.out.splitlines()
    )
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", URL_ENV["AZURE_OPENAI_ENDPOINT"])
    proxy = run(
        "render",
        "openai-proxy",
        "--base-url",
        f"ftp://u:{PARAMETERS['proxy-userinfo']}@p.example/v1",
        "--api-key",
        PARAMETERS["api-key"],
    )
    assert proxy.err == (
        "pbcfg: error: --base-url: expected an http:// or https:// URL such as "
        "https://api.example.com/v1, got 'ftp://***@p.example/v1'\n"
    )  # the whole userinfo
