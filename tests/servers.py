"""Real local servers for the protocol tests, each on 127.0.0.1 at a free port:

- :func:`llmock_server`: llmock 0.2.2, whose ``/anthropic/v1/messages`` and ``/gemini/v1beta/models/…`` routes
  speak Anthropic's and Gemini's formats; :func:`scenario` scripts its faults, :func:`journal` reads what it served.
- :func:`moto_server`: moto's AWS server with request signing checked (``INITIAL_NO_AUTH_ACTION_COUNT``): an IAM
  user is made with the first unchecked actions, then a right SigV4 signature gets 200 and a wrong one 403.
- :class:`EventStreamServer`: answers every POST with scripted AWS event-stream frames, encoded with moto's
  encoder (botocore ships only the decoder pbcfg uses), as Bedrock's ``invoke-with-response-stream`` does.
- :class:`TokenServer` and :func:`service_account_file`: an OAuth token endpoint and a service-account JSON whose
  ``token_uri`` points at it, so google-auth fetches Vertex tokens from here.
- :class:`VertexFront`: Vertex's URL shape in front of llmock's Gemini route, answering 401 unless the request
  carries the token server's current token.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from helpers import Running, closed_port

__all__ = [
    "EVENT",
    "EventStreamServer",
    "HungUp",
    "Loopback",
    "OK_HEAD",
    "SAFETY_STOP",
    "TokenServer",
    "VertexFront",
    "anthropic_frames",
    "exception_frame",
    "journal",
    "llmock_server",
    "moto_server",
    "redis_server",
    "reset",
    "said",
    "scenario",
    "service_account_file",
    "sse_forever",
    "write_config",
]


class _Serving(Running):
    """A ThreadingHTTPServer of ``handler`` served from a thread while the ``with`` block runs."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(ThreadingHTTPServer(("127.0.0.1", 0), handler))
        self.server.owner = self  # type: ignore[attr-defined]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status: int, data: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def llmock_server():
    from llmock.testing import LLMockServer

    with LLMockServer() as running:
        yield running


def scenario(server, *behaviors: dict) -> None:
    """Queue llmock behaviours (``{"type": "fail", "status": 529}``, ``{"type": "stream_fault", …}``, …)."""
    httpx.post(server.url + "/_llmock/scenario", json={"behaviors": list(behaviors)}).raise_for_status()


def reset(server) -> None:
    """Forget llmock's queued behaviours and its journal."""
    httpx.post(server.url + "/_llmock/reset").raise_for_status()


def journal(server) -> list[dict]:
    """Every request llmock served since the last call, oldest first (the journal is then cleared)."""
    records = httpx.get(server.url + "/_llmock/requests").json()["requests"]
    httpx.delete(server.url + "/_llmock/requests")
    return records


class MotoAWS:
    def __init__(self, url: str, access_key_id: str, secret_access_key: str) -> None:
        self.url, self.access_key_id, self.secret_access_key = url, access_key_id, secret_access_key


@contextmanager
def moto_server():
    """moto with SigV4 checked after three unchecked actions, which make a user allowed everything and its key."""
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"  # read by moto.settings when it is first imported
    import botocore.session
    from moto import settings
    from moto.server import ThreadedMotoServer

    settings.INITIAL_NO_AUTH_ACTION_COUNT = 3
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        iam = botocore.session.get_session().create_client(
            "iam", region_name="us-east-1", endpoint_url=url, aws_access_key_id="setup", aws_secret_access_key="setup"
        )
        iam.create_user(UserName="pbcfg")
        iam.put_user_policy(
            UserName="pbcfg",
            PolicyName="all",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ),
        )
        key = iam.create_access_key(UserName="pbcfg")["AccessKey"]
        yield MotoAWS(url, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        server.stop()


def _frame(headers: dict, payload: bytes) -> bytes:
    from moto.core.eventstream import EventStreamEncoder

    return EventStreamEncoder().encode_message(headers, payload)


def anthropic_frames(events: list[dict]) -> list[bytes]:
    """Bedrock's stream: each Anthropic event as a ``chunk`` frame whose payload is ``{"bytes": base64(event)}``."""
    return [
        _frame(
            {":message-type": "event", ":event-type": "chunk", ":content-type": "application/json"},
            json.dumps({"bytes": base64.b64encode(json.dumps(event).encode()).decode()}).encode(),
        )
        for event in events
    ]


def exception_frame(kind: str, message: str) -> bytes:
    """An exception inside a 200 stream (``throttlingException``, ``modelStreamErrorException``, …)."""
    return _frame(
        {":message-type": "exception", ":exception-type": kind, ":content-type": "application/json"},
        json.dumps({"message": message}).encode(),
    )


class EventStreamServer(_Serving):
    """Answers each POST with the next script in :attr:`scripts`: a list of frames (an event stream), or a dict
    (a JSON answer); 404 when none is left. :attr:`seen` records (path, headers) of each request."""

    def __init__(self) -> None:
        self.scripts: list[list[bytes] | dict] = []
        self.seen: list[tuple[str, dict]] = []

        class Handler(_Handler):
            def do_POST(self) -> None:
                owner = self.server.owner  # type: ignore[attr-defined]
                self.body()
                owner.seen.append((self.path, dict(self.headers)))
                if not owner.scripts:
                    return self.answer(404, b'{"message":"no script"}')
                script = owner.scripts.pop(0)
                if isinstance(script, dict):
                    return self.answer(200, json.dumps(script).encode())
                self.answer(200, b"".join(script), "application/vnd.amazon.eventstream")

        super().__init__(Handler)


class TokenServer(_Serving):
    """An OAuth token endpoint: each POST gets a new access token (``ya29.test-<n>``), valid ``expires_in``."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.issued: list[str] = []
        counter = itertools.count(1)

        class Handler(_Handler):
            def do_POST(self) -> None:
                owner = self.server.owner  # type: ignore[attr-defined]
                self.body()
                token = f"ya29.test-{next(counter)}-secret"
                owner.issued.append(token)
                self.answer(
                    200,
                    json.dumps(
                        {"access_token": token, "expires_in": owner.expires_in, "token_type": "Bearer"}
                    ).encode(),
                )

        super().__init__(Handler)


def service_account_file(path, token_uri: str, project: str = "pbcfg-test") -> str:
    """A service-account JSON with a fresh RSA key, whose ``token_uri`` is ``token_uri``; returns the private key
    (a secret the tests look for in every output)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": project,
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": f"pbcfg@{project}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    return pem


class VertexFront(_Serving):
    """``POST /v1/projects/{p}/locations/{r}/publishers/google/models/{m}:{method}``: 401 without the token
    server's latest token (or when :attr:`refuse` is above 0, which it counts down), else relayed to llmock's
    Gemini route. :attr:`seen` records (path, Authorization) of each request."""

    def __init__(self, tokens: TokenServer, llmock) -> None:
        self.tokens, self.llmock, self.refuse = tokens, llmock, 0
        self.seen: list[tuple[str, str]] = []

        class Handler(_Handler):
            def do_POST(self) -> None:
                owner = self.server.owner  # type: ignore[attr-defined]
                data = self.body()
                authorization = self.headers.get("Authorization") or ""
                owner.seen.append((self.path, authorization))
                current = owner.tokens.issued[-1] if owner.tokens.issued else None
                if owner.refuse > 0 or authorization != f"Bearer {current}":
                    owner.refuse = max(owner.refuse - 1, 0)
                    return self.answer(
                        401,
                        json.dumps(
                            {
                                "error": {
                                    "code": 401,
                                    "status": "UNAUTHENTICATED",
                                    "message": "Request had invalid authentication credentials.",
                                }
                            }
                        ).encode(),
                    )
                model_and_method = self.path.split("/publishers/google/models/", 1)[1]
                relayed = httpx.post(
                    f"{owner.llmock.url}/gemini/v1beta/models/{model_and_method}",
                    content=data,
                    headers={"Content-Type": "application/json"},
                )
                self.answer(
                    relayed.status_code, relayed.content, relayed.headers.get("content-type", "application/json")
                )

        super().__init__(Handler)


# every variable that could give an endpoint a credential: a test unsets them, so the machine's own do not count
CREDENTIAL_VARIABLES = (
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_COMPATIBLE_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_REGION",
    "PONYBUNNY_CONFIG_DIR",
)


def write_config(directory, endpoints: dict, models: dict, *, chain: list | None = None, retries: int = 2) -> None:
    """credentials.json and llm-config.json in ``directory``: ``endpoints`` maps an id to (its llm-config entry,
    its credentials entry), ``models`` a model id to its endpoint ids; tier ``simple`` runs ``chain`` (default:
    the models in order)."""
    chain = chain or list(models)
    (directory / "credentials.json").write_text(
        json.dumps({"endpoints": {name: credentials for name, (_, credentials) in endpoints.items()}})
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {name: config for name, (config, _) in endpoints.items()},
                "models": {
                    model: {"displayName": model, "endpoints": ids, "costPer1kTokens": {"input": 1.0, "output": 2.0}}
                    for model, ids in models.items()
                },
                "tiers": {"simple": {"primary": chain[0], "fallback": chain[1:]}},
                "defaults": {"maxRetries": retries, "retryDelayMs": 0, "timeout": 5000},
            }
        )
    )


# the one tool the runtime tests offer, in OpenAI's shape; llmock answers a "weather" question with a call to it
WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "the weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def one_endpoint_runtime(directory, endpoint_id: str, credentials: dict, model: str):
    """A runtime of one endpoint serving ``model`` (tier ``simple``), its sleeps recorded in ``.slept`` and not
    waited for."""
    from pbcfg.runtime import load_runtime

    write_config(directory, {endpoint_id: ({"enabled": True, "priority": 1}, credentials)}, {model: [endpoint_id]})
    slept: list[float] = []
    runtime = load_runtime(directory, env={}, sleep=slept.append)
    runtime.slept = slept
    return runtime


def said(*things) -> str:
    """Everything a call showed: results, attempts, errors, streams, as text, to look for secrets in."""
    return "\n".join(repr(thing) + str(thing) for thing in things)


@contextlib.contextmanager
def redis_server():
    """A fresh redis-server on a free port of 127.0.0.1: yields (url, process); stopped on the way out."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = closed_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)  # a test may have paused it
            process.terminate()
        process.wait(timeout=10)


SAFETY_STOP = 30.0  # no script runs longer than this, whatever the client does
EVENT = b'data: {"choices": [{"delta": {"content": "x"}, "finish_reason": null}]}\n\n'
OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\n%s\r\n"


class HungUp(Exception):
    pass


class Loopback(Running):
    """A TCP server on 127.0.0.1 running ``script(send)`` for each request; ``log`` records, per request, the
    writes and bytes sent and when (seconds since the request arrived) the client hung up, if it did."""

    def __init__(self, script) -> None:
        self.script = script
        self.log: list[dict] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                connection: socket.socket = self.request
                head = b""
                while b"\r\n\r\n" not in head:
                    data = connection.recv(65536)
                    if not data:
                        return
                    head += data
                started = time.monotonic()
                entry = {"path": head.split(b" ", 2)[1].decode(), "writes": 0, "sent": 0, "hung_up_at": None}
                outer.log.append(entry)

                def send(data: bytes) -> None:
                    if time.monotonic() - started > SAFETY_STOP:
                        raise HungUp
                    try:
                        connection.sendall(data)
                    except OSError:
                        entry["hung_up_at"] = time.monotonic() - started
                        raise HungUp from None
                    entry["writes"] += 1
                    entry["sent"] += len(data)

                try:
                    outer.script(send)
                except HungUp:
                    pass

        super().__init__(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler))


def sse_forever(send) -> None:
    send(OK_HEAD % (b"text/event-stream", b""))
    while True:
        send(EVENT)
        time.sleep(0.05)
