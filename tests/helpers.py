"""Helpers the test folders share: repository paths, an injected clock, loopback servers and a port nobody serves.

Fixtures live in conftest.py; everything a test imports by name lives here.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
PONYBUNNY = FIXTURES / "ponybunny"
KEY = "sk-workflow-0123456789"  # the key configure() writes into credentials.json


def fingerprint(key: str) -> str:
    """What pbcfg shows of a key after its vendor prefix and ``…``: ``#`` and the first four hex digits of the
    SHA-256 of its UTF-8 bytes (computed here on its own, as an oracle)."""
    return "#" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:4]


class Clock:
    """An injected clock: it moves only when the code under test sleeps or a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


class Running:
    """A socketserver on 127.0.0.1 served from a thread while the ``with`` block runs."""

    def __init__(self, server) -> None:
        self.server = server
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

    @property
    def url(self) -> str:
        return self.root + "/v1"


def reply(handler, status: int, data: bytes, headers: dict | None = None) -> None:
    """Answer an ``http.server`` request with ``data`` (JSON unless ``headers`` say otherwise)."""
    handler.send_response(status)
    for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class Scripted(Running):
    """A loopback HTTP server answering ``(method, path suffix)`` from a table: (status, JSON or bytes, headers)."""

    def __init__(self, table: dict) -> None:
        self.table, self.bodies = table, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                outer.bodies.append(body)
                key = next(k for k in outer.table if k[0] == self.command and self.path.split("?")[0].endswith(k[1]))
                answer = outer.table[key]
                status, payload, headers = answer(body) if callable(answer) else answer
                reply(self, status, payload if isinstance(payload, bytes) else json.dumps(payload).encode(), headers)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        super().__init__(ThreadingHTTPServer(("127.0.0.1", 0), Handler))


def closed_port() -> int:
    """A port of 127.0.0.1 that was free a moment ago and that nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(directory, endpoints: dict, models: dict, tiers=None, rate_limits=None, retries=0):
    """An OpenAI-protocol config in ``directory``: ``endpoints`` maps id -> base URL, ``models`` id -> endpoint ids."""
    (directory / "credentials.json").write_text(
        json.dumps(
            {"endpoints": {endpoint_id: {"apiKey": KEY, "baseUrl": url} for endpoint_id, url in endpoints.items()}}
        )
    )
    (directory / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    endpoint_id: {
                        "enabled": True,
                        "protocol": "openai",
                        "priority": index + 1,
                        **({"rateLimit": rate_limits[endpoint_id]} if endpoint_id in (rate_limits or {}) else {}),
                    }
                    for index, endpoint_id in enumerate(endpoints)
                },
                "models": {
                    model_id: {"displayName": model_id, "endpoints": ids, "costPer1kTokens": {"input": 1, "output": 2}}
                    for model_id, ids in models.items()
                },
                "tiers": tiers or {"simple": {"primary": next(iter(models)), "fallback": []}},
                "defaults": {"maxRetries": retries, "retryDelayMs": 0, "timeout": 5000},
            }
        )
    )
    (directory / "credentials.json").chmod(0o600)
    return directory


def busiest_window(stamps: list[float]) -> int:
    """The most time stamps any half-open window [t, t + 60 s) holds (the limiter's own window)."""
    from pbcfg.runtime.limiter import WINDOW

    stamps = sorted(stamps)
    return max((bisect.bisect_left(stamps, start + WINDOW) - index for index, start in enumerate(stamps)), default=0)
