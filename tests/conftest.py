"""Fixtures every test folder shares: the CLI run in-process, files written into a fresh directory, llmock and
redis-server on 127.0.0.1 and a redactor that knows no secret; the slow/system markers by folder. What a test
imports by name is in helpers.py and the other helper modules of tests/, never here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import settings

from pbcfg.cli.entry import main

TESTS = Path(__file__).parent

# every hypothesis test: the same examples on every run, and no per-example deadline, which a loaded
# machine would turn into a flaky failure (speed is bench/'s business, never a test's)
settings.register_profile("pbcfg", deadline=None, derandomize=True, database=None)
settings.load_profile("pbcfg")


def pytest_collection_modifyitems(items) -> None:
    """Every test of tests/system/ is marked ``system`` and ``slow``; every one of tests/properties/ (many hypothesis
    examples) ``slow``."""
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        if folder == "system":
            item.add_marker(pytest.mark.system)
        if folder in ("system", "properties"):
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(scope="module")
def redis_url():
    """A fresh redis-server on 127.0.0.1 for the module (skipped where none is installed)."""
    from servers import redis_server

    with redis_server() as (url, _):
        yield url


@pytest.fixture
def redis_client(redis_url):
    import redis

    client = redis.from_url(redis_url)
    client.flushall()
    yield client
    client.close()
