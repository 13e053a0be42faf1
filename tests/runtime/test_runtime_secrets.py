"""The runtime never shows a key: not in repr, not in a message, not when a server echoes it whole, in part, cut
at any offset, URL-encoded or JSON-escaped, not when it sits in a base URL's userinfo or query.

A leak is any run of 6 characters of a canary (the redactor's unit), in any output of any runtime command."""

from __future__ import annotations

import base64
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from helpers import Running, fingerprint, reply
from pbcfg.runtime import AllAttemptsFailed, RuntimeFailure, load_runtime
from pbcfg.runtime.responses import EXCERPT
from pbcfg.secrets.masking import MIN_RUN

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

KEY = "sk-canary-7f3a9c1e"
ODD_KEY = 'sk-ca"na\\ry-5b2d8e4f'  # a quote and a backslash: its JSON-escaped form differs from it
USER_KEY = "canaryUSERINFO4c4e"
QUERY_KEY = "canaryQUERY9d1a2b"
CANARIES = [KEY, ODD_KEY, USER_KEY, QUERY_KEY]
# httpx sends a base URL's userinfo as Basic auth: base64 of "user:password" is the password, only encoded
BASIC = base64.b64encode(f"user:{USER_KEY}".encode()).decode()
MESSAGES = [{"role": "user", "content": "hi"}]


def leaks(text: str) -> list[str]:
    """Every run of 6 characters of a canary (or of its URL-encoded form) found in ``text``."""
    found = [BASIC[i : i + MIN_RUN] for i in range(len(BASIC) - MIN_RUN + 1) if BASIC[i : i + MIN_RUN] in text]
    for canary in CANARIES:
        for form in {canary, quote(canary, safe=""), json.dumps(canary)[1:-1]}:
            found += [form[i : i + MIN_RUN] for i in range(len(form) - MIN_RUN + 1) if form[i : i + MIN_RUN] in text]
    return found


class Echo(BaseHTTPRequestHandler):
    """Echoes the key it was sent (and the whole request line) in the way the first path segment names."""

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length)) if length else {}
        mode = self.path.split("/")[1]
        key = self.headers.get("authorization", "").removeprefix("Bearer ")
        if key.startswith("Basic "):  # httpx sends a base URL's userinfo as Basic auth: echo it decoded
            key = base64.b64decode(key[6:]).decode()
        said = f"{self.requestline} {self.headers.get('authorization', '')}"
        if mode == "cut":  # the key after as many x as the prompt says, so that an excerpt's end falls inside it
            self._send(401, {"error": {"message": "x" * int(request["messages"][0]["content"]) + key}})
        elif mode == "starred":  # OpenAI's way: the vendor prefix, stars, the last four characters
            self._send(401, {"error": {"message": f"Incorrect API key provided: {key[:3]}{'*' * 12}{key[-4:]}."}})
        elif mode == "part":
            self._send(401, {"error": {"message": f"Incorrect API key provided: {key[:-1]}"}})
        elif mode == "encoded":
            self._send(401, {"error": {"message": f"bad key {quote(key, safe='')} {key.replace('-', '%2D')} {said}"}})
        elif mode == "escaped":
            self._send(400, {"error": {"message": f"invalid: {key}", "param": key}}, raw_tail=json.dumps(key))
        elif mode == "models":
            self._send(200, {"data": [{"id": "m-other"}, {"id": f"Bearer {key}"}, {"id": said}]})
        elif mode == "bad":
            self._send(200, {"choices": f"Bearer {key} {said}"})
        elif mode == "redirect":
            reply(self, 301, b"", {"Location": f"http://elsewhere/v1?k={key}"})
        elif mode == "stream":
            event = json.dumps({"error": {"message": f"upstream refused {key}"}})
            reply(self, 200, f"data: {event}\n\n".encode(), {"Content-Type": "text/event-stream"})
        else:
            self._send(401, {"error": {"message": f"Incorrect API key provided: {key}. {said}"}})

    def _send(self, status: int, payload: dict, *, raw_tail: str = "") -> None:
        """``payload`` as JSON; ``raw_tail``, a JSON text of the server's own, added as one more member."""
        reply(self, status, (json.dumps(payload)[:-1] + (f', "raw": {raw_tail}}}' if raw_tail else "}")).encode())

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def echo():
    with Running(ThreadingHTTPServer(("127.0.0.1", 0), Echo)) as server:
        yield server.root


def configure(directory, base_url, key=KEY, retries=0):
    directory.mkdir(exist_ok=True)
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {"box": {"apiKey": key, "baseUrl": base_url}}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {"box": {"enabled": True, "protocol": "openai", "priority": 1}},
                "models": {
                    "m": {"displayName": "M", "endpoints": ["box"], "costPer1kTokens": {"input": 0, "output": 0}}
                },
                "tiers": {"simple": {"primary": "m", "fallback": []}},
                "defaults": {"maxRetries": retries, "retryDelayMs": 0, "timeout": 5000},
            }
        )
    )
    return directory


def test_secret_values_are_sealed_in_the_python_api(tmp_path):
    url = f"http://user:{USER_KEY}@127.0.0.1:9/v1?api_key={QUERY_KEY}&x=1"
    runtime = load_runtime(configure(tmp_path, url), env={})
    attempt = runtime.plan(tier="simple").attempts[0]
    shown = f"{attempt} {attempt!r} {runtime.endpoints!r} {runtime.plan(tier='simple')}"
    assert leaks(shown) == []
    assert (
        f"Secret('sk-…{fingerprint(KEY)}')" in shown
        and "SecretURL('http://***@127.0.0.1:9/v1?api_key=***&x=1')" in shown
    )
    assert attempt.endpoint.fields["apiKey"].value.reveal() == KEY


def test_a_key_cut_by_the_excerpt_at_any_offset_is_masked(tmp_path, echo):
    with load_runtime(configure(tmp_path, f"{echo}/cut/v1"), env={}) as runtime:
        for pad in range(EXCERPT - len(KEY) - 10, EXCERPT + 2):  # the excerpt ends before, inside, after the key
            with pytest.raises(AllAttemptsFailed) as raised:
                runtime.complete([{"role": "user", "content": str(pad)}], tier="simple")
            detail = raised.value.attempts[0].detail
            assert leaks(str(raised.value)) == [] and leaks(detail) == [], pad
            whole = "x" * pad + "*" * len(KEY)  # masked first; then cut to EXCERPT characters, the last one "…"
            assert detail == (whole if len(whole) <= EXCERPT else whole[: EXCERPT - 1] + "…"), (pad, detail)


@pytest.mark.parametrize(
    "mode, outcome",
    [
        ("whole", "auth"),
        ("part", "auth"),
        ("encoded", "auth"),
        ("escaped", "rejected"),
        ("bad", "bad-response"),
        ("redirect", "redirect"),
        ("stream", "failed"),
    ],
)
@pytest.mark.parametrize("key", [KEY, ODD_KEY])
def test_an_echoed_key_never_reaches_a_message(tmp_path, echo, mode, outcome, key):
    runtime = load_runtime(configure(tmp_path, f"{echo}/{mode}/v1?api_key={QUERY_KEY}", key=key), env={})
    with pytest.raises(RuntimeFailure) as raised:
        runtime.complete(MESSAGES, tier="simple", stream=mode == "stream")
    assert [a.outcome for a in raised.value.attempts] == [outcome]
    assert leaks(str(raised.value)) == [] and leaks(raised.value.attempts[0].detail) == [], str(raised.value)


def test_a_key_echoed_starred_but_for_its_end_shows_none_of_it(tmp_path, echo):
    runtime = load_runtime(configure(tmp_path, f"{echo}/starred/v1"), env={})
    with pytest.raises(AllAttemptsFailed) as raised:
        runtime.complete(MESSAGES, tier="simple")
    assert raised.value.attempts[0].detail == "Incorrect API key provided: sk-****************."
    assert KEY[-4:] not in str(raised.value)


def commands(directory):
    yield ["chat", "--tier", "simple", "hi", "--config-dir", directory]
    yield ["chat", "--tier", "simple", "hi", "--config-dir", directory, "-v"]
    yield ["chat", "--tier", "simple", "hi", "--config-dir", directory, "--stream", "-v"]
    yield ["status", "--config-dir", directory]
    yield ["status", "--config-dir", directory, "--format", "json"]
    yield ["resolve", "--tier", "simple", "--config-dir", directory]
    yield ["resolve", "--tier", "simple", "--config-dir", directory, "--format", "json"]
    yield ["resolve", "--tier", "simple", "--config-dir", directory, "--format", "sarif"]
    yield ["status", "--config-dir", directory, "--format", "github"]
    yield ["doctor", "--config-dir", directory]
    yield ["doctor", "--config-dir", directory, "--format", "json"]


@pytest.mark.parametrize(
    "mode, userinfo",
    [
        (mode, False)
        for mode in ("whole", "part", "starred", "encoded", "escaped", "models", "bad", "redirect", "stream")
    ]
    + [("whole", True), ("models", True)],
)
def test_no_runtime_command_shows_a_run_of_a_key(run, tmp_path, echo, monkeypatch, mode, userinfo):
    monkeypatch.setenv("OPENAI_API_KEY", ODD_KEY)
    host = f"user:{USER_KEY}@{echo[7:]}" if userinfo else echo[7:]
    directory = configure(tmp_path / "config", f"http://{host}/{mode}/v1?api_key={QUERY_KEY}")
    for args in commands(directory):
        result = run(*args)
        assert "internal error" not in result.err, (args, result.err)
        assert leaks(result.out + result.err) == [], (args, result.out + result.err)
        assert KEY[-4:] not in result.out + result.err, (args, result.out + result.err)


def test_an_invalid_port_made_of_a_key_is_a_clean_error(run, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COMPATIBLE_BASE_URL", f"http://127.0.0.1:{KEY}/v1")
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "not-needed")
    directory = tmp_path / "config"
    directory.mkdir()
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {"openai-compatible": {"enabled": True}},
                "models": {
                    "m": {
                        "displayName": "M",
                        "endpoints": ["openai-compatible"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
            }
        )
    )
    chat = run("chat", "--model", "m", "hi", "--config-dir", directory)
    assert chat.code == 1 and leaks(chat.out + chat.err) == []
    assert chat.err == (
        f"config: {directory} (--config-dir)\n"
        "pbcfg: error: no usable endpoint for 'm': m@openai-compatible: the baseUrl (env "
        "OPENAI_COMPATIBLE_BASE_URL) is not usable: its host or port is malformed (a port must be a "
        f"number from 0 to 65535). Hint: `pbcfg resolve {directory} --model m` shows why each pair is "
        "left out\n"
    )


def test_a_key_with_a_newline_is_a_configuration_error_naming_the_field(run, tmp_path):
    directory = configure(tmp_path / "config", "http://127.0.0.1:9/v1", key=KEY + "\n")
    chat = run("chat", "--tier", "simple", "hi", "--config-dir", directory)
    assert chat.code == 1 and leaks(chat.out + chat.err) == [] and "Illegal header" not in chat.err
    assert "the apiKey (credentials.json /endpoints/box/apiKey) holds a line break" in chat.err
