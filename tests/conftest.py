"""Shared helpers: run the CLI in-process, write files, locate fixtures."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import settings

from pbcfg.cli.entry import main

# every hypothesis test: the same examples on every run, and no per-example deadline, which a loaded
# machine would turn into a flaky failure (speed is bench/'s business, never a test's)
settings.register_profile("pbcfg", deadline=None, derandomize=True, database=None)
settings.load_profile("pbcfg")

FIXTURES = Path(__file__).parent / "fixtures"
PONYBUNNY = FIXTURES / "ponybunny"
REPO = Path(__file__).parent.parent


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


@pytest.fixture(scope="module")
def llmock():
    """llmock 0.2.2, a real third-party OpenAI-compatible server, on 127.0.0.1."""
    testing = pytest.importorskip("llmock.testing")
    with testing.LLMockServer() as running:
        yield running


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def forget_secrets():
    """Each test starts with a redactor that knows no secret, as each pbcfg process does."""
    from pbcfg.secrets.known import REDACTOR

    REDACTOR.clear()
    yield
    REDACTOR.clear()


@pytest.fixture
def run(capsys, monkeypatch):
    """``run("validate", path)`` -> Result(code, out, err), through the real entry point."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        with pytest.raises(SystemExit) as stop:
            main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(stop.value.code, out, err)

    return invoke


@pytest.fixture
def write(tmp_path):
    """``write("llm-config.json", text_or_obj)`` -> path inside a fresh directory."""

    def _write(name: str, content, directory: Path | None = None) -> Path:
        path = (directory or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not isinstance(content, (str, bytes)):
            content = json.dumps(content, indent=2)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return _write
